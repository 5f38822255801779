package contract

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// TestContractGuard shows that the writer refuses, without sending anything, every write that names an appointment
// the run did not create or a participant not seen on one it did, and lets the run's own writes through.
func TestContractGuard(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.WithUndocumentedParticipantAPI())
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Clinic")
	prov := srv.AddProvider("Provider", "provider@example.com", div)
	theirs, err := srv.AddAppointment(oncalltest.Appointment{Title: "Theirs", Type: oncall.TypeOnline,
		DateTime: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), Duration: 30, Division: div, Provider: prov,
		Participants: []oncalltest.Participant{{Name: "Someone Else", Email: "someone@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := srv.AppointmentRecord(theirs)
	theirPart := rec.Participants[0].ID
	c, err := srv.Client(oncall.WithRateLimit(oncall.NoRateLimit, 1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	w := newWriter(c, &Result{})
	ours, err := w.createAppointment(ctx, &oncall.AppointmentCreateParams{Title: "Ours", Type: oncall.TypeOnline,
		DateTime: time.Date(2027, 1, 6, 9, 0, 0, 0, time.UTC), Duration: 15, Division: div, Provider: prov,
		Participants: []oncall.ParticipantParams{{Name: "Contract Test", Email: DefaultEmail}}})
	if err != nil {
		t.Fatal(err)
	}
	ourPart := ours.Participants[0].ID
	theirURL := fmt.Sprintf("%s/participants/%d/", srv.URL(), theirPart)

	refused := []struct {
		name string
		call func() error
	}{
		{"PATCH of an appointment not ours", func() error {
			_, err := w.update(ctx, theirs, &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)})
			return err
		}},
		{"read of an appointment not ours through the writer", func() error {
			_, err := w.get(ctx, theirs)
			return err
		}},
		{"participants list naming another appointment's participant", func() error {
			_, err := w.update(ctx, ours.ID, &oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
				ours.Participants[0].Entry(), {URL: theirURL, Name: "Someone Else", Email: "someone@example.com"}}})
			return err
		}},
		{"POST of a participant to an appointment not ours", func() error {
			_, err := w.createParticipant(ctx, theirs, oncall.ParticipantParams{Name: "X Y", Email: "x@example.com"})
			return err
		}},
		{"status of another appointment's participant", func() error {
			_, err := w.setParticipantStatus(ctx, ours.ID, theirPart, oncall.ParticipantCancelledByProvider)
			return err
		}},
		{"status of our participant, named with another appointment", func() error {
			_, err := w.setParticipantStatus(ctx, theirs, ourPart, oncall.ParticipantCancelledByProvider)
			return err
		}},
		{"DELETE of another appointment's participant", func() error {
			return w.deleteParticipant(ctx, ours.ID, theirPart)
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.RequestCount("", "")
			if err := tt.call(); !errors.Is(err, errNotOurs) {
				t.Errorf("err = %v, want the guard's refusal", err)
			}
			if n := srv.RequestCount("", "") - before; n != 0 {
				t.Errorf("%d requests sent; the guard must refuse before sending", n)
			}
		})
	}

	// The run's own writes pass.
	if _, err := w.setParticipantStatus(ctx, ours.ID, ourPart, oncall.ParticipantCancelledByProvider); err != nil {
		t.Errorf("status of our own participant: %v", err)
	}
	if _, err := w.update(ctx, ours.ID, &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)}); err != nil {
		t.Errorf("PATCH of our own appointment: %v", err)
	}
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet && (r.Path == fmt.Sprintf("/appointments/%d/", theirs) ||
			r.Path == fmt.Sprintf("/participants/%d/", theirPart)) {
			t.Errorf("%s %s reached the server", r.Method, r.Path)
		}
	}
	if got, _ := srv.AppointmentRecord(theirs); got.Cancelled || got.Participants[0].Status != "" {
		t.Errorf("their appointment changed: cancelled %v, participant status %q", got.Cancelled, got.Participants[0].Status)
	}
}

// TestContractWalkPageSize checks that the walk spans about three pages, with pages of 2 to 100.
func TestContractWalkPageSize(t *testing.T) {
	tests := []struct{ count, limit, want int }{
		{0, 500, 100}, {1, 500, 2}, {5, 500, 2}, {9, 500, 3}, {299, 500, 100}, {100000, 500, 100}, {100000, 30, 10},
	}
	for _, tt := range tests {
		if got := walkPageSize(tt.count, tt.limit); got != tt.want {
			t.Errorf("walkPageSize(%d, %d) = %d, want %d", tt.count, tt.limit, got, tt.want)
		}
	}
}
