package oncalltest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func TestParticipants(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	client := w.client(t)
	ctx := t.Context()
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	a := w.seed(t, oneToOne("A", start))
	b := w.seed(t, oneToOne("B", start))

	added, err := client.Participants.Create(ctx, &oncall.ParticipantCreateParams{Appointment: a,
		ParticipantParams: oncall.ParticipantParams{Name: "Sam Roe", Email: "sam@example.com", Fee: oncall.MustDecimal("25")}})
	if err != nil {
		t.Fatal(err)
	}
	want := oncall.Participant{ID: added.ID, URL: fmt.Sprintf("%s/participants/%d/", w.srv.URL(), added.ID), Appointment: a,
		Name: "Sam Roe", FirstName: "Sam", LastName: "Roe", Email: "sam@example.com", Fee: oncall.MustDecimal("25.00")}
	if diff := cmp.Diff(&want, added); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}
	if got, _ := w.srv.Appointment(a); len(got.Participants) != 2 || !cmp.Equal(got.Participants[1], want) {
		t.Errorf("appointment %d's participants: %+v, want the added one last", a, got.Participants)
	}

	var ofA []oncall.ParticipantID
	for p, err := range client.Participants.All(ctx, &oncall.ParticipantListOptions{Appointment: a}) {
		if err != nil {
			t.Fatal(err)
		}
		ofA = append(ofA, p.ID)
	}
	recA, _ := w.srv.AppointmentRecord(a)
	if diff := cmp.Diff([]oncall.ParticipantID{recA.Participants[0].ID, added.ID}, ofA); diff != "" {
		t.Errorf("participants of %d (-want +got):\n%s", a, diff)
	}
	n := 0
	for _, err := range client.Participants.All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d participants in all, want 3", n)
	}

	statuses := []struct {
		status        oncall.ParticipantStatus
		wantCancelled bool
	}{
		{oncall.ParticipantNoShow, false},
		{oncall.ParticipantCancelledByProvider, true},
		{oncall.ParticipantCancelledByClient, true},
	}
	recB, _ := w.srv.AppointmentRecord(b)
	pb := recB.Participants[0].ID
	for _, st := range statuses {
		p, err := client.Participants.SetStatus(ctx, pb, st.status)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != st.status || p.Cancelled != st.wantCancelled {
			t.Errorf("after SetStatus(%q): status %q, cancelled %v; want cancelled %v", st.status, p.Status, p.Cancelled, st.wantCancelled)
		}
	}

	if err := client.Participants.Delete(ctx, added.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Participants.Get(ctx, added.ID); !isStatus(err, 404) {
		t.Errorf("Get after Delete: %v, want 404", err)
	}
	if got, _ := w.srv.AppointmentRecord(a); len(got.Participants) != 1 {
		t.Errorf("appointment %d has %d participants after the delete, want 1", a, len(got.Participants))
	}
	if err := client.Participants.Delete(ctx, added.ID); !isStatus(err, 404) {
		t.Errorf("second Delete: %v, want 404", err)
	}
}

func TestParticipantRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.seed(t, oneToOne("A", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	rec, _ := w.srv.AppointmentRecord(a)
	pid := rec.Participants[0].ID
	apptURL := fmt.Sprintf("%s/appointments/%d/", w.srv.URL(), a)
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 any
	}{
		{"unknown status", "PATCH", fmt.Sprintf("/participants/%d/", pid), `{"status":"DNS"}`, 400,
			map[string]any{"status": []any{`"DNS" is not a valid choice.`}}},
		{"moved to another appointment", "PATCH", fmt.Sprintf("/participants/%d/", pid),
			`{"appointment":"` + w.srv.URL() + `/appointments/99/"}`, 400,
			map[string]any{"appointment": []any{"A participant cannot be moved to another appointment."}}},
		{"no appointment", "POST", "/participants/", `{"name":"Kim Poe","email":"kim@example.com"}`, 400,
			map[string]any{"appointment": []any{"This field is required."}}},
		{"appointment as id", "POST", "/participants/", fmt.Sprintf(`{"appointment":%d,"name":"Kim Poe","email":"kim@example.com"}`, a), 400,
			map[string]any{"appointment": []any{"Incorrect type. Expected URL string, received int."}}},
		{"no email", "POST", "/participants/", `{"appointment":"` + apptURL + `","name":"Kim Poe"}`, 400,
			map[string]any{"email": []any{"This field is required."}}},
		{"names instead of name", "POST", "/participants/", `{"appointment":"` + apptURL + `","first_name":"Kim","last_name":"Poe","email":"kim@example.com"}`, 201, nil},
		{"filter not a number", "GET", "/participants/?appointment=abc", "", 400,
			map[string]any{"appointment": []any{"Select a valid choice. That choice is not one of the available choices."}}},
		{"filter of unknown appointment", "GET", "/participants/?appointment=99", "", 200,
			map[string]any{"count": num("0"), "next": nil, "previous": nil, "results": []any{}}},
		{"clear status", "PATCH", fmt.Sprintf("/participants/%d/", pid), `{"status":null}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, w.srv, tt.method, tt.path, tt.body)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}
	got, _ := w.srv.AppointmentRecord(a)
	want := []oncalltest.Participant{
		rec.Participants[0],
		{ID: got.Participants[len(got.Participants)-1].ID, Name: "Kim Poe", FirstName: "Kim", LastName: "Poe",
			Email: "kim@example.com"},
	}
	if diff := cmp.Diff(want, got.Participants); diff != "" {
		t.Errorf("participants (-want +got):\n%s", diff)
	}
}

func isStatus(err error, status int) bool {
	ae, ok := err.(*oncall.APIError)
	return ok && ae.StatusCode == status
}
