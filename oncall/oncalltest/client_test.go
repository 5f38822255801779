package oncalltest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// These tests check the client's own behaviour end to end, against the fake.

func TestClientPagination(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		w.seed(t, oneToOne(fmt.Sprint("E", i), start.Add(time.Duration(i)*time.Hour)))
	}
	client := w.client(t)
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: 3}}

	var all []oncall.Appointment
	for a, err := range client.Appointments.All(t.Context(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, *a)
	}
	if diff := cmp.Diff(w.srv.Appointments(), all); diff != "" {
		t.Errorf("All (-server +client):\n%s", diff)
	}
	var queries []string
	for _, r := range w.srv.Requests() {
		queries = append(queries, r.Query)
	}
	if diff := cmp.Diff([]string{"page_size=3", "page=2&page_size=3", "page=3&page_size=3"}, queries); diff != "" {
		t.Errorf("queries sent (-want +got):\n%s", diff)
	}

	type pageView struct{ Count, NextPage, Results int }
	var pages []pageView
	for p, err := range client.Appointments.Pages(t.Context(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, pageView{p.Count, p.NextPage, len(p.Results)})
	}
	if diff := cmp.Diff([]pageView{{7, 2, 3}, {7, 3, 3}, {7, 0, 1}}, pages); diff != "" {
		t.Errorf("Pages (-want +got):\n%s", diff)
	}

	resume := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{Page: 3, PageSize: 3}}
	p, err := client.Appointments.List(t.Context(), resume)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all[6:], p.Results); diff != "" {
		t.Errorf("List of page 3 (-want +got):\n%s", diff)
	}

	// Breaking out of the loop stops fetching.
	w.srv.ResetRequests()
	for range client.Appointments.All(t.Context(), opts) {
		break
	}
	if n := w.srv.RequestCount("GET", "/appointments/"); n != 1 {
		t.Errorf("%d pages fetched after breaking on the first item, want 1", n)
	}
}

func TestClientResources(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := w.srv.AddDivision("Uptown Clinic")
	second := w.srv.AddProvider("Dr. Sam Lee", "sam.lee@example.com", w.div, other)
	client := w.client(t)
	u := w.srv.URL()

	var providers []oncall.Provider
	for p, err := range client.Providers.All(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		providers = append(providers, *p)
	}
	wantProviders := []oncall.Provider{
		{ID: w.prov, URL: fmt.Sprintf("%s/providers/%d/", u, w.prov), FullName: "Dr. Jane Smith", Email: "jane.smith@example.com",
			Memberships: []oncall.DivisionID{w.div}},
		{ID: second, URL: fmt.Sprintf("%s/providers/%d/", u, second), FullName: "Dr. Sam Lee", Email: "sam.lee@example.com",
			Memberships: []oncall.DivisionID{w.div, other}},
	}
	if diff := cmp.Diff(wantProviders, providers); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	p, err := client.Providers.Get(t.Context(), second)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&wantProviders[1], p); diff != "" {
		t.Errorf("provider (-want +got):\n%s", diff)
	}
	var divisions []oncall.Division
	for d, err := range client.Divisions.All(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		divisions = append(divisions, *d)
	}
	wantDivisions := []oncall.Division{
		{ID: w.div, URL: fmt.Sprintf("%s/divisions/%d/", u, w.div), Name: "Downtown Clinic"},
		{ID: other, URL: fmt.Sprintf("%s/divisions/%d/", u, other), Name: "Uptown Clinic"},
	}
	if diff := cmp.Diff(wantDivisions, divisions); diff != "" {
		t.Errorf("divisions (-want +got):\n%s", diff)
	}
}

func TestClientWrites(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	client := w.client(t)
	ctx := t.Context()
	created, err := client.Appointments.Create(ctx, w.params("E1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.Appointments.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("Get after Create (-create +get):\n%s", diff)
	}
	moved := time.Date(2030, 3, 5, 15, 0, 0, 0, time.UTC)
	updated, err := client.Appointments.Update(ctx, created.ID, &oncall.AppointmentUpdateParams{DateTime: &moved})
	if err != nil {
		t.Fatal(err)
	}
	want := *created
	want.DateTime = moved
	if diff := cmp.Diff(&want, updated); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	cancelled, err := client.Appointments.Cancel(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	want.Cancelled, want.Status = true, oncall.StatusCoordinatorCancelled
	want.Cancellation = fmt.Sprintf("%s/appointment_cancellations/%d/", w.srv.URL(), created.ID)
	if diff := cmp.Diff(&want, cancelled); diff != "" {
		t.Errorf("Cancel (-want +got):\n%s", diff)
	}
	stored, _ := w.srv.Appointment(created.ID)
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	// The client sent only what changed.
	var patches []string
	for _, r := range w.srv.Requests() {
		if r.Method == "PATCH" {
			patches = append(patches, string(r.Body))
		}
	}
	if diff := cmp.Diff([]string{`{"datetime":"2030-03-05T15:00:00Z"}`, `{"cancelled":true}`}, patches); diff != "" {
		t.Errorf("PATCH bodies (-want +got):\n%s", diff)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oncalltest.WithUndocumentedParticipantAPI()) // for the 26th participant's POST /participants/
	client := w.client(t)
	full := oneToOne("FULL", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC))
	for i := len(full.Participants); i < oncall.MaxParticipants; i++ {
		full.Participants = append(full.Participants, oncalltest.Participant{Name: "P", Email: fmt.Sprintf("p%d@example.com", i)})
	}
	fullID := w.seed(t, full)
	done := oneToOne("DONE", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC))
	done.Status = oncall.StatusComplete
	doneID := w.seed(t, done)
	otherDiv := w.srv.AddDivision("Uptown Clinic")
	wrong, err := oncall.NewClient(oncall.RegionCA, "nope", oncall.WithBaseURL(w.srv.URL()), oncall.WithHTTPClient(w.srv.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		call     func() error
		sentinel error
		want     oncall.APIError // Body, RequestID and RetryAfter are not compared
	}{
		{"wrong token", func() error { _, err := wrong.Divisions.Get(t.Context(), w.div); return err }, oncall.ErrUnauthorized,
			oncall.APIError{StatusCode: 401, Method: "GET", Path: fmt.Sprintf("/divisions/%d/", w.div), Messages: []string{"Invalid token."}}},
		{"unknown appointment", func() error { _, err := client.Appointments.Get(t.Context(), 999); return err }, oncall.ErrNotFound,
			oncall.APIError{StatusCode: 404, Method: "GET", Path: "/appointments/999/", Messages: []string{"Not found."}}},
		{"field errors", func() error {
			p := w.params("E1")
			p.Division = otherDiv
			p.Participants[0].Email = "alex@localhost"
			_, err := client.Appointments.Create(t.Context(), p)
			return err
		}, oncall.ErrBadRequest, oncall.APIError{StatusCode: 400, Method: "POST", Path: "/appointments/",
			Fields:   []string{"participants", "provider"},
			Messages: []string{`participants: {"email":["Enter a valid email address."]}`, "provider: The provider is not a member of this division."}}},
		{"a 26th participant", func() error {
			_, err := client.Participants.Create(t.Context(), &oncall.ParticipantCreateParams{Appointment: fullID,
				ParticipantParams: oncall.ParticipantParams{Name: "Kim Poe", Email: "kim@example.com"}})
			return err
		}, oncall.ErrBadRequest, oncall.APIError{StatusCode: 400, Method: "POST", Path: "/participants/",
			Messages: []string{"Maximum 25 participants per appointment."}}},
		{"a completed appointment", func() error {
			_, err := client.Appointments.Update(t.Context(), doneID, &oncall.AppointmentUpdateParams{Title: oncall.Ptr("Intake")})
			return err
		}, oncall.ErrBadRequest, oncall.APIError{StatusCode: 400, Method: "PATCH", Path: fmt.Sprintf("/appointments/%d/", doneID),
			Messages: []string{"This appointment has been cancelled or completed and can no longer be changed."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae *oncall.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T), want an *oncall.APIError", err, err)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			got := *ae
			got.Body, got.RequestID, got.RetryAfter = nil, "", 0
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(ae.RequestID, "oncalltest-") {
				t.Errorf("RequestID %q, want the server's X-Request-Id", ae.RequestID)
			}
		})
	}
}

// An address the client lets through is refused by the server's stricter check, and the nested error objects come
// back as one message per participant.
func TestClientNestedParticipantErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.params("E1")
	p.Participants = append(p.Participants, oncall.ParticipantParams{Name: "Sam Roe", Email: "sam@localhost"})
	_, err := w.client(t).Appointments.Create(t.Context(), p)
	var ae *oncall.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want an *oncall.APIError", err)
	}
	// The valid participant's {} is dropped as noise; only the invalid one's errors remain.
	want := []string{`participants: {"email":["Enter a valid email address."]}`}
	if diff := cmp.Diff(want, ae.Messages); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		kind      oncalltest.FaultKind
		method    string
		wantErr   error // a sentinel, or nil for success
		wantSent  int   // requests of the method the server saw
		wantStore int   // appointments stored by the POST
	}{
		{"GET after 503", oncalltest.FaultUnavailable, "GET", nil, 2, 0},
		{"GET after 429", oncalltest.FaultRateLimit, "GET", nil, 2, 0},
		{"GET after 502", oncalltest.FaultBadGateway, "GET", nil, 2, 0},
		{"GET after 500 is not retried", oncalltest.FaultInternalError, "GET", oncall.ErrServer, 1, 0},
		{"PATCH after 504", oncalltest.FaultGatewayTimeout, "PATCH", nil, 2, 0},
		{"POST after 429", oncalltest.FaultRateLimit, "POST", nil, 2, 1},
		{"POST after 502 is not retried", oncalltest.FaultBadGateway, "POST", oncall.ErrServer, 1, 0},
		{"POST after 503 is not retried", oncalltest.FaultUnavailable, "POST", oncall.ErrServer, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			id := w.seed(t, oneToOne("E0", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
			client := w.client(t)
			if err := w.srv.InjectNext(tt.kind, 1, oncalltest.Match{Method: tt.method}); err != nil {
				t.Fatal(err)
			}
			var err error
			switch tt.method {
			case "GET":
				_, err = client.Appointments.Get(t.Context(), id)
			case "PATCH":
				_, err = client.Appointments.Update(t.Context(), id, &oncall.AppointmentUpdateParams{Title: oncall.Ptr("Intake")})
			case "POST":
				_, err = client.Appointments.Create(t.Context(), w.params("E1"))
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if n := w.srv.RequestCount(tt.method, ""); n != tt.wantSent {
				t.Errorf("%d %s requests, want %d", n, tt.method, tt.wantSent)
			}
			if n := len(w.srv.Appointments()) - 1; n != tt.wantStore {
				t.Errorf("%d appointments created, want %d", n, tt.wantStore)
			}
			if diff := cmp.Diff(map[oncalltest.FaultKind]int{tt.kind: 1}, w.srv.FaultCounts()); diff != "" {
				t.Errorf("FaultCounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientValidationSendsNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	client := w.client(t)
	tests := []struct {
		name string
		edit func(p *oncall.AppointmentCreateParams)
	}{
		{"unknown type", func(p *oncall.AppointmentCreateParams) { p.Type = "video" }},
		{"no datetime", func(p *oncall.AppointmentCreateParams) { p.DateTime = time.Time{} }},
		{"26 participants", func(p *oncall.AppointmentCreateParams) {
			for len(p.Participants) <= oncall.MaxParticipants {
				p.Participants = append(p.Participants, p.Participants[0])
			}
		}},
		{"nested metadata", func(p *oncall.AppointmentCreateParams) { p.Metadata["ehr"] = map[string]any{"id": 1} }},
		{"no division", func(p *oncall.AppointmentCreateParams) { p.Division = 0 }},
	}
	for _, tt := range tests {
		p := w.params("E1")
		tt.edit(p)
		if _, err := client.Appointments.Create(t.Context(), p); !errors.Is(err, oncall.ErrInvalidParams) {
			t.Errorf("%s: error %v, want ErrInvalidParams", tt.name, err)
		}
	}
	if _, err := client.Appointments.Update(t.Context(), 1001, &oncall.AppointmentUpdateParams{}); !errors.Is(err, oncall.ErrInvalidParams) {
		t.Errorf("empty update: error %v, want ErrInvalidParams", err)
	}
	if reqs := w.srv.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests reached the server, want none", len(reqs))
	}
}
