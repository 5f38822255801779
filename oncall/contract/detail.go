package contract

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// This file words Details. A Detail may be pasted into a ticket or a CI log, so it names kinds of things (a
// status code, a field name, a host, a count), never values that could be patient data: an error is described by
// its type and status, never by its text or body, and free-form values are classified, never printed.

// describe names what went wrong with a request, without the server's messages or body, which may echo PHI.
func describe(err error) string {
	var (
		apiErr   *oncall.APIError
		ignored  *oncall.WriteIgnoredError
		decErr   *oncall.DecodeError
		reqErr   *oncall.RequestError
		validErr *oncall.ValidationError
	)
	switch {
	case errors.As(err, &ignored):
		return "the 2xx answer does not show " + strings.Join(ignored.Fields, ", ") + " as written"
	case errors.As(err, &apiErr):
		s := fmt.Sprintf("%d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
		if len(apiErr.Fields) > 0 {
			s += " (fields: " + strings.Join(apiErr.Fields, ", ") + ")"
		}
		return s
	case errors.As(err, &decErr):
		// The client's DecodeError names the JSON field and shape, never a value from the body.
		return fmt.Sprintf("the %d answer could not be decoded: %v", decErr.StatusCode, decErr.Err)
	case errors.Is(err, oncall.ErrPaginationCycle):
		return "a next link repeats a page already read"
	case errors.Is(err, oncall.ErrCrossOrigin):
		return "a link points to another origin; the client refused to follow it"
	case errors.As(err, &reqErr):
		if reqErr.Sent {
			return "no answer (the request may have reached the server)"
		}
		return "no answer (the request did not reach the server)"
	case errors.As(err, &validErr):
		// Problems name fields and the suite's own constants, never a participant's name or email.
		return "the client refused the parameters before sending: " + strings.Join(validErr.Problems, "; ")
	case errors.Is(err, errNotOurs):
		return "the guard refused it: the write names a resource this run did not create"
	}
	return "an unexpected error"
}

// statusCode returns the status of an *oncall.APIError in err, or 0.
func statusCode(err error) int {
	var apiErr *oncall.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// refusedField reports whether err is an *oncall.APIError whose body objected to the field.
func refusedField(err error, field string) bool {
	var apiErr *oncall.APIError
	return errors.As(err, &apiErr) && slices.Contains(apiErr.Fields, field)
}

// ambiguous reports whether a failed create may nonetheless have created something: anything but a refusal (a
// 4xx) or a request the client refused to send.
func ambiguous(err error) bool {
	var validErr *oncall.ValidationError
	if errors.As(err, &validErr) || errors.Is(err, errNotOurs) {
		return false
	}
	code := statusCode(err)
	return code == 0 || code >= 500
}

// Cancellation classes: what a "cancellation" value looks like, in the words a Detail uses.
const (
	cancelEmpty     = "null"
	cancelAPIURL    = "a URL on the API host"
	cancelOtherURL  = "a URL on another host"
	cancelPlainText = "text"
)

// classifyCancellation says what kind of value a "cancellation" holds, never the value: it may be the reason a
// patient gave. origin is the API's scheme and host.
func classifyCancellation(v string, origin *url.URL) string {
	if strings.TrimSpace(v) == "" {
		return cancelEmpty
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		strings.ContainsAny(v, " \t\r\n") {
		return cancelPlainText
	}
	if strings.EqualFold(u.Scheme, origin.Scheme) && strings.EqualFold(u.Host, origin.Host) {
		return cancelAPIURL
	}
	return cancelOtherURL
}

// maxLabel is the longest unknown enum value a Detail prints.
const maxLabel = 40

// label prints a value of an enumeration (a type or status the API sent). A known constant is printed as it is;
// an unknown one only when it looks like an enumeration's label (short, letters, digits, spaces, '-' and '_'),
// since a field that turned out to be free text could hold anything.
func label(v string, known bool) string {
	switch {
	case known:
		return v
	case v == "":
		return "(none)"
	case len(v) <= maxLabel && redact.IsName(v):
		// Only a value shaped like a constant (lower-case letters, digits, underscores): "Jane Roe" in a field
		// that turned out to be free text is described by its length.
		return fmt.Sprintf("%q (not a known constant)", v)
	}
	return fmt.Sprintf("a value of %d bytes that is not a known constant", len(v))
}

// tally counts labels, for "online 3, phone 1".
type tally map[string]int

// String lists the labels by count, most frequent first, then by name.
func (t tally) String() string {
	if len(t) == 0 {
		return "none"
	}
	keys := slices.SortedFunc(maps.Keys(t), func(a, b string) int {
		return cmp.Or(cmp.Compare(t[b], t[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, t[k])
	}
	return strings.Join(parts, ", ")
}

// plural returns "1 appointment" or "2 appointments".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
