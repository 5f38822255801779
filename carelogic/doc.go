// Package carelogic is the EHR side of the SDK: the appointment model that every EHR source produces (first
// target: Qualifacts CareLogic), with per-participant statuses, and the Adapter interface an integration
// implements to let the syncer read from, and optionally write back to, its EHR.
//
// An Appointment is one occurrence: a 1:1 (Individual) or a Group session at one start time, with a provider, a
// modality (Video or InPerson), an activity shown as the title in OnCall, and participants. Each participant has
// their own Status: Scheduled, Kept, DNS, CBT, CBC, Error, or a custom status such as "Checked-in", kept by name.
// A recurring series is a set of occurrences that share a SeriesID.
//
// This package imports nothing else of the SDK and does no I/O of its own.
package carelogic
