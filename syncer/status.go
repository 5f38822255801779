package syncer

import (
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Effect is what a CareLogic participant status does to the matching OnCall appointment.
type Effect string

const (
	// EffectNone: the status does not sync (Scheduled, Kept, and custom statuses such as "Checked-in").
	EffectNone Effect = "none"
	// EffectSetStatus: the client's outcome is carried to OnCall (DNS, CBT, CBC); StatusMapping says how.
	EffectSetStatus Effect = "set-status"
	// EffectRemove: the participant is removed from the appointment; a 1:1 is cancelled, which moves it to
	// OnCall's past appointments (Error).
	EffectRemove Effect = "remove"
)

// StatusMapping is what MapStatus says about one CareLogic status: how each API surface shows it.
type StatusMapping struct {
	Effect Effect
	// Appointment is the status a 1:1 appointment is given on OnCall's documented API, for EffectSetStatus.
	Appointment oncall.AppointmentStatus
	// Cancels reports that the status cancels: a 1:1 is cancelled (with Appointment as its status) and a group
	// client is withdrawn from the appointment (their participant's cancelled flag), on the documented API.
	Cancels bool
	// Participant is the participant status the participant extension sets (Policy.UndocumentedParticipantAPI),
	// for EffectSetStatus.
	Participant oncall.ParticipantStatus
	// Reason says why a status does not sync, for EffectNone.
	Reason string
}

// statusTable is how the CareLogic integration's four statuses reach OnCall, in one place, with the mark the
// roster records for each. The integration's own wording of what OnCall shows ("No Show", "Cancelled by Provider",
// "Cancelled by Client") is the participant extension's; on the documented API the same outcomes are the
// appointment statuses OnCall's apps use. It is searched in order (four entries, where a map would hash every
// client's status).
var statusTable = [...]struct {
	status carelogic.Status
	mark   byte
	StatusMapping
}{
	{carelogic.StatusDNS, 'D', StatusMapping{Effect: EffectSetStatus, Appointment: oncall.StatusNoShow,
		Participant: oncall.ParticipantNoShow}},
	{carelogic.StatusCBT, 'T', StatusMapping{Effect: EffectSetStatus, Appointment: oncall.StatusProviderCancelled, Cancels: true,
		Participant: oncall.ParticipantCancelledByProvider}},
	{carelogic.StatusCBC, 'C', StatusMapping{Effect: EffectSetStatus, Appointment: oncall.StatusPatientCancelled, Cancels: true,
		Participant: oncall.ParticipantCancelledByClient}},
	{carelogic.StatusError, 0, StatusMapping{Effect: EffectRemove}},
}

// MapStatus maps a CareLogic participant status to its effect in OnCall. On OnCall's documented API (the
// default):
//
//	DNS        -> a 1:1's status "No show"; a group client's no-show has no documented field: recorded, not sent
//	CBT        -> a 1:1 cancelled with status "Provider cancelled"; a group client's participant cancelled
//	CBC        -> a 1:1 cancelled with status "Patient cancelled"; a group client's participant cancelled
//	Error      -> participant removed (a 1:1 is cancelled and moves to the past tab)
//	Kept       -> nothing, unless Policy.CompleteWhenKept: staff complete the appointment in OnCall
//	Scheduled  -> nothing
//	custom     -> nothing (e.g. "Checked-in")
//
// With the participant extension (Policy.UndocumentedParticipantAPI), DNS, CBT and CBC set the participant's
// status "No Show", "Cancelled by Provider" and "Cancelled by Client", the CareLogic integration's labels.
//
// Whether a later change syncs once one of the four has been set is the Policy's business, not MapStatus's.
func MapStatus(s carelogic.Status) StatusMapping {
	for i := range statusTable {
		if statusTable[i].status == s {
			return statusTable[i].StatusMapping
		}
	}
	switch s {
	case carelogic.StatusKept:
		return StatusMapping{Effect: EffectNone, Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees (or set Policy.CompleteWhenKept)"}
	case "", carelogic.StatusScheduled:
		return StatusMapping{Effect: EffectNone, Reason: "scheduled"}
	}
	return StatusMapping{Effect: EffectNone, Reason: "custom status " + ehrStatusText(s) + " does not sync"}
}

// effectOf is MapStatus(s).Effect, without building a reason.
func effectOf(s carelogic.Status) Effect {
	switch s {
	case carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC:
		return EffectSetStatus
	case carelogic.StatusError:
		return EffectRemove
	}
	return EffectNone
}

// statusMark returns the roster's mark of a status that syncs (DNS, CBT, CBC), or 0.
func statusMark(s carelogic.Status) byte {
	for i := range statusTable {
		if statusTable[i].status == s {
			return statusTable[i].mark
		}
	}
	return 0
}

// markKept is the roster's mark of a Kept client whose appointment the sync completed (Policy.CompleteWhenKept).
const markKept = 'K'

// markDNSRecorded is the roster's mark of a group client's DNS that the sync recorded but did not send: OnCall's
// documented API cannot show it. Unlike 'D' (sent), it is sent once the participant extension is on.
const markDNSRecorded = 'd'

// validMark reports whether m is the roster's mark of one of the statuses that are final: DNS (sent or recorded),
// CBT, CBC.
func validMark(m byte) bool { return m == 'D' || m == 'T' || m == 'C' || m == markDNSRecorded }

// markedStatus returns the CareLogic status a roster mark records.
func markedStatus(m byte) carelogic.Status {
	if m == markDNSRecorded {
		return carelogic.StatusDNS
	}
	for i := range statusTable {
		if statusTable[i].mark == m && m != 0 {
			return statusTable[i].status
		}
	}
	return ""
}
