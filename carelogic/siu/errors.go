package siu

import (
	"github.com/oncallsync/oncall-go/carelogic"

	"errors"
	"fmt"
	"strconv"
	"strings"
)

// These sentinel errors classify every *Error this package returns; test for them with errors.Is.
var (
	// ErrSyntax means the bytes are not an ER7-encoded HL7 v2 message: no MSH, bad delimiters, a malformed
	// segment id.
	ErrSyntax = errors.New("siu: malformed HL7 v2 message")
	// ErrMissingField means a field the conversion needs is empty or a segment it needs is absent.
	ErrMissingField = errors.New("siu: required field missing")
	// ErrInvalidField means a field holds a value that cannot be read, such as a malformed timestamp.
	ErrInvalidField = errors.New("siu: invalid field value")
	// ErrUnsupportedEvent means the message is not an SIU message with one of the supported trigger events.
	ErrUnsupportedEvent = errors.New("siu: unsupported message type or trigger event")
	// ErrLimit means the input passed one of the package's limits (MaxSegmentBytes, MaxMessageSegments,
	// MaxMessageBytes) or gave more errors than MaxErrors; the error names the limit and the count. It matches
	// carelogic.ErrLimit too, so that one test covers every reader's limits.
	ErrLimit error = limitError{}
)

// limitError is ErrLimit: its own sentinel, which also matches carelogic.ErrLimit.
type limitError struct{}

func (limitError) Error() string        { return "siu: input over a limit" }
func (limitError) Is(target error) bool { return target == carelogic.ErrLimit }

// Error reports what is wrong with a message and where. Its text names the file, message, segment and field,
// never a field's value, so it holds no patient data and is safe to log.
type Error struct {
	// File names the file the message came from, when the code that read it sets it. ReadPath and ReadDir leave
	// it empty and name the file in the carelogic.FileError that wraps this error instead.
	File string
	// Message is the 1-based position of the message in a stream; 0 for a message parsed on its own.
	Message int
	// Segment is the segment id, e.g. "SCH"; empty when the problem is not in one segment.
	Segment string
	// Position is the 1-based position of the segment in its message; 0 when unknown.
	Position int
	// Field is the HL7 field number (MSH-1 is the field separator); 0 when the whole segment is at fault.
	Field int
	// Component is the HL7 component number; 0 when the whole field is at fault.
	Component int
	// Reason says what is wrong, without quoting the value.
	Reason string
	// Err is one of ErrSyntax, ErrMissingField, ErrInvalidField, ErrUnsupportedEvent or ErrLimit, or an
	// underlying cause.
	Err error
}

// Error returns "siu: ", then the file, message, segment and field when known, then the reason.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("siu: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Message > 0 {
		b.WriteString("message ")
		b.WriteString(strconv.Itoa(e.Message))
		b.WriteString(": ")
	}
	if e.Segment != "" {
		b.WriteString(e.Segment)
		if e.Field > 0 {
			b.WriteString("-")
			b.WriteString(strconv.Itoa(e.Field))
			if e.Component > 0 {
				b.WriteString(".")
				b.WriteString(strconv.Itoa(e.Component))
			}
		}
		if e.Position > 0 {
			b.WriteString(" (segment ")
			b.WriteString(strconv.Itoa(e.Position))
			b.WriteString(")")
		}
		b.WriteString(": ")
	} else if e.Position > 0 {
		b.WriteString("segment ")
		b.WriteString(strconv.Itoa(e.Position))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the sentinel or cause.
func (e *Error) Unwrap() error { return e.Err }

// fieldError builds an *Error about field (and component, when non-zero) of segment s.
func fieldError(s *Segment, field, component int, sentinel error, format string, args ...any) *Error {
	reason := format
	if len(args) > 0 {
		reason = fmt.Sprintf(format, args...)
	}
	e := &Error{Field: field, Component: component, Err: sentinel, Reason: reason}
	if s != nil {
		e.Segment = s.id
		e.Position = s.pos
	}
	return e
}

// asError returns the *Error in err's chain.
func asError(err error) (*Error, bool) {
	if e, ok := err.(*Error); ok {
		return e, true // the common case, without the reflection of errors.As
	}
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
