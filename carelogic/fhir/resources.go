package fhir

import "encoding/json"

// The structs below mirror only the FHIR R4 JSON elements this package reads (plus the few R5 elements it accepts
// under their R5 names). encoding/json ignores every other element, so resources carrying more than these decode.

// header is what is read first to tell resources apart.
type header struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

type appointment struct {
	ResourceType    string              `json:"resourceType"`
	ID              string              `json:"id"`
	Meta            *meta               `json:"meta"`
	Contained       []json.RawMessage   `json:"contained"`
	Extension       []extension         `json:"extension"`
	Identifier      []identifier        `json:"identifier"`
	Status          string              `json:"status"`
	ServiceCategory []codeableConcept   `json:"serviceCategory"`
	ServiceType     []codeableReference `json:"serviceType"`
	AppointmentType *codeableConcept    `json:"appointmentType"`
	Description     string              `json:"description"`
	Start           string              `json:"start"`
	End             string              `json:"end"`
	MinutesDuration *int64              `json:"minutesDuration"`
	Comment         string              `json:"comment"`
	Participant     []participant       `json:"participant"`

	// CancelationReason is the R4 spelling; CancellationReason the R5 one.
	CancelationReason  *codeableConcept `json:"cancelationReason"`
	CancellationReason *codeableConcept `json:"cancellationReason"`

	// R5 elements, read when an R5-shaped resource is given.
	Class                  []codeableConcept `json:"class"`
	VirtualService         []json.RawMessage `json:"virtualService"`
	Subject                *reference        `json:"subject"`
	OriginatingAppointment *reference        `json:"originatingAppointment"`
	RecurrenceTemplate     json.RawMessage   `json:"recurrenceTemplate"`
}

type meta struct {
	LastUpdated string `json:"lastUpdated"`
}

type participant struct {
	Extension []extension       `json:"extension"`
	Type      []codeableConcept `json:"type"`
	Actor     *reference        `json:"actor"`
	Status    string            `json:"status"`
}

type reference struct {
	Reference  string      `json:"reference"`
	Type       string      `json:"type"`
	Identifier *identifier `json:"identifier"`
	Display    string      `json:"display"`
}

type identifier struct {
	Use    string           `json:"use"`
	Type   *codeableConcept `json:"type"`
	System string           `json:"system"`
	Value  string           `json:"value"`
}

type codeableConcept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

// codeableReference reads an R4 CodeableConcept and an R5 CodeableReference alike: R5 changed
// Appointment.serviceType to CodeableReference, which nests the concept one level down.
type codeableReference struct {
	codeableConcept
	Concept *codeableConcept `json:"concept"`
}

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

// extension holds the value types of the extensions this package reads; complex extensions (such as the R5
// recurrenceTemplate) are only tested for presence.
type extension struct {
	URL                  string           `json:"url"`
	ValueCode            *string          `json:"valueCode"`
	ValueReference       *reference       `json:"valueReference"`
	ValueCodeableConcept *codeableConcept `json:"valueCodeableConcept"`
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Entry        []bundleEntry `json:"entry"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
}

// personResource is a Patient, Practitioner or PractitionerRole as decoded: the three share the elements read here
// (a PractitionerRole has no name or telecom that matters, and a Practitioner no practitioner reference).
type personResource struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Identifier   []identifier   `json:"identifier"`
	Name         []humanName    `json:"name"`
	Telecom      []contactPoint `json:"telecom"`
	Practitioner *reference     `json:"practitioner"`
}

// person is what is kept of a personResource to resolve references to it: only what the mapping reads, so that
// a Bundle's Patients (which stay in its index until its Appointments are decoded) cost a few hundred bytes each
// whatever they hold.
type person struct {
	ResourceType string
	ID           string
	Identifier   []systemValue // those with a value, in order
	Name         string        // the name to show (see humanNameText)
	Email        string        // the primary email (see primaryEmail)
	Practitioner *reference
}

// systemValue is an identifier's system and value.
type systemValue struct{ System, Value string }

func (r *personResource) person() *person {
	p := &person{ResourceType: r.ResourceType, ID: r.ID, Name: humanNameText(r.Name), Email: primaryEmail(r.Telecom),
		Practitioner: r.Practitioner}
	for _, id := range r.Identifier {
		if id.Value != "" {
			p.Identifier = append(p.Identifier, systemValue{id.System, id.Value})
		}
	}
	return p
}

type humanName struct {
	Use    string   `json:"use"`
	Text   string   `json:"text"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

type contactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use"`
	Rank   *int64 `json:"rank"`
}
