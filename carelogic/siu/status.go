package siu

import (
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
)

// Event is an SIU trigger event, read from MSH-9.2.
type Event string

// The supported SIU trigger events.
const (
	EventNew             Event = "S12" // notification of new appointment booking
	EventReschedule      Event = "S13" // notification of appointment rescheduling
	EventModification    Event = "S14" // notification of appointment modification
	EventCancellation    Event = "S15" // notification of appointment cancellation
	EventDiscontinuation Event = "S16" // notification of appointment discontinuation
	EventDeletion        Event = "S17" // notification of appointment deletion
	EventNoShow          Event = "S26" // notification that patient did not show up for scheduled appointment
)

// rank orders the events along an appointment's life; it breaks ties between messages with the same time.
func (e Event) rank() int {
	switch e {
	case EventNew:
		return 1
	case EventReschedule:
		return 2
	case EventModification:
		return 3
	case EventCancellation:
		return 4
	case EventDiscontinuation:
		return 5
	case EventNoShow:
		return 6
	case EventDeletion:
		return 7
	}
	return 0
}

// StatusCheckedIn is the custom CareLogic status given for the HL7 filler status Started: the appointment has
// begun. CareLogic agencies commonly define it, and OnCall does not sync it.
const StatusCheckedIn carelogic.Status = "Checked-in"

// mapStatus returns the status of every participant and whether the appointment was deleted. The trigger event
// decides for S15, S16, S17 and S26 whatever SCH-25 says (a v2.3 cancel may still say BOOKED); for S12, S13 and
// S14 the filler status SCH-25 (table 0278, matched case-insensitively) decides. reason is SCH-6.1.
func mapStatus(ev Event, filler, reason string) (carelogic.Status, bool) {
	switch ev {
	case EventDeletion:
		return carelogic.StatusError, true
	case EventNoShow:
		return carelogic.StatusDNS, false
	case EventCancellation, EventDiscontinuation:
		return cancelledBy(reason), false
	}
	switch strings.ToLower(filler) {
	case "", "booked", "pending", "waitlist", "overbook", "blocked":
		return carelogic.StatusScheduled, false
	case "started":
		return StatusCheckedIn, false
	case "complete":
		return carelogic.StatusKept, false
	case "cancelled", "dc":
		return cancelledBy(reason), false
	case "deleted":
		return carelogic.StatusError, true
	case "noshow":
		return carelogic.StatusDNS, false
	}
	return carelogic.Status(filler), false
}

// cancelledBy tells a client's cancellation from the clinic's. HL7 v2 has no standard code for who cancelled:
// SCH-6 (event reason) is locally defined. CareLogic's own code CBC and FHIR's appointment-cancellation-reason
// codes for the patient ("pat" and its "pat-…" children) are recognised; anything else, including no reason,
// is a cancellation by the provider, as a filler system sends S15/S16 when the clinic changes its schedule.
func cancelledBy(reason string) carelogic.Status {
	r := strings.ToLower(reason)
	if r == "cbc" || r == "pat" || strings.HasPrefix(r, "pat-") {
		return carelogic.StatusCBC
	}
	return carelogic.StatusCBT
}
