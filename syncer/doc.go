// Package syncer reconciles EHR appointments (package carelogic) with OnCall Health (package oncall), in both
// directions.
//
// The work is split the way it is tested: pure functions that decide, and a thin layer that does I/O.
//
//   - MapStatus maps a CareLogic participant status to its effect in OnCall, all four in one table: on OnCall's
//     documented API a 1:1's DNS is its appointment status "No show", its CBT and CBC cancel it as "Provider
//     cancelled" and "Patient cancelled", a group client's CBT and CBC withdraw their participant, and Error
//     removes the participant (a 1:1 is cancelled). Kept and custom statuses do not sync.
//   - Plan compares EHR appointments with the OnCall appointments that exist and returns a Changeset: the
//     creates, updates (of only the fields that differ, with the status and the participants list where those
//     change), cancellations and 1:1s recreated that bring OnCall in line, with what it skipped and why, and the
//     OnCall appointments a person should review. It does no I/O and is deterministic: its result does not depend
//     on the order of its inputs, the plan of a synced state is empty, and applying a plan then planning again
//     gives an empty plan.
//   - Runner applies a Changeset through an oncall.Client with bounded concurrency under the client's rate
//     limit, and never creates a duplicate.
//   - PlanEHR and EHRApplier carry what happens in OnCall back to the EHR (OnCall as system of record), from a
//     webhook delivery or a listing pass.
//   - The event-driven sync, for a service that hears of each EHR change as it happens (an HL7 feed over MLLP): a
//     Ledger records what was applied for each EHR key (MemoryLedger here, syncer/boltledger on disk);
//     Runner.SyncChanges syncs changed appointments through it with a few calls each and no listing;
//     Runner.Reconcile is Sync followed by a rebuild of the ledger from OnCall's metadata; and Loop runs them,
//     debouncing changes, taking webhooks, retrying failures and reconciling on a schedule (see ExampleLoop).
//
// # Matching
//
// Every appointment the syncer creates carries its EHR key in metadata (KeyEMRID, KeyEMRSource, KeyEMRSeries),
// as OnCall's sync guide advises, so matching is exact. KeyEMRClients records which participants the sync put on
// the appointment, so that co-hosts and third parties added directly in OnCall survive EHR-driven updates, a client
// is followed across an email change, and a client removed for Error is not brought back by a later status. An
// OnCall appointment without the metadata is never changed; when one looks like an EHR appointment that would be
// created (the guide's fallback: provider, date, title, participant) it is reported for review, and the create is
// held back so that the patient does not get a second invitation.
//
// # Two API surfaces
//
// By default the syncer uses only what OnCall documents: an appointment's status, cancelled flag and participants
// list (see oncall/undocumented.go for what it does not document). Every change to one appointment is then one
// update: its fields, its status, who is on it (the list as OnCall has it, read at most Runner.MaxListingAge
// before, so that a co-host added or a patient's cancellation made in OnCall stays) and the sync's metadata. A
// sync of k changes makes one listing pass and k calls. A group client's DNS
// has no documented field: it is reported once, recorded in the roster, and never sent.
//
// Policy.UndocumentedParticipantAPI plans with the participant extension instead, a guess that OnCall has not
// confirmed: a participant status field for DNS, CBT and CBC, and a request to /participants/ for each participant
// added, changed or removed, before the update that records the roster. Use it only where the contract suite
// (oncall/contract) found the extension on your account.
//
// # Writes OnCall does not apply
//
// OnCall's API is Django REST Framework, which answers 200 to a write whose field it does not know or holds
// read-only, and drops the field. The client checks every answer (oncall.ErrWriteIgnored), and the Runner reports
// such an action as OutcomeIgnored with the error. It then records what it sent, so that no later sync sends it
// again and a sync against such a server converges instead of writing on every run: a client's DNS, CBT or CBC in
// the roster (KeyEMRClients, a mark after the client's hash), any other field with a hash of its value
// (KeyEMRIgnored). A later plan reports the value as not sent again; a new value is sent.
//
// # API calls and duplicates
//
// Runner.Sync reads every OnCall appointment once (OnCall documents no filter by metadata or date), then makes
// one call per changed appointment, and a read before an update that changes who is on it. With the participant
// extension a participant change is a call of its own, and so is recording it in the roster. For N appointments
// of which k changed, a sync makes pages(N) + k calls, plus one per change to a participants list, and one read
// before a create whose EHR record already holds an OnCall URL (see Runner.Sync).
//
// A listing that moves while it is read may skip an appointment, which would then look missing: an appointment
// synced before is read by id before it would be created again, and a listing that shows a sign of a skip is read
// again (see Runner.Sync).
//
// A create that fails ambiguously (a 5xx, a timeout, a connection lost after the request was written) may have
// happened. It is not retried blindly: once the other changes are done, the Runner lists OnCall again and creates
// only what is still missing. An update that changes the participants list and fails ambiguously is sent again only
// after the appointment is read, with the list built from what OnCall holds then: whoever the first request did
// invite is not invited again, and a participant's cancellation made in OnCall meanwhile is kept. A participant
// added ambiguously through the extension is checked by reading its appointment.
//
// # Outcomes
//
// Runner.Sync returns the full report, and an *IncompleteError (errors.Is(err, ErrIncomplete)) with the counts
// whenever the run finished but left something undone: an action that failed or that OnCall did not fully apply, a
// skip or review item that needs a person. Skips are either by policy (Kept, custom and final statuses, past
// appointments: they recur and need nothing) or need attention (Skip.Attention: invalid EHR data, a staff id with no
// provider, no division, a look-alike booked by hand, a full group, a write OnCall did not apply); a report never
// reads "in sync" while anything needs attention. Each ActionResult carries its real error in Err.
//
// Sync is safe with no configuration beyond a division: it takes the present from the clock when Policy.Now is
// zero, so nothing already over is created; the zero Policy is DefaultPolicy; the zero Window, which would read
// nothing, is refused (AllTime covers everything).
//
// # Policy
//
// DefaultPolicy follows the CareLogic integration's documented behaviour for statuses: DNS, CBT, CBC and Error
// sync; Kept and custom statuses do not (and are reported as skipped, with the reason); once one of the four is
// set in OnCall, later changes do not sync (Policy.StatusChangesAfterFinal to allow them, though a 1:1 closed by
// its status stays closed). Beyond that behaviour, the zero Policy does each of these, and a Disable field turns it
// off:
//
//   - Recreate (DisableRecreate): a 1:1 whose client changed is cancelled and recreated for the new client; the
//     integration leaves staff to error it out and book a new one by hand. If the new client cannot be invited
//     (already cancelled, say), the old appointment is cancelled and nothing is created.
//   - Email propagation (DisableEmailPropagation): a client's changed email is carried to every future appointment they are on; the
//     integration leaves staff to update each appointment by hand. Appointments that have started are left alone.
//   - Orphan cancel (DisableOrphanCancel): an OnCall appointment whose EHR appointment is gone is cancelled, if it is in the window read
//     and in the future. Runner.Sync first asks the EHR for it by id, so one merely moved out of the window is
//     updated, not cancelled.
//   - Create hold (DisableCreateHold): the review rule above.
//
// And this can be turned on: CompleteWhenKept completes an appointment (status "Complete") once the EHR has every
// client Kept, apart from those who left it; the integration leaves staff to click Complete, and completing may
// charge the appointment's fees.
//
// Choices the Policy does not offer to change: an EHR appointment deleted (or every client Error) cancels the
// OnCall appointment; a group whose clients all end in Error is cancelled; an OnCall appointment that is cancelled
// or closed (completed, charged) is never reopened or changed; past appointments are not created; clients who
// have already cancelled, not shown or been marked Error are not invited to a new appointment; duplicate OnCall
// appointments for one EHR key are reported, not cancelled (cancelling notifies patients): the oldest is synced.
//
// # OnCall to EHR
//
// ReversePolicy's zero value does what the CareLogic integration does: a client's cancellation in OnCall becomes
// CBC in the EHR, a provider's becomes CBT, a no-show becomes DNS, and the OnCall URL is stored on the EHR record.
// The integration also puts a 1:1 client's reason in the comments; OnCall's documented API gives no reason (an
// appointment's "cancellation" is opaque, most likely a link), so the comment is written only where a server gives
// the reason as text. Statuses flow back only to clients the EHR shows as Scheduled or with a custom status: Kept
// and the four hard statuses are the EHR's record and are never overwritten. CreateInEHR and UpdateDetails are for
// deployments where OnCall is the system of record; UpdateDetails must not be combined with an EHR-to-OnCall sync of
// the same details, or the two directions would undo each other's edits.
package syncer
