// Package syncer reconciles EHR appointments (package carelogic) with OnCall Health (package oncall), in both
// directions.
//
// The work is split the way it is tested: pure functions that decide, and a thin layer that does I/O.
//
//   - MapStatus maps a CareLogic participant status to its effect in OnCall (DNS -> No Show, CBT -> Cancelled by
//     Provider, CBC -> Cancelled by Client, Error -> removed; Kept and custom statuses do not sync).
//   - Plan compares EHR appointments with the OnCall appointments that exist and returns a Changeset: the
//     creates, updates (of only the fields that differ), cancellations, participant statuses, participants added
//     and removed, and 1:1s recreated that bring OnCall in line, with what it skipped and why, and the OnCall
//     appointments a person should review. It does no I/O and is deterministic: its result does not depend on
//     the order of its inputs, the plan of a synced state is empty, and applying a plan then planning again gives
//     an empty plan.
//   - Runner applies a Changeset through an oncall.Client with bounded concurrency under the client's rate
//     limit, and never creates a duplicate.
//   - PlanEHR and EHRApplier carry what happens in OnCall back to the EHR (OnCall as system of record), from a
//     webhook delivery or a listing pass.
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
// # API calls and duplicates
//
// Runner.Sync reads every OnCall appointment once (OnCall documents no filter by metadata or date), then makes
// one call per change: a create, an update of only the changed fields, a cancel, a participant's status, a
// participant added or removed. Some changes take two: an email change (the participant, then the roster in the
// appointment's metadata), a group swap (remove, add, roster), a recreate (cancel, create). There are no
// per-appointment reads. For N appointments of which k changed with one call each, a sync makes pages(N) + k calls.
//
// A create that fails ambiguously (a 5xx, a timeout, a connection lost after the request was written) may have
// happened. It is not retried blindly: once the other changes are done, the Runner lists OnCall again and creates
// only what is still missing. A participant added ambiguously is checked by reading its appointment.
//
// # Policy
//
// DefaultPolicy follows the CareLogic integration's documented behaviour for statuses: DNS, CBT, CBC and Error
// sync; Kept and custom statuses do not (and are reported as skipped, with the reason); once one of the four is
// set in OnCall, later changes do not sync (Policy.StatusChangesAfterFinal to allow them). Beyond that behaviour,
// each of these can be turned off in the Policy:
//
//   - RecreateOnClientChange: a 1:1 whose client changed is cancelled and recreated for the new client; the
//     integration leaves staff to error it out and book a new one by hand. If the new client cannot be invited
//     (already cancelled, say), the old appointment is cancelled and nothing is created.
//   - PropagateEmail: a client's changed email is carried to every future appointment they are on; the
//     integration leaves staff to update each appointment by hand. Appointments that have started are left alone.
//   - CancelOrphans: an OnCall appointment whose EHR appointment is gone is cancelled, if it is in the window read
//     and in the future. Runner.Sync first asks the EHR for it by id, so one merely moved out of the window is
//     updated, not cancelled.
//   - HoldCreateOnCandidate: the review rule above.
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
// CBC in the EHR with their reason in the comments (1:1s only), a provider's becomes CBT, a no-show becomes DNS,
// and the OnCall URL is stored on the EHR record. Statuses flow back only to clients the EHR shows as Scheduled or
// with a custom status: Kept and the four hard statuses are the EHR's record and are never overwritten.
// CreateInEHR and UpdateDetails are for deployments where OnCall is the system of record; UpdateDetails must not be
// combined with an EHR-to-OnCall sync of the same details, or the two directions would undo each other's edits.
package syncer
