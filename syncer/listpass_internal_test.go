package syncer

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

// TestDropRepeats keeps the last copy of each appointment read twice, where it was read, and moves each page's end
// with what it kept, so that the time a page was read still goes with its appointments (see listing.recent).
func TestDropRepeats(t *testing.T) {
	tests := []struct {
		ids, wantIDs     []oncall.AppointmentID
		pageEnd, wantEnd []int
		dropped          int
	}{
		{[]oncall.AppointmentID{1, 2, 3, 4}, []oncall.AppointmentID{1, 2, 3, 4}, []int{2, 4}, []int{2, 4}, 0},
		{[]oncall.AppointmentID{1, 2, 3, 3, 4, 5, 6, 2}, []oncall.AppointmentID{1, 3, 4, 5, 6, 2}, []int{3, 6, 8}, []int{1, 4, 6}, 2},
		{[]oncall.AppointmentID{7, 7, 7}, []oncall.AppointmentID{7}, []int{1, 2, 3}, []int{0, 0, 1}, 2},
		{[]oncall.AppointmentID{0, 0, 5}, []oncall.AppointmentID{0, 0, 5}, []int{2, 3}, []int{2, 3}, 0}, // no id: kept
		{nil, nil, nil, nil, 0},
	}
	for _, tt := range tests {
		l := &listing{}
		for _, id := range tt.ids {
			l.appts = append(l.appts, oncall.Appointment{ID: id})
		}
		l.pageEnd = append(l.pageEnd, tt.pageEnd...)
		dropped := l.dropRepeats()
		var ids []oncall.AppointmentID
		for _, a := range l.appts {
			ids = append(ids, a.ID)
		}
		if diff := cmp.Diff(tt.wantIDs, ids); diff != "" || dropped != tt.dropped {
			t.Errorf("%v: dropped %d (want %d), ids (-want +got):\n%s", tt.ids, dropped, tt.dropped, diff)
		}
		for k, a := range l.appts {
			if at, ok := l.byID[a.ID]; a.ID > 0 && (!ok || at != k) {
				t.Errorf("%v: appointment %d is at %d, the index says %d (%v)", tt.ids, a.ID, k, at, ok)
			}
		}
		if diff := cmp.Diff(tt.wantEnd, l.pageEnd); diff != "" {
			t.Errorf("%v: page ends (-want +got):\n%s", tt.ids, diff)
		}
	}
}
