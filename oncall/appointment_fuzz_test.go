package oncall

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// FuzzAppointmentJSON decodes arbitrary bytes as an appointment and as a page of them, the way the client reads
// responses. It must never panic; and whatever decodes must survive a round trip through the default JSON
// encoding of Appointment, which users rely on to cache appointments.
func FuzzAppointmentJSON(f *testing.F) {
	// The real payloads where the shared folder is present; the seeds below everywhere, so that the target fuzzes
	// on a user's clone too.
	for _, name := range []string{"appointment_create_response.json", "appointments_list_page.json"} {
		if b, ok := fixtures.Optional(f, "fixtures", "oncall", name); ok {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"url":"https://api.oncallhealth.ca/appointments/1/","datetime":"2026-01-15T0:00:00Z","participants":[{"fee":"10.00"}],"metadata":{"n":2147483647}}`))
	f.Add([]byte(`{"results":[{"url":"/appointments/2/","division":7,"provider":null}],"count":1,"next":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var pw pageWire[appointmentWire]
		if json.Unmarshal(b, &pw) == nil && pw.Results != nil {
			for i := range *pw.Results {
				_ = (*pw.Results)[i].appointment()
			}
		}
		var a Appointment
		if err := json.Unmarshal(b, &a); err != nil {
			return
		}
		out, err := json.Marshal(&a)
		if err != nil {
			t.Fatalf("an appointment that decoded does not encode: %v", err)
		}
		var back Appointment
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("the encoding of a decoded appointment does not decode: %v\n%s", err, out)
		}
		if diff := cmp.Diff(a, back); diff != "" {
			t.Fatalf("round trip changed the appointment (-decoded +again):\n%s", diff)
		}
	})
}
