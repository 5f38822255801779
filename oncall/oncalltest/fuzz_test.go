package oncalltest_test

import (
	"bytes"
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
	hc := srv.HTTPClient()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := len(srv.Appointments())
		req, err := http.NewRequest("POST", srv.URL()+"/appointments/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Token "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got oncall.Appointment
		dec := decodeInto(resp, &got)
		switch resp.StatusCode {
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
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
