package contract

import "strings"

// The checks' IDs. They are stable: users filter and compare results by them.
const (
	idAuth              = "auth"
	idEnvelope          = "envelope"
	idPageSize          = "page_size"
	idPagination        = "pagination"
	idDecode            = "decode"
	idApptStatus        = "appointment.status"
	idApptProvider      = "appointment.provider"
	idApptCancellation  = "appointment.cancellation"
	idParticipantStatus = "participant.status"
	idWebhookURL        = "webhook.url"
	idDivision          = "division"

	idCreate        = "create"
	idTitle         = "write.title"
	idDateTime      = "write.datetime"
	idDuration      = "write.duration"
	idType          = "write.type"
	idMetadata      = "write.metadata"
	idAddPart       = "write.participants.add"
	idWithdrawPart  = "write.participants.withdraw"
	idRemovePart    = "write.participants.remove"
	idExtCreate     = "extension.participants.create"
	idExtStatus     = "extension.participants.status"
	idExtDelete     = "extension.participants.delete"
	idCancel        = "write.cancel"
	writeFieldIDPfx = "write."
)

// assumption returns the text of a check, including the write.<field> checks of fields a create did not apply
// that have no check of their own (division, provider, participants).
func assumption(id string) string {
	switch id {
	case idAuth:
		return "the API answers the token with the client's auth scheme (Authorization: Token <key> unless oncall.WithAuthScheme says otherwise)"
	case idEnvelope:
		return `a listing is the envelope {"count", "next", "previous", "results"}`
	case idPageSize:
		return "the page_size parameter is honoured"
	case idPagination:
		return "following next links reaches every result, on the API's own origin, without a cycle"
	case idDecode:
		return "every appointment the API lists decodes as an oncall.Appointment"
	case idApptStatus:
		return `appointments carry a "status" (the completion status)`
	case idApptProvider:
		return `appointments carry a "provider"`
	case idApptCancellation:
		return `a cancelled appointment's "cancellation" is a reference (a URL), not a reason text`
	case idParticipantStatus:
		return `participants carry a "status" (the participant extension's field)`
	case idWebhookURL:
		return "appointment URLs are on the client's API host, and oncall/webhook reads the same path on api.oncallhealth.com as the same id"
	case idDivision:
		return "GET /divisions/{id}/ answers for Config.Division"
	case idCreate:
		return "POST /appointments/ creates an appointment with every field as sent"
	case idTitle:
		return `"title" can be written (on create, and by a PATCH of it alone)`
	case idDateTime:
		return `"datetime" can be written (on create, and by a PATCH of it alone)`
	case idDuration:
		return `"duration" can be written (on create, and by a PATCH of it alone)`
	case idType:
		return `"type" can be written (on create, and by a PATCH of it alone)`
	case idMetadata:
		return `"metadata" can be written (on create, and by a PATCH of it alone), its values keeping their types`
	case idAddPart:
		return `a PATCH of "participants" listing someone new adds them`
	case idWithdrawPart:
		return `a PATCH of "participants" with "cancelled": true on one withdraws them, keeping them on the appointment`
	case idRemovePart:
		return `a PATCH of "participants" leaving one out removes them`
	case idExtCreate:
		return "the undocumented participant endpoints exist: POST /participants/ adds a participant to an appointment"
	case idExtStatus:
		return `the undocumented participant "status" can be written with PATCH /participants/{id}/`
	case idExtDelete:
		return "the undocumented DELETE /participants/{id}/ removes a participant from its appointment"
	case idCancel:
		return `a PATCH of "cancelled": true with status "Provider cancelled" cancels the appointment`
	}
	if field, ok := strings.CutPrefix(id, writeFieldIDPfx); ok {
		return `"` + field + `" can be written on create`
	}
	return ""
}

// patchIDs are the checks of the field-by-field PATCHes, in the order they run.
func patchIDs() []string {
	return []string{idTitle, idDateTime, idDuration, idType, idMetadata, idAddPart, idWithdrawPart, idRemovePart}
}

// extensionIDs are the probes of the participant extension, in the order they run.
func extensionIDs() []string { return []string{idExtCreate, idExtStatus, idExtDelete} }

// writeIDs are every write check, in the order they run.
func writeIDs() []string {
	ids := append([]string{idCreate}, patchIDs()...)
	ids = append(ids, extensionIDs()...)
	return append(ids, idCancel)
}
