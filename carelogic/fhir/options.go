package fhir

import "github.com/oncallsync/oncall-go/carelogic"

// DefaultSource is the Source given to decoded appointments unless WithSource says otherwise.
const DefaultSource = "fhir"

// An Option changes how resources are decoded. Options are applied in order; a later option wins.
type Option func(*options)

type options struct {
	source          string
	idSystem        string
	patientSystem   string
	providerSystem  string
	defaultModality carelogic.Modality
	modalityCodes   map[codeKey]carelogic.Modality
}

// codeKey is a coding's system and code.
type codeKey struct{ system, code string }

func newOptions(opts []Option) *options {
	o := &options{source: DefaultSource}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// WithSource sets carelogic.Appointment.Source on every decoded appointment (default DefaultSource). Give each FHIR
// server or feed its own name: FHIR resource ids and the system-less identifiers that HL7 v2 converters emit are
// unique only within one server, so the name is what keeps two servers' appointments apart. An empty name leaves
// Source empty.
func WithSource(name string) Option {
	return func(o *options) { o.source = name }
}

// WithIdentifierSystem makes the value of the Appointment identifier whose system is system the appointment's ID,
// ahead of the filler (FILL) identifier and the resource id. Use it where the EHR stamps its own appointment id
// with a known system URI.
func WithIdentifierSystem(system string) Option {
	return func(o *options) { o.idSystem = system }
}

// WithPatientIdentifierSystem makes the value of a patient's identifier with the given system the participant's
// ClientID, ahead of the Patient reference's id. The identifier is looked for on the participant's actor reference
// and on the Patient resource when the input contains it (contained, or in the same Bundle). Use it where the
// CareLogic client id travels as, say, an MRN identifier rather than as the FHIR resource id.
func WithPatientIdentifierSystem(system string) Option {
	return func(o *options) { o.patientSystem = system }
}

// WithProviderIdentifierSystem makes the value of the provider's identifier with the given system the ProviderID,
// ahead of the Practitioner reference's id. The identifier is looked for on the actor reference, on the
// Practitioner or PractitionerRole resource when the input contains it, and on the Practitioner that such a
// PractitionerRole points to. Use it to carry the CareLogic Staff ID, which is how OnCall maps providers.
func WithProviderIdentifierSystem(system string) Option {
	return func(o *options) { o.providerSystem = system }
}

// WithDefaultModality sets the modality of appointments whose resource does not say how they take place. FHIR R4
// has no element for it, so without this option such appointments get an empty Modality, which
// carelogic.Appointment.Validate rejects: the package never guesses between video and in person for you.
func WithDefaultModality(m carelogic.Modality) Option {
	return func(o *options) { o.defaultModality = m }
}

// WithModalityCode declares that a coding (system and code) found in the appointment's appointmentType,
// serviceType, serviceCategory or R5 class means modality m. It adds to, or replaces, the built-in codes (see the
// package documentation), so that an agency's own codes for telehealth visit types can be recognised. An empty
// system matches codings without a system.
func WithModalityCode(system, code string, m carelogic.Modality) Option {
	return func(o *options) {
		if o.modalityCodes == nil {
			o.modalityCodes = make(map[codeKey]carelogic.Modality)
		}
		o.modalityCodes[codeKey{system, code}] = m
	}
}
