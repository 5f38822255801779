package syncer

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

// benchSchedule returns n EHR appointments, four 1:1s to each group of eight, spread over eight weeks; every
// appointment has clients of its own, so that an email change touches one appointment.
func benchSchedule(n int) []carelogic.Appointment {
	out := make([]carelogic.Appointment, n)
	for i := range out {
		a := carelogic.Appointment{
			ID: fmt.Sprintf("appt-%07d", i), Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: []string{"staff-1", "staff-2"}[i%2], Start: days(1 + i%56).Add(time.Duration(i%40) * 15 * time.Minute),
			Duration: 50 * time.Minute, Activity: "Individual Therapy",
		}
		size := 1
		if i%5 == 4 {
			a.Kind, a.Activity, size = carelogic.Group, "Skills Group", 8
		}
		for j := range size {
			id := fmt.Sprintf("cl-%07d-%d", i, j)
			a.Participants = append(a.Participants, carelogic.Participant{ClientID: id, Name: "Client " + id, Email: id + "@example.com"})
		}
		out[i] = a
	}
	return out
}

// benchEdits changes one appointment in ten, at a position that moves from one block of ten to the next so that
// both groups and 1:1s are edited: a group has one client swapped for another; a 1:1 gets, in turn, a new time,
// a status (DNS), a new client email or a new title.
func benchEdits(ehr []carelogic.Appointment) []carelogic.Appointment {
	out := make([]carelogic.Appointment, len(ehr))
	for i, a := range ehr {
		block := i / 10
		if i%10 != block*3%10 {
			out[i] = a
			continue
		}
		a = a.Clone()
		if a.Kind == carelogic.Group {
			id := a.Participants[0].ClientID + "-new"
			a.Participants[0] = carelogic.Participant{ClientID: id, Name: "Client " + id, Email: id + "@example.com"}
			out[i] = a
			continue
		}
		switch block % 4 {
		case 0:
			a.Start = a.Start.Add(30 * time.Minute)
		case 1:
			a.Participants[0].Status = carelogic.StatusDNS
		case 2:
			a.Participants[0].Email = "changed-" + a.Participants[0].Email
		case 3:
			a.Activity = "Family Therapy"
		}
		out[i] = a
	}
	return out
}

// BenchmarkPlan plans n EHR appointments against the n OnCall appointments a first sync made of them, after one
// in ten changed in the EHR.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("appointments=%d", n), func(b *testing.B) {
			p, win := testPolicy(), testWindow()
			schedule := benchSchedule(n)
			state := applyToState(b, nil, Plan(schedule, nil, win, p), counter(1))
			if len(state) != n {
				b.Fatalf("the first sync made %d OnCall appointments, want %d", len(state), n)
			}
			ehr := benchEdits(schedule)
			if cs := Plan(ehr, state, win, p); len(cs.Actions) < n/10 {
				b.Fatalf("the edits planned %d actions, want at least %d", len(cs.Actions), n/10)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				Plan(ehr, state, win, p)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/appt")
		})
	}
}

// TestBenchInputs checks that the benchmark measures what it says: a synced state, and edits that each plan the
// action they stand for.
func TestBenchInputs(t *testing.T) {
	t.Parallel()
	p, win := testPolicy(), testWindow()
	schedule := benchSchedule(200)
	state := applyToState(t, nil, Plan(schedule, nil, win, p), counter(1))
	if cs := Plan(schedule, state, win, p); !cs.Empty() || len(cs.Skipped) > 0 {
		t.Fatalf("the synced state plans:\n%s", actionLines(cs))
	}
	// Of the 20 appointments edited, 4 are groups (a swap each) and 16 are 1:1s, 4 of each kind of edit.
	cs := Plan(benchEdits(schedule), state, win, p)
	// On the documented API each is one update: time, title, the participants list (an email change, a swap) with
	// the roster, a status with the roster.
	want := map[ActionKind]int{ActionUpdate: 4 + 4 + 4 + 4 + 4}
	if diff := cmp.Diff(want, cs.Counts()); diff != "" {
		t.Errorf("action counts (-want +got):\n%s", diff)
	}
}
