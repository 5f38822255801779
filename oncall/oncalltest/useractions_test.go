package oncalltest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

var start = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

func group(emrID string, names ...string) oncalltest.Appointment {
	a := oneToOne(emrID, start)
	a.Participants = nil
	for _, n := range names {
		a.Participants = append(a.Participants, oncalltest.Participant{Name: n, Email: n + "@example.com"})
	}
	return a
}

func TestCancelAsPatient(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.seed(t, oneToOne("E1", start))
	want, _ := w.srv.AppointmentRecord(id)
	if err := w.srv.CancelAsPatient(id, "Feeling unwell"); err != nil {
		t.Fatal(err)
	}
	want.Cancelled, want.Status, want.Cancellation = true, oncall.StatusPatientCancelled, "Feeling unwell"
	want.Participants[0].Cancelled, want.Participants[0].Status = true, oncall.ParticipantCancelledByClient
	got, _ := w.srv.AppointmentRecord(id)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	body := do(t, w.srv, "GET", fmt.Sprintf("/appointments/%d/", id), "").json(t).(map[string]any)
	gotFields := []any{body["cancellation"], body["status"], body["cancelled"]}
	wantFields := []any{fmt.Sprintf("%s/appointment_cancellations/%d/", w.srv.URL(), id), "Patient cancelled", true}
	if diff := cmp.Diff(wantFields, gotFields); diff != "" {
		t.Errorf("answer's cancellation, status, cancelled (-want +got):\n%s", diff)
	}
	if err := w.srv.CancelAsPatient(id, "again"); err == nil {
		t.Error("cancelling twice succeeded")
	}
	if err := w.srv.CancelAsPatient(999, ""); err == nil {
		t.Error("cancelling an unknown appointment succeeded")
	}
}

func TestCancelParticipantAsPatient(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.seed(t, group("G1", "ann", "bob"))
	if err := w.srv.CancelAsPatient(id, "x"); err == nil {
		t.Fatal("CancelAsPatient of a group succeeded")
	}
	rec, _ := w.srv.AppointmentRecord(id)
	ann, bob := rec.Participants[0].ID, rec.Participants[1].ID

	want, _ := w.srv.AppointmentRecord(id) // a copy, before the change
	if err := w.srv.CancelParticipantAsPatient(ann, "Travelling"); err != nil {
		t.Fatal(err)
	}
	got, _ := w.srv.AppointmentRecord(id)
	want.Participants[0].Cancelled, want.Participants[0].Status = true, oncall.ParticipantCancelledByClient
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the first (-want +got):\n%s", diff)
	}
	if err := w.srv.CancelParticipantAsPatient(ann, ""); err == nil {
		t.Error("cancelling a cancelled participant succeeded")
	}
	if err := w.srv.CancelParticipantAsPatient(bob, "Sick"); err != nil {
		t.Fatal(err)
	}
	got, _ = w.srv.AppointmentRecord(id)
	want.Participants[1].Cancelled, want.Participants[1].Status = true, oncall.ParticipantCancelledByClient
	want.Cancelled, want.Status, want.Cancellation = true, oncall.StatusPatientCancelled, "Sick"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the last (-want +got):\n%s", diff)
	}
}

func TestCompleteAndCancelAsProvider(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.seed(t, oneToOne("A", start))
	b := w.seed(t, oneToOne("B", start))
	if err := w.srv.Complete(a); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.CancelAsProvider(b); err != nil {
		t.Fatal(err)
	}
	ga, _ := w.srv.Appointment(a)
	gb, _ := w.srv.Appointment(b)
	got := []any{ga.Status, ga.Cancelled, gb.Status, gb.Cancelled}
	want := []any{oncall.StatusComplete, false, oncall.StatusProviderCancelled, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, err := range []error{w.srv.Complete(b), w.srv.CancelAsProvider(a), w.srv.Complete(999)} {
		if err == nil {
			t.Error("finishing a finished or unknown appointment succeeded")
		}
	}
}

func TestUpdateAsUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.seed(t, group("G1", "ann", "bob"))
	rec, _ := w.srv.AppointmentRecord(id)
	want, _ := w.srv.AppointmentRecord(id) // a copy, before the change
	err := w.srv.UpdateAsUser(id, func(a *oncalltest.Appointment) {
		a.DateTime = a.DateTime.Add(time.Hour)
		a.Participants[0].Email = "ann.new@example.com"
		a.Participants = append(a.Participants[:1], oncalltest.Participant{Name: "Cy Doe", Email: "cy@example.com", Fee: "5"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := w.srv.AppointmentRecord(id)
	want.DateTime = start.Add(time.Hour)
	want.Participants[0].Email = "ann.new@example.com"
	want.Participants[1] = oncalltest.Participant{ID: got.Participants[1].ID, Name: "Cy Doe", FirstName: "Cy", LastName: "Doe",
		Email: "cy@example.com", Fee: "5.00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if got.Participants[1].ID == rec.Participants[1].ID {
		t.Error("the added participant reused the removed one's id")
	}
	if r := do(t, w.srv, "GET", fmt.Sprintf("/participants/%d/", rec.Participants[1].ID), ""); r.status != 404 {
		t.Errorf("removed participant: status %d, want 404", r.status)
	}
	if err := w.srv.UpdateAsUser(id, func(a *oncalltest.Appointment) { a.ID++ }); err == nil {
		t.Error("changing the id succeeded")
	}
	if err := w.srv.UpdateAsUser(id, func(a *oncalltest.Appointment) { a.Participants[0].Fee = "x" }); err == nil {
		t.Error("a malformed fee was accepted")
	}
	if err := w.srv.UpdateAsUser(999, func(*oncalltest.Appointment) {}); err == nil {
		t.Error("updating an unknown appointment succeeded")
	}
}

func TestAddAppointmentChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	taken := w.seed(t, oneToOne("E1", start))
	rec, _ := w.srv.AppointmentRecord(taken)
	tests := []struct {
		name string
		edit func(a *oncalltest.Appointment)
	}{
		{"taken id", func(a *oncalltest.Appointment) { a.ID = taken }},
		{"negative id", func(a *oncalltest.Appointment) { a.ID = -1 }},
		{"unknown division", func(a *oncalltest.Appointment) { a.Division = 1 }},
		{"unknown provider", func(a *oncalltest.Appointment) { a.Provider = 1 }},
		{"taken participant id", func(a *oncalltest.Appointment) { a.Participants[0].ID = rec.Participants[0].ID }},
		{"repeated participant id", func(a *oncalltest.Appointment) {
			a.Participants[0].ID = 9000
			a.Participants = append(a.Participants, oncalltest.Participant{ID: 9000, Name: "X Y"})
		}},
		{"fee with three places", func(a *oncalltest.Appointment) { a.Participants[0].Fee = "1.005" }},
		{"nested metadata", func(a *oncalltest.Appointment) { a.Metadata["x"] = map[string]any{} }},
		{"fractional metadata", func(a *oncalltest.Appointment) { a.Metadata["x"] = 1.5 }},
	}
	for _, tt := range tests {
		a := oneToOne("E2", start)
		a.Division = w.div
		tt.edit(&a)
		if _, err := w.srv.AddAppointment(a); err == nil {
			t.Errorf("%s: AddAppointment succeeded", tt.name)
		}
	}
	if n := len(w.srv.Appointments()); n != 1 {
		t.Errorf("%d appointments after refused seeds, want 1", n)
	}

	chosen := oneToOne("E3", start)
	chosen.ID, chosen.Division = 1234, w.div
	chosen.Participants[0].ID = 56
	chosen.Metadata["n"] = 12
	id, err := w.srv.AddAppointment(chosen)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := w.srv.AppointmentRecord(id)
	if got.ID != 1234 || got.Participants[0].ID != 56 || got.Metadata["n"] != int64(12) || got.Participants[0].Fee != "10.00" {
		t.Errorf("stored %+v; want ids 1234 and 56, metadata n as int64 12, fee 10.00", got)
	}
	if err := w.srv.SetTokenProvider(999); err == nil {
		t.Error("SetTokenProvider of an unknown provider succeeded")
	}
}

// TestCancellationField: "cancellation" is opaque, the URL of a cancellation record once the appointment is
// cancelled (however it was) and null before; the patient's reason is kept by the server only.
func TestCancellationField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		end        func(t *testing.T, w *world, id oncall.AppointmentID) error
		wantURL    bool
		wantReason string
	}{
		{"booked", func(*testing.T, *world, oncall.AppointmentID) error { return nil }, false, ""},
		{"completed", func(_ *testing.T, w *world, id oncall.AppointmentID) error { return w.srv.Complete(id) }, false, ""},
		{"cancelled by the patient", func(_ *testing.T, w *world, id oncall.AppointmentID) error {
			return w.srv.CancelAsPatient(id, "Feeling unwell")
		}, true, "Feeling unwell"},
		{"cancelled by the provider", func(_ *testing.T, w *world, id oncall.AppointmentID) error { return w.srv.CancelAsProvider(id) }, true, ""},
		{"cancelled through the API", func(t *testing.T, w *world, id oncall.AppointmentID) error {
			if r := do(t, w.srv, "PATCH", fmt.Sprintf("/appointments/%d/", id), `{"cancelled":true}`); r.status != 200 {
				return fmt.Errorf("PATCH: status %d", r.status)
			}
			return nil
		}, true, ""},
	}
	for _, extension := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/extension=%v", tt.name, extension), func(t *testing.T) {
				t.Parallel()
				var opts []oncalltest.Option
				if extension {
					opts = append(opts, oncalltest.WithUndocumentedParticipantAPI())
				}
				w := newWorld(t, opts...)
				id := w.seed(t, oneToOne("E1", start))
				if err := tt.end(t, w, id); err != nil {
					t.Fatal(err)
				}
				var want any
				if tt.wantURL {
					want = fmt.Sprintf("%s/appointment_cancellations/%d/", w.srv.URL(), id)
				}
				body := do(t, w.srv, "GET", fmt.Sprintf("/appointments/%d/", id), "").json(t).(map[string]any)
				rec, _ := w.srv.AppointmentRecord(id)
				if diff := cmp.Diff([]any{want, tt.wantReason}, []any{body["cancellation"], rec.Cancellation}); diff != "" {
					t.Errorf("rendered cancellation, stored reason (-want +got):\n%s", diff)
				}
			})
		}
	}
}
