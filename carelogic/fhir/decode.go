package fhir

import (
	"encoding/json"
	"errors"

	"github.com/oncallsync/oncall-go/carelogic"
)

// Decode decodes a FHIR R4 JSON document that is either an Appointment or a Bundle, telling them apart by
// resourceType, and returns its appointments: one for an Appointment, one per Appointment entry for a Bundle. Any
// other resourceType is an error wrapping ErrUnsupportedResource.
//
// For a Bundle, Decode behaves as DecodeBundle: it returns the appointments that decoded together with an error
// for the entries that did not.
func Decode(data []byte, opts ...Option) ([]carelogic.Appointment, error) {
	return decode(data, newOptions(opts))
}

func decode(data []byte, o *options) ([]carelogic.Appointment, error) {
	h, err := readHeader(data)
	if err != nil {
		return nil, err
	}
	switch h.ResourceType {
	case "Appointment":
		a, err := decodeAppointment(data, nil, o)
		if err != nil {
			return nil, err
		}
		return []carelogic.Appointment{a}, nil
	case "Bundle":
		return decodeBundle(data, o)
	}
	return nil, unsupported(h, "an Appointment or Bundle")
}

// DecodeAppointment decodes one FHIR R4 Appointment resource. It returns an error wrapping ErrUnsupportedResource
// for any other resourceType, including a Bundle (use Decode or DecodeBundle for those). Patient and Practitioner
// resources in the Appointment's contained list are used to fill in names, emails and identifiers.
//
// The result is not validated: an appointment the resource describes only partly (a proposed appointment with no
// start yet, say) decodes, and carelogic.Appointment.Validate says what is missing.
func DecodeAppointment(data []byte, opts ...Option) (carelogic.Appointment, error) {
	h, err := readHeader(data)
	if err != nil {
		return carelogic.Appointment{}, err
	}
	if h.ResourceType != "Appointment" {
		want := "an Appointment"
		if h.ResourceType == "Bundle" {
			want += " (use Decode or DecodeBundle for a Bundle)"
		}
		return carelogic.Appointment{}, unsupported(h, want)
	}
	return decodeAppointment(data, nil, newOptions(opts))
}

// DecodeBundle decodes a FHIR R4 Bundle of any type (searchset, collection, transaction, batch, history, ...) and
// returns one appointment per entry whose resource is an Appointment, in entry order. Patient, Practitioner and
// PractitionerRole entries are used to resolve the appointments' participant references (for names, emails and
// identifiers); every other entry, an entry without a resource (such as a DELETE in a transaction) and a nested
// Bundle are ignored.
//
// One bad entry does not stop the rest: DecodeBundle returns every appointment that decoded, together with an
// error joining one *DecodeError per entry that did not (nil when all did). A document that is not a Bundle is an
// error wrapping ErrUnsupportedResource.
func DecodeBundle(data []byte, opts ...Option) ([]carelogic.Appointment, error) {
	h, err := readHeader(data)
	if err != nil {
		return nil, err
	}
	if h.ResourceType != "Bundle" {
		want := "a Bundle"
		if h.ResourceType == "Appointment" {
			want += " (use Decode or DecodeAppointment for an Appointment)"
		}
		return nil, unsupported(h, want)
	}
	return decodeBundle(data, newOptions(opts))
}

func readHeader(data []byte) (header, error) {
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return h, jsonError("", "", err)
	}
	if h.ResourceType == "" {
		return h, newError("", "", "resourceType", nil, "missing")
	}
	return h, nil
}

func unsupported(h header, want string) *DecodeError {
	if !resourceTypeName.MatchString(h.ResourceType) {
		return newError("", "", "resourceType", ErrUnsupportedResource, "not a FHIR resource type name, want %s", want)
	}
	id := ""
	if h.ResourceType == "Appointment" || h.ResourceType == "Bundle" {
		// Other resources' ids are not repeated: a Patient's id identifies the patient.
		id = h.ID
	}
	return newError(h.ResourceType, id, "", ErrUnsupportedResource, "not %s", want)
}

func decodeBundle(data []byte, o *options) ([]carelogic.Appointment, error) {
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, jsonError("Bundle", b.ID, err)
	}
	// Resources are indexed first, so that an Appointment can refer to a Patient listed after it (as a search's
	// _include results are).
	idx := newIndex()
	errs := make([]error, len(b.Entry)) // by entry, so that they are reported in entry order
	var appointments []int
	for i, e := range b.Entry {
		if isNull(e.Resource) {
			continue
		}
		var h header
		if err := json.Unmarshal(e.Resource, &h); err != nil {
			de := jsonError("", "", err)
			de.Entry, de.Field = i, joinField("resource", de.Field)
			errs[i] = de
			continue
		}
		switch h.ResourceType {
		case "Appointment":
			appointments = append(appointments, i)
		case "Patient", "Practitioner", "PractitionerRole":
			p, de := decodePerson(b.Entry[i].Resource, h.ResourceType)
			if de != nil {
				de.Entry = i
				errs[i] = de
				continue
			}
			idx.add(e.FullURL, p)
		}
	}
	out := make([]carelogic.Appointment, 0, len(appointments))
	for _, i := range appointments {
		a, err := decodeAppointment(b.Entry[i].Resource, idx, o)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.Entry = i
			}
			errs[i] = err
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

func decodePerson(raw json.RawMessage, resourceType string) (*person, *DecodeError) {
	var p person
	if err := json.Unmarshal(raw, &p); err != nil {
		// A person's id is not repeated: for a Patient it identifies the patient.
		return nil, jsonError(resourceType, "", err)
	}
	return &p, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// joinField joins two element paths with a dot, either of which may be empty.
func joinField(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	}
	return parent + "." + child
}
