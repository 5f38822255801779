package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// ErrUnsupportedResource is wrapped by the error returned for a resource that is neither an Appointment nor a
// Bundle (for example an AppointmentResponse), or not the type a function asked for.
var ErrUnsupportedResource = errors.New("fhir: unsupported resource type")

// DecodeError reports a resource that could not be decoded. Its text names the resource, the Bundle entry and the
// element at fault, never a value read from the input, so that it is safe to log: an appointment id may appear,
// a patient's name, email or id never does. Errors from encoding/json, which may quote input, are reachable only
// through Unwrap.
type DecodeError struct {
	// Path is the file the resource was read from, when the code that read it sets it. ReadPath leaves it empty
	// and names the file in the carelogic.FileError that wraps this error instead.
	Path string
	// Entry is the index of the Bundle entry at fault, or -1 when the resource was not in a Bundle.
	Entry int
	// Resource is the resourceType being decoded ("Appointment", "Bundle", "Patient", ...), empty when not known.
	Resource string
	// ID is the id of the Appointment or Bundle at fault, when it is known and a well-formed FHIR id.
	ID string
	// Field is the element at fault, as a FHIRPath-like path relative to the resource (for example
	// "participant[2].extension[0].valueCode"); empty when the fault is the document as a whole.
	Field string

	msg string
	err error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("fhir: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Entry >= 0 {
		fmt.Fprintf(&b, "Bundle entry[%d]: ", e.Entry)
	}
	if e.Resource != "" {
		b.WriteString(e.Resource)
		if e.ID != "" {
			fmt.Fprintf(&b, " %q", e.ID)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.msg)
	return b.String()
}

// Unwrap returns the underlying cause: an encoding/json error, ErrUnsupportedResource, or nil.
func (e *DecodeError) Unwrap() error { return e.err }

// fhirID matches the FHIR id datatype; only ids of this shape are repeated in error text.
var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// resourceTypeName matches the shape of a FHIR resource type name; other resourceType values are not repeated.
var resourceTypeName = regexp.MustCompile(`^[A-Z][A-Za-z]{0,63}$`)

func safeID(id string) string {
	if fhirID.MatchString(id) {
		return id
	}
	return ""
}

// newError returns a DecodeError outside any Bundle or file; callers fill in Entry and Path as it travels up.
func newError(resource, id, field string, cause error, format string, args ...any) *DecodeError {
	return &DecodeError{Entry: -1, Resource: resource, ID: safeID(id), Field: field, msg: fmt.Sprintf(format, args...), err: cause}
}

// jsonError turns an encoding/json error into a DecodeError that names the element but not the value: the json
// package's own text quotes number literals, which could be anything the sender put in the wrong place.
func jsonError(resource, id string, err error) *DecodeError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return newError(resource, id, "", err, "invalid JSON at byte offset %d", syntax.Offset)
	case errors.As(err, &typ):
		got, _, _ := strings.Cut(typ.Value, " ")
		return newError(resource, id, typ.Field, err, "JSON %s where %s expected", got, jsonKind(typ.Type))
	default:
		return newError(resource, id, "", err, "invalid JSON")
	}
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Bool:
		return "a boolean"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another type"
}
