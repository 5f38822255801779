package oncalltest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// TestParticipants exercises the participant extension's writes through the client.
func TestParticipants(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oncalltest.WithUndocumentedParticipantAPI())
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
	w := newWorld(t, oncalltest.WithUndocumentedParticipantAPI())
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

// TestParticipantWritesNotAllowed: without the extension, the participant writes are answered as Django REST
// Framework answers a method a view lacks, and change nothing; with it, the same requests are carried out.
func TestParticipantWritesNotAllowed(t *testing.T) {
	t.Parallel()
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			opts := []oncalltest.Option{oncalltest.WithWebhookURL(rcv.URL)}
			if extension {
				opts = append(opts, oncalltest.WithUndocumentedParticipantAPI())
			}
			w := newWorld(t, opts...)
			a := w.seed(t, oneToOne("A", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
			rec, _ := w.srv.AppointmentRecord(a)
			one := fmt.Sprintf("/participants/%d/", rec.Participants[0].ID)
			create := fmt.Sprintf(`{"appointment":"%s/appointments/%d/","name":"Kim Poe","email":"kim@example.com"}`, w.srv.URL(), a)
			tests := []struct {
				method, path, body string
				extensionCode      int // the status under the extension
				wantAllow          string
			}{
				{"POST", "/participants/", create, 201, "GET, HEAD, OPTIONS"},
				{"PATCH", one, `{"cancelled":true}`, 200, "GET, HEAD, OPTIONS"},
				{"DELETE", one, "", 204, "GET, HEAD, OPTIONS"},
				{"OPTIONS", one, "", 200, "GET, HEAD, OPTIONS"},
			}
			if extension {
				tests[3].wantAllow = "GET, PATCH, DELETE, HEAD, OPTIONS"
			}
			for _, tt := range tests {
				r := do(t, w.srv, tt.method, tt.path, tt.body)
				got := []any{r.status, r.header.Get("Allow")}
				want := []any{http.StatusMethodNotAllowed, tt.wantAllow}
				switch {
				case tt.method == "OPTIONS":
					want[0] = 200
				case extension:
					want = []any{tt.extensionCode, ""}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s %s: status, Allow (-want +got):\n%s", tt.method, tt.path, diff)
				}
				if want[0] == http.StatusMethodNotAllowed {
					wantBody := map[string]any{"detail": fmt.Sprintf("Method %q not allowed.", tt.method)}
					if diff := cmp.Diff(wantBody, r.json(t)); diff != "" {
						t.Errorf("%s %s: body (-want +got):\n%s", tt.method, tt.path, diff)
					}
				}
			}
			waitWebhooks(t, w.srv)
			got, _ := w.srv.AppointmentRecord(a)
			var committed int
			for _, r := range w.srv.Requests() {
				if r.Committed {
					committed++
				}
			}
			if extension {
				// Kim was added, then the seeded participant cancelled and deleted.
				if len(got.Participants) != 1 || got.Participants[0].Email != "kim@example.com" || committed != 3 || len(rcv.received()) != 3 {
					t.Errorf("under the extension: participants %+v, %d committed, %d webhooks; want Kim alone, 3, 3",
						got.Participants, committed, len(rcv.received()))
				}
				return
			}
			if diff := cmp.Diff(rec, got); diff != "" {
				t.Errorf("refused writes changed the appointment (-before +after):\n%s", diff)
			}
			if committed != 0 || len(rcv.received()) != 0 {
				t.Errorf("refused writes: %d committed, %d webhooks; want none", committed, len(rcv.received()))
			}
		})
	}
}

// TestParticipantStatusIgnored: without the extension, a participant's "status" in a create is ignored (a value
// that is not a status too) and no participant is rendered with one; under it, the status is stored and shown.
func TestParticipantStatusIgnored(t *testing.T) {
	t.Parallel()
	inBothModes(t, func(t *testing.T, extension bool, opts []oncalltest.Option) {
		w := newWorld(t, opts...)
		r := do(t, w.srv, "POST", "/appointments/", mustJSON(t, w.body(func(b map[string]any) {
			b["participants"] = []any{map[string]any{"name": "Alex Doe", "email": "alex.doe@example.com", "status": "No Show"}}
		})))
		if r.status != http.StatusCreated {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
		answered := r.json(t).(map[string]any)["participants"].([]any)[0].(map[string]any)
		recs := w.srv.AppointmentRecords()
		p := recs[0].Participants[0]
		fromResource := do(t, w.srv, "GET", fmt.Sprintf("/participants/%d/", p.ID), "").json(t).(map[string]any)
		nested, nestedOK := answered["status"]
		own, ownOK := fromResource["status"]
		got := []any{p.Status, nestedOK, nested, ownOK, own}
		want := []any{oncall.ParticipantStatus(""), false, nil, false, nil}
		if extension {
			want = []any{oncall.ParticipantNoShow, true, "No Show", true, "No Show"}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored status, nested status key and value, resource status key and value (-want +got):\n%s", diff)
		}

		r = do(t, w.srv, "POST", "/appointments/", mustJSON(t, w.body(func(b map[string]any) {
			b["participants"] = []any{map[string]any{"name": "Alex Doe", "email": "alex.doe@example.com", "status": "DNS"}}
		})))
		wantCode := http.StatusCreated
		if extension {
			wantCode = http.StatusBadRequest
		}
		if r.status != wantCode {
			t.Errorf("create with an unknown status: status %d, want %d: %s", r.status, wantCode, r.body)
		}
	})
}

// TestRequestUndocumented: the request log marks exactly the requests to the participant extension, in either
// mode.
func TestRequestUndocumented(t *testing.T) {
	t.Parallel()
	inBothModes(t, func(t *testing.T, extension bool, opts []oncalltest.Option) {
		w := newWorld(t, opts...)
		a := w.seed(t, oneToOne("A", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
		rec, _ := w.srv.AppointmentRecord(a)
		appt := fmt.Sprintf("/appointments/%d/", a)
		one := fmt.Sprintf("/participants/%d/", rec.Participants[0].ID)
		type logged struct {
			Method, Path string
			Undocumented bool
		}
		sent := []logged{
			{"GET", "/appointments/", false},
			{"PATCH", appt, false},
			{"GET", one, false},
			{"HEAD", one, false},
			{"GET", "/participants/99/", false},
			{"GET", "/divisions/", false},
			{"GET", "/participants/", true},
			{"OPTIONS", one, true},
			{"PATCH", one, true},
			{"POST", "/participants/", true},
			{"DELETE", one, true},
		}
		for _, s := range sent {
			body := ""
			if s.Method == "PATCH" || s.Method == "POST" {
				body = "{}"
			}
			do(t, w.srv, s.Method, s.Path, body)
		}
		var got []logged
		for _, r := range w.srv.Requests() {
			got = append(got, logged{r.Method, r.Path, r.Undocumented})
		}
		if diff := cmp.Diff(sent, got); diff != "" {
			t.Errorf("request log (-want +got):\n%s", diff)
		}
	})
}
