package webhook_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

// apiServer is an httptest server that serves GET /appointments/{id}/ from a map of raw JSON bodies, answering
// 503 for id 503 and 404 for any other id, and records the paths it was asked for.
type apiServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newAPIServer(t *testing.T, bodies map[string]func(base string) string) *apiServer {
	t.Helper()
	s := &apiServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /appointments/{id}/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Token test-token" {
			http.Error(w, `{"detail":"Invalid token."}`, http.StatusUnauthorized)
			return
		}
		id := r.PathValue("id")
		if id == "503" {
			http.Error(w, `{"detail":"down"}`, http.StatusServiceUnavailable)
			return
		}
		body, ok := bodies[id]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"detail":"Not found."}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body(s.URL)))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *apiServer) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

func fastClient(t *testing.T, region oncall.Region, baseURL string) *oncall.Client {
	t.Helper()
	// A transport of its own: httptest.Server.Close in a parallel test breaks requests on http.DefaultTransport.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return newClient(t, region,
		oncall.WithBaseURL(baseURL),
		oncall.WithHTTPClient(&http.Client{Transport: tr}),
		oncall.WithRetryPolicy(oncall.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}),
		oncall.WithRateLimit(oncall.NoRateLimit, 1),
	)
}

// sampleAppointment is the appointment of OnCall's guide, with its real quirks (a one-digit hour, a bare fee),
// its references on the serving host.
func sampleAppointment(base string) string {
	return `{
		"url": "` + base + `/appointments/1234/",
		"title": "Sample API appointment",
		"datetime": "2026-01-15T0:00:00Z",
		"duration": 60,
		"type": "online",
		"cancelled": false,
		"division": "` + base + `/divisions/123/",
		"participants": [{
			"url": "` + base + `/participants/56/",
			"email": "test.patient@example.com",
			"name": "Test Patient",
			"first_name": "Test",
			"last_name": "Patient",
			"fee": 10,
			"cancelled": false
		}],
		"metadata": {"emr_id": "12345"}
	}`
}

// The re-fetch goes through a real oncall.Client to an HTTP server, whatever host the event's url names.
func TestHandlerWithClient(t *testing.T) {
	t.Parallel()
	srv := newAPIServer(t, map[string]func(string) string{"1234": sampleAppointment})
	wantAppt := &oncall.Appointment{
		ID:       1234,
		URL:      srv.URL + "/appointments/1234/",
		Title:    "Sample API appointment",
		DateTime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Duration: 60,
		Type:     oncall.TypeOnline,
		Division: 123,
		Participants: []oncall.Participant{{
			ID: 56, URL: srv.URL + "/participants/56/", Name: "Test Patient", FirstName: "Test", LastName: "Patient",
			Email: "test.patient@example.com", Fee: oncall.MustDecimal("10"),
		}},
		Metadata: oncall.Metadata{"emr_id": "12345"},
	}
	for _, tc := range []struct {
		name   string
		url    string
		status int
		want   *webhook.Delivery // nil: no callback
		paths  []string
	}{
		{"com host", "https://api.oncallhealth.com/appointments/1234", http.StatusOK,
			&webhook.Delivery{Event: webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.com/appointments/1234", AppointmentID: 1234}, Appointment: wantAppt},
			[]string{"/appointments/1234/"}},
		{"own region's host", "https://api.oncallhealth.ca/appointments/1234/", http.StatusOK,
			&webhook.Delivery{Event: webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.ca/appointments/1234/", AppointmentID: 1234}, Appointment: wantAppt},
			[]string{"/appointments/1234/"}},
		{"the fake server's host", srv.URL + "/appointments/1234/", http.StatusOK,
			&webhook.Delivery{Event: webhook.Event{Type: webhook.AppointmentUpdated, URL: srv.URL + "/appointments/1234/", AppointmentID: 1234}, Appointment: wantAppt},
			[]string{"/appointments/1234/"}},
		{"not found", "https://api.oncallhealth.com/appointments/99", http.StatusOK,
			&webhook.Delivery{Event: webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.com/appointments/99", AppointmentID: 99}, NotFound: true},
			[]string{"/appointments/99/"}},
		{"server error, retried then given up", "https://api.oncallhealth.com/appointments/503", http.StatusBadGateway, nil,
			[]string{"/appointments/503/", "/appointments/503/", "/appointments/503/"}},
		{"other region", "https://api.oncallhealth.us/appointments/1234", http.StatusUnprocessableEntity, nil, nil},
		{"foreign host", "https://evil.com/appointments/1234", http.StatusUnprocessableEntity, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: the subtests share the server's request log.
			before := len(srv.requested())
			s := &sink{}
			h, err := webhook.NewHandler(fastClient(t, oncall.RegionCA, srv.URL), s.callback)
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, post(h, delivery(webhook.AppointmentUpdated, tc.url)), tc.status)
			var want []webhook.Delivery
			if tc.want != nil {
				want = []webhook.Delivery{*tc.want}
			}
			if diff := cmp.Diff(want, s.deliveries()); diff != "" {
				t.Errorf("callback got (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.paths, srv.requested()[before:], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("server requests (-want +got):\n%s", diff)
			}
		})
	}
}

// The shared fixture of OnCall's appointment response, served as it is, reaches the callback as the client decodes
// it.
func TestHandlerWithClientFixture(t *testing.T) {
	t.Parallel()
	raw := string(readFixture(t, "appointment_create_response.json"))
	var want oncall.Appointment
	if err := json.Unmarshal([]byte(raw), &want); err != nil {
		t.Fatalf("decoding the fixture: %v", err)
	}
	if want.ID != 1234 || want.Participants[0].Fee.IsZero() || want.DateTime.Hour() != 0 {
		t.Fatalf("fixture decoded to %+v; expected appointment 1234 with a fee and a midnight start", want)
	}
	srv := newAPIServer(t, map[string]func(string) string{"1234": func(string) string { return raw }})
	s := &sink{}
	h, err := webhook.NewHandler(fastClient(t, oncall.RegionCA, srv.URL), s.callback)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(readFixture(t, "webhook_appointment_created.json")), "/appointments/1", "/appointments/1234", 1)
	checkResponse(t, post(h, body), http.StatusOK)
	got := s.deliveries()
	if len(got) != 1 {
		t.Fatalf("callback called %d times, want 1", len(got))
	}
	if diff := cmp.Diff(&want, got[0].Appointment); diff != "" {
		t.Errorf("appointment (-want +got):\n%s", diff)
	}
}
