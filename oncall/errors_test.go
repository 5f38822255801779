package oncall_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

const caBase = "https://api.oncallhealth.ca/"

// noRetry makes a stubbed client answer with the first response, so that error tests see exactly one attempt.
var noRetry = oncall.WithRetryPolicy(oncall.RetryPolicy{})

var allSentinels = []struct {
	name string
	err  error
}{
	{"ErrBadRequest", oncall.ErrBadRequest},
	{"ErrUnauthorized", oncall.ErrUnauthorized},
	{"ErrForbidden", oncall.ErrForbidden},
	{"ErrNotFound", oncall.ErrNotFound},
	{"ErrConflict", oncall.ErrConflict},
	{"ErrRateLimited", oncall.ErrRateLimited},
	{"ErrServer", oncall.ErrServer},
	{"ErrCrossOrigin", oncall.ErrCrossOrigin},
	{"ErrPaginationCycle", oncall.ErrPaginationCycle},
	{"ErrInvalidParams", oncall.ErrInvalidParams},
}

// assertClean fails if the error text holds any of the secrets (the token, PHI, a message or the body).
func assertClean(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	text := err.Error()
	for _, s := range append(secrets, stubToken) {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("error text %q holds %q", text, s)
		}
	}
}

func TestAPIErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int
		contentType  string
		body         string
		wantMessages []string
		wantFields   []string
	}{
		{name: "error", status: 401, body: `{"error": "Invalid token."}`, wantMessages: []string{"Invalid token."}},
		{name: "detail", status: 404, body: `{"detail": "Not found."}`, wantMessages: []string{"Not found."}},
		{
			name:   "field lists",
			status: 400,
			body:   `{"participants": ["Ensure this field has no more than 25 elements."], "datetime": ["This field is required.", "Datetime has wrong format."]}`,
			wantMessages: []string{
				"datetime: This field is required.",
				"datetime: Datetime has wrong format.",
				"participants: Ensure this field has no more than 25 elements.",
			},
			wantFields: []string{"datetime", "participants"},
		},
		{name: "list", status: 400, body: `["Appointment is in the past.", "Provider is unavailable."]`,
			wantMessages: []string{"Appointment is in the past.", "Provider is unavailable."}},
		{name: "non-field errors", status: 400, body: `{"non_field_errors": ["The fields division, title must make a unique set."]}`,
			wantMessages: []string{"non_field_errors: The fields division, title must make a unique set."},
			wantFields:   []string{"non_field_errors"}},
		{name: "field with a bare string", status: 400, body: `{"title": "This field may not be blank."}`,
			wantMessages: []string{"title: This field may not be blank."}, wantFields: []string{"title"}},
		{
			name:   "nested field errors",
			status: 400,
			body:   `{"participants": [{}, {"email": ["Enter a valid email address."]}, {}], "metadata": []}`,
			// DRF reports a list of nested objects item by item; the valid items' {} say nothing.
			wantMessages: []string{`participants: {"email":["Enter a valid email address."]}`},
			wantFields:   []string{"metadata", "participants"},
		},
		{name: "error object", status: 400, body: `{"error": {"code": "invalid", "fields": [ "title" ]}}`,
			wantMessages: []string{`{"code":"invalid","fields":["title"]}`}},
		{name: "detail with a code", status: 401, body: `{"detail": "Token expired.", "code": "token_not_valid"}`,
			wantMessages: []string{"Token expired."}},
		{name: "list of mixed values", status: 400, body: `["Bad.", 7, {"a": true}, null]`,
			wantMessages: []string{"Bad.", "7", `{"a":true}`}},
		{name: "HTML page", status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>"},
		{name: "plain text", status: 500, contentType: "text/plain", body: "upstream timed out"},
		{name: "empty body", status: 500, body: ""},
		{name: "JSON null", status: 500, body: "null"},
		{name: "JSON number", status: 500, body: "42"},
		{name: "truncated JSON", status: 400, body: `{"title": ["This field`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA, noRetry)
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			api.on("GET", caBase+"appointments/1/", jsonResponder(tc.status, tc.body, "Content-Type", ct))
			got, err := c.Appointments.Get(t.Context(), 1)
			if got != nil {
				t.Errorf("Get returned %+v with the error", got)
			}
			var apiErr *oncall.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T), want an *APIError", err, err)
			}
			want := &oncall.APIError{
				StatusCode: tc.status,
				Method:     "GET",
				Path:       "/appointments/1/",
				Messages:   tc.wantMessages,
				Fields:     tc.wantFields,
				Body:       []byte(tc.body),
			}
			if diff := cmp.Diff(want, apiErr); diff != "" {
				t.Errorf("APIError mismatch (-want +got):\n%s", diff)
			}
			var secrets []string
			for _, m := range tc.wantMessages {
				_, text, _ := strings.Cut(m, ": ")
				secrets = append(secrets, text)
			}
			if tc.body != "" && tc.body != "null" && tc.body != "42" {
				secrets = append(secrets, tc.body)
			}
			assertClean(t, err, secrets...)
			if n := len(api.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   error // nil: no sentinel
	}{
		{400, oncall.ErrBadRequest},
		{401, oncall.ErrUnauthorized},
		{402, nil},
		{403, oncall.ErrForbidden},
		{404, oncall.ErrNotFound},
		{405, nil},
		{409, oncall.ErrConflict},
		{410, nil},
		{422, oncall.ErrBadRequest},
		{429, oncall.ErrRateLimited},
		{500, oncall.ErrServer},
		{501, oncall.ErrServer},
		{502, oncall.ErrServer},
		{503, oncall.ErrServer},
		{504, oncall.ErrServer},
		{599, oncall.ErrServer},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA, noRetry)
			api.onJSON("DELETE", caBase+"participants/56/", tc.status, `{"detail": "nope"}`)
			err := c.Participants.Delete(t.Context(), 56)
			var apiErr *oncall.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
				t.Fatalf("error %v, want an *APIError with status %d", err, tc.status)
			}
			for _, s := range allSentinels {
				if got, want := errors.Is(err, s.err), s.err == tc.want; got != want {
					t.Errorf("errors.Is(err, %s) = %v, want %v", s.name, got, want)
				}
			}
			want := fmt.Sprintf("oncall: DELETE /participants/56/: %d %s", tc.status, http.StatusText(tc.status))
			if got := err.Error(); got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

func TestAPIErrorRequestIDAndRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		header     []string
		wantID     string
		wantAfter  time.Duration
		wantSuffix string
	}{
		{name: "X-Request-Id", status: 404, header: []string{"X-Request-Id", "req-7f3a"}, wantID: "req-7f3a",
			wantSuffix: ": 404 Not Found (request id req-7f3a)"},
		{name: "X-Request-ID spelling", status: 400, header: []string{"X-Request-ID", "abc"}, wantID: "abc",
			wantSuffix: ": 400 Bad Request (request id abc)"},
		{name: "overlong id ignored", status: 404, header: []string{"X-Request-Id", strings.Repeat("x", 129)},
			wantSuffix: ": 404 Not Found"},
		// A Retry-After beyond the policy's MaxRetryAfter (2s) ends retrying at once, and is reported.
		{name: "429 with Retry-After", status: 429, header: []string{"Retry-After", "120", "X-Request-Id", "r1"}, wantID: "r1",
			wantAfter: 2 * time.Minute, wantSuffix: ": 429 Too Many Requests (retry after 2m0s) (request id r1)"},
		{name: "503 with Retry-After", status: 503, header: []string{"Retry-After", "3600"}, wantAfter: time.Hour,
			wantSuffix: ": 503 Service Unavailable (retry after 1h0m0s)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA) // retries on, but the Retry-After is too long to honour
			api.on("GET", caBase+"divisions/9/", jsonResponder(tc.status, `{"detail": "x"}`, tc.header...))
			_, err := c.Divisions.Get(t.Context(), 9)
			var apiErr *oncall.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v, want an *APIError", err)
			}
			if apiErr.RequestID != tc.wantID || apiErr.RetryAfter != tc.wantAfter {
				t.Errorf("RequestID, RetryAfter = %q, %v; want %q, %v", apiErr.RequestID, apiErr.RetryAfter, tc.wantID, tc.wantAfter)
			}
			if want := "oncall: GET /divisions/9/" + tc.wantSuffix; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if n := len(api.requests()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

// TestErrorTextHoldsNoPHI sends PHI in a query and a body, gets it echoed back in an error body, and checks that
// the error text names the method, path and fields only.
func TestErrorTextHoldsNoPHI(t *testing.T) {
	t.Parallel()
	const echo = `{"email": ["jane.doe@example.com is already on the roster of Jane Doe."], "first_name": ["Jane is not allowed."]}`
	secrets := []string{"jane.doe@example.com", "Jane", "Doe", "already on the roster", "query", "?", echo}

	c, api := newStubAPI(t, oncall.RegionCA, noRetry)
	api.onJSON("GET", caBase+"contacts/", 400, echo)
	api.onJSON("POST", caBase+"contacts/", 409, echo)
	api.on("PATCH", caBase+"contacts/1/", jsonResponder(400, echo, "X-Request-Id", "req-1"))

	for _, err := range c.Contacts.All(t.Context(), &oncall.ContactListOptions{Query: "Jane Doe"}) {
		if want := "oncall: GET /contacts/: 400 Bad Request (fields: email, first_name)"; err == nil || err.Error() != want {
			t.Errorf("All error = %v, want %q", err, want)
		}
		assertClean(t, err, secrets...)
	}
	_, err := c.Contacts.Create(t.Context(), &oncall.ContactCreateParams{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Division: 1})
	if want := "oncall: POST /contacts/: 409 Conflict (fields: email, first_name)"; err == nil || err.Error() != want {
		t.Errorf("Create error = %v, want %q", err, want)
	}
	assertClean(t, err, secrets...)
	_, err = c.Contacts.Update(t.Context(), 1, &oncall.ContactUpdateParams{Email: oncall.Ptr("jane.doe@example.com")})
	if want := "oncall: PATCH /contacts/1/: 400 Bad Request (fields: email, first_name) (request id req-1)"; err == nil || err.Error() != want {
		t.Errorf("Update error = %v, want %q", err, want)
	}
	assertClean(t, err, secrets...)
	if n := len(api.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestDecodeErrors serves 2xx responses the client cannot read, to a single-resource call (Get) and a listing
// (List). Each must be a *DecodeError naming the method and path, with no result and no part of the body in its
// text.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	fullPage := pageJSON(1, "", "", appointmentJSON(caBase, 1), appointmentJSON(caBase, 2))
	inPage := func(item string) string {
		return `{"count": 1, "next": null, "previous": null, "results": [` + item + `]}`
	}
	tests := []struct {
		name        string
		contentType string
		getBody     string // "" skips Get
		getErr      string // the DecodeError's cause
		listBody    string // "" skips List
		listErr     string
	}{
		{
			name:    "malformed JSON",
			getBody: `{"url": "https://api.oncallhealth.ca/appointments/1/", "title": "Jane Doe" "x"}`, getErr: "invalid JSON at byte 76",
			listBody: `{"count": 1, "results": [{"title": "Jane Doe"]}`, listErr: "invalid JSON at byte 46",
		},
		{
			name: "HTML error page", contentType: "text/html; charset=utf-8",
			getBody: "<html><body>Sorry Jane Doe, something went wrong</body></html>", getErr: "not a JSON response",
			listBody: "<html><body>Sorry Jane Doe, something went wrong</body></html>", listErr: "not a JSON response",
		},
		{
			name: "XML", contentType: "application/xml",
			getBody: "<error>Jane Doe</error>", getErr: "not a JSON response",
			listBody: "<error>Jane Doe</error>", listErr: "not a JSON response",
		},
		{name: "empty body", getBody: "", getErr: "empty body", listBody: "", listErr: "empty body"},
		{name: "blank body", getBody: " \n\t", getErr: "empty body", listBody: " \n\t", listErr: "empty body"},
		{
			name:    "truncated",
			getBody: appointmentJSON(caBase, 1)[:200], getErr: "invalid JSON at byte 200",
			listBody: fullPage[:300], listErr: "invalid JSON at byte 300",
		},
		{name: "page without results", listBody: `{"count": 1, "next": null, "previous": null}`, listErr: `not a page: no "results"`},
		{name: "results null", listBody: `{"count": 0, "next": null, "previous": null, "results": null}`, listErr: `not a page: no "results"`},
		{
			name:     "page is a list",
			listBody: `[` + appointmentJSON(caBase, 1) + `]`,
			listErr:  "field (top level): JSON array where an object was expected",
		},
		{
			name:    "appointment is a list",
			getBody: `["Jane Doe"]`, getErr: "field (top level): JSON array where an object was expected",
		},
		{
			name:    "duration as text",
			getBody: `{"duration": "sixty"}`, getErr: "field duration: JSON string where a number was expected",
			listBody: inPage(`{"duration": "sixty"}`), listErr: "field results.duration: JSON string where a number was expected",
		},
		{
			name:    "participants as object",
			getBody: `{"participants": {"name": "Jane Doe"}}`, getErr: "field participants: JSON object where an array was expected",
			listBody: inPage(`{"participants": {"name": "Jane Doe"}}`),
			listErr:  "field results.participants: JSON object where an array was expected",
		},
		{
			name:     "overflowing number",
			getBody:  `{"participants": [{"user_id": 123456789012345678901234}]}`,
			getErr:   "field participants.user_id: JSON number where a number was expected",
			listBody: inPage(`{"duration": 123456789012345678901234}`),
			listErr:  "field results.duration: JSON number where a number was expected",
		},
		{
			name:    "division names a provider",
			getBody: `{"division": "https://api.oncallhealth.ca/providers/5/"}`, getErr: "oncall: divisions reference: URL names a provider resource",
			listBody: inPage(`{"division": "https://api.oncallhealth.ca/providers/5/"}`), listErr: "oncall: divisions reference: URL names a provider resource",
		},
		{
			name:    "unreadable datetime",
			getBody: `{"datetime": "15/01/2026 9:00"}`, getErr: "oncall: datetime: not an ISO 8601 date-time: bad year",
			listBody: inPage(`{"datetime": 1768467600}`), listErr: "oncall: datetime: not a JSON string",
		},
		{
			name:    "unreadable fee",
			getBody: `{"participants": [{"fee": "ten dollars"}]}`, getErr: "oncall: not a decimal number",
			listBody: inPage(`{"participants": [{"fee": true}]}`), listErr: "oncall: not a decimal number",
		},
		{
			name:    "metadata as a list",
			getBody: `{"metadata": ["Jane Doe"]}`,
			getErr:  "oncall: metadata: field (top level): JSON array where an object was expected",
		},
	}
	type call struct {
		name, body, wantErr, path string
		do                        func(*oncall.Client, *testing.T) (any, error)
	}
	for _, tc := range tests {
		var calls []call
		if tc.getBody != "" || tc.getErr == "empty body" {
			calls = append(calls, call{"Get", tc.getBody, tc.getErr, "/appointments/1/", func(c *oncall.Client, t *testing.T) (any, error) {
				return c.Appointments.Get(t.Context(), 1)
			}})
		}
		if tc.listBody != "" || tc.listErr == "empty body" {
			calls = append(calls, call{"List", tc.listBody, tc.listErr, "/appointments/", func(c *oncall.Client, t *testing.T) (any, error) {
				return c.Appointments.List(t.Context(), &oncall.AppointmentListOptions{Filter: map[string][]string{"query": {"Jane"}}})
			}})
		}
		for _, cl := range calls {
			t.Run(tc.name+"/"+cl.name, func(t *testing.T) {
				t.Parallel()
				c, api := newStubAPI(t, oncall.RegionCA)
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				api.on("GET", strings.TrimSuffix(caBase, "/")+cl.path, jsonResponder(200, cl.body, "Content-Type", ct))
				got, err := cl.do(c, t)
				if !isNil(got) {
					t.Errorf("a result came with the error: %+v", got)
				}
				var de *oncall.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %v (%T), want a *DecodeError", err, err)
				}
				type fields struct {
					Method, Path, ContentType string
					StatusCode                int
					Cause                     string
				}
				want := fields{"GET", cl.path, ct, 200, cl.wantErr}
				gotFields := fields{de.Method, de.Path, de.ContentType, de.StatusCode, ""}
				if de.Err != nil {
					gotFields.Cause = de.Err.Error()
				}
				if diff := cmp.Diff(want, gotFields); diff != "" {
					t.Errorf("DecodeError (-want +got):\n%s", diff)
				}
				if !strings.Contains(err.Error(), "GET "+cl.path+":") {
					t.Errorf("error text %q does not name GET %s", err, cl.path)
				}
				assertClean(t, err, "Jane", "Doe", "sixty", "ten dollars", "123456789012345678901234", "15/01/2026", "query", cl.body)
				if n := len(api.requests()); n != 1 {
					t.Errorf("%d requests, want 1 (a 2xx that cannot be read is not retried)", n)
				}
			})
		}
	}
}

// isNil reports whether v is nil or a nil pointer.
func isNil(v any) bool {
	switch p := v.(type) {
	case nil:
		return true
	case *oncall.Appointment:
		return p == nil
	case *oncall.Page[oncall.Appointment]:
		return p == nil
	}
	return false
}

// TestDecodeErrorMidIteration checks that All yields the items of a good page, then a bad page's *DecodeError
// once, and stops.
func TestDecodeErrorMidIteration(t *testing.T) {
	t.Parallel()
	c, api := newStubAPI(t, oncall.RegionCA)
	api.onJSON("GET", caBase+"appointments/", 200, pageJSON(2, caBase+"appointments/?page=2", "", appointmentJSON(caBase, 1)))
	api.onJSON("GET", caBase+"appointments/?page=2", 200, `{"count": 2, "next": null, "results": [{"title": "Jane`)
	var ids []oncall.AppointmentID
	var errs []error
	for a, err := range c.Appointments.All(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]oncall.AppointmentID{1}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	var de *oncall.DecodeError
	if len(errs) != 1 || !errors.As(errs[0], &de) {
		t.Fatalf("errors = %v, want one *DecodeError", errs)
	}
	assertClean(t, errs[0], "Jane")
	if n := len(api.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// validCreate returns parameters that pass validation; each validation case breaks one rule.
func validCreate() *oncall.AppointmentCreateParams {
	return &oncall.AppointmentCreateParams{
		Title:        "Intake",
		Type:         oncall.TypeOnline,
		DateTime:     time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC),
		Duration:     60,
		Division:     123,
		Participants: []oncall.ParticipantParams{{Name: "Jane Doe", Email: "jane.doe@example.com"}},
		Metadata:     oncall.Metadata{"emr_id": "CL-1"},
	}
}

func participants(n int) []oncall.ParticipantParams {
	out := make([]oncall.ParticipantParams, n)
	for i := range out {
		out[i] = oncall.ParticipantParams{Name: fmt.Sprintf("Patient %d", i), Email: fmt.Sprintf("p%d@example.com", i)}
	}
	return out
}

func metadataOfSize(n int) oncall.Metadata {
	m := oncall.Metadata{}
	for i := range n {
		m[fmt.Sprintf("key%02d", i)] = i
	}
	return m
}

// TestAppointmentCreateValidation checks every rule of AppointmentCreateParams.Validate, through Create: the
// problems listed exactly, errors.Is ErrInvalidParams, no value in the text, and nothing sent.
func TestAppointmentCreateValidation(t *testing.T) {
	t.Parallel()
	const secret = "Jane Doe's private note"
	long100, long101 := strings.Repeat("k", 100), strings.Repeat("é", 101)
	tests := []struct {
		name   string
		modify func(*oncall.AppointmentCreateParams)
		want   []string // nil: valid
	}{
		{name: "valid", modify: func(*oncall.AppointmentCreateParams) {}},
		{name: "message without datetime", modify: func(p *oncall.AppointmentCreateParams) {
			p.Type, p.DateTime = oncall.TypeMessage, time.Time{}
		}},
		{name: "every type", modify: func(p *oncall.AppointmentCreateParams) { p.Type = oncall.TypeInPerson }},
		{name: "phone", modify: func(p *oncall.AppointmentCreateParams) { p.Type = oncall.TypePhone }},
		{name: "25 participants", modify: func(p *oncall.AppointmentCreateParams) { p.Participants = participants(25) }},
		{name: "limits reached exactly", modify: func(p *oncall.AppointmentCreateParams) {
			p.Metadata = metadataOfSize(48)
			p.Metadata[long100] = strings.Repeat("v", 2000)
			p.Metadata["bounds"] = math.MaxInt32
		}},
		{name: "metadata value kinds", modify: func(p *oncall.AppointmentCreateParams) {
			p.Metadata = oncall.Metadata{"s": "x", "i": int64(math.MinInt32), "i32": int32(7), "u8": uint8(1), "b": false, "n": nil, "f": 42.0}
		}},
		{name: "empty title", modify: func(p *oncall.AppointmentCreateParams) { p.Title = " \t" }, want: []string{"title is required"}},
		{name: "empty type", modify: func(p *oncall.AppointmentCreateParams) { p.Type = "" },
			want: []string{`type "": must be one of online, inperson, phone, message`}},
		{name: "type video", modify: func(p *oncall.AppointmentCreateParams) { p.Type = "video" },
			want: []string{`type (a value of 5 characters): must be one of online, inperson, phone, message`}},
		{name: "type in_person", modify: func(p *oncall.AppointmentCreateParams) { p.Type = "in_person" },
			want: []string{`type (a value of 9 characters): must be one of online, inperson, phone, message`}},
		{name: "type in upper case", modify: func(p *oncall.AppointmentCreateParams) { p.Type = "Online" },
			want: []string{`type (a value of 6 characters): must be one of online, inperson, phone, message`}},
		{name: "missing datetime", modify: func(p *oncall.AppointmentCreateParams) { p.DateTime = time.Time{} },
			want: []string{`datetime is required unless type is "message"`}},
		{name: "missing datetime, phone", modify: func(p *oncall.AppointmentCreateParams) { p.Type, p.DateTime = oncall.TypePhone, time.Time{} },
			want: []string{`datetime is required unless type is "message"`}},
		{name: "zero duration", modify: func(p *oncall.AppointmentCreateParams) { p.Duration = 0 },
			want: []string{"duration: 0 minutes, must be positive"}},
		{name: "negative duration", modify: func(p *oncall.AppointmentCreateParams) { p.Duration = -30 },
			want: []string{"duration: -30 minutes, must be positive"}},
		{name: "duration beyond int32", modify: func(p *oncall.AppointmentCreateParams) { p.Duration = math.MaxInt32 + 1 },
			want: []string{"duration: 2147483648 minutes, must be positive"}},
		{name: "no division", modify: func(p *oncall.AppointmentCreateParams) { p.Division = 0 }, want: []string{"division is required"}},
		{name: "negative provider", modify: func(p *oncall.AppointmentCreateParams) { p.Provider = -1 }, want: []string{"provider: negative id"}},
		{name: "no participants", modify: func(p *oncall.AppointmentCreateParams) { p.Participants = nil },
			want: []string{"participants: at least one is required"}},
		{name: "26 participants", modify: func(p *oncall.AppointmentCreateParams) { p.Participants = participants(26) },
			want: []string{"participants: 26 given, at most 25"}},
		{name: "participant without name", modify: func(p *oncall.AppointmentCreateParams) {
			p.Participants = append(participants(1), oncall.ParticipantParams{Email: "jane.doe@example.com"})
		}, want: []string{"participants[1]: name is required"}},
		{name: "participant with a bad email", modify: func(p *oncall.AppointmentCreateParams) {
			p.Participants[0].Email = "jane.doe at example.com"
		}, want: []string{"participants[0]: email is missing or malformed"}},
		{name: "participant without email", modify: func(p *oncall.AppointmentCreateParams) { p.Participants[0].Email = "" },
			want: []string{"participants[0]: email is missing or malformed"}},
		{name: "negative fee", modify: func(p *oncall.AppointmentCreateParams) { p.Participants[0].Fee = oncall.MustDecimal("-10.00") },
			want: []string{"participants[0]: fee is negative"}},
		{name: "51 metadata keys", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = metadataOfSize(51) },
			want: []string{"metadata: 51 keys, at most 50"}},
		{name: "key of 101 characters", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{long101: "x"} },
			want: []string{"metadata: a key of 101 characters, at most 100"}},
		{name: "value of 2001 characters", modify: func(p *oncall.AppointmentCreateParams) {
			p.Metadata = oncall.Metadata{"notes": secret + strings.Repeat(".", 2001-len([]rune(secret)))}
		}, want: []string{`metadata: value of "notes": 2001 characters, at most 2000`}},
		{name: "int above int32", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"n": math.MaxInt32 + 1} },
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "int64 below int32", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"n": int64(math.MinInt32 - 1)} },
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "uint64 max", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"n": uint64(math.MaxUint64)} },
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "uint32 max", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"n": uint32(math.MaxUint32)} },
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "integral float above int32", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"n": 3e9} },
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "float fraction", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"score": 1.5} },
			want: []string{`metadata: value of "score": a fraction; numbers must be 32-bit integers`}},
		{name: "nested object", modify: func(p *oncall.AppointmentCreateParams) {
			p.Metadata = oncall.Metadata{"ehr": map[string]any{"id": secret}}
		}, want: []string{`metadata: value of "ehr": a map[string]interface {}; values must be strings, 32-bit integers, booleans or null (the object must be flat)`}},
		{name: "nested list", modify: func(p *oncall.AppointmentCreateParams) { p.Metadata = oncall.Metadata{"ids": []any{1, 2}} },
			want: []string{`metadata: value of "ids": a []interface {}; values must be strings, 32-bit integers, booleans or null (the object must be flat)`}},
		{name: "several problems", modify: func(p *oncall.AppointmentCreateParams) {
			p.Title, p.Type, p.Division, p.DateTime = "", "video", 0, time.Time{}
			p.Participants = participants(26)
			p.Metadata = oncall.Metadata{"b": 1.5, "a": int64(1) << 40}
		}, want: []string{
			"title is required",
			`type (a value of 5 characters): must be one of online, inperson, phone, message`,
			`datetime is required unless type is "message"`,
			"division is required",
			"participants: 26 given, at most 25",
			`metadata: value of "a": outside the 32-bit signed integer range`,
			`metadata: value of "b": a fraction; numbers must be 32-bit integers`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := validCreate()
			tc.modify(p)
			c, api := newStubAPI(t, oncall.RegionCA)
			api.onEcho("POST", caBase+"appointments/", 201, appointmentJSON(caBase, 1), caBase, 1)
			verr := p.Validate()
			_, err := c.Appointments.Create(t.Context(), p)
			if tc.want == nil {
				if verr != nil || err != nil {
					t.Fatalf("Validate = %v, Create = %v; want both nil", verr, err)
				}
				if n := len(api.requests()); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
				return
			}
			assertValidation(t, err, "appointment", tc.want, secret, "jane.doe")
			if diff := cmp.Diff(verr, err, cmp.Comparer(func(a, b error) bool { return a.Error() == b.Error() })); diff != "" {
				t.Errorf("Validate and Create disagree (-Validate +Create):\n%s", diff)
			}
			api.assertNothingSent(t)
		})
	}
}

// assertValidation checks that err is a *ValidationError for resource with exactly the problems want, that it
// matches ErrInvalidParams and no other sentinel, and that its text holds none of the secrets.
func assertValidation(t testing.TB, err error, resource string, want []string, secrets ...string) {
	t.Helper()
	var ve *oncall.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T), want a *ValidationError", err, err)
	}
	if diff := cmp.Diff(&oncall.ValidationError{Resource: resource, Problems: want}, ve); diff != "" {
		t.Errorf("ValidationError (-want +got):\n%s", diff)
	}
	for _, s := range allSentinels {
		if got := errors.Is(err, s.err); got != (s.err == oncall.ErrInvalidParams) {
			t.Errorf("errors.Is(err, %s) = %v", s.name, got)
		}
	}
	if wantText := "oncall: invalid " + resource + ": " + strings.Join(want, "; "); err.Error() != wantText {
		t.Errorf("Error() = %q, want %q", err.Error(), wantText)
	}
	assertClean(t, err, secrets...)
}

// TestUpdateAndWriteValidation checks the rules of the other write parameters, through the methods that send
// them, and that nothing is sent when they are broken.
func TestUpdateAndWriteValidation(t *testing.T) {
	t.Parallel()
	const email = "jane.doe(at)example.com"
	tests := []struct {
		name     string
		call     func(context.Context, *oncall.Client) error
		resource string
		want     []string
	}{
		// Appointment updates.
		{name: "update nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Appointments.Update(ctx, 1, nil)
			return err
		}, resource: "appointment update", want: []string{"nil parameters"}},
		{name: "update nothing set", call: updateAppt(&oncall.AppointmentUpdateParams{}), resource: "appointment update",
			want: []string{"no field is set"}},
		{name: "update empty title", call: updateAppt(&oncall.AppointmentUpdateParams{Title: oncall.Ptr("")}), resource: "appointment update",
			want: []string{"title: empty"}},
		{name: "update bad type", call: updateAppt(&oncall.AppointmentUpdateParams{Type: oncall.Ptr(oncall.AppointmentType("video"))}),
			resource: "appointment update", want: []string{`type (a value of 5 characters): must be one of online, inperson, phone, message`}},
		{name: "update zero datetime", call: updateAppt(&oncall.AppointmentUpdateParams{DateTime: &time.Time{}}),
			resource: "appointment update", want: []string{"datetime: zero time"}},
		{name: "update zero duration", call: updateAppt(&oncall.AppointmentUpdateParams{Duration: oncall.Ptr(0)}),
			resource: "appointment update", want: []string{"duration: 0 minutes, must be positive"}},
		{name: "update division 0", call: updateAppt(&oncall.AppointmentUpdateParams{Division: oncall.Ptr(oncall.DivisionID(0))}),
			resource: "appointment update", want: []string{"division: must be a positive id"}},
		{name: "update provider -1", call: updateAppt(&oncall.AppointmentUpdateParams{Provider: oncall.Ptr(oncall.ProviderID(-1))}),
			resource: "appointment update", want: []string{"provider: must be a positive id"}},
		{name: "update bad metadata", call: updateAppt(&oncall.AppointmentUpdateParams{Metadata: metadataOfSize(51)}),
			resource: "appointment update", want: []string{"metadata: 51 keys, at most 50"}},
		{name: "create nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Appointments.Create(ctx, nil)
			return err
		}, resource: "appointment", want: []string{"nil parameters"}},

		// Participants.
		{name: "participant create nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.Create(ctx, nil)
			return err
		}, resource: "participant", want: []string{"nil parameters"}},
		{name: "participant create", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.Create(ctx, &oncall.ParticipantCreateParams{
				ParticipantParams: oncall.ParticipantParams{Email: email, Fee: oncall.MustDecimal("-1")},
			})
			return err
		}, resource: "participant", want: []string{
			"appointment is required", "participant: name is required", "participant: email is missing or malformed", "participant: fee is negative",
		}},
		{name: "participant update nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.Update(ctx, 1, nil)
			return err
		}, resource: "participant update", want: []string{"nil parameters"}},
		{name: "participant update nothing set", call: updateParticipant(&oncall.ParticipantUpdateParams{}),
			resource: "participant update", want: []string{"no field is set"}},
		{name: "participant update fields", call: updateParticipant(&oncall.ParticipantUpdateParams{
			Name: oncall.Ptr(" "), Email: oncall.Ptr(email), Fee: &oncall.Decimal{}, Status: oncall.Ptr(oncall.ParticipantStatus("Checked-in")),
		}), resource: "participant update", want: []string{
			"name: empty", "email: malformed", "fee: missing or negative",
			`status (a value of 10 characters): must be one of "No Show", "Cancelled by Provider", "Cancelled by Client"`,
		}},
		{name: "participant update negative fee", call: updateParticipant(&oncall.ParticipantUpdateParams{Fee: oncall.Ptr(oncall.MustDecimal("-0.01"))}),
			resource: "participant update", want: []string{"fee: missing or negative"}},
		{name: "participant status unknown", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.SetStatus(ctx, 1, "No show")
			return err
		}, resource: "participant update", want: []string{
			`status (a value of 7 characters): must be one of "No Show", "Cancelled by Provider", "Cancelled by Client"`,
		}},

		// Contacts.
		{name: "contact create nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Create(ctx, nil)
			return err
		}, resource: "contact", want: []string{"nil parameters"}},
		{name: "contact create", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Create(ctx, &oncall.ContactCreateParams{Email: email, Provider: -2})
			return err
		}, resource: "contact", want: []string{
			"first_name is required", "last_name is required", "email is missing or malformed", "division is required", "provider: negative id",
		}},
		{name: "contact update nil", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Update(ctx, 1, nil)
			return err
		}, resource: "contact update", want: []string{"nil parameters"}},
		{name: "contact update nothing set", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Update(ctx, 1, &oncall.ContactUpdateParams{})
			return err
		}, resource: "contact update", want: []string{"no field is set"}},
		{name: "contact update fields", call: func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Update(ctx, 1, &oncall.ContactUpdateParams{Name: oncall.Ptr(""), Email: oncall.Ptr(email)})
			return err
		}, resource: "contact update", want: []string{"name: empty", "email: malformed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			err := tc.call(t.Context(), c)
			assertValidation(t, err, tc.resource, tc.want, email)
			api.assertNothingSent(t)
		})
	}
}

func updateAppt(p *oncall.AppointmentUpdateParams) func(context.Context, *oncall.Client) error {
	return func(ctx context.Context, c *oncall.Client) error {
		if err := p.Validate(); err == nil {
			return errors.New("Validate accepted the parameters")
		}
		_, err := c.Appointments.Update(ctx, 1, p)
		return err
	}
}

func updateParticipant(p *oncall.ParticipantUpdateParams) func(context.Context, *oncall.Client) error {
	return func(ctx context.Context, c *oncall.Client) error {
		if err := p.Validate(); err == nil {
			return errors.New("Validate accepted the parameters")
		}
		_, err := c.Participants.Update(ctx, 1, p)
		return err
	}
}

// TestNewClientErrors checks that NewClient refuses a missing or unknown region, a bad token and every bad
// option, with an error that names the problem and never holds the token.
func TestNewClientErrors(t *testing.T) {
	t.Parallel()
	const token = "tok_live_9d8c7b6a"
	tests := []struct {
		name   string
		region oncall.Region
		token  string
		opts   []oncall.Option
		want   string
	}{
		{name: "empty region", region: "", token: token, want: `oncall: NewClient: unknown region: use RegionCA or RegionUS`},
		{name: "unknown region", region: "uk", token: token, want: `oncall: NewClient: unknown region: use RegionCA or RegionUS`},
		{name: "region in upper case", region: "CA", token: token, want: `oncall: NewClient: unknown region: use RegionCA or RegionUS`},
		{name: "region as a URL", region: "https://api.oncallhealth.ca", token: token,
			want: `oncall: NewClient: unknown region: use RegionCA or RegionUS`},
		{name: "empty token", region: oncall.RegionCA, token: "", want: "oncall: NewClient: empty token"},
		{name: "token with a newline", region: oncall.RegionCA, token: token + "\n",
			want: "oncall: NewClient: token contains white space or control characters"},
		{name: "token with a space", region: oncall.RegionUS, token: "Token " + token,
			want: "oncall: NewClient: token contains white space or control characters"},
		{name: "token with a tab", region: oncall.RegionCA, token: "\t" + token,
			want: "oncall: NewClient: token contains white space or control characters"},
		{name: "token with CR", region: oncall.RegionCA, token: token + "\r",
			want: "oncall: NewClient: token contains white space or control characters"},
		{name: "token with DEL", region: oncall.RegionCA, token: token + "\x7f",
			want: "oncall: NewClient: token contains white space or control characters"},
		{name: "token with NUL", region: oncall.RegionCA, token: token + "\x00",
			want: "oncall: NewClient: token contains white space or control characters"},
	}
	badOptions := map[string]struct {
		opt  oncall.Option
		want string
	}{
		"base URL empty":          {oncall.WithBaseURL(""), "oncall: WithBaseURL: want an absolute http or https URL"},
		"base URL relative":       {oncall.WithBaseURL("/api/"), "oncall: WithBaseURL: want an absolute http or https URL"},
		"base URL without scheme": {oncall.WithBaseURL("api.oncallhealth.ca"), "oncall: WithBaseURL: want an absolute http or https URL"},
		"base URL ftp":            {oncall.WithBaseURL("ftp://api.oncallhealth.ca/"), "oncall: WithBaseURL: want an absolute http or https URL"},
		"base URL without host":   {oncall.WithBaseURL("https:///appointments/"), "oncall: WithBaseURL: want an absolute http or https URL with a host"},
		"base URL malformed":      {oncall.WithBaseURL("https://api.oncall health.ca/"), "oncall: WithBaseURL: not a URL"},
		"base URL with user info": {oncall.WithBaseURL("https://" + token + "@proxy.example.com/"), "oncall: WithBaseURL: must not carry user info"},
		"base URL with a query": {oncall.WithBaseURL("https://proxy.example.com/?key=" + token),
			"oncall: WithBaseURL: must not carry a query (not even an empty one)"},
		// Issue 12 item 9: an empty query made references read http://h/?appointments/7/.
		"base URL with an empty query":    {oncall.WithBaseURL("http://h/?"), "oncall: WithBaseURL: must not carry a query (not even an empty one)"},
		"base URL with a fragment":        {oncall.WithBaseURL("https://proxy.example.com/#x"), "oncall: WithBaseURL: must not carry a fragment"},
		"base URL with an empty fragment": {oncall.WithBaseURL("https://proxy.example.com/#"), "oncall: WithBaseURL: must not carry a fragment"},
		"base URL with a bad port": {oncall.WithBaseURL("http://h:P:/"),
			"oncall: WithBaseURL: host: want a DNS name or IP address and an optional numeric port from 1 to 65535"},
		"base URL with an empty port": {oncall.WithBaseURL("http://h:/"),
			"oncall: WithBaseURL: host: want a DNS name or IP address and an optional numeric port from 1 to 65535"},
		"base URL with port 0": {oncall.WithBaseURL("http://h:0/"),
			"oncall: WithBaseURL: host: want a DNS name or IP address and an optional numeric port from 1 to 65535"},
		"base URL with an escaped slash": {oncall.WithBaseURL("http://h/a%2Fb/"),
			"oncall: WithBaseURL: path: only letters, digits and / . - _ ~ are allowed, without escapes"},
		"base URL with a dot-dot segment": {oncall.WithBaseURL("http://h/a/../b/"), "oncall: WithBaseURL: path: no . or .. segments"},
		"nil HTTP client":                 {oncall.WithHTTPClient(nil), "oncall: WithHTTPClient: nil *http.Client"},
		"negative retries":                {oncall.WithRetryPolicy(oncall.RetryPolicy{MaxRetries: -1}), "oncall: WithRetryPolicy: negative values are not allowed"},
		"negative min wait":               {oncall.WithRetryPolicy(oncall.RetryPolicy{MinWait: -1}), "oncall: WithRetryPolicy: negative values are not allowed"},
		"negative max wait":               {oncall.WithRetryPolicy(oncall.RetryPolicy{MaxWait: -time.Second}), "oncall: WithRetryPolicy: negative values are not allowed"},
		"negative max retryafter":         {oncall.WithRetryPolicy(oncall.RetryPolicy{MaxRetryAfter: -time.Second}), "oncall: WithRetryPolicy: negative values are not allowed"},
		"max wait below min wait": {oncall.WithRetryPolicy(oncall.RetryPolicy{MinWait: time.Second, MaxWait: time.Millisecond}),
			"oncall: WithRetryPolicy: MaxWait is less than MinWait"},
		"zero rate":           {oncall.WithRateLimit(0, 1), "oncall: WithRateLimit: requests a second must be positive, or NoRateLimit"},
		"negative rate":       {oncall.WithRateLimit(-5, 1), "oncall: WithRateLimit: requests a second must be positive, or NoRateLimit"},
		"zero burst":          {oncall.WithRateLimit(10, 0), "oncall: WithRateLimit: burst must be at least 1"},
		"zero burst, no rate": {oncall.WithRateLimit(oncall.NoRateLimit, 0), "oncall: WithRateLimit: burst must be at least 1"},
		"nil logger":          {oncall.WithLogger(nil), "oncall: WithLogger: nil *slog.Logger"},
		"empty user agent":    {oncall.WithUserAgent(""), "oncall: WithUserAgent: empty, or contains a line break"},
		"user agent with CRLF": {oncall.WithUserAgent("acme/1.0\r\nAuthorization: Token " + token),
			"oncall: WithUserAgent: empty, or contains a line break"},
		"empty auth scheme":        {oncall.WithAuthScheme(""), "oncall: WithAuthScheme: want a single printable word such as Token or Bearer"},
		"auth scheme with a space": {oncall.WithAuthScheme("Token " + token), "oncall: WithAuthScheme: want a single printable word such as Token or Bearer"},
		"auth scheme not ASCII":    {oncall.WithAuthScheme("Tökén"), "oncall: WithAuthScheme: want a single printable word such as Token or Bearer"},
		"auth scheme with newline": {oncall.WithAuthScheme("Bearer\n"), "oncall: WithAuthScheme: want a single printable word such as Token or Bearer"},
	}
	// Issue 12 item 9: the Region labels where patient data may go; a base URL on the other region's servers
	// contradicts it.
	tests = append(tests, []struct {
		name   string
		region oncall.Region
		token  string
		opts   []oncall.Option
		want   string
	}{
		{name: "US client on the Canadian host", region: oncall.RegionUS, token: token,
			opts: []oncall.Option{oncall.WithBaseURL("https://api.oncallhealth.ca/")},
			want: "oncall: WithBaseURL: oncallhealth.ca belongs to the other region's servers; this client is labelled US"},
		{name: "CA client on a US subdomain", region: oncall.RegionCA, token: token,
			opts: []oncall.Option{oncall.WithBaseURL("https://App.OnCallHealth.US.:443/")},
			want: "oncall: WithBaseURL: oncallhealth.us belongs to the other region's servers; this client is labelled CA"},
	}...)
	for name, bo := range badOptions {
		tests = append(tests, struct {
			name   string
			region oncall.Region
			token  string
			opts   []oncall.Option
			want   string
		}{name: "option " + name, region: oncall.RegionCA, token: token, opts: []oncall.Option{bo.opt}, want: bo.want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := oncall.NewClient(tc.region, tc.token, tc.opts...)
			if c != nil {
				t.Errorf("NewClient returned a client with the error")
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("NewClient error = %v, want %q", err, tc.want)
			}
			assertClean(t, err, token)
		})
	}
}

// TestNewClientAccepts checks the edges NewClient accepts: both regions, a nil option (skipped), an http base URL
// for a local fake, and rate.Inf.
func TestNewClientAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		region   oncall.Region
		opts     []oncall.Option
		wantBase string
	}{
		{name: "CA", region: oncall.RegionCA, wantBase: "https://api.oncallhealth.ca/"},
		{name: "US", region: oncall.RegionUS, wantBase: "https://api.oncallhealth.us/"},
		{name: "nil option", region: oncall.RegionCA, opts: []oncall.Option{nil}, wantBase: "https://api.oncallhealth.ca/"},
		{name: "local fake", region: oncall.RegionUS, opts: []oncall.Option{oncall.WithBaseURL("http://127.0.0.1:8080")},
			wantBase: "http://127.0.0.1:8080/"},
		{name: "proxy path", region: oncall.RegionCA, opts: []oncall.Option{oncall.WithBaseURL("https://proxy.example.com/oncall/ca/")},
			wantBase: "https://proxy.example.com/oncall/ca/"},
		{name: "no rate limit, no retries", region: oncall.RegionCA,
			opts: []oncall.Option{oncall.WithRateLimit(oncall.NoRateLimit, 1), oncall.WithRetryPolicy(oncall.RetryPolicy{})}, wantBase: "https://api.oncallhealth.ca/"},
		{name: "bearer", region: oncall.RegionCA, opts: []oncall.Option{oncall.WithAuthScheme("Bearer")}, wantBase: "https://api.oncallhealth.ca/"},
		// Issue 12 item 10: a default port written out is the same origin, and is dropped.
		{name: "default port and case", region: oncall.RegionCA, opts: []oncall.Option{oncall.WithBaseURL("HTTPS://API.oncallhealth.ca:443")},
			wantBase: "https://api.oncallhealth.ca/"},
		{name: "IPv6 fake", region: oncall.RegionCA, opts: []oncall.Option{oncall.WithBaseURL("http://[::1]:8080/v1")},
			wantBase: "http://[::1]:8080/v1/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := oncall.NewClient(tc.region, stubToken, tc.opts...)
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if c.BaseURL() != tc.wantBase || c.Region() != tc.region {
				t.Errorf("BaseURL, Region = %q, %q; want %q, %q", c.BaseURL(), c.Region(), tc.wantBase, tc.region)
			}
		})
	}
}

// TestEmptyResourceBodies checks that a single-resource response of null or {} is a DecodeError, not an empty
// resource with id 0 that a caller would take for a real one.
func TestEmptyResourceBodies(t *testing.T) {
	t.Parallel()
	base := "https://api.oncallhealth.ca/"
	calls := map[string]struct {
		path string
		call func(context.Context, *oncall.Client) error
	}{
		"appointment": {"appointments/7/", func(ctx context.Context, c *oncall.Client) error { _, err := c.Appointments.Get(ctx, 7); return err }},
		"participant": {"participants/7/", func(ctx context.Context, c *oncall.Client) error { _, err := c.Participants.Get(ctx, 7); return err }},
		"provider":    {"providers/7/", func(ctx context.Context, c *oncall.Client) error { _, err := c.Providers.Get(ctx, 7); return err }},
		"division":    {"divisions/7/", func(ctx context.Context, c *oncall.Client) error { _, err := c.Divisions.Get(ctx, 7); return err }},
		"contact":     {"contacts/7/", func(ctx context.Context, c *oncall.Client) error { _, err := c.Contacts.Get(ctx, 7); return err }},
	}
	for name, tc := range calls {
		for _, body := range []string{"null", "{}", `{"title": "x"}`} {
			t.Run(name+" "+body, func(t *testing.T) {
				t.Parallel()
				c, api := newStubAPI(t, oncall.RegionCA)
				api.onJSON("GET", base+tc.path, 200, body)
				err := tc.call(t.Context(), c)
				var de *oncall.DecodeError
				if !errors.As(err, &de) || de.Path != "/"+tc.path || !strings.Contains(de.Error(), `no "url"`) {
					t.Fatalf("error = %v, want a DecodeError for GET /%s saying the response has no url", err, tc.path)
				}
			})
		}
	}
}

// TestNewClientSwappedArguments checks that a token passed where the region goes is not echoed in the error.
func TestNewClientSwappedArguments(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-T0KEN-value"
	_, err := oncall.NewClient(oncall.Region(token), "ca")
	if err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("NewClient(token, region) error = %v, want an error that does not hold the token", err)
	}
}

// TestContactCustomFieldsExact checks that an integer custom field value beyond 2^53 keeps every digit.
func TestContactCustomFieldsExact(t *testing.T) {
	t.Parallel()
	c, api := newStubAPI(t, oncall.RegionCA)
	api.onJSON("GET", "https://api.oncallhealth.ca/contacts/9/", 200,
		`{"url": "https://api.oncallhealth.ca/contacts/9/", "custom_field_values": {"452": 9007199254740993, "453": "Ax1"}}`)
	got, err := c.Contacts.Get(t.Context(), 9)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(oncall.Metadata{"452": int64(9007199254740993), "453": "Ax1"}, got.CustomFieldValues); diff != "" {
		t.Errorf("custom field values (-want +got):\n%s", diff)
	}
}
