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
//     appointments a person should review. It does no I/O and is deterministic.
//   - Runner applies a Changeset through an oncall.Client with bounded concurrency under the client's rate
//     limit, and never creates a duplicate.
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
// # Policy
//
// DefaultPolicy follows the CareLogic integration's documented behaviour for statuses: DNS, CBT, CBC and Error
// sync; Kept and custom statuses do not; once one of the four is set in OnCall, later changes do not sync. It goes
// further where that integration leaves work to staff: a 1:1 whose client changed is cancelled and recreated for
// the new client, an email change is carried to every future appointment of that client, and an appointment
// deleted in the EHR is cancelled in OnCall. Each is a Policy field that can be turned off.
package syncer
