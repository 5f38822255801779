package oncall_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/oncallsync/oncall-go/internal/fixtures"
	"github.com/oncallsync/oncall-go/oncall"
)

// The payloads in the shared fixtures are OnCall's own published examples. They are decoded here as they are,
// quirks included: a one-digit hour, fees as 10 and 10.0, user_id on one participant only, a participant whose
// "appointment" names another appointment than the one it is listed under (kept as sent), and status strings.

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	return fixtures.Read(t, "fixtures", "oncall", name)
}

// fixtureResponder serves a fixture's bytes exactly, as application/json.
func fixtureResponder(status int, body []byte) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}

func TestFixtureAppointmentsListPage(t *testing.T) {
	t.Parallel()
	body := fixture(t, "appointments_list_page.json")
	c, api := newStubAPI(t, oncall.RegionCA)
	api.on("GET", "https://api.oncallhealth.ca/appointments/", fixtureResponder(200, body))

	page, err := c.Appointments.List(t.Context(), nil)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	participant := func(id oncall.ParticipantID, appt oncall.AppointmentID, userID int64) oncall.Participant {
		return oncall.Participant{
			ID:          id,
			URL:         "https://api.oncallhealth.ca/participants/" + strconv.FormatInt(int64(id), 10) + "/",
			Appointment: appt,
			Name:        "Test Patient",
			FirstName:   "Test",
			LastName:    "Patient",
			Email:       "test.patient@example.com",
			Fee:         oncall.MustDecimal("10.0"),
			UserID:      userID,
		}
	}
	want := &oncall.Page[oncall.Appointment]{
		Count:    100,
		Next:     "https://api.oncallhealth.ca/appointments/?page=2",
		Previous: "https://api.oncallhealth.ca/appointments/?page=3",
		NextPage: 2,
		Results: []oncall.Appointment{
			{
				ID:           12345,
				URL:          "https://api.oncallhealth.ca/appointments/12345/",
				Title:        "My appointment 1",
				DateTime:     time.Date(2019, 1, 16, 18, 0, 0, 0, time.UTC),
				Duration:     60,
				Type:         oncall.TypeOnline,
				Status:       oncall.StatusComplete,
				Division:     123,
				Participants: []oncall.Participant{participant(102, 12345, 0)},
				Metadata:     oncall.Metadata{"emr_id": "12345"},
			},
			{
				ID:        123456,
				URL:       "https://api.oncallhealth.ca/appointments/123456/",
				Title:     "My appointment 2",
				DateTime:  time.Date(2019, 1, 21, 21, 28, 0, 0, time.UTC),
				Duration:  15,
				Type:      oncall.TypeOnline,
				Status:    oncall.StatusProviderCancelled,
				Cancelled: true,
				Division:  123,
				// The fixture's participant points at appointment 12346, not 123456: kept as sent.
				Participants: []oncall.Participant{participant(100, 12346, 2)},
				Metadata:     oncall.Metadata{"emr_id": "123456"},
			},
		},
	}
	if diff := cmp.Diff(want, page); diff != "" {
		t.Errorf("page mismatch (-want +got):\n%s", diff)
	}
	// cmp compares Decimals with Equal, by value; the digits as sent must be kept too.
	for i, a := range page.Results {
		for j, p := range a.Participants {
			if got := p.Fee.String(); got != "10.0" {
				t.Errorf("results[%d].participants[%d].fee = %q, want %q", i, j, got, "10.0")
			}
		}
	}
	reqs := api.requests()
	if len(reqs) != 1 || reqs[0].Path != "/appointments/" || len(reqs[0].Query) != 0 {
		t.Errorf("requests = %+v, want one GET /appointments/ without a query", reqs)
	}
}

func TestFixtureAppointmentCreateResponse(t *testing.T) {
	t.Parallel()
	body := fixture(t, "appointment_create_response.json")
	c, api := newStubAPI(t, oncall.RegionCA)
	api.on("POST", "https://api.oncallhealth.ca/appointments/", fixtureResponder(201, body))

	// The request of OnCall's appointment sync guide, which this response answers.
	got, err := c.Appointments.Create(t.Context(), &oncall.AppointmentCreateParams{
		Title:        "Sample API appointment",
		Type:         oncall.TypeOnline,
		DateTime:     time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Duration:     60,
		Division:     123,
		Participants: []oncall.ParticipantParams{{Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("10")}},
		Metadata:     oncall.Metadata{"emr_id": "12345"},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	want := &oncall.Appointment{
		ID:       1234,
		URL:      "https://api.oncallhealth.ca/appointments/1234/",
		Title:    "Sample API appointment",
		DateTime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), // sent as "2026-01-15T0:00:00Z"
		Duration: 60,
		Type:     oncall.TypeOnline,
		Division: 123,
		Participants: []oncall.Participant{{
			ID:        56,
			URL:       "https://api.oncallhealth.ca/participants/56/",
			Name:      "Test Patient",
			FirstName: "Test",
			LastName:  "Patient",
			Email:     "test.patient@example.com",
			Fee:       oncall.MustDecimal("10"),
		}},
		Metadata: oncall.Metadata{"emr_id": "12345"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("appointment mismatch (-want +got):\n%s", diff)
	}
	if s := got.Participants[0].Fee.String(); s != "10" {
		t.Errorf("fee = %q, want %q (the digits as sent)", s, "10")
	}

	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	wantBody := map[string]any{
		"title":        "Sample API appointment",
		"type":         "online",
		"datetime":     "2026-01-15T00:00:00Z",
		"duration":     json.Number("60"),
		"division":     "https://api.oncallhealth.ca/divisions/123/",
		"participants": []any{map[string]any{"name": "Test Patient", "email": "test.patient@example.com", "fee": json.Number("10")}},
		"metadata":     map[string]any{"emr_id": "12345"},
	}
	if diff := cmp.Diff(wantBody, decodeBody(t, reqs[0].Body)); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}

// TestFixtureAppointmentsDecodeDirectly decodes the same payloads with encoding/json into the public types, the
// path a caller takes with a stored response or a webhook re-fetch.
func TestFixtureAppointmentsDecodeDirectly(t *testing.T) {
	t.Parallel()
	var a oncall.Appointment
	if err := json.Unmarshal(fixture(t, "appointment_create_response.json"), &a); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	type summary struct {
		ID        oncall.AppointmentID
		DateTime  time.Time
		Fee       string
		Division  oncall.DivisionID
		EMRID     string
		EMRIDSent bool
	}
	emr, ok := a.Metadata.String("emr_id")
	got := summary{a.ID, a.DateTime, a.Participants[0].Fee.String(), a.Division, emr, ok}
	want := summary{1234, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "10", 123, "12345", true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFixtureWebhookURLs checks that the webhook payloads' appointment URLs, on the .com host and without a
// trailing slash, are refused by ParseAppointmentURL (another origin) but decode as a reference.
func TestFixtureWebhookURLs(t *testing.T) {
	t.Parallel()
	c, _ := newStubAPI(t, oncall.RegionCA)
	for _, name := range []string{"webhook_appointment_created.json", "webhook_appointment_updated.json"} {
		var payload struct {
			Event string `json:"event"`
			URL   string `json:"url"`
		}
		if err := json.Unmarshal(fixture(t, name), &payload); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var id oncall.AppointmentID
		if err := json.Unmarshal([]byte(`"`+payload.URL+`"`), &id); err != nil || id != 1 {
			t.Errorf("%s: AppointmentID from %q = %d, %v; want 1", name, payload.URL, id, err)
		}
		if _, err := c.ParseAppointmentURL(payload.URL); err == nil {
			t.Errorf("%s: ParseAppointmentURL accepted a URL on %s", name, mustParse(t, payload.URL).Host)
		} else if !errors.Is(err, oncall.ErrCrossOrigin) {
			t.Errorf("%s: ParseAppointmentURL error %v, want ErrCrossOrigin", name, err)
		}
	}
}

// fixtureValues returns, as JSON text with the digits as sent, every value of the given key anywhere in the
// shared OnCall fixtures, to seed the fuzz targets with real payloads.
func fixtureValues(f *testing.F, key string) []string {
	f.Helper()
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == key {
					b, err := json.Marshal(e)
					if err != nil {
						f.Fatal(err)
					}
					out = append(out, string(b))
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, name := range []string{"appointments_list_page.json", "appointment_create_response.json",
		"webhook_appointment_created.json", "webhook_appointment_updated.json"} {
		// Optional: where the shared folder is absent the fuzz targets run on their own seeds, never skip.
		b, ok := fixtures.Optional(f, "fixtures", "oncall", name)
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		walk(v)
	}
	return out
}
