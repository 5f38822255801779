package webhook

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oncallsync/oncall-go/oncall"
)

// EventType is the kind of a delivery, the body's "event" field. Values other than the constants below are kept
// as sent, so that a handler can acknowledge an event OnCall adds later without failing it.
type EventType string

// The events OnCall's guide to appointment sync describes.
const (
	// AppointmentCreated is sent when an appointment is created in OnCall.
	AppointmentCreated EventType = "appointment_created"
	// AppointmentUpdated is sent when an appointment is changed in OnCall, cancellation included.
	AppointmentUpdated EventType = "appointment_updated"
)

// Known reports whether t is one of the event types this package understands.
func (t EventType) Known() bool {
	return t == AppointmentCreated || t == AppointmentUpdated
}

// maxEventLen bounds the event name, which is logged: names are short identifiers such as "appointment_created".
const maxEventLen = 128

// Event is a parsed delivery: {"event": "appointment_created", "url": "https://api.oncallhealth.com/appointments/1"}.
//
// Nothing in it is trusted. OnCall publishes no way to authenticate a delivery, so anyone who can reach the
// endpoint can send one: use AppointmentID only to fetch the appointment from your own region (the Handler does),
// never the payload itself as data.
type Event struct {
	// Type is the event. For an unknown type it is the name as sent, and the other fields are not checked.
	Type EventType
	// URL is the url field as sent. For an unknown Type it is kept when it is a string, and is otherwise empty.
	URL string
	// AppointmentID is the id of the appointment URL names; zero for an unknown Type.
	AppointmentID oncall.AppointmentID
}

// Parse decodes a delivery's body. The body must be a JSON object whose "event" is a non-empty string of at most
// 128 printable ASCII characters without spaces. For a known event, its "url" must be an appointment URL on one
// of roots, as AppointmentIDFromURL checks (with no roots, on one of PublicRoots()); for an unknown event, the url
// is kept as sent and not checked. Other fields are ignored. Keys are matched exactly ("Event" is not "event").
//
// An error matches ErrMalformed or ErrOriginNotAllowed, and never quotes the body; the Event is then zero.
func Parse(body []byte, roots ...string) (Event, error) {
	rs, err := parseRoots(roots)
	if err != nil {
		return Event{}, err
	}
	e, err := parse(body, rs)
	if err != nil {
		return Event{}, err
	}
	return e, nil
}

// parse is Parse with parsed roots. On an error about the url of a known event, the returned Event still holds
// Type and URL, for the Handler to log the type and to tell a url of the other region from a foreign one.
func parse(body []byte, roots []root) (Event, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return Event{}, fmt.Errorf("%w: %s", ErrMalformed, describeJSONError(body, err))
	}
	if fields == nil { // the body was null
		return Event{}, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	name, err := stringField(fields, "event")
	if err != nil {
		return Event{}, err
	}
	if !validEventName(name) {
		return Event{}, fmt.Errorf("%w: event is longer than %d bytes or holds spaces or non-ASCII characters", ErrMalformed, maxEventLen)
	}
	e := Event{Type: EventType(name)}
	if !e.Type.Known() {
		// The shape of an event this package does not know is unknown too: keep the url if it is a string.
		if raw, ok := fields["url"]; ok {
			_ = json.Unmarshal(raw, &e.URL)
		}
		return e, nil
	}
	if e.URL, err = stringField(fields, "url"); err != nil {
		return e, err
	}
	if e.AppointmentID, err = appointmentID(e.URL, roots); err != nil {
		return e, err
	}
	return e, nil
}

// stringField returns the non-empty JSON string at key.
func stringField(fields map[string]json.RawMessage, key string) (string, error) {
	raw, ok := fields[key]
	if !ok {
		return "", fmt.Errorf("%w: %s is missing", ErrMalformed, key)
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil || s == nil {
		return "", fmt.Errorf("%w: %s is not a string", ErrMalformed, key)
	}
	if *s == "" {
		return "", fmt.Errorf("%w: %s is empty", ErrMalformed, key)
	}
	return *s, nil
}

func validEventName(s string) bool {
	if len(s) == 0 || len(s) > maxEventLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// describeJSONError says what is wrong with a body that did not decode, without quoting it: encoding/json's own
// texts can hold a fragment of the input.
func describeJSONError(body []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case len(body) == 0:
		return "empty body"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return "body is not a JSON object"
	}
	return "invalid JSON"
}
