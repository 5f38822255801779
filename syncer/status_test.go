package syncer

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

func TestMapStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status carelogic.Status
		want   StatusMapping
	}{
		{carelogic.StatusScheduled, StatusMapping{Effect: EffectNone, Reason: "scheduled"}},
		{"", StatusMapping{Effect: EffectNone, Reason: "scheduled"}},
		{carelogic.StatusKept, StatusMapping{Effect: EffectNone, Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees (or set Policy.CompleteWhenKept)"}},
		{carelogic.StatusDNS, StatusMapping{Effect: EffectSetStatus, Appointment: "No show", Participant: "No Show"}},
		{carelogic.StatusCBT, StatusMapping{Effect: EffectSetStatus, Appointment: "Provider cancelled", Cancels: true, Participant: "Cancelled by Provider"}},
		{carelogic.StatusCBC, StatusMapping{Effect: EffectSetStatus, Appointment: "Patient cancelled", Cancels: true, Participant: "Cancelled by Client"}},
		{carelogic.StatusError, StatusMapping{Effect: EffectRemove}},
		{"Checked-in", StatusMapping{Effect: EffectNone, Reason: "custom status (a value of 10 characters) does not sync"}},
		// Statuses are CareLogic's exact codes: another spelling is a custom status, not a guess.
		{"dns", StatusMapping{Effect: EffectNone, Reason: "custom status (a value of 3 characters) does not sync"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, MapStatus(tt.status)); diff != "" {
				t.Errorf("MapStatus(%q) (-want +got):\n%s", tt.status, diff)
			}
		})
	}
}

// TestMapStatusSetsKnownStatuses checks that every status MapStatus sets, on either API surface, is one the client
// knows how to send, that no two CareLogic statuses set the same one, and that each has a roster mark of its own
// which reads back as the status.
func TestMapStatusSetsKnownStatuses(t *testing.T) {
	t.Parallel()
	participant := map[oncall.ParticipantStatus]carelogic.Status{}
	appointment := map[oncall.AppointmentStatus]carelogic.Status{}
	for _, s := range []carelogic.Status{carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC} {
		m := MapStatus(s)
		if !m.Participant.Known() {
			t.Errorf("MapStatus(%q).Participant = %q, not a known participant status", s, m.Participant)
		}
		if !m.Appointment.Known() || m.Appointment == oncall.StatusIncomplete || m.Appointment == oncall.StatusComplete {
			t.Errorf("MapStatus(%q).Appointment = %q, not a known status that records an outcome", s, m.Appointment)
		}
		if prev, dup := participant[m.Participant]; dup {
			t.Errorf("MapStatus(%q) and MapStatus(%q) both set %q", prev, s, m.Participant)
		}
		if prev, dup := appointment[m.Appointment]; dup {
			t.Errorf("MapStatus(%q) and MapStatus(%q) both set %q", prev, s, m.Appointment)
		}
		participant[m.Participant], appointment[m.Appointment] = s, s
		if mark := statusMark(s); !validMark(mark) || markedStatus(mark) != s {
			t.Errorf("status %q: mark %q reads back as %q", s, mark, markedStatus(mark))
		}
	}
}
