package fhir

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// Decode decodes a FHIR R4 JSON document that is either an Appointment or a Bundle, telling them apart by
// resourceType, and returns its appointments: one for an Appointment, one per Appointment entry for a Bundle. Any
// other resourceType is an error wrapping ErrUnsupportedResource.
//
// For a Bundle, Decode behaves as DecodeBundle: it returns the appointments that decoded together with an error
// for the entries that did not.
//
// A document over the package's limits (carelogic.MaxSourceBytes, MaxBundleEntries, carelogic.MaxParticipants,
// carelogic.MaxJSONDepth, carelogic.MaxJSONElements; see the package documentation) is refused before it is
// decoded, with a *DecodeError wrapping carelogic.ErrLimit, and none of it is returned.
func Decode(data []byte, opts ...Option) ([]carelogic.Appointment, error) {
	return decode(data, newOptions(opts))
}

func decode(data []byte, o *options) ([]carelogic.Appointment, error) {
	if err := checkShape(data); err != nil {
		return nil, err
	}
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
		return decodeBundle(data, h, o)
	}
	return nil, unsupported(h, "an Appointment or Bundle")
}

// fhirShape is what a document is checked against before it is decoded.
var fhirShape = sourcefile.Shape{
	Depth:    sourcefile.Limit{Max: carelogic.MaxJSONDepth, Name: "carelogic.MaxJSONDepth"},
	Elements: sourcefile.Limit{Max: carelogic.MaxJSONElements, Name: "carelogic.MaxJSONElements"},
	Arrays: []sourcefile.ArrayLimit{
		{Member: "entry", Things: "entries", Limit: sourcefile.Limit{Max: MaxBundleEntries, Name: "fhir.MaxBundleEntries"}},
		{Member: "participant", Things: "participants", Limit: sourcefile.Limit{Max: carelogic.MaxParticipants, Name: "carelogic.MaxParticipants"}},
	},
}

// checkShape refuses, with a DecodeError wrapping carelogic.ErrLimit, a document over the limits (see the package
// documentation), before encoding/json builds whatever it holds.
func checkShape(data []byte) error {
	if len(data) > carelogic.MaxSourceBytes {
		return limitError(&sourcefile.LimitError{Count: int64(len(data)), Things: "bytes", Limit: carelogic.MaxSourceBytes,
			Name: "carelogic.MaxSourceBytes"})
	}
	var limit *sourcefile.LimitError
	if err := sourcefile.CheckJSON(data, fhirShape); errors.As(err, &limit) {
		return limitError(limit)
	}
	return nil
}

// DecodeAppointment decodes one FHIR R4 Appointment resource. It returns an error wrapping ErrUnsupportedResource
// for any other resourceType, including a Bundle (use Decode or DecodeBundle for those). Patient and Practitioner
// resources in the Appointment's contained list are used to fill in names, emails and identifiers.
//
// The result is not validated: an appointment the resource describes only partly (a proposed appointment with no
// start yet, say) decodes, and carelogic.Appointment.Validate says what is missing. A document over the limits is
// refused as Decode refuses it.
func DecodeAppointment(data []byte, opts ...Option) (carelogic.Appointment, error) {
	if err := checkShape(data); err != nil {
		return carelogic.Appointment{}, err
	}
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
// error joining one *DecodeError per entry that did not (nil when all did): those of the first
// carelogic.MaxErrors such entries, and then one counting the rest. A document that is not a Bundle is an error
// wrapping ErrUnsupportedResource; one over the limits is refused whole as Decode refuses it.
func DecodeBundle(data []byte, opts ...Option) ([]carelogic.Appointment, error) {
	if err := checkShape(data); err != nil {
		return nil, err
	}
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
	return decodeBundle(data, h, newOptions(opts))
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
	if !r4ResourceTypes[h.ResourceType] {
		return newError("", "", "resourceType", ErrUnsupportedResource, "%s is not a FHIR R4 resource type, want %s",
			redact.Value(h.ResourceType), want)
	}
	id := ""
	if h.ResourceType == "Appointment" || h.ResourceType == "Bundle" {
		// Other resources' ids are not repeated: a Patient's id identifies the patient.
		id = h.ID
	}
	return newError(h.ResourceType, id, "", ErrUnsupportedResource, "not %s", want)
}

// decodeBundle decodes a Bundle whose header has been read. It reads the envelope itself, each entry's resource a
// slice of data, so that a large Bundle is not copied; encoding/json decodes one resource at a time.
func decodeBundle(data []byte, h header, o *options) ([]carelogic.Appointment, error) {
	entries, err := bundleEntries(data, h)
	if err != nil {
		return nil, err
	}
	// Resources are indexed first, so that an Appointment can refer to a Patient listed after it (as a search's
	// _include results are).
	idx := newIndex()
	var errs entryErrors
	var appointments []int
	for i, e := range entries {
		if isNull(e.resource) {
			continue
		}
		var h header
		if err := json.Unmarshal(e.resource, &h); err != nil {
			de := jsonError("", "", err)
			de.Entry, de.Field = i, joinField("resource", de.Field)
			errs.add(de)
			continue
		}
		switch h.ResourceType {
		case "Appointment":
			appointments = append(appointments, i)
		case "Patient", "Practitioner", "PractitionerRole":
			p, de := decodePerson(e.resource, h.ResourceType)
			if de != nil {
				de.Entry = i
				errs.add(de)
				continue
			}
			idx.add(e.fullURL, p)
		}
	}
	out := make([]carelogic.Appointment, 0, len(appointments))
	for _, i := range appointments {
		a, err := decodeAppointment(entries[i].resource, idx, o)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.Entry = i
				errs.add(de)
			}
			continue
		}
		out = append(out, a)
	}
	return out, errs.err()
}

// entry is a Bundle entry: its fullUrl, and its resource as a slice of the Bundle's text.
type entry struct {
	fullURL  string
	resource []byte
}

var (
	stringType = reflect.TypeFor[string]()
	arrayType  = reflect.TypeFor[[]bundleEntry]()
	objectType = reflect.TypeFor[bundleEntry]()
)

// bundleEntries reads the entries of a Bundle, valid JSON, as encoding/json would into the bundle struct: members
// matched without regard to case, the last of a name winning, null taken as absent, and a value of the wrong kind
// an error for the whole Bundle.
func bundleEntries(data []byte, h header) ([]entry, error) {
	var list []byte
	sourcefile.EachMember(data, func(name, value []byte) bool {
		if strings.EqualFold(string(name), "entry") {
			list = value
		}
		return true
	})
	if list == nil || isNull(list) {
		return nil, nil
	}
	var entries []entry
	var bad *DecodeError
	ok := sourcefile.EachElement(list, func(_ int, raw []byte) bool {
		var e entry
		if isNull(raw) {
			entries = append(entries, e)
			return true
		}
		isObject := sourcefile.EachMember(raw, func(name, value []byte) bool {
			switch {
			case strings.EqualFold(string(name), "fullUrl"):
				if isNull(value) {
					e.fullURL = ""
				} else if json.Unmarshal(value, &e.fullURL) != nil {
					bad = kindError("Bundle", h.ID, "entry.fullUrl", value, stringType)
					return false
				}
			case strings.EqualFold(string(name), "resource"):
				e.resource = value
			}
			return true
		})
		if bad != nil {
			return false
		}
		if !isObject {
			bad = kindError("Bundle", h.ID, "entry", raw, objectType)
			return false
		}
		entries = append(entries, e)
		return true
	})
	switch {
	case bad != nil:
		return nil, bad
	case !ok:
		return nil, kindError("Bundle", h.ID, "entry", list, arrayType)
	}
	return entries, nil
}

// entryErrors collects the errors of a Bundle's entries, keeping those of the first carelogic.MaxErrors entries
// in entry order and counting the rest.
type entryErrors struct {
	errs []*DecodeError // sorted by Entry
	more int
}

func (e *entryErrors) add(de *DecodeError) {
	i, _ := slices.BinarySearchFunc(e.errs, de.Entry, func(x *DecodeError, entry int) int { return cmp.Compare(x.Entry, entry) })
	if i == carelogic.MaxErrors {
		e.more++
		return
	}
	e.errs = slices.Insert(e.errs, i, de)
	if len(e.errs) > carelogic.MaxErrors {
		e.errs = e.errs[:carelogic.MaxErrors]
		e.more++
	}
}

// err returns nil, or an error joining those kept and, when there were more, one *DecodeError counting them.
func (e *entryErrors) err() error {
	if len(e.errs) == 0 {
		return nil
	}
	errs := make([]error, 0, len(e.errs)+1)
	for _, de := range e.errs {
		errs = append(errs, de)
	}
	if e.more > 0 {
		errs = append(errs, &DecodeError{Entry: -1, Resource: "Bundle", msg: fmt.Sprintf("and %d more entries could not be decoded", e.more)})
	}
	return errors.Join(errs...)
}

func decodePerson(raw []byte, resourceType string) (*person, *DecodeError) {
	var r personResource
	if err := json.Unmarshal(raw, &r); err != nil {
		// A person's id is not repeated: for a Patient it identifies the patient.
		return nil, jsonError(resourceType, "", err)
	}
	return r.person(), nil
}

func isNull(raw []byte) bool {
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
