package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/oncall"
)

var testOrigin = &url.URL{Scheme: "https", Host: "api.oncallhealth.ca", Path: "/"}

// TestContractClassifyCancellation checks the classes a "cancellation" value falls in.
func TestContractClassifyCancellation(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", cancelEmpty},
		{"  ", cancelEmpty},
		{"https://api.oncallhealth.ca/appointment_cancellations/12/", cancelAPIURL},
		{"HTTPS://API.ONCALLHEALTH.CA/appointment_cancellations/12/", cancelAPIURL},
		{"https://api.oncallhealth.us/appointment_cancellations/12/", cancelOtherURL},
		{"http://api.oncallhealth.ca/appointment_cancellations/12/", cancelOtherURL},
		{"I was feeling unwell", cancelPlainText},
		{"https://api.oncallhealth.ca/ I could not come", cancelPlainText},
		{"mailto:someone@example.com", cancelPlainText},
		{"/appointment_cancellations/12/", cancelPlainText},
		{"12", cancelPlainText},
	}
	for _, tt := range tests {
		if got := classifyCancellation(tt.in, testOrigin); got != tt.want {
			t.Errorf("classifyCancellation(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestContractLabel checks which enum values a Detail prints.
func TestContractLabel(t *testing.T) {
	tests := []struct {
		in    string
		known bool
		want  string
	}{
		{"Provider cancelled", true, "Provider cancelled"},
		{"", false, "(none)"},
		{"rescheduled", false, `"rescheduled" (not a known constant)`},
		// Issue 12: a value not shaped like a constant is described by its length, whatever it holds.
		{"Rescheduled", false, "a value of 11 bytes that is not a known constant"},
		{"No-show fee waived", false, "a value of 18 bytes that is not a known constant"},
		{"Jane Roe", false, "a value of 8 bytes that is not a known constant"},
		{"Patient said: sick", false, "a value of 18 bytes that is not a known constant"},
		{strings.Repeat("a", 41), false, "a value of 41 bytes that is not a known constant"},
	}
	for _, tt := range tests {
		if got := label(tt.in, tt.known); got != tt.want {
			t.Errorf("label(%q, %v) = %q, want %q", tt.in, tt.known, got, tt.want)
		}
	}
}

// TestContractDescribe checks that errors are described by kind and status, never by the server's text.
func TestContractDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&oncall.APIError{StatusCode: 400, Fields: []string{"email"}, Messages: []string{"email: jane@example.com is taken"},
			Body: []byte(`{"email": ["jane@example.com is taken"]}`)}, "400 Bad Request (fields: email)"},
		{&oncall.WriteIgnoredError{Method: "PATCH", Path: "/appointments/1/", Fields: []string{"title", "status"}},
			"the 2xx answer does not show title, status as written"},
		{&oncall.RequestError{Method: "POST", Path: "/appointments/", Sent: true, Err: context.DeadlineExceeded},
			"no answer (the request may have reached the server)"},
		{fmt.Errorf("wrapped: %w", oncall.ErrPaginationCycle), "a next link repeats a page already read"},
		{errNotOurs, "the guard refused it: the write names a resource this run did not create"},
		{fmt.Errorf("Jane Doe's record"), "an unexpected error"},
	}
	for _, tt := range tests {
		if got := describe(tt.err); got != tt.want {
			t.Errorf("describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !ambiguous(&oncall.APIError{StatusCode: http.StatusGatewayTimeout}) || ambiguous(&oncall.APIError{StatusCode: 400}) {
		t.Error("ambiguous: a 504 may have created something, a 400 did not")
	}
}

// FuzzContractDetail checks that a value from a response reaches a Detail only as a class, or as a short
// enumeration-like label.
func FuzzContractDetail(f *testing.F) {
	for _, s := range []string{"", "https://api.oncallhealth.ca/appointment_cancellations/1/", "I was sick", "No Show",
		"http://a b", "javascript:alert(1)", "https://api.oncallhealth.ca:443/x", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		switch got := classifyCancellation(v, testOrigin); got {
		case cancelEmpty, cancelAPIURL, cancelOtherURL, cancelPlainText:
		default:
			t.Fatalf("classifyCancellation(%q) = %q, not a class", v, got)
		}
		l := label(v, false)
		switch {
		case v == "":
			if l != "(none)" {
				t.Fatalf("label(%q) = %q", v, l)
			}
		case l == fmt.Sprintf("%q (not a known constant)", v):
			if len(v) > maxLabel || strings.ContainsFunc(v, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_')
			}) {
				t.Fatalf("label printed %q, which does not look like an enumeration", v)
			}
		case l != fmt.Sprintf("a value of %d bytes that is not a known constant", len(v)):
			t.Fatalf("label(%q) = %q", v, l)
		}
	})
}
