package fhir

import (
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
)

// StatusCheckedIn is the custom CareLogic status given to the patients of an appointment whose FHIR status is
// arrived or checked-in. CareLogic has no built-in status for it; "Checked-in" is the name the CareLogic <> OnCall
// integration documents for this custom status, which does not sync to OnCall.
const StatusCheckedIn carelogic.Status = "Checked-in"

// appointmentStatus maps Appointment.status, with the cancellation reason for cancelled, to the status every
// patient gets unless their own participant says otherwise. ok is false for a code that is not one of R4's ten.
func appointmentStatus(r *appointment) (s carelogic.Status, ok bool) {
	switch r.Status {
	case "proposed", "pending", "booked", "waitlist":
		return carelogic.StatusScheduled, true
	case "arrived", "checked-in":
		return StatusCheckedIn, true
	case "fulfilled":
		return carelogic.StatusKept, true
	case "noshow":
		return carelogic.StatusDNS, true
	case "cancelled":
		return cancelledBy(r), true
	case "entered-in-error":
		return carelogic.StatusError, true
	}
	return "", false
}

// cancelledBy returns CBC when the cancellation reason is a patient code (pat, pat-*) of the HL7
// appointment-cancellation-reason code system, and CBT otherwise: for a provider code (prov, prov-*), for the
// other codes (equipment, weather, ...), and when no reason is given, because a cancellation the clinic recorded
// without a patient reason is the clinic's, and CBC can carry consequences for the client (late-cancellation
// fees, attendance counts) that should not follow from a missing code.
func cancelledBy(r *appointment) carelogic.Status {
	for _, reason := range []*codeableConcept{r.CancelationReason, r.CancellationReason} {
		if reason == nil {
			continue
		}
		for _, c := range reason.Coding {
			if c.System != "" && c.System != systemCancellationReason {
				continue
			}
			switch {
			case c.Code == "pat" || strings.HasPrefix(c.Code, "pat-"):
				return carelogic.StatusCBC
			case c.Code == "prov" || strings.HasPrefix(c.Code, "prov-"):
				return carelogic.StatusCBT
			}
		}
	}
	return carelogic.StatusCBT
}

// declinedMeansCBC reports whether a patient participant's status declined says that this patient cancelled: it
// does while the appointment itself goes ahead (or went ahead). On a cancelled, noshow or entered-in-error
// appointment it says nothing more, because converters mark every participant declined as a side effect of those
// statuses; the appointment-level status decides there.
func declinedMeansCBC(appointmentStatus string) bool {
	switch appointmentStatus {
	case "proposed", "pending", "booked", "arrived", "checked-in", "fulfilled", "waitlist":
		return true
	}
	return false
}

// extensionStatus turns a ParticipantStatusExtension code into a status: one of CareLogic's six, whatever its
// case, or a custom status kept as written.
func extensionStatus(code string) carelogic.Status {
	for _, s := range []carelogic.Status{
		carelogic.StatusScheduled, carelogic.StatusKept, carelogic.StatusDNS,
		carelogic.StatusCBT, carelogic.StatusCBC, carelogic.StatusError,
	} {
		if strings.EqualFold(code, string(s)) {
			return s
		}
	}
	return carelogic.Status(code)
}
