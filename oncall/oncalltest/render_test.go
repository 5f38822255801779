package oncalltest_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// These tests check how the server renders its state, and that its state helpers agree with what the client
// decodes from it.

// TestRepresentation checks the JSON of an appointment and a participant in both modes: a participant has a
// "status" only under the participant extension.
func TestRepresentation(t *testing.T) {
	t.Parallel()
	inBothModes(t, func(t *testing.T, extension bool, opts []oncalltest.Option) {
		testRepresentation(t, newWorld(t, opts...), extension)
	})
}

func testRepresentation(t *testing.T, w *world, extension bool) {
	id := w.seed(t, oncalltest.Appointment{
		Title: "Group", Type: oncall.TypeInPerson, DateTime: time.Date(2030, 3, 4, 9, 0, 0, 500000000, time.UTC),
		Duration: 90, Provider: w.prov,
		Participants: []oncalltest.Participant{
			{Name: "Alex Doe", Email: "alex@example.com", Fee: "10", UserID: 2},
			{Name: "Sam Roe", Email: "sam@example.com", Status: oncall.ParticipantCancelledByClient},
		},
		Metadata: map[string]any{"emr_id": "G1", "n": 7},
	})
	msg := w.seed(t, oncalltest.Appointment{Title: "Check-in", Type: oncall.TypeMessage, Duration: 15})
	rec, _ := w.srv.AppointmentRecord(id)
	p1, p2 := rec.Participants[0].ID, rec.Participants[1].ID
	u := w.srv.URL()
	apptURL := fmt.Sprintf("%s/appointments/%d/", u, id)
	participant := func(pid oncall.ParticipantID, name, first, last, email string, fee any, cancelled bool, status any) map[string]any {
		m := map[string]any{
			"url": fmt.Sprintf("%s/participants/%d/", u, pid), "appointment": apptURL, "name": name,
			"first_name": first, "last_name": last, "email": email, "fee": fee, "cancelled": cancelled,
		}
		if extension {
			m["status"] = status
		}
		return m
	}
	first := participant(p1, "Alex Doe", "Alex", "Doe", "alex@example.com", num("10.00"), false, nil)
	first["user_id"] = num("2")
	want := map[string]any{
		"url": apptURL, "title": "Group", "datetime": "2030-03-04T09:00:00.500000Z", "duration": num("90"),
		"type": "inperson", "status": "Incomplete", "cancelled": false, "cancellation": nil,
		"division": fmt.Sprintf("%s/divisions/%d/", u, w.div), "provider": fmt.Sprintf("%s/providers/%d/", u, w.prov),
		"participants": []any{
			first,
			participant(p2, "Sam Roe", "Sam", "Roe", "sam@example.com", num("0.00"), true, "Cancelled by Client"),
		},
		"metadata": map[string]any{"emr_id": "G1", "n": num("7")},
	}
	if diff := cmp.Diff(want, do(t, w.srv, "GET", fmt.Sprintf("/appointments/%d/", id), "").json(t)); diff != "" {
		t.Errorf("appointment (-want +got):\n%s", diff)
	}
	// On the participant resource the fee is a string.
	for _, p := range []map[string]any{first, participant(p2, "Sam Roe", "Sam", "Roe", "sam@example.com", "0.00", true, "Cancelled by Client")} {
		wantP := maps.Clone(p)
		if fee, ok := wantP["fee"].(json.Number); ok {
			wantP["fee"] = fee.String()
		}
		if diff := cmp.Diff(wantP, do(t, w.srv, "GET", strings.TrimPrefix(p["url"].(string), u), "").json(t)); diff != "" {
			t.Errorf("participant (-want +got):\n%s", diff)
		}
	}
	m := do(t, w.srv, "GET", fmt.Sprintf("/appointments/%d/", msg), "").json(t).(map[string]any)
	if diff := cmp.Diff([]any{nil, nil, []any{}, map[string]any{}}, []any{m["datetime"], m["provider"], m["participants"], m["metadata"]}); diff != "" {
		t.Errorf("message appointment's datetime, provider, participants, metadata (-want +got):\n%s", diff)
	}
}

// TestStateMatchesClient checks that what the server says it holds is exactly what the client decodes from it.
// It runs in both modes, since a participant's status is rendered only under the extension, and covers a cancelled
// appointment, whose opaque "cancellation" both must agree on.
func TestStateMatchesClient(t *testing.T) {
	t.Parallel()
	inBothModes(t, func(t *testing.T, extension bool, opts []oncalltest.Option) {
		testStateMatchesClient(t, newWorld(t, opts...))
	})
}

func testStateMatchesClient(t *testing.T, w *world) {
	cancelled := w.seed(t, oneToOne("C1", time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)))
	if err := w.srv.CancelAsPatient(cancelled, "Feeling unwell"); err != nil {
		t.Fatal(err)
	}
	w.seed(t, oncalltest.Appointment{
		Title: "Group", Type: oncall.TypeInPerson, DateTime: time.Date(2030, 3, 4, 9, 0, 0, 123456000, time.UTC),
		Duration: 90, Provider: w.prov, Status: oncall.StatusComplete,
		Participants: []oncalltest.Participant{
			{Name: "Alex Doe", Email: "alex@example.com", Fee: "10.5", UserID: 2},
			{FirstName: "Sam", LastName: "Roe", Email: "sam@example.com", Status: oncall.ParticipantNoShow},
		},
		Metadata: map[string]any{"emr_id": "G1", "n": 7, "flag": true, "none": nil},
	})
	msg := oneToOne("M1", time.Time{})
	msg.Type = oncall.TypeMessage
	w.seed(t, msg)
	client := w.client(t)
	created, err := client.Appointments.Create(t.Context(), w.params("E9"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []oncall.Appointment
	for a, err := range client.Appointments.All(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, *a)
	}
	if diff := cmp.Diff(w.srv.Appointments(), listed); diff != "" {
		t.Errorf("listed vs Appointments() (-server +client):\n%s", diff)
	}
	want, ok := w.srv.Appointment(created.ID)
	if !ok {
		t.Fatalf("Appointment(%d) not found", created.ID)
	}
	if diff := cmp.Diff(want, *created); diff != "" {
		t.Errorf("created vs Appointment() (-server +client):\n%s", diff)
	}
	if _, ok := w.srv.Appointment(1); ok {
		t.Error("Appointment(1) found, want none")
	}
}
