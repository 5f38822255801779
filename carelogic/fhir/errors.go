package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// ErrUnsupportedResource is wrapped by the error returned for a resource that is neither an Appointment nor a
// Bundle (for example an AppointmentResponse), or not the type a function asked for.
var ErrUnsupportedResource = errors.New("fhir: unsupported resource type")

// DecodeError reports a resource that could not be decoded. Its text names the resource, the Bundle entry and the
// element at fault, never a value read from the input, so that it is safe to log: a resource type is named only
// when it is one of FHIR R4's, an Appointment or Bundle id only when it looks like an id (see ID), and a patient's
// name, email, phone number or id never. Errors from encoding/json, whose text may quote input, are not kept: a
// type mismatch is reachable through Unwrap as a *json.UnmarshalTypeError rebuilt without the value.
type DecodeError struct {
	// Path is the file the resource was read from, when the code that read it sets it. ReadPath leaves it empty
	// and names the file in the carelogic.FileError that wraps this error instead.
	Path string
	// Entry is the index of the Bundle entry at fault, or -1 when the resource was not in a Bundle.
	Entry int
	// Resource is the resourceType being decoded ("Appointment", "Bundle", "Patient", ...), empty when not known
	// or not one of FHIR R4's resource types.
	Resource string
	// ID is the id of the Appointment or Bundle at fault, when it is known and looks like a record id by the
	// module's rule (letters, digits and . _ : / # -, with at least one digit; see internal/redact). Another id,
	// which could be a name, is left out, and the text gives its length instead.
	ID string
	// Field is the element at fault, as a FHIRPath-like path relative to the resource (for example
	// "participant[2].extension[0].valueCode"); empty when the fault is the document as a whole.
	Field string

	idText string // the id as the text shows it, when there is one
	msg    string
	err    error
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
		switch {
		case e.idText != "":
			b.WriteString(" " + e.idText)
		case e.ID != "":
			b.WriteString(" " + redact.ID(e.ID))
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

// Unwrap returns the underlying cause: a *json.UnmarshalTypeError without the value, an error wrapping
// carelogic.ErrLimit, ErrUnsupportedResource, or nil.
func (e *DecodeError) Unwrap() error { return e.err }

// setID sets the id of the resource at fault, as ID's documentation says.
func (e *DecodeError) setID(id string) {
	e.ID, e.idText = "", ""
	if id == "" {
		return
	}
	if redact.IsID(id) {
		e.ID = id
	}
	e.idText = redact.ID(id)
}

// newError returns a DecodeError outside any Bundle or file; callers fill in Entry and Path as it travels up.
// resource must be a resource type this package decodes, or "".
func newError(resource, id, field string, cause error, format string, args ...any) *DecodeError {
	e := &DecodeError{Entry: -1, Resource: resource, Field: field, msg: fmt.Sprintf(format, args...), err: cause}
	e.setID(id)
	return e
}

// limitError turns a limit passed into a DecodeError, the limit's place in the document as its Field.
func limitError(err *sourcefile.LimitError) *DecodeError {
	field := err.Where
	at := *err
	at.Where = ""
	return &DecodeError{Entry: -1, Field: field, msg: at.Error(), err: err}
}

// jsonError turns an encoding/json error into a DecodeError that names the element but not the value: the json
// package's own text quotes a character of a syntax error, and in some versions the literal of a number that does
// not fit, which could be anything the sender put in the wrong place.
func jsonError(resource, id string, err error) *DecodeError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return newError(resource, id, "", nil, "invalid JSON at byte offset %d", syntax.Offset)
	case errors.As(err, &typ):
		got, _, _ := strings.Cut(typ.Value, " ")
		switch got {
		case "string", "number", "object", "array", "bool", "null":
		default:
			got = "value"
		}
		field := safeField(typ.Field)
		cause := &json.UnmarshalTypeError{Value: got, Type: typ.Type, Offset: typ.Offset, Struct: typ.Struct, Field: field}
		return newError(resource, id, field, cause, "JSON %s where %s expected", got, jsonKind(typ.Type))
	default:
		return newError(resource, id, "", nil, "invalid JSON")
	}
}

// kindError is jsonError's message for a value of the wrong kind found by this package rather than by
// encoding/json, such as a Bundle entry that is not an object.
func kindError(resource, id, field string, value []byte, want reflect.Type) *DecodeError {
	got := sourcefile.Kind(value)
	cause := &json.UnmarshalTypeError{Value: got, Type: want, Field: field}
	return newError(resource, id, field, cause, "JSON %s where %s expected", got, jsonKind(want))
}

// safeField returns an encoding/json field path with every element that is not one of this package's own JSON
// names replaced by "?": the path is made of struct field names, but a map in a struct would add its keys, which
// are input.
func safeField(field string) string {
	if field == "" {
		return ""
	}
	names := jsonNames()
	parts := strings.Split(field, ".")
	for i, p := range parts {
		if !names[p] {
			parts[i] = "?"
		}
	}
	return strings.Join(parts, ".")
}

// jsonNames is the set of JSON member names of the structs this package decodes into.
var jsonNames = sync.OnceValue(func() map[string]bool {
	names := make(map[string]bool)
	seen := make(map[reflect.Type]bool)
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				names[name] = true
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{header{}, appointment{}, bundle{}, personResource{}} {
		walk(reflect.TypeOf(v))
	}
	return names
})

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
