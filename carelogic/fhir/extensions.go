package fhir

// ParticipantStatusExtension is the URL of this package's extension on Appointment.participant that gives one
// patient's CareLogic status. Core R4 cannot say it: participant.status (accepted, declined, tentative,
// needs-action) describes the booking, not attendance, so a group session where one client did not show and the
// others attended has no standard form.
//
// The extension has a valueCode: one of the CareLogic statuses "Scheduled", "Kept", "DNS", "CBT", "CBC" or "Error"
// (matched without regard to case), or any other code, which is kept as an agency-defined custom status (for
// example "Checked-in"). It is read only on participants whose actor is a Patient. Example:
//
//	"participant": [{
//	  "extension": [{
//	    "url": "https://github.com/oncallsync/oncall-go/StructureDefinition/participant-status",
//	    "valueCode": "DNS"
//	  }],
//	  "actor": {"reference": "Patient/123"},
//	  "status": "accepted"
//	}]
const ParticipantStatusExtension = "https://github.com/oncallsync/oncall-go/StructureDefinition/participant-status"

// Cross-version extensions that carry R5 Appointment elements in an R4 resource
// (https://hl7.org/fhir/uv/xver-r5.r4/).
const (
	xverBase                  = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment."
	extRecurrenceTemplate     = xverBase + "recurrenceTemplate"
	extOriginatingAppointment = xverBase + "originatingAppointment"
	extVirtualService         = xverBase + "virtualService"
	extClass                  = xverBase + "class"
	extSubject                = xverBase + "subject"
)

// Code systems the mapping looks at.
const (
	systemV2IdentifierType   = "http://terminology.hl7.org/CodeSystem/v2-0203"
	systemParticipationType  = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	systemActCode            = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	systemActCodeOld         = "http://hl7.org/fhir/v3/ActCode"
	systemCancellationReason = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
)

// findExtension returns the first extension with the given URL, or nil.
func findExtension(exts []extension, url string) *extension {
	for i := range exts {
		if exts[i].URL == url {
			return &exts[i]
		}
	}
	return nil
}
