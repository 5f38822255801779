package oncall

// This file holds, in one place, every part of the client that rests on an assumption because OnCall's public
// documentation is silent. Each is the likeliest reading of the evidence (OnCall's public guides, its open-source
// iOS client, the CareLogic integration's support articles); each is small and can be replaced here alone when
// OnCall confirms the real contract.

// cancelParams is how an appointment is cancelled.
//
// Assumption: PATCH /appointments/{id}/ with {"cancelled": true}. The public attribute table lists "cancelled"
// (the cancellation status) as read-write; OnCall's own app uses a separate POST /appointment_cancellations/
// resource, which the public API does not document.
func cancelParams() *AppointmentUpdateParams {
	return &AppointmentUpdateParams{Cancelled: Ptr(true)}
}

// ParticipantStatus is one participant's outcome on an appointment, which the CareLogic integration sets from the
// EHR: "No Show", "Cancelled by Provider" or "Cancelled by Client".
//
// Assumption: participants carry these in a read-write "status" field, with the labels OnCall's CareLogic
// documentation uses. The public participant schema was not published; an unknown value is kept as sent.
type ParticipantStatus string

const (
	// ParticipantNoShow is CareLogic's DNS.
	ParticipantNoShow ParticipantStatus = "No Show"
	// ParticipantCancelledByProvider is CareLogic's CBT.
	ParticipantCancelledByProvider ParticipantStatus = "Cancelled by Provider"
	// ParticipantCancelledByClient is CareLogic's CBC.
	ParticipantCancelledByClient ParticipantStatus = "Cancelled by Client"
)

// Known reports whether s is one of the three statuses above.
func (s ParticipantStatus) Known() bool {
	switch s {
	case ParticipantNoShow, ParticipantCancelledByProvider, ParticipantCancelledByClient:
		return true
	}
	return false
}

// Assumption: participants are a resource of their own at /participants/{id}/, which is where the URLs in
// appointment payloads point ("https://api.oncallhealth.ca/participants/56/"). A participant is added with
// POST /participants/ naming its appointment by URL, changed with PATCH, and removed with DELETE (which is what
// the CareLogic integration's "Error" does: it removes the participant from the appointment card). Listing them
// filters by ?appointment=<id>.
const participantAppointmentFilter = "appointment"
