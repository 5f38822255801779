package oncall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// Sentinel errors, for errors.Is. An *APIError matches the sentinel of its status code, so callers can test the
// kind of failure without parsing text, and still use errors.As for the details.
var (
	ErrBadRequest   = errors.New("oncall: bad request")  // 400, or 422
	ErrUnauthorized = errors.New("oncall: unauthorized") // 401: missing or wrong token
	ErrForbidden    = errors.New("oncall: forbidden")    // 403: the token's user may not do this
	ErrNotFound     = errors.New("oncall: not found")    // 404
	// ErrMethodNotAllowed is a 405: the resource does not take the method, as Django REST Framework answers for
	// a write to a read-only resource (or an undocumented endpoint the server lacks; see undocumented.go).
	ErrMethodNotAllowed = errors.New("oncall: method not allowed")
	ErrConflict         = errors.New("oncall: conflict")                 // 409
	ErrRateLimited      = errors.New("oncall: rate limited")             // 429, after retries
	ErrServer           = errors.New("oncall: server error")             // any 5xx, after retries
	ErrCrossOrigin      = errors.New("oncall: URL is on another origin") // a next link, redirect or resource URL that would take the token elsewhere

	// ErrPaginationCycle is returned by an iterator whose server sent a next link it had already followed.
	ErrPaginationCycle = errors.New("oncall: pagination revisited a page")
	// ErrPaginationRunaway is returned by an iterator whose server would not let a listing end: a page with no
	// results that links a next one, more pages than the listing's count needs, or more than the client's
	// WithMaxPages.
	ErrPaginationRunaway = errors.New("oncall: pagination did not end")
	// ErrInvalidParams is matched by a *ValidationError: the request was refused before it was sent.
	ErrInvalidParams = errors.New("oncall: invalid parameters")
)

// APIError is a response with a 4xx or 5xx status. Its Error text holds the method, path (never the query), status,
// request id and the names of the fields the server objected to, but never a message text or the body, which may
// echo patient data: those are in Messages and Body for a caller that decides to show them. A field name is shown
// only when it looks like one (lower-case letters, digits and underscores, as internal/redact defines): a server
// that keys an error by a value, {"jane@example.org": ["duplicate"]}, has that key counted, not printed.
type APIError struct {
	// StatusCode is the HTTP status, e.g. 404.
	StatusCode int
	// Method and Path name the request; Path has no query string.
	Method string
	Path   string
	// RequestID is the server's request id header (X-Request-Id, Request-Id or X-Amzn-Requestid), if it sent one
	// that looks like an id (letters, digits and . _ : / # -, at most 64 bytes): a header holding anything else is
	// left out.
	RequestID string
	// Messages are the messages parsed from the body, from whichever of the shapes the API is known to send:
	// {"error": "..."}, {"detail": "..."}, {"field": ["..."]} and ["..."]. For a field error the message is
	// prefixed with the field's name and a colon.
	Messages []string
	// Fields are the names of the fields a {"field": [...]} body objected to, sorted, as the server sent them.
	Fields []string
	// RetryAfter is the server's Retry-After, if it sent one (429, 503).
	RetryAfter time.Duration
	// Body is the raw response body (at most 64 KiB). It may hold PHI: do not log it.
	Body []byte
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oncall: %s %s: %d %s", e.Method, redact.Path(e.Path), e.StatusCode, http.StatusText(e.StatusCode))
	if len(e.Fields) > 0 {
		var shown []string
		for _, f := range e.Fields {
			if redact.IsName(f) {
				shown = append(shown, f)
			}
		}
		switch hidden := len(e.Fields) - len(shown); {
		case hidden == 0:
			fmt.Fprintf(&b, " (fields: %s)", strings.Join(shown, ", "))
		case len(shown) == 0:
			fmt.Fprintf(&b, " (%d fields whose names are not shown)", hidden)
		default:
			fmt.Fprintf(&b, " (fields: %s, and %d whose names are not shown)", strings.Join(shown, ", "), hidden)
		}
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrMethodNotAllowed:
		return e.StatusCode == http.StatusMethodNotAllowed
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// newAPIError builds an APIError from a response whose body has been read.
func newAPIError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     method,
		Path:       path,
		RequestID:  requestID(resp.Header),
		Body:       body,
	}
	if ra, ok := parseRetryAfter(resp); ok {
		e.RetryAfter = ra
	}
	e.Messages, e.Fields = parseErrorBody(body)
	return e
}

func requestID(h http.Header) string {
	for _, k := range []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid"} {
		if v := h.Get(k); redact.IsID(v) || isUUIDish(v) {
			return v
		}
	}
	return ""
}

// isUUIDish accepts the hex-and-dash request ids most servers send (a UUID without a digit is possible, if rare).
func isUUIDish(s string) bool {
	if len(s) == 0 || len(s) > redact.MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '-') {
			return false
		}
	}
	return true
}

// parseErrorBody reads the error shapes the API is known to send. The API "does not have a standard error
// message format" (OnCall's own iOS client says so), so every shape is tried and anything else gives no messages.
func parseErrorBody(body []byte) (messages, fields []string) {
	var arr []json.RawMessage
	if json.Unmarshal(body, &arr) == nil {
		return stringsOf(arr), nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return nil, nil
	}
	// {"detail": "...", "code": "..."} (DRF with error codes) is one message, not two field errors.
	for _, k := range []string{"error", "detail"} {
		var s string
		if raw, ok := obj[k]; ok && (len(obj) == 1 || json.Unmarshal(raw, &s) == nil) {
			return stringsOf([]json.RawMessage{raw}), nil
		}
	}
	for k := range obj {
		fields = append(fields, k)
	}
	slices.Sort(fields)
	for _, k := range fields {
		var msgs []json.RawMessage
		if json.Unmarshal(obj[k], &msgs) != nil {
			msgs = []json.RawMessage{obj[k]}
		}
		for _, m := range stringsOf(msgs) {
			messages = append(messages, k+": "+m)
		}
	}
	return messages, fields
}

// stringsOf returns the JSON strings among raw, and the compact JSON text of anything else (a nested object).
func stringsOf(raw []json.RawMessage) []string {
	var out []string
	for _, r := range raw {
		if bytes.Equal(bytes.TrimSpace(r), []byte("null")) {
			continue // says nothing
		}
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var compact bytes.Buffer
		if t := bytes.TrimSpace(r); bytes.Equal(t, []byte("{}")) || bytes.Equal(t, []byte("[]")) {
			continue // a nested list's valid items come back as {}: noise beside the real messages
		}
		if json.Compact(&compact, r) != nil {
			out = append(out, strings.TrimSpace(string(r)))
			continue
		}
		out = append(out, compact.String())
	}
	return out
}

// DecodeError is a 2xx response the client could not read: not JSON (an HTML error page from a proxy), an empty
// body, a truncated page, or a value of the wrong shape. Its text never quotes the body.
type DecodeError struct {
	Method      string
	Path        string
	StatusCode  int
	ContentType string
	Err         error
}

func (e *DecodeError) Error() string {
	ct := "no content type"
	if e.ContentType != "" {
		// The header is the server's: only a media type of the usual shape is shown.
		ct = "content type not shown"
		if mt, _, err := mime.ParseMediaType(e.ContentType); err == nil && len(mt) <= redact.MaxLen {
			ct = mt
		}
	}
	return fmt.Sprintf("oncall: %s %s: cannot decode %d response (%s): %v", e.Method, redact.Path(e.Path), e.StatusCode, ct, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// jsonError rewrites an encoding/json error so that it never carries a fragment of the body.
func jsonError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := redactFieldPath(typ.Field)
		kind, _, _ := strings.Cut(typ.Value, " ") // "number 123": the digits are the body's, and may be PHI
		return fmt.Errorf("field %s: JSON %s where %s was expected", field, kind, jsonKind(typ.Type))
	}
	return err
}

// RequestError is a request that got no response: a connection refused or reset, a timeout, a refused redirect,
// or a context cancelled while waiting. It wraps the cause, so errors.Is(err, context.Canceled) works.
type RequestError struct {
	Method string
	Path   string
	// Sent reports whether the request may have reached the server (its headers were written). A POST that
	// failed with Sent true may have created something: look it up before trying again.
	Sent bool
	Err  error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("oncall: %s %s: %v", e.Method, redact.Path(e.Path), e.Err)
}

// redactFieldPath returns an encoding/json field path ("participants.0.email", "metadata.<key>") with every
// element that is not a field name or an index replaced: a map key in it is the body's, and may be an email.
func redactFieldPath(path string) string {
	if path == "" {
		return "(top level)"
	}
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if !redact.IsName(p) && strings.TrimLeft(p, "0123456789") != "" {
			parts[i] = "(key)"
		}
	}
	return strings.Join(parts, ".")
}

func (e *RequestError) Unwrap() error { return e.Err }

// ValidationError is a request the client refused to send because the server would reject it or because it would
// break a documented limit. Its text names the fields, never their values.
type ValidationError struct {
	// Resource is what was being written, e.g. "appointment".
	Resource string
	// Problems describe each problem, e.g. "participants: 26 given, at most 25".
	Problems []string
}

func (e *ValidationError) Error() string {
	return "oncall: invalid " + e.Resource + ": " + strings.Join(e.Problems, "; ")
}

// Is matches ErrInvalidParams.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParams }

type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err(resource string) error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Resource: resource, Problems: p}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// jsonKind names the JSON shape a Go type expects, so that an error reads "an object" rather than naming one of
// the client's internal types.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}
