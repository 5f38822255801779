package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

// fakeFetcher serves appointments from a map and records every id it is asked for.
type fakeFetcher struct {
	appts map[oncall.AppointmentID]*oncall.Appointment
	// err, when set, is returned by every Get.
	err error
	// block makes Get wait for its context to end.
	block bool
	// override, when set, replaces the result of every Get.
	override func(id oncall.AppointmentID) (*oncall.Appointment, error)

	mu    sync.Mutex
	calls []oncall.AppointmentID
}

func (f *fakeFetcher) Get(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error) {
	f.mu.Lock()
	f.calls = append(f.calls, id)
	f.mu.Unlock()
	switch {
	case f.block:
		<-ctx.Done()
		return nil, &oncall.RequestError{Method: "GET", Path: "/appointments/" + strconv.FormatInt(int64(id), 10) + "/", Err: ctx.Err()}
	case f.override != nil:
		return f.override(id)
	case f.err != nil:
		return nil, f.err
	}
	a, ok := f.appts[id]
	if !ok {
		return nil, &oncall.APIError{StatusCode: http.StatusNotFound, Method: "GET", Path: "/appointments/" + strconv.FormatInt(int64(id), 10) + "/"}
	}
	cp := *a
	return &cp, nil
}

func (f *fakeFetcher) fetched() []oncall.AppointmentID {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// sink is a Callback that records what it gets.
type sink struct {
	err   error // returned by every call
	block bool  // wait for the context to end, and return its error

	mu  sync.Mutex
	got []webhook.Delivery
}

func (s *sink) callback(ctx context.Context, d webhook.Delivery) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	if s.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.err
}

func (s *sink) deliveries() []webhook.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// serverAppointment is what the API holds for id: a title and participant the payload never carries.
func serverAppointment(id oncall.AppointmentID) *oncall.Appointment {
	n := strconv.FormatInt(int64(id), 10)
	return &oncall.Appointment{
		ID:       id,
		URL:      "https://api.oncallhealth.ca/appointments/" + n + "/",
		Title:    "Server appointment " + n,
		DateTime: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Duration: 60,
		Type:     oncall.TypeOnline,
		Division: 123,
		Participants: []oncall.Participant{{
			ID: 56, URL: "https://api.oncallhealth.ca/participants/56/", Name: "Test Patient",
			Email: "test.patient@example.com", Fee: oncall.MustDecimal("10"),
		}},
		Metadata: oncall.Metadata{"emr_id": "emr-" + n},
	}
}

func newFetcher(ids ...oncall.AppointmentID) *fakeFetcher {
	f := &fakeFetcher{appts: map[oncall.AppointmentID]*oncall.Appointment{}}
	for _, id := range ids {
		f.appts[id] = serverAppointment(id)
	}
	return f
}

func newClient(t testing.TB, region oncall.Region, opts ...oncall.Option) *oncall.Client {
	t.Helper()
	c, err := oncall.NewClient(region, "test-token", opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func newHandler(t testing.TB, region oncall.Region, f webhook.Fetcher, cb webhook.Callback, opts ...webhook.Option) *webhook.Handler {
	t.Helper()
	h, err := webhook.NewHandler(newClient(t, region), cb, append([]webhook.Option{webhook.WithFetcher(f)}, opts...)...)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

func post(h http.Handler, body string, mutate ...func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/oncall/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, m := range mutate {
		m(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func delivery(event webhook.EventType, url string) string {
	return `{"event":"` + string(event) + `","url":"` + url + `"}`
}

// checkResponse fails unless rec has the status, and a body of the status text alone (nothing internal).
func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d", rec.Code, status)
	}
	want := ""
	if status != http.StatusOK {
		want = http.StatusText(status) + "\n"
	}
	if got := rec.Body.String(); got != want {
		t.Errorf("response body = %q, want %q", got, want)
	}
}

func TestHandlerDelivers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		region oncall.Region
		event  webhook.EventType
		url    string
		id     oncall.AppointmentID
	}{
		{"created .com", oncall.RegionCA, webhook.AppointmentCreated, "https://api.oncallhealth.com/appointments/1", 1},
		{"updated .com", oncall.RegionCA, webhook.AppointmentUpdated, "https://api.oncallhealth.com/appointments/1", 1},
		{"created .ca", oncall.RegionCA, webhook.AppointmentCreated, "https://api.oncallhealth.ca/appointments/1234/", 1234},
		{"updated .us on US", oncall.RegionUS, webhook.AppointmentUpdated, "https://api.oncallhealth.us/appointments/77", 77},
		{"updated .com on US", oncall.RegionUS, webhook.AppointmentUpdated, "https://api.oncallhealth.com/appointments/77/", 77},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, s := newFetcher(1, 77, 1234), &sink{}
			h := newHandler(t, tc.region, f, s.callback)
			checkResponse(t, post(h, delivery(tc.event, tc.url)), http.StatusOK)
			want := []webhook.Delivery{{
				Event:       webhook.Event{Type: tc.event, URL: tc.url, AppointmentID: tc.id},
				Appointment: serverAppointment(tc.id),
			}}
			if diff := cmp.Diff(want, s.deliveries()); diff != "" {
				t.Errorf("callback got (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]oncall.AppointmentID{tc.id}, f.fetched()); diff != "" {
				t.Errorf("fetched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHandlerFixtures(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"webhook_appointment_created.json", "webhook_appointment_updated.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			body := string(readFixture(t, file))
			f, s := newFetcher(1), &sink{}
			h := newHandler(t, oncall.RegionCA, f, s.callback)
			checkResponse(t, post(h, body), http.StatusOK)
			got := s.deliveries()
			if len(got) != 1 {
				t.Fatalf("callback called %d times, want 1", len(got))
			}
			if diff := cmp.Diff(serverAppointment(1), got[0].Appointment); diff != "" {
				t.Errorf("appointment (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHandlerUnknownEvent(t *testing.T) {
	t.Parallel()
	f, s := newFetcher(1), &sink{}
	h := newHandler(t, oncall.RegionCA, f, s.callback)
	checkResponse(t, post(h, `{"event":"appointment_deleted","url":"https://api.oncallhealth.us/appointments/1"}`), http.StatusOK)
	want := []webhook.Delivery{{Event: webhook.Event{Type: "appointment_deleted", URL: "https://api.oncallhealth.us/appointments/1"}}}
	if diff := cmp.Diff(want, s.deliveries()); diff != "" {
		t.Errorf("callback got (-want +got):\n%s", diff)
	}
	if n := len(f.fetched()); n != 0 {
		t.Errorf("fetched %d times for an unknown event, want 0", n)
	}
}

func TestHandlerRefuses(t *testing.T) {
	t.Parallel()
	created := func(url string) string { return delivery(webhook.AppointmentCreated, url) }
	for _, tc := range []struct {
		name   string
		region oncall.Region
		body   string
		status int
	}{
		{"bad JSON", oncall.RegionCA, `{"event":`, http.StatusBadRequest},
		{"empty body", oncall.RegionCA, ``, http.StatusBadRequest},
		{"not an object", oncall.RegionCA, `["appointment_created"]`, http.StatusBadRequest},
		{"missing event", oncall.RegionCA, `{"url":"https://api.oncallhealth.com/appointments/1"}`, http.StatusBadRequest},
		{"missing url", oncall.RegionCA, `{"event":"appointment_created"}`, http.StatusBadRequest},
		{"empty event", oncall.RegionCA, `{"event":"","url":"https://api.oncallhealth.com/appointments/1"}`, http.StatusBadRequest},
		{"empty url", oncall.RegionCA, created(""), http.StatusBadRequest},
		{"url without id", oncall.RegionCA, created("https://api.oncallhealth.com/appointments/"), http.StatusBadRequest},
		{"url non-numeric id", oncall.RegionCA, created("https://api.oncallhealth.com/appointments/abc"), http.StatusBadRequest},
		{"url with query", oncall.RegionCA, created("https://api.oncallhealth.com/appointments/1?x=1"), http.StatusBadRequest},
		{"url with fragment", oncall.RegionCA, created("https://api.oncallhealth.com/appointments/1#x"), http.StatusBadRequest},
		{"url of another resource", oncall.RegionCA, created("https://api.oncallhealth.com/participants/1"), http.StatusBadRequest},
		{"http", oncall.RegionCA, created("http://api.oncallhealth.ca/appointments/1"), http.StatusUnprocessableEntity},
		{"foreign host", oncall.RegionCA, created("https://evil.com/appointments/1"), http.StatusUnprocessableEntity},
		{"look-alike host", oncall.RegionCA, created("https://api.oncallhealth.ca.evil.com/appointments/1"), http.StatusUnprocessableEntity},
		{"look-alike path", oncall.RegionCA, created("https://evil.com/api.oncallhealth.ca/appointments/1"), http.StatusUnprocessableEntity},
		{"US url on a CA handler", oncall.RegionCA, created("https://api.oncallhealth.us/appointments/1"), http.StatusUnprocessableEntity},
		{"CA url on a US handler", oncall.RegionUS, created("https://api.oncallhealth.ca/appointments/1"), http.StatusUnprocessableEntity},
		{"fake host not configured", oncall.RegionCA, created("http://127.0.0.1:9/appointments/1"), http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, s := newFetcher(1), &sink{}
			h := newHandler(t, tc.region, f, s.callback)
			checkResponse(t, post(h, tc.body), tc.status)
			if n := len(f.fetched()); n != 0 {
				t.Errorf("fetched %d times, want 0", n)
			}
			if n := len(s.deliveries()); n != 0 {
				t.Errorf("callback called %d times, want 0", n)
			}
		})
	}
}

func TestHandlerMethodNotAllowed(t *testing.T) {
	t.Parallel()
	f, s := newFetcher(1), &sink{}
	h := newHandler(t, oncall.RegionCA, f, s.callback)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		req := httptest.NewRequest(m, "/", strings.NewReader(delivery(webhook.AppointmentCreated, "https://api.oncallhealth.com/appointments/1")))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
			t.Errorf("%s: status %d, Allow %q; want 405 and POST", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	if len(f.fetched())+len(s.deliveries()) != 0 {
		t.Error("a refused method fetched or called back")
	}
}

func TestHandlerBodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 100
	body := delivery(webhook.AppointmentUpdated, "https://api.oncallhealth.com/appointments/1")
	atLimit := body + strings.Repeat(" ", limit-len(body))
	for _, tc := range []struct {
		name          string
		body          string
		unknownLength bool
		status        int
	}{
		{"at the limit", atLimit, false, http.StatusOK},
		{"at the limit, unknown length", atLimit, true, http.StatusOK},
		{"one over", atLimit + " ", false, http.StatusRequestEntityTooLarge},
		{"one over, unknown length", atLimit + " ", true, http.StatusRequestEntityTooLarge},
		{"far over, unknown length", atLimit + strings.Repeat(" ", 1<<20), true, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, s := newFetcher(1), &sink{}
			h := newHandler(t, oncall.RegionCA, f, s.callback, webhook.WithMaxBodyBytes(limit))
			rec := post(h, tc.body, func(r *http.Request) {
				if tc.unknownLength {
					r.ContentLength = -1
				}
			})
			checkResponse(t, rec, tc.status)
			wantCalls := 0
			if tc.status == http.StatusOK {
				wantCalls = 1
			}
			if n := len(s.deliveries()); n != wantCalls {
				t.Errorf("callback called %d times, want %d", n, wantCalls)
			}
		})
	}
	t.Run("default limit", func(t *testing.T) {
		t.Parallel()
		f, s := newFetcher(1), &sink{}
		h := newHandler(t, oncall.RegionCA, f, s.callback)
		checkResponse(t, post(h, body+strings.Repeat(" ", webhook.DefaultMaxBodyBytes)), http.StatusRequestEntityTooLarge)
		checkResponse(t, post(h, body+strings.Repeat(" ", webhook.DefaultMaxBodyBytes-len(body))), http.StatusOK)
	})
}

// A forged delivery can only make the handler re-read what the API holds: nothing of its body reaches the
// callback but the event and the id.
func TestHandlerForgedDelivery(t *testing.T) {
	t.Parallel()
	f, s := newFetcher(7), &sink{}
	h := newHandler(t, oncall.RegionCA, f, s.callback)
	forged := `{"event":"appointment_updated","url":"https://api.oncallhealth.com/appointments/7",` +
		`"title":"Forged","cancelled":true,"participants":[{"name":"Mallory","email":"m@evil.com"}],` +
		`"appointment":{"url":"https://api.oncallhealth.ca/appointments/7/","title":"Forged"}}`
	checkResponse(t, post(h, forged), http.StatusOK)
	want := []webhook.Delivery{{
		Event:       webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.com/appointments/7", AppointmentID: 7},
		Appointment: serverAppointment(7),
	}}
	if diff := cmp.Diff(want, s.deliveries()); diff != "" {
		t.Errorf("callback got (-want +got):\n%s", diff)
	}
}

func TestHandlerNotFound(t *testing.T) {
	t.Parallel()
	body := delivery(webhook.AppointmentCreated, "https://api.oncallhealth.com/appointments/404")
	t.Run("acknowledged", func(t *testing.T) {
		t.Parallel()
		f, s := newFetcher(1), &sink{}
		h := newHandler(t, oncall.RegionCA, f, s.callback)
		checkResponse(t, post(h, body), http.StatusOK)
		want := []webhook.Delivery{{
			Event:    webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.com/appointments/404", AppointmentID: 404},
			NotFound: true,
		}}
		if diff := cmp.Diff(want, s.deliveries()); diff != "" {
			t.Errorf("callback got (-want +got):\n%s", diff)
		}
	})
	t.Run("the callback asks for a retry", func(t *testing.T) {
		t.Parallel()
		f, s := newFetcher(1), &sink{err: errors.New("not there yet")}
		h := newHandler(t, oncall.RegionCA, f, s.callback)
		checkResponse(t, post(h, body), http.StatusInternalServerError)
	})
	t.Run("bare sentinel", func(t *testing.T) {
		t.Parallel()
		f, s := &fakeFetcher{err: fmt.Errorf("cache: %w", oncall.ErrNotFound)}, &sink{}
		h := newHandler(t, oncall.RegionCA, f, s.callback)
		checkResponse(t, post(h, body), http.StatusOK)
		if got := s.deliveries(); len(got) != 1 || !got[0].NotFound || got[0].Appointment != nil {
			t.Errorf("callback got %+v, want one delivery with NotFound", got)
		}
	})
}

func TestHandlerFailures(t *testing.T) {
	t.Parallel()
	body := delivery(webhook.AppointmentUpdated, "https://api.oncallhealth.com/appointments/1")
	for _, tc := range []struct {
		name      string
		fetcher   *fakeFetcher
		sink      *sink
		opts      []webhook.Option
		status    int
		callbacks int
	}{
		{"callback error", newFetcher(1), &sink{err: errors.New("database down")}, nil, http.StatusInternalServerError, 1},
		{"API 500", &fakeFetcher{err: &oncall.APIError{StatusCode: 500, Method: "GET", Path: "/appointments/1/"}}, &sink{}, nil, http.StatusBadGateway, 0},
		{"API 401", &fakeFetcher{err: &oncall.APIError{StatusCode: 401, Method: "GET", Path: "/appointments/1/"}}, &sink{}, nil, http.StatusBadGateway, 0},
		{"API 403", &fakeFetcher{err: &oncall.APIError{StatusCode: 403, Method: "GET", Path: "/appointments/1/"}}, &sink{}, nil, http.StatusBadGateway, 0},
		{"network error", &fakeFetcher{err: &oncall.RequestError{Method: "GET", Path: "/appointments/1/", Err: errors.New("connection refused")}}, &sink{}, nil, http.StatusBadGateway, 0},
		{"other fetcher error", &fakeFetcher{err: errors.New("cache broken")}, &sink{}, nil, http.StatusBadGateway, 0},
		{"no appointment", &fakeFetcher{override: func(oncall.AppointmentID) (*oncall.Appointment, error) { return nil, nil }}, &sink{}, nil, http.StatusBadGateway, 0},
		{"another appointment", &fakeFetcher{override: func(oncall.AppointmentID) (*oncall.Appointment, error) { return serverAppointment(2), nil }}, &sink{}, nil, http.StatusBadGateway, 0},
		{"fetch timeout", &fakeFetcher{block: true}, &sink{}, []webhook.Option{webhook.WithTimeout(time.Millisecond)}, http.StatusGatewayTimeout, 0},
		{"callback timeout", newFetcher(1), &sink{block: true}, []webhook.Option{webhook.WithTimeout(time.Millisecond)}, http.StatusGatewayTimeout, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHandler(t, oncall.RegionCA, tc.fetcher, tc.sink.callback, tc.opts...)
			checkResponse(t, post(h, body), tc.status)
			if n := len(tc.sink.deliveries()); n != tc.callbacks {
				t.Errorf("callback called %d times, want %d", n, tc.callbacks)
			}
		})
	}
}

func TestHandlerTimeoutReachesContexts(t *testing.T) {
	t.Parallel()
	var fetchDeadline, callbackDeadline bool
	f := &fakeFetcher{}
	f.override = func(id oncall.AppointmentID) (*oncall.Appointment, error) { return serverAppointment(id), nil }
	h, err := webhook.NewHandler(newClient(t, oncall.RegionCA), func(ctx context.Context, d webhook.Delivery) error {
		_, callbackDeadline = ctx.Deadline()
		return nil
	}, webhook.WithFetcher(fetcherFunc(func(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error) {
		_, fetchDeadline = ctx.Deadline()
		return f.Get(ctx, id)
	})), webhook.WithTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, post(h, delivery(webhook.AppointmentCreated, "https://api.oncallhealth.com/appointments/3")), http.StatusOK)
	if !fetchDeadline || !callbackDeadline {
		t.Errorf("deadline seen by fetch %v, by callback %v; want both", fetchDeadline, callbackDeadline)
	}
}

type fetcherFunc func(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error)

func (f fetcherFunc) Get(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error) {
	return f(ctx, id)
}

func TestHandlerVerifier(t *testing.T) {
	t.Parallel()
	body := delivery(webhook.AppointmentUpdated, "https://api.oncallhealth.com/appointments/1")
	t.Run("rejecting", func(t *testing.T) {
		t.Parallel()
		for _, b := range []string{body, `garbage`} {
			f, s := newFetcher(1), &sink{}
			reject := func(*http.Request, []byte) error { return errors.New("no") }
			h := newHandler(t, oncall.RegionCA, f, s.callback, webhook.WithVerifier(reject))
			checkResponse(t, post(h, b), http.StatusUnauthorized)
			if len(f.fetched())+len(s.deliveries()) != 0 {
				t.Errorf("body %q: a rejected delivery fetched or called back", b)
			}
		}
	})
	t.Run("gets the request and the whole body", func(t *testing.T) {
		t.Parallel()
		var gotBody []byte
		var gotHeader string
		v := func(r *http.Request, b []byte) error {
			gotBody, gotHeader = b, r.Header.Get("X-Test")
			return nil
		}
		f, s := newFetcher(1), &sink{}
		h := newHandler(t, oncall.RegionCA, f, s.callback, webhook.WithVerifier(v))
		checkResponse(t, post(h, body, func(r *http.Request) { r.Header.Set("X-Test", "yes") }), http.StatusOK)
		if string(gotBody) != body || gotHeader != "yes" {
			t.Errorf("verifier got body %q, header %q; want %q, %q", gotBody, gotHeader, body, "yes")
		}
	})
	t.Run("shared secret", func(t *testing.T) {
		t.Parallel()
		v, err := webhook.SharedSecretHeader("X-OnCall-Secret", "0123456789abcdef-secret")
		if err != nil {
			t.Fatal(err)
		}
		f, s := newFetcher(1), &sink{}
		h := newHandler(t, oncall.RegionCA, f, s.callback, webhook.WithVerifier(v))
		checkResponse(t, post(h, body), http.StatusUnauthorized)
		checkResponse(t, post(h, body, func(r *http.Request) { r.Header.Set("X-OnCall-Secret", "wrong") }), http.StatusUnauthorized)
		checkResponse(t, post(h, body, func(r *http.Request) { r.Header.Set("X-OnCall-Secret", "0123456789abcdef-secret") }), http.StatusOK)
		if diff := cmp.Diff([]oncall.AppointmentID{1}, f.fetched()); diff != "" {
			t.Errorf("fetched (-want +got):\n%s", diff)
		}
	})
}

func TestHandlerConcurrent(t *testing.T) {
	t.Parallel()
	const n = 100
	ids := make([]oncall.AppointmentID, n)
	for i := range ids {
		ids[i] = oncall.AppointmentID(i + 1)
	}
	f, s := newFetcher(ids...), &sink{}
	h := newHandler(t, oncall.RegionCA, f, s.callback, webhook.WithFetchLimit(webhook.NoFetchLimit, 1))
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			codes[i] = post(h, delivery(webhook.AppointmentUpdated, fmt.Sprintf("https://api.oncallhealth.com/appointments/%d", id))).Code
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("delivery %d: status %d", i+1, c)
		}
	}
	var got []oncall.AppointmentID
	for _, d := range s.deliveries() {
		if d.Appointment == nil || d.Appointment.ID != d.Event.AppointmentID {
			t.Errorf("delivery for %d got appointment %+v", d.Event.AppointmentID, d.Appointment)
			continue
		}
		got = append(got, d.Appointment.ID)
	}
	slices.Sort(got)
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("delivered ids (-want +got):\n%s", diff)
	}
	if len(f.fetched()) != n {
		t.Errorf("fetched %d times, want %d", len(f.fetched()), n)
	}
}

func TestNewHandlerErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t, oncall.RegionCA)
	cb := (&sink{}).callback
	for _, tc := range []struct {
		name string
		c    *oncall.Client
		cb   webhook.Callback
		opt  webhook.Option
	}{
		{"nil client", nil, cb, nil},
		{"nil callback", c, nil, nil},
		{"nil verifier", c, cb, webhook.WithVerifier(nil)},
		{"nil fetcher", c, cb, webhook.WithFetcher(nil)},
		{"nil logger", c, cb, webhook.WithLogger(nil)},
		{"zero body limit", c, cb, webhook.WithMaxBodyBytes(0)},
		{"negative body limit", c, cb, webhook.WithMaxBodyBytes(-1)},
		{"zero timeout", c, cb, webhook.WithTimeout(0)},
		{"negative timeout", c, cb, webhook.WithTimeout(-time.Second)},
	} {
		if h, err := webhook.NewHandler(tc.c, tc.cb, tc.opt); err == nil || h != nil {
			t.Errorf("%s: NewHandler = %v, %v; want an error", tc.name, h, err)
		}
	}
	if _, err := webhook.NewHandler(c, cb, nil); err != nil {
		t.Errorf("NewHandler with a nil option: %v", err)
	}
}

// The log names the event, the id and the status, and holds nothing of the body, the appointment, the headers,
// or the error texts of code the handler did not write.
func TestHandlerLogging(t *testing.T) {
	t.Parallel()
	const (
		bodyCanary     = "BodyCanary"
		headerCanary   = "HeaderCanary0123456789"
		callbackCanary = "CallbackCanary"
		fetchCanary    = "FetchCanary"
	)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v, err := webhook.SharedSecretHeader("X-Secret", headerCanary)
	if err != nil {
		t.Fatal(err)
	}
	withSecret := func(r *http.Request) { r.Header.Set("X-Secret", headerCanary) }
	body := func(id int) string {
		return `{"event":"appointment_updated","url":"https://api.oncallhealth.com/appointments/` + strconv.Itoa(id) + `","note":"` + bodyCanary + `"}`
	}

	f := newFetcher(1)
	f.override = func(id oncall.AppointmentID) (*oncall.Appointment, error) {
		switch id {
		case 1:
			return serverAppointment(1), nil
		case 3:
			return nil, errors.New(fetchCanary)
		}
		return nil, &oncall.APIError{StatusCode: 503, Method: "GET", Path: "/appointments/2/", Body: []byte(bodyCanary)}
	}
	s := &sink{}
	h := newHandler(t, oncall.RegionCA, f, func(ctx context.Context, d webhook.Delivery) error {
		if err := s.callback(ctx, d); err != nil {
			return err
		}
		if d.Event.AppointmentID == 1 && d.Appointment != nil {
			return errors.New(callbackCanary + " " + d.Appointment.Participants[0].Name)
		}
		return nil
	}, webhook.WithVerifier(v), webhook.WithLogger(log))

	checkResponse(t, post(h, body(1), withSecret), http.StatusInternalServerError) // callback error
	checkResponse(t, post(h, body(2), withSecret), http.StatusBadGateway)          // API error
	checkResponse(t, post(h, body(3), withSecret), http.StatusBadGateway)          // other fetcher error
	checkResponse(t, post(h, body(4)), http.StatusUnauthorized)                    // no secret
	checkResponse(t, post(h, `{"event":"appointment_updated","url":"https://api.oncallhealth.us/appointments/5","n":"`+bodyCanary+`"}`, withSecret), http.StatusUnprocessableEntity)
	checkResponse(t, post(h, `{"`+bodyCanary+`"`, withSecret), http.StatusBadRequest)

	out := buf.String()
	for _, leak := range []string{bodyCanary, headerCanary, callbackCanary, fetchCanary, "Test Patient", "test.patient@example.com", "emr-1", "Server appointment"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{
		"level=ERROR msg=\"webhook delivery failed\" status=500 event=appointment_updated appointment_id=1",
		"status=502 event=appointment_updated appointment_id=2 reason=\"re-fetch failed: oncall: GET /appointments/2/: 503 Service Unavailable\"",
		"appointment_id=3 reason=\"re-fetch failed: error from the Fetcher (its text is not logged)\"",
		"level=WARN msg=\"webhook delivery refused\" status=401",
		"status=422 event=appointment_updated reason=\"url is on another region's API host; this handler reads from region ca\"",
		"status=400 reason=\"webhook: malformed payload: invalid JSON at byte",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
