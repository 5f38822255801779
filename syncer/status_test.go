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
		{carelogic.StatusKept, StatusMapping{Effect: EffectNone, Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees"}},
		{carelogic.StatusDNS, StatusMapping{Effect: EffectSetStatus, OnCall: "No Show"}},
		{carelogic.StatusCBT, StatusMapping{Effect: EffectSetStatus, OnCall: "Cancelled by Provider"}},
		{carelogic.StatusCBC, StatusMapping{Effect: EffectSetStatus, OnCall: "Cancelled by Client"}},
		{carelogic.StatusError, StatusMapping{Effect: EffectRemove}},
		{"Checked-in", StatusMapping{Effect: EffectNone, Reason: `custom status "Checked-in" does not sync`}},
		// Statuses are CareLogic's exact codes: another spelling is a custom status, not a guess.
		{"dns", StatusMapping{Effect: EffectNone, Reason: `custom status "dns" does not sync`}},
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

// TestMapStatusSetsKnownStatuses checks that every status MapStatus sets is one the client knows how to send.
func TestMapStatusSetsKnownStatuses(t *testing.T) {
	t.Parallel()
	seen := map[oncall.ParticipantStatus]carelogic.Status{}
	for _, s := range []carelogic.Status{carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC} {
		m := MapStatus(s)
		if !m.OnCall.Known() {
			t.Errorf("MapStatus(%q).OnCall = %q, not a known participant status", s, m.OnCall)
		}
		if prev, dup := seen[m.OnCall]; dup {
			t.Errorf("MapStatus(%q) and MapStatus(%q) both set %q", prev, s, m.OnCall)
		}
		seen[m.OnCall] = s
	}
}
