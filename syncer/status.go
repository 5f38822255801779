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
	// EffectSetStatus: the participant's OnCall status is set (DNS, CBT, CBC).
	EffectSetStatus Effect = "set-status"
	// EffectRemove: the participant is removed from the appointment; a 1:1 is cancelled, which moves it to
	// OnCall's past appointments (Error).
	EffectRemove Effect = "remove"
)

// StatusMapping is what MapStatus says about one CareLogic status.
type StatusMapping struct {
	Effect Effect
	// OnCall is the participant status to set, for EffectSetStatus.
	OnCall oncall.ParticipantStatus
	// Reason says why a status does not sync, for EffectNone.
	Reason string
}

// MapStatus maps a CareLogic participant status to its effect in OnCall, as the CareLogic integration documents:
//
//	DNS        -> No Show
//	CBT        -> Cancelled by Provider
//	CBC        -> Cancelled by Client
//	Error      -> participant removed (a 1:1 is cancelled and moves to the past tab)
//	Kept       -> nothing: staff complete the appointment in OnCall, which also charges its fees
//	Scheduled  -> nothing
//	custom     -> nothing (e.g. "Checked-in")
//
// Whether a later change syncs once one of the four has been set is the Policy's business, not MapStatus's.
func MapStatus(s carelogic.Status) StatusMapping {
	switch s {
	case carelogic.StatusDNS:
		return StatusMapping{Effect: EffectSetStatus, OnCall: oncall.ParticipantNoShow}
	case carelogic.StatusCBT:
		return StatusMapping{Effect: EffectSetStatus, OnCall: oncall.ParticipantCancelledByProvider}
	case carelogic.StatusCBC:
		return StatusMapping{Effect: EffectSetStatus, OnCall: oncall.ParticipantCancelledByClient}
	case carelogic.StatusError:
		return StatusMapping{Effect: EffectRemove}
	case carelogic.StatusKept:
		return StatusMapping{Effect: EffectNone, Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees"}
	case "", carelogic.StatusScheduled:
		return StatusMapping{Effect: EffectNone, Reason: "scheduled"}
	}
	return StatusMapping{Effect: EffectNone, Reason: "custom status " + quote(string(s)) + " does not sync"}
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
