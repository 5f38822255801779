package oncall_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/oncallsync/oncall-go/oncall"
)

// stubToken is the API key of every stubbed client; tests check that no error text ever holds it.
const stubToken = "tok_3f9a2b7c5d1e"

// stubRetryPolicy keeps retrying tests fast.
var stubRetryPolicy = oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// stubAPI is an httpmock transport that records every request it is sent, whether or not a responder matches.
type stubAPI struct {
	t  testing.TB
	mt *httpmock.MockTransport

	mu   sync.Mutex
	reqs []stubRequest
}

// stubRequest is one request as the transport saw it.
type stubRequest struct {
	Method string
	Host   string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// newStubAPI returns a client for region whose requests go to a fresh mock transport, with a fast retry policy
// and no rate limit; opts come last and may override them.
func newStubAPI(t testing.TB, region oncall.Region, opts ...oncall.Option) (*oncall.Client, *stubAPI) {
	t.Helper()
	s := &stubAPI{t: t, mt: httpmock.NewMockTransport()}
	s.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		s.record(req)
		return nil, fmt.Errorf("no responder for %s %s", req.Method, req.URL.Path)
	})
	all := append([]oncall.Option{
		oncall.WithHTTPClient(&http.Client{Transport: s.mt}),
		oncall.WithRetryPolicy(stubRetryPolicy),
		oncall.WithRateLimit(oncall.NoRateLimit, 1),
	}, opts...)
	c, err := oncall.NewClient(region, stubToken, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, s
}

func (s *stubAPI) record(req *http.Request) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			s.t.Errorf("reading request body: %v", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body)) // for the responder
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, stubRequest{
		Method: req.Method,
		Host:   req.URL.Host,
		Path:   req.URL.Path,
		Query:  req.URL.Query(),
		Header: req.Header.Clone(),
		Body:   body,
	})
}

// on makes method rawURL (matched with any query unless rawURL has one) record the request and answer with r.
func (s *stubAPI) on(method, rawURL string, r httpmock.Responder) {
	s.mt.RegisterResponder(method, rawURL, func(req *http.Request) (*http.Response, error) {
		s.record(req)
		return r(req)
	})
}

// onJSON answers method rawURL with status and a JSON body.
func (s *stubAPI) onJSON(method, rawURL string, status int, body string) {
	s.on(method, rawURL, jsonResponder(status, body))
}

// onEcho answers method rawURL with status and canned as changed by the request's write (see oncall.EchoWrite).
func (s *stubAPI) onEcho(method, rawURL string, status int, canned, root string, id int) {
	s.on(method, rawURL, func(req *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		return jsonResponder(status, oncall.EchoWrite(canned, body, root, id))(req)
	})
}

// requests returns the requests recorded so far.
func (s *stubAPI) requests() []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubRequest(nil), s.reqs...)
}

// assertNothingSent fails the test if any request reached the transport.
func (s *stubAPI) assertNothingSent(t testing.TB) {
	t.Helper()
	if n := len(s.requests()); n != 0 || s.mt.GetTotalCallCount() != 0 {
		t.Errorf("%d requests sent (httpmock count %d), want none", n, s.mt.GetTotalCallCount())
	}
}

// jsonResponder answers with status, body and Content-Type application/json.
func jsonResponder(status int, body string, header ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	}
}

// decodeBody decodes a JSON request body keeping numbers as written (json.Number), so that "10.50" and 10.5
// differ; an empty body decodes to nil.
func decodeBody(t testing.TB, b []byte) map[string]any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("request body is not a JSON object: %v", err)
	}
	return m
}

// sentRequest is the part of a request a resource test compares whole.
type sentRequest struct {
	Method string
	Path   string
	Query  url.Values
	Body   map[string]any
}

// apiVariant is one way of pointing a client at an API: the two regions, and a proxy with a path prefix.
type apiVariant struct {
	name   string
	region oncall.Region
	opts   []oncall.Option
	base   string // API root, with a trailing slash
}

var apiVariants = []apiVariant{
	{name: "CA", region: oncall.RegionCA, base: "https://api.oncallhealth.ca/"},
	{name: "US", region: oncall.RegionUS, base: "https://api.oncallhealth.us/"},
	{name: "proxy", region: oncall.RegionCA, opts: []oncall.Option{oncall.WithBaseURL("https://proxy.example.com/oncall")},
		base: "https://proxy.example.com/oncall/"},
}

// path returns the URL path of p below the variant's API root.
func (v apiVariant) path(p string) string {
	u, _ := url.Parse(v.base + p)
	return u.Path
}

// appointmentJSON is an appointment as the API sends it, with its quirks: a one-digit hour, a fee as a string,
// references as URLs, and a field the client does not know.
func appointmentJSON(base string, id int) string {
	return fmt.Sprintf(`{
		"url": "%[1]sappointments/%[2]d/",
		"title": "Intake %[2]d",
		"datetime": "2026-01-15T9:00:00Z",
		"duration": 60,
		"type": "online",
		"status": "Incomplete",
		"cancelled": false,
		"division": "%[1]sdivisions/123/",
		"provider": "%[1]sproviders/77/",
		"participants": [{
			"url": "%[1]sparticipants/%[2]d56/",
			"appointment": "%[1]sappointments/%[2]d/",
			"name": "Test Patient",
			"first_name": "Test",
			"last_name": "Patient",
			"email": "test.patient@example.com",
			"fee": "10.50",
			"cancelled": false,
			"status": "No Show",
			"user_id": 9
		}],
		"metadata": {"emr_id": "CL-%[2]d", "series": 42, "telehealth": true},
		"video_url": "%[1]sjoin/abc"
	}`, base, id)
}

func wantAppointment(base string, id int) oncall.Appointment {
	return oncall.Appointment{
		ID:       oncall.AppointmentID(id),
		URL:      fmt.Sprintf("%sappointments/%d/", base, id),
		Title:    fmt.Sprintf("Intake %d", id),
		DateTime: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC),
		Duration: 60,
		Type:     oncall.TypeOnline,
		Status:   oncall.StatusIncomplete,
		Division: 123,
		Provider: 77,
		Participants: []oncall.Participant{{
			ID:          oncall.ParticipantID(id*100 + 56),
			URL:         fmt.Sprintf("%sparticipants/%d56/", base, id),
			Appointment: oncall.AppointmentID(id),
			Name:        "Test Patient",
			FirstName:   "Test",
			LastName:    "Patient",
			Email:       "test.patient@example.com",
			Fee:         oncall.MustDecimal("10.50"),
			Status:      oncall.ParticipantNoShow,
			UserID:      9,
		}},
		Metadata: oncall.Metadata{"emr_id": fmt.Sprintf("CL-%d", id), "series": int64(42), "telehealth": true},
	}
}

func participantJSON(base string, id int) string {
	return fmt.Sprintf(`{
		"url": "%[1]sparticipants/%[2]d/",
		"appointment": "%[1]sappointments/1234/",
		"name": "Ada Patient",
		"email": "ada.patient@example.com",
		"fee": 25.00,
		"cancelled": false
	}`, base, id)
}

func wantParticipant(base string, id int) oncall.Participant {
	return oncall.Participant{
		ID:          oncall.ParticipantID(id),
		URL:         fmt.Sprintf("%sparticipants/%d/", base, id),
		Appointment: 1234,
		Name:        "Ada Patient",
		Email:       "ada.patient@example.com",
		Fee:         oncall.MustDecimal("25.00"),
	}
}

func providerJSON(base string, id int) string {
	return fmt.Sprintf(`{
		"url": "%[1]sproviders/%[2]d/",
		"full_name": "Dr. Grace Provider",
		"email": "grace@clinic.example",
		"memberships": ["%[1]sdivisions/123/", "%[1]sdivisions/124/"]
	}`, base, id)
}

func wantProvider(base string, id int) oncall.Provider {
	return oncall.Provider{
		ID:          oncall.ProviderID(id),
		URL:         fmt.Sprintf("%sproviders/%d/", base, id),
		FullName:    "Dr. Grace Provider",
		Email:       "grace@clinic.example",
		Memberships: []oncall.DivisionID{123, 124},
	}
}

func divisionJSON(base string, id int) string {
	return fmt.Sprintf(`{"url": "%sdivisions/%d/", "name": "Clinic %d"}`, base, id, id)
}

func wantDivision(base string, id int) oncall.Division {
	return oncall.Division{ID: oncall.DivisionID(id), URL: fmt.Sprintf("%sdivisions/%d/", base, id), Name: fmt.Sprintf("Clinic %d", id)}
}

// contactJSON follows the roster contact example of OnCall's custom-fields guide, with string keys as real JSON has.
func contactJSON(base string, id int) string {
	return fmt.Sprintf(`{
		"url": "%[1]scontacts/%[2]d/",
		"name": "Jane Doe",
		"email": "jane.doe@example.com",
		"phone": "2125551542",
		"sex": "Unknown",
		"date_of_birth": "1970-01-01",
		"custom_field_names": {"452": "EMR id", "664": "Has submitted forms?"},
		"custom_field_values": {"452": "Ax1A2", "664": true},
		"appointments": "%[1]scontacts/%[2]d/appointments/"
	}`, base, id)
}

func wantContact(base string, id int) oncall.Contact {
	return oncall.Contact{
		ID:                oncall.ContactID(id),
		URL:               fmt.Sprintf("%scontacts/%d/", base, id),
		Name:              "Jane Doe",
		Email:             "jane.doe@example.com",
		Phone:             "2125551542",
		Sex:               "Unknown",
		DateOfBirth:       "1970-01-01",
		CustomFieldNames:  map[string]string{"452": "EMR id", "664": "Has submitted forms?"},
		CustomFieldValues: map[string]any{"452": "Ax1A2", "664": true},
		AppointmentsURL:   fmt.Sprintf("%scontacts/%d/appointments/", base, id),
	}
}

// pageJSON wraps items in the API's pagination envelope; next and previous are URLs or "" for null.
func pageJSON(count int, next, previous string, items ...string) string {
	link := func(s string) string {
		if s == "" {
			return "null"
		}
		return `"` + s + `"`
	}
	return fmt.Sprintf(`{"count": %d, "next": %s, "previous": %s, "results": [%s]}`,
		count, link(next), link(previous), strings.Join(items, ","))
}

// collect drains an iterator, returning its values and the error that ended it, if any.
func collect[T any](seq iter.Seq2[*T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// stubRoute is a canned answer to one method and URL.
type stubRoute struct {
	method, url string
	status      int
	body        string
}

// resourceCase is one call of a resource method, the requests it must send, and the result it must return.
type resourceCase struct {
	name   string
	routes []stubRoute
	// echoes answer with their body as changed by the request's write (oncall.EchoWrite), as a server that stores
	// every field would: the client checks the answer of a write against what it sent.
	echoes []stubRoute
	call   func(context.Context, *oncall.Client) (any, error)
	sent   []sentRequest
	want   any
}

func resourceCases(v apiVariant) []resourceCase {
	b := v.base
	p := v.path
	return []resourceCase{
		// Appointments.
		{
			name: "Appointments.List with options",
			routes: []stubRoute{{"GET", b + "appointments/", 200,
				pageJSON(101, b+"appointments/?completed=False&ordering=-datetime&page=3&page_size=50",
					b+"appointments/?completed=False&ordering=-datetime&page=1&page_size=50", appointmentJSON(b, 1234))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.List(ctx, &oncall.AppointmentListOptions{
					ListOptions: oncall.ListOptions{Page: 2, PageSize: 50},
					Ordering:    "-datetime",
					Filter:      url.Values{"completed": {"False"}},
				})
			},
			sent: []sentRequest{{Method: "GET", Path: p("appointments/"),
				Query: url.Values{"completed": {"False"}, "ordering": {"-datetime"}, "page": {"2"}, "page_size": {"50"}}}},
			want: &oncall.Page[oncall.Appointment]{
				Count:    101,
				Next:     b + "appointments/?completed=False&ordering=-datetime&page=3&page_size=50",
				Previous: b + "appointments/?completed=False&ordering=-datetime&page=1&page_size=50",
				NextPage: 3,
				Results:  []oncall.Appointment{wantAppointment(b, 1234)},
			},
		},
		{
			name:   "Appointments.List nil options, empty last page",
			routes: []stubRoute{{"GET", b + "appointments/", 200, pageJSON(0, "", "")}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.List(ctx, nil)
			},
			sent: []sentRequest{{Method: "GET", Path: p("appointments/"), Query: url.Values{}}},
			want: &oncall.Page[oncall.Appointment]{Results: []oncall.Appointment{}},
		},
		{
			name: "Appointments.Pages follows next",
			routes: []stubRoute{
				{"GET", b + "appointments/", 200, pageJSON(3, b+"appointments/?page=2&page_size=2", "", appointmentJSON(b, 1), appointmentJSON(b, 2))},
				{"GET", b + "appointments/?page=2&page_size=2", 200, pageJSON(3, "", b+"appointments/?page_size=2", appointmentJSON(b, 3))},
			},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				var pages []oncall.Page[oncall.Appointment]
				for pg, err := range c.Appointments.Pages(ctx, &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: 2}}) {
					if err != nil {
						return nil, err
					}
					pages = append(pages, *pg)
				}
				return pages, nil
			},
			sent: []sentRequest{
				{Method: "GET", Path: p("appointments/"), Query: url.Values{"page_size": {"2"}}},
				{Method: "GET", Path: p("appointments/"), Query: url.Values{"page": {"2"}, "page_size": {"2"}}},
			},
			want: []oncall.Page[oncall.Appointment]{
				{Count: 3, Next: b + "appointments/?page=2&page_size=2", NextPage: 2,
					Results: []oncall.Appointment{wantAppointment(b, 1), wantAppointment(b, 2)}},
				{Count: 3, Previous: b + "appointments/?page_size=2", Results: []oncall.Appointment{wantAppointment(b, 3)}},
			},
		},
		{
			name: "Appointments.All follows next",
			routes: []stubRoute{
				{"GET", b + "appointments/", 200, pageJSON(2, b+"appointments/?ordering=datetime&page=2", "", appointmentJSON(b, 1))},
				{"GET", b + "appointments/?ordering=datetime&page=2", 200, pageJSON(2, "", "", appointmentJSON(b, 2))},
			},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Appointments.All(ctx, &oncall.AppointmentListOptions{Ordering: "datetime"}))
			},
			sent: []sentRequest{
				{Method: "GET", Path: p("appointments/"), Query: url.Values{"ordering": {"datetime"}}},
				{Method: "GET", Path: p("appointments/"), Query: url.Values{"ordering": {"datetime"}, "page": {"2"}}},
			},
			want: []oncall.Appointment{wantAppointment(b, 1), wantAppointment(b, 2)},
		},
		{
			name:   "Appointments.Get",
			routes: []stubRoute{{"GET", b + "appointments/1234/", 200, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Get(ctx, 1234)
			},
			sent: []sentRequest{{Method: "GET", Path: p("appointments/1234/"), Query: url.Values{}}},
			want: ptr(wantAppointment(b, 1234)),
		},
		{
			name:   "Appointments.Create",
			echoes: []stubRoute{{"POST", b + "appointments/", 201, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Create(ctx, &oncall.AppointmentCreateParams{
					Title:    "Intake",
					Type:     oncall.TypeInPerson,
					DateTime: time.Date(2026, 1, 15, 4, 0, 0, 0, time.FixedZone("EST", -5*3600)),
					Duration: 60,
					Division: 123,
					Provider: 77,
					Participants: []oncall.ParticipantParams{
						{Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("10.50")},
						{Name: "Second Patient", Email: "second@example.com"},
					},
					Metadata: oncall.Metadata{"emr_id": "CL-1234", "series": 42, "telehealth": true, "note": nil},
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("appointments/"), Query: url.Values{}, Body: map[string]any{
				"title":    "Intake",
				"type":     "inperson",
				"datetime": "2026-01-15T09:00:00Z",
				"duration": json.Number("60"),
				"division": b + "divisions/123/",
				"provider": b + "providers/77/",
				"participants": []any{
					map[string]any{"name": "Test Patient", "email": "test.patient@example.com", "fee": json.Number("10.50")},
					map[string]any{"name": "Second Patient", "email": "second@example.com"},
				},
				"metadata": map[string]any{"emr_id": "CL-1234", "series": json.Number("42"), "telehealth": true, "note": nil},
			}}},
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) {
				a.Title, a.Type, a.DateTime = "Intake", oncall.TypeInPerson, time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
				a.Participants = []oncall.Participant{
					echoed(b, 1, "Test Patient", "test.patient@example.com", "10.50"),
					echoed(b, 2, "Second Patient", "second@example.com", ""),
				}
				a.Metadata = oncall.Metadata{"emr_id": "CL-1234", "series": int64(42), "telehealth": true, "note": nil}
			})),
		},
		{
			name:   "Appointments.Create message without datetime or provider",
			echoes: []stubRoute{{"POST", b + "appointments/", 201, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Create(ctx, &oncall.AppointmentCreateParams{
					Title:        "Check-in",
					Type:         oncall.TypeMessage,
					Duration:     15,
					Division:     123,
					Participants: []oncall.ParticipantParams{{Name: "Test Patient", Email: "test.patient@example.com"}},
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("appointments/"), Query: url.Values{}, Body: map[string]any{
				"title":        "Check-in",
				"type":         "message",
				"duration":     json.Number("15"),
				"division":     b + "divisions/123/",
				"participants": []any{map[string]any{"name": "Test Patient", "email": "test.patient@example.com"}},
			}}},
			// The canned answer keeps its datetime and provider: the client checks only what it sent.
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) {
				a.Title, a.Type, a.Duration = "Check-in", oncall.TypeMessage, 15
				a.Participants = []oncall.Participant{echoed(b, 1, "Test Patient", "test.patient@example.com", "")}
			})),
		},
		{
			name:   "Appointments.Update sends only the title",
			echoes: []stubRoute{{"PATCH", b + "appointments/1234/", 200, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Update(ctx, 1234, &oncall.AppointmentUpdateParams{Title: oncall.Ptr("Intake 1234b")})
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("appointments/1234/"), Query: url.Values{},
				Body: map[string]any{"title": "Intake 1234b"}}},
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) { a.Title = "Intake 1234b" })),
		},
		{
			name:   "Appointments.Update every field",
			echoes: []stubRoute{{"PATCH", b + "appointments/1234/", 200, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Update(ctx, 1234, &oncall.AppointmentUpdateParams{
					Title:     oncall.Ptr("Follow-up"),
					Type:      oncall.Ptr(oncall.TypePhone),
					DateTime:  oncall.Ptr(time.Date(2026, 1, 15, 10, 30, 0, 0, time.FixedZone("", 3600+1800))),
					Duration:  oncall.Ptr(45),
					Division:  oncall.Ptr(oncall.DivisionID(124)),
					Provider:  oncall.Ptr(oncall.ProviderID(78)),
					Status:    oncall.Ptr(oncall.StatusNoShow),
					Cancelled: oncall.Ptr(false),
					Participants: []oncall.ParticipantEntry{
						{URL: b + "participants/123456/", Name: "Test Patient", Email: "test.patient@example.com", Cancelled: true},
						{Name: "New Patient", Email: "new@example.com", Fee: oncall.MustDecimal("5")},
					},
					Metadata: oncall.Metadata{"emr_id": "CL-1234"},
				})
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("appointments/1234/"), Query: url.Values{}, Body: map[string]any{
				"title":     "Follow-up",
				"type":      "phone",
				"datetime":  "2026-01-15T09:00:00Z",
				"duration":  json.Number("45"),
				"division":  b + "divisions/124/",
				"provider":  b + "providers/78/",
				"status":    "No show",
				"cancelled": false,
				"participants": []any{
					map[string]any{"url": b + "participants/123456/", "name": "Test Patient", "email": "test.patient@example.com", "cancelled": true},
					map[string]any{"name": "New Patient", "email": "new@example.com", "fee": json.Number("5"), "cancelled": false},
				},
				"metadata": map[string]any{"emr_id": "CL-1234"},
			}}},
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) {
				a.Title, a.Type, a.DateTime, a.Duration = "Follow-up", oncall.TypePhone, time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), 45
				a.Division, a.Provider, a.Status = 124, 78, oncall.StatusNoShow
				kept := echoed(b, 0, "Test Patient", "test.patient@example.com", "")
				kept.ID, kept.URL, kept.Cancelled = 123456, b+"participants/123456/", true
				a.Participants = []oncall.Participant{kept, echoed(b, 2, "New Patient", "new@example.com", "5")}
				a.Metadata = oncall.Metadata{"emr_id": "CL-1234"}
			})),
		},
		{
			name:   "Appointments.Update empty metadata clears it",
			echoes: []stubRoute{{"PATCH", b + "appointments/1234/", 200, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Update(ctx, 1234, &oncall.AppointmentUpdateParams{Metadata: oncall.Metadata{}})
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("appointments/1234/"), Query: url.Values{},
				Body: map[string]any{"metadata": map[string]any{}}}},
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) { a.Metadata = oncall.Metadata{} })),
		},
		{
			name:   "Appointments.Cancel",
			echoes: []stubRoute{{"PATCH", b + "appointments/1234/", 200, appointmentJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Appointments.Cancel(ctx, 1234)
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("appointments/1234/"), Query: url.Values{},
				Body: map[string]any{"cancelled": true}}},
			want: ptr(changed(wantAppointment(b, 1234), func(a *oncall.Appointment) { a.Cancelled = true })),
		},

		// Participants.
		{
			name:   "Participants.All of one appointment",
			routes: []stubRoute{{"GET", b + "participants/", 200, pageJSON(2, "", "", participantJSON(b, 56), participantJSON(b, 57))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Participants.All(ctx, &oncall.ParticipantListOptions{
					ListOptions: oncall.ListOptions{PageSize: 10}, Appointment: 1234}))
			},
			sent: []sentRequest{{Method: "GET", Path: p("participants/"),
				Query: url.Values{"appointment": {"1234"}, "page_size": {"10"}}}},
			want: []oncall.Participant{wantParticipant(b, 56), wantParticipant(b, 57)},
		},
		{
			name:   "Participants.Pages",
			routes: []stubRoute{{"GET", b + "participants/", 200, pageJSON(1, "", "", participantJSON(b, 56))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Participants.Pages(ctx, nil))
			},
			sent: []sentRequest{{Method: "GET", Path: p("participants/"), Query: url.Values{}}},
			want: []oncall.Page[oncall.Participant]{{Count: 1, Results: []oncall.Participant{wantParticipant(b, 56)}}},
		},
		{
			name:   "Participants.Get",
			routes: []stubRoute{{"GET", b + "participants/56/", 200, participantJSON(b, 56)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Participants.Get(ctx, 56)
			},
			sent: []sentRequest{{Method: "GET", Path: p("participants/56/"), Query: url.Values{}}},
			want: ptr(wantParticipant(b, 56)),
		},
		{
			name:   "Participants.Create",
			routes: []stubRoute{{"POST", b + "participants/", 201, participantJSON(b, 56)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Participants.Create(ctx, &oncall.ParticipantCreateParams{
					Appointment:       1234,
					ParticipantParams: oncall.ParticipantParams{Name: "Ada Patient", Email: "ada.patient@example.com", Fee: oncall.MustDecimal("25.00")},
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("participants/"), Query: url.Values{}, Body: map[string]any{
				"appointment": b + "appointments/1234/",
				"name":        "Ada Patient",
				"email":       "ada.patient@example.com",
				"fee":         json.Number("25.00"),
			}}},
			want: ptr(wantParticipant(b, 56)),
		},
		{
			name:   "Participants.Create without fee",
			routes: []stubRoute{{"POST", b + "participants/", 201, participantJSON(b, 56)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Participants.Create(ctx, &oncall.ParticipantCreateParams{
					Appointment:       1234,
					ParticipantParams: oncall.ParticipantParams{Name: "Ada Patient", Email: "ada.patient@example.com"},
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("participants/"), Query: url.Values{}, Body: map[string]any{
				"appointment": b + "appointments/1234/",
				"name":        "Ada Patient",
				"email":       "ada.patient@example.com",
			}}},
			want: ptr(wantParticipant(b, 56)),
		},
		{
			name: "Participants.Update sends only the fields set",
			routes: []stubRoute{{"PATCH", b + "participants/56/", 200, strings.NewReplacer(
				"ada.patient@", "ada.new@", "25.00", `"0.00"`).Replace(participantJSON(b, 56))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Participants.Update(ctx, 56, &oncall.ParticipantUpdateParams{
					Email:     oncall.Ptr("ada.new@example.com"),
					Fee:       oncall.Ptr(oncall.MustDecimal("0.00")),
					Cancelled: oncall.Ptr(false),
				})
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("participants/56/"), Query: url.Values{}, Body: map[string]any{
				"email":     "ada.new@example.com",
				"fee":       json.Number("0.00"),
				"cancelled": false,
			}}},
			want: ptr(changed(wantParticipant(b, 56), func(p *oncall.Participant) {
				p.Email, p.Fee = "ada.new@example.com", oncall.MustDecimal("0.00")
			})),
		},
		{
			name: "Participants.SetStatus",
			routes: []stubRoute{{"PATCH", b + "participants/56/", 200,
				strings.Replace(participantJSON(b, 56), `"cancelled": false`, `"cancelled": true, "status": "Cancelled by Client"`, 1)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Participants.SetStatus(ctx, 56, oncall.ParticipantCancelledByClient)
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("participants/56/"), Query: url.Values{},
				Body: map[string]any{"status": "Cancelled by Client"}}},
			want: ptr(changed(wantParticipant(b, 56), func(p *oncall.Participant) {
				p.Cancelled, p.Status = true, oncall.ParticipantCancelledByClient
			})),
		},
		{
			name:   "Participants.Delete",
			routes: []stubRoute{{"DELETE", b + "participants/56/", 204, ""}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return nil, c.Participants.Delete(ctx, 56)
			},
			sent: []sentRequest{{Method: "DELETE", Path: p("participants/56/"), Query: url.Values{}}},
		},

		// Providers.
		{
			name:   "Providers.All",
			routes: []stubRoute{{"GET", b + "providers/", 200, pageJSON(1, "", "", providerJSON(b, 77))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Providers.All(ctx, &oncall.ListOptions{Page: 1, PageSize: 100}))
			},
			sent: []sentRequest{{Method: "GET", Path: p("providers/"), Query: url.Values{"page": {"1"}, "page_size": {"100"}}}},
			want: []oncall.Provider{wantProvider(b, 77)},
		},
		{
			name:   "Providers.Pages",
			routes: []stubRoute{{"GET", b + "providers/", 200, pageJSON(2, "", "", providerJSON(b, 77), providerJSON(b, 78))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Providers.Pages(ctx, nil))
			},
			sent: []sentRequest{{Method: "GET", Path: p("providers/"), Query: url.Values{}}},
			want: []oncall.Page[oncall.Provider]{{Count: 2, Results: []oncall.Provider{wantProvider(b, 77), wantProvider(b, 78)}}},
		},
		{
			name:   "Providers.Get",
			routes: []stubRoute{{"GET", b + "providers/77/", 200, providerJSON(b, 77)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Providers.Get(ctx, 77)
			},
			sent: []sentRequest{{Method: "GET", Path: p("providers/77/"), Query: url.Values{}}},
			want: ptr(wantProvider(b, 77)),
		},

		// Divisions.
		{
			name:   "Divisions.All",
			routes: []stubRoute{{"GET", b + "divisions/", 200, pageJSON(2, "", "", divisionJSON(b, 123), divisionJSON(b, 124))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Divisions.All(ctx, nil))
			},
			sent: []sentRequest{{Method: "GET", Path: p("divisions/"), Query: url.Values{}}},
			want: []oncall.Division{wantDivision(b, 123), wantDivision(b, 124)},
		},
		{
			name:   "Divisions.Pages",
			routes: []stubRoute{{"GET", b + "divisions/", 200, pageJSON(1, "", "", divisionJSON(b, 123))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Divisions.Pages(ctx, &oncall.ListOptions{PageSize: 2}))
			},
			sent: []sentRequest{{Method: "GET", Path: p("divisions/"), Query: url.Values{"page_size": {"2"}}}},
			want: []oncall.Page[oncall.Division]{{Count: 1, Results: []oncall.Division{wantDivision(b, 123)}}},
		},
		{
			name:   "Divisions.Get",
			routes: []stubRoute{{"GET", b + "divisions/123/", 200, divisionJSON(b, 123)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Divisions.Get(ctx, 123)
			},
			sent: []sentRequest{{Method: "GET", Path: p("divisions/123/"), Query: url.Values{}}},
			want: ptr(wantDivision(b, 123)),
		},

		// Contacts.
		{
			name:   "Contacts.All with query",
			routes: []stubRoute{{"GET", b + "contacts/", 200, pageJSON(1, "", "", contactJSON(b, 1234))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Contacts.All(ctx, &oncall.ContactListOptions{ListOptions: oncall.ListOptions{Page: 2}, Query: "Doe"}))
			},
			sent: []sentRequest{{Method: "GET", Path: p("contacts/"), Query: url.Values{"page": {"2"}, "query": {"Doe"}}}},
			want: []oncall.Contact{wantContact(b, 1234)},
		},
		{
			name:   "Contacts.Pages",
			routes: []stubRoute{{"GET", b + "contacts/", 200, pageJSON(1, "", "", contactJSON(b, 1234))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Contacts.Pages(ctx, nil))
			},
			sent: []sentRequest{{Method: "GET", Path: p("contacts/"), Query: url.Values{}}},
			want: []oncall.Page[oncall.Contact]{{Count: 1, Results: []oncall.Contact{wantContact(b, 1234)}}},
		},
		{
			name:   "Contacts.Get",
			routes: []stubRoute{{"GET", b + "contacts/1234/", 200, contactJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Contacts.Get(ctx, 1234)
			},
			sent: []sentRequest{{Method: "GET", Path: p("contacts/1234/"), Query: url.Values{}}},
			want: ptr(wantContact(b, 1234)),
		},
		{
			name:   "Contacts.Create",
			routes: []stubRoute{{"POST", b + "contacts/", 201, contactJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Contacts.Create(ctx, &oncall.ContactCreateParams{
					FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Sex: "Unknown", Division: 123, Provider: 77,
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("contacts/"), Query: url.Values{}, Body: map[string]any{
				"first_name": "Jane",
				"last_name":  "Doe",
				"email":      "jane.doe@example.com",
				"sex":        "Unknown",
				"division":   b + "divisions/123/",
				"provider":   b + "providers/77/",
			}}},
			want: ptr(wantContact(b, 1234)),
		},
		{
			name:   "Contacts.Create without sex or provider",
			routes: []stubRoute{{"POST", b + "contacts/", 201, contactJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Contacts.Create(ctx, &oncall.ContactCreateParams{
					FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Division: 123,
				})
			},
			sent: []sentRequest{{Method: "POST", Path: p("contacts/"), Query: url.Values{}, Body: map[string]any{
				"first_name": "Jane",
				"last_name":  "Doe",
				"email":      "jane.doe@example.com",
				"division":   b + "divisions/123/",
			}}},
			want: ptr(wantContact(b, 1234)),
		},
		{
			name:   "Contacts.Update sends only the fields set",
			routes: []stubRoute{{"PATCH", b + "contacts/1234/", 200, contactJSON(b, 1234)}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return c.Contacts.Update(ctx, 1234, &oncall.ContactUpdateParams{
					Phone:             oncall.Ptr("2125551543"),
					CustomFieldValues: map[string]any{"452": "Mx978A"},
				})
			},
			sent: []sentRequest{{Method: "PATCH", Path: p("contacts/1234/"), Query: url.Values{}, Body: map[string]any{
				"phone":               "2125551543",
				"custom_field_values": map[string]any{"452": "Mx978A"},
			}}},
			want: ptr(wantContact(b, 1234)),
		},
		{
			name: "Contacts.Appointments",
			routes: []stubRoute{{"GET", b + "contacts/1234/appointments/", 200,
				pageJSON(2, "", "", appointmentJSON(b, 1), appointmentJSON(b, 2))}},
			call: func(ctx context.Context, c *oncall.Client) (any, error) {
				return collect(c.Contacts.Appointments(ctx, 1234, &oncall.ListOptions{PageSize: 5}))
			},
			sent: []sentRequest{{Method: "GET", Path: p("contacts/1234/appointments/"), Query: url.Values{"page_size": {"5"}}}},
			want: []oncall.Appointment{wantAppointment(b, 1), wantAppointment(b, 2)},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// changed returns v as f changes it.
func changed[T any](v T, f func(*T)) T {
	f(&v)
	return v
}

// echoed is the nth participant invited by a write that oncall.EchoWrite answers on appointment 1234.
func echoed(base string, n int, name, email, fee string) oncall.Participant {
	p := oncall.Participant{
		ID:          oncall.ParticipantID(1234*100 + n),
		URL:         fmt.Sprintf("%sparticipants/%d/", base, 1234*100+n),
		Appointment: 1234,
		Name:        name,
		Email:       email,
	}
	if fee != "" {
		p.Fee = oncall.MustDecimal(fee)
	}
	return p
}

// TestResources calls every resource method against a mock transport, for each region and a proxied base URL,
// and compares the requests sent (method, exact path, query, decoded body, headers) and the decoded result whole.
func TestResources(t *testing.T) {
	t.Parallel()
	for _, v := range apiVariants {
		for _, tc := range resourceCases(v) {
			t.Run(v.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c, api := newStubAPI(t, v.region, v.opts...)
				for _, r := range tc.routes {
					api.onJSON(r.method, r.url, r.status, r.body)
				}
				for _, r := range tc.echoes {
					api.onEcho(r.method, r.url, r.status, r.body, v.base, 1234)
				}
				got, err := tc.call(t.Context(), c)
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if tc.want != nil {
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("result mismatch (-want +got):\n%s", diff)
					}
				}
				reqs := api.requests()
				var sent []sentRequest
				wantHost := mustParse(t, v.base).Host
				for _, r := range reqs {
					sent = append(sent, sentRequest{Method: r.Method, Path: r.Path, Query: r.Query, Body: decodeBody(t, r.Body)})
					if r.Host != wantHost {
						t.Errorf("%s %s sent to host %s, want %s", r.Method, r.Path, r.Host, wantHost)
					}
					wantHeader := map[string]string{
						"Authorization": "Token " + stubToken,
						"User-Agent":    oncall.DefaultUserAgent,
						"Accept":        "application/json",
						"Content-Type":  "",
					}
					if len(r.Body) > 0 {
						wantHeader["Content-Type"] = "application/json"
					}
					gotHeader := map[string]string{}
					for k := range wantHeader {
						gotHeader[k] = r.Header.Get(k)
					}
					if diff := cmp.Diff(wantHeader, gotHeader); diff != "" {
						t.Errorf("%s %s headers (-want +got):\n%s", r.Method, r.Path, diff)
					}
				}
				if diff := cmp.Diff(tc.sent, sent); diff != "" {
					t.Errorf("requests sent (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func mustParse(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAuthAndAgentHeaders checks the Authorization and User-Agent headers under the options that change them, on a
// request without a body and one with a body.
func TestAuthAndAgentHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      []oncall.Option
		wantAuth  string
		wantAgent string
	}{
		{name: "defaults", wantAuth: "Token " + stubToken, wantAgent: "oncall-go/" + oncall.Version},
		{name: "bearer scheme", opts: []oncall.Option{oncall.WithAuthScheme("Bearer")}, wantAuth: "Bearer " + stubToken, wantAgent: oncall.DefaultUserAgent},
		{name: "user agent", opts: []oncall.Option{oncall.WithUserAgent("acme-ehr-sync/2.3 oncall-go/0.1.0")},
			wantAuth: "Token " + stubToken, wantAgent: "acme-ehr-sync/2.3 oncall-go/0.1.0"},
	}
	type headers struct{ Method, Authorization, UserAgent, Accept, ContentType string }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA, tc.opts...)
			api.onJSON("GET", "https://api.oncallhealth.ca/divisions/123/", 200, divisionJSON("https://api.oncallhealth.ca/", 123))
			api.onEcho("PATCH", "https://api.oncallhealth.ca/appointments/1/", 200, appointmentJSON("https://api.oncallhealth.ca/", 1), "https://api.oncallhealth.ca/", 1)
			if _, err := c.Divisions.Get(t.Context(), 123); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Appointments.Cancel(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
			var got []headers
			for _, r := range api.requests() {
				got = append(got, headers{r.Method, r.Header.Get("Authorization"), r.Header.Get("User-Agent"),
					r.Header.Get("Accept"), r.Header.Get("Content-Type")})
			}
			want := []headers{
				{"GET", tc.wantAuth, tc.wantAgent, "application/json", ""},
				{"PATCH", tc.wantAuth, tc.wantAgent, "application/json", "application/json"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInvalidIDsSendNothing checks that every method taking an id refuses a zero or negative one before sending.
func TestInvalidIDsSendNothing(t *testing.T) {
	t.Parallel()
	calls := map[string]func(context.Context, *oncall.Client) error{
		"Appointments.Get": func(ctx context.Context, c *oncall.Client) error { _, err := c.Appointments.Get(ctx, 0); return err },
		"Appointments.Update": func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Appointments.Update(ctx, -1, &oncall.AppointmentUpdateParams{Title: oncall.Ptr("x")})
			return err
		},
		"Appointments.Cancel": func(ctx context.Context, c *oncall.Client) error { _, err := c.Appointments.Cancel(ctx, 0); return err },
		"Participants.Get":    func(ctx context.Context, c *oncall.Client) error { _, err := c.Participants.Get(ctx, 0); return err },
		"Participants.Update": func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.Update(ctx, 0, &oncall.ParticipantUpdateParams{Cancelled: oncall.Ptr(true)})
			return err
		},
		"Participants.SetStatus": func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Participants.SetStatus(ctx, -5, oncall.ParticipantNoShow)
			return err
		},
		"Participants.Delete": func(ctx context.Context, c *oncall.Client) error { return c.Participants.Delete(ctx, 0) },
		"Providers.Get":       func(ctx context.Context, c *oncall.Client) error { _, err := c.Providers.Get(ctx, 0); return err },
		"Divisions.Get":       func(ctx context.Context, c *oncall.Client) error { _, err := c.Divisions.Get(ctx, 0); return err },
		"Contacts.Get":        func(ctx context.Context, c *oncall.Client) error { _, err := c.Contacts.Get(ctx, 0); return err },
		"Contacts.Update": func(ctx context.Context, c *oncall.Client) error {
			_, err := c.Contacts.Update(ctx, 0, &oncall.ContactUpdateParams{Phone: oncall.Ptr("1")})
			return err
		},
		"Contacts.Appointments": func(ctx context.Context, c *oncall.Client) error {
			for _, err := range c.Contacts.Appointments(ctx, 0, nil) {
				return err
			}
			return errors.New("the iterator yielded nothing")
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			err := call(t.Context(), c)
			if !errors.Is(err, oncall.ErrInvalidParams) {
				t.Errorf("error = %v, want one matching ErrInvalidParams", err)
			}
			if err != nil && !strings.Contains(err.Error(), "id") {
				t.Errorf("error %q does not name the id", err)
			}
			api.assertNothingSent(t)
		})
	}
}

// TestRegionRefs checks that references and appointment URLs are rendered on the client's own region host.
func TestRegionRefs(t *testing.T) {
	t.Parallel()
	for _, v := range apiVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newStubAPI(t, v.region, v.opts...)
			if got, want := c.AppointmentURL(1234), v.base+"appointments/1234/"; got != want {
				t.Errorf("AppointmentURL = %q, want %q", got, want)
			}
			if got := c.BaseURL(); got != v.base {
				t.Errorf("BaseURL = %q, want %q", got, v.base)
			}
			if got := c.Region(); got != v.region {
				t.Errorf("Region = %q, want %q", got, v.region)
			}
		})
	}
}

// TestAppointmentJSONRoundTrip checks that an Appointment encoded with encoding/json (to cache it, say) decodes
// back to the same value.
func TestAppointmentJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range apiVariants {
		want := wantAppointment(v.base, 1234)
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var got oncall.Appointment
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: Unmarshal(%s): %v", v.name, b, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", v.name, diff)
		}
		if got.Participants[0].Fee.String() != "10.50" {
			t.Errorf("%s: fee %q after a round trip, want 10.50", v.name, got.Participants[0].Fee)
		}
	}
}
