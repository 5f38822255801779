package oncalltest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// FuzzCreateAppointment posts arbitrary bodies: the server must answer 201 or 400 (never fail), store nothing on a
// 400, and on a 201 hold exactly what the client decodes from its answer.
func FuzzCreateAppointment(f *testing.F) {
	srv := oncalltest.NewServer()
	f.Cleanup(srv.Close)
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	w := &world{srv: srv, div: div, prov: prov}
	valid := w.body(nil)
	f.Add(mustJSONBytes(f, valid))
	msg := w.body(func(b map[string]any) { b["type"] = "message"; delete(b, "datetime") })
	f.Add(mustJSONBytes(f, msg))
	f.Add([]byte(`{"title":1,"participants":[{"fee":"1e3"}],"metadata":{"a":[1]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		before := len(srv.Appointments())
		r := do(t, srv, "POST", "/appointments/", string(body))
		var got oncall.Appointment
		dec := json.Unmarshal(r.body, &got) // the client's own decoding
		switch r.status {
		case http.StatusCreated:
			if dec != nil {
				t.Fatalf("the client cannot decode the server's answer: %v", dec)
			}
			want, ok := srv.Appointment(got.ID)
			if !ok {
				t.Fatalf("appointment %d answered but not stored", got.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("stored vs answered (-stored +answered):\n%s", diff)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if n := len(srv.Appointments()); n != before {
				t.Fatalf("a refused create stored something (%d appointments, %d before)", n, before)
			}
		default:
			t.Fatalf("status %d", r.status)
		}
	})
}

// FuzzPatchParticipants patches an appointment's participants with arbitrary lists: the server must answer 200 or
// 400, change nothing on a 400, and on a 200 hold exactly what the client decodes from its answer, with every
// participant found at its own URL.
func FuzzPatchParticipants(f *testing.F) {
	srv := oncalltest.NewServer()
	f.Cleanup(srv.Close)
	div := srv.AddDivision("Downtown Clinic")
	w := &world{srv: srv, div: div}
	g := group("G1", "ann", "bob")
	g.Division = div
	id, err := srv.AddAppointment(g)
	if err != nil {
		f.Fatal(err)
	}
	rec, _ := srv.AppointmentRecord(id)
	ann := fmt.Sprintf("%s/participants/%d/", srv.URL(), rec.Participants[0].ID)
	f.Add(mustJSONBytes(f, []any{map[string]any{"url": ann, "name": "Ann Lee", "cancelled": true},
		map[string]any{"name": "Cy Doe", "email": "cy@example.com", "fee": "5"}}))
	f.Add(mustJSONBytes(f, []any{map[string]any{"url": ann}, map[string]any{"url": ann}}))
	f.Add([]byte(`[{"url":"` + srv.URL() + `/divisions/1/","status":"No Show"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"url":1}`))
	path := fmt.Sprintf("/appointments/%d/", id)
	f.Fuzz(func(t *testing.T, participants []byte) {
		before, _ := srv.AppointmentRecord(id)
		r := do(t, srv, "PATCH", path, `{"participants":`+string(participants)+`}`)
		var got oncall.Appointment
		dec := json.Unmarshal(r.body, &got) // the client's own decoding
		switch r.status {
		case http.StatusOK:
			if dec != nil {
				t.Fatalf("the client cannot decode the server's answer: %v", dec)
			}
			want, _ := srv.Appointment(id)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("stored vs answered (-stored +answered):\n%s", diff)
			}
			for _, p := range got.Participants {
				if r := do(t, w.srv, "GET", fmt.Sprintf("/participants/%d/", p.ID), ""); r.status != http.StatusOK {
					t.Fatalf("participant %d: status %d", p.ID, r.status)
				}
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if after, _ := srv.AppointmentRecord(id); !cmp.Equal(before, after) {
				t.Fatalf("a refused PATCH changed the appointment:\n%s", cmp.Diff(before, after))
			}
		default:
			t.Fatalf("status %d", r.status)
		}
	})
}
