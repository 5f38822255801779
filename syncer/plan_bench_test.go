package syncer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// planMix is the input of a periodic sync: n EHR appointments listed by an EHR (groups and 1:1s, weekly series and
// one-offs, every status, deletions), most of them already synced, a minority changed since the last sync; and the
// OnCall appointments that sync left, in the order a listing returns them (by id, which is creation order).
type planMix struct {
	ehr      []carelogic.Appointment // in start-time order, as an EHR lists them
	existing []oncall.Appointment
	policy   Policy
	window   Window
}

// Each order the EHR may list its appointments in, as BenchmarkPlanOrder feeds them to Plan.
var planOrders = []struct {
	name  string
	order func([]carelogic.Appointment) []carelogic.Appointment
}{
	{"key", func(ehr []carelogic.Appointment) []carelogic.Appointment {
		out := slices.Clone(ehr)
		slices.SortStableFunc(out, func(a, b carelogic.Appointment) int { return strings.Compare(a.Key(), b.Key()) })
		return out
	}},
	{"start", func(ehr []carelogic.Appointment) []carelogic.Appointment { return ehr }},
	{"shuffled", func(ehr []carelogic.Appointment) []carelogic.Appointment {
		out := slices.Clone(ehr)
		r := rand.New(rand.NewPCG(7, 7))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}},
}

var planSizes = []int{1000, 10000, 100000}

// planMixes caches the inputs across the benchmark's runs (-count): building the 100000 one takes seconds.
// Benchmarks run one at a time, so the map needs no lock.
var planMixes = map[int]*planMix{}

func cachedPlanMix(tb testing.TB, n int) *planMix {
	if m, ok := planMixes[n]; ok {
		return m
	}
	m := newPlanMix(tb, n)
	planMixes[n] = m
	return m
}

// BenchmarkPlanOrder plans a periodic sync's input (see newPlanMix) with the EHR appointments in each order:
// sorted by key, by start time (as EHRs list them), and shuffled. Both inputs lie in memory as decoding their
// listings leaves them.
func BenchmarkPlanOrder(b *testing.B) {
	for _, o := range planOrders {
		for _, n := range planSizes {
			b.Run(fmt.Sprintf("order=%s/appointments=%d", o.name, n), func(b *testing.B) {
				m := cachedPlanMix(b, n)
				ehr := decoded(b, o.order(m.ehr))
				runtime.GC()
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for b.Loop() {
					Plan(ehr, m.existing, m.window, m.policy)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/appt")
				cpu.report(b, n)
			})
		}
	}
}

// BenchmarkPlanHashJoin is the floor BenchmarkPlanOrder is measured against: matching the same inputs by key with a
// map and nothing else (each EHR appointment's key, each OnCall appointment's key read from its metadata).
func BenchmarkPlanHashJoin(b *testing.B) {
	for _, o := range planOrders {
		for _, n := range planSizes {
			b.Run(fmt.Sprintf("order=%s/appointments=%d", o.name, n), func(b *testing.B) {
				m := cachedPlanMix(b, n)
				ehr := decoded(b, o.order(m.ehr))
				runtime.GC()
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for b.Loop() {
					hashJoin(ehr, m.existing)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/appt")
				cpu.report(b, n)
			})
		}
	}
}

// cpuSpent measures the CPU time a benchmark's loop takes on every thread (see processCPU): Plan may plan on
// several goroutines at once, and its wall time per appointment (ns/appt) is then below the work it does.
type cpuSpent struct {
	at time.Duration
	ok bool
}

func startCPU() cpuSpent {
	at, ok := processCPU()
	return cpuSpent{at, ok}
}

// report adds the CPU time per appointment, of n appointments an iteration, to b's results as cpu-ns/appt.
func (c cpuSpent) report(b *testing.B, n int) {
	if now, ok := processCPU(); ok && c.ok {
		b.ReportMetric(float64((now-c.at).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/appt")
	}
}

// decoded returns v as a decoder reading it in that order gives it (a listing of the EHR or of OnCall): each
// element's strings and slices allocated in turn, where v's may lie anywhere in memory.
func decoded[T any](tb testing.TB, v []T) []T {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// hashJoin returns how many EHR appointments have an OnCall appointment with their key.
func hashJoin(ehr []carelogic.Appointment, existing []oncall.Appointment) int {
	byKey := make(map[string]*oncall.Appointment, len(existing))
	for i := range existing {
		if k := appointmentKey(existing[i].Metadata); k != "" {
			byKey[k] = &existing[i]
		}
	}
	matched := 0
	for i := range ehr {
		if byKey[ehr[i].Key()] != nil {
			matched++
		}
	}
	return matched
}

// newPlanMix builds n EHR appointments over nine weeks around testNow, and the OnCall state after three syncs:
//
//   - a first sync, a month earlier, creates them all. It creates them in start order, as a sync whose window moves
//     on day by day meets them, so that the OnCall ids follow start times, not EHR keys. A hundredth as many
//     appointments were booked in OnCall by hand (no EHR metadata).
//   - the EHR then records the past week's outcomes (mostly Kept, then DNS, CBC, CBT, a custom status, Error) and
//     a few cancellations and deletions ahead, and a second sync carries them to OnCall.
//   - since then, about one appointment in twenty changed: moved, retitled, deleted, removed outright, a client's
//     email changed (on every appointment of theirs), a group client swapped, added or marked Error, a 1:1 client
//     replaced, an outcome recorded; new appointments were booked; one is invalid and one listed twice.
//
// The EHR ids are given in booking order (each series booked at once), which is unrelated to start times.
func newPlanMix(tb testing.TB, n int) *planMix {
	tb.Helper()
	r := rand.New(rand.NewPCG(uint64(n), 42))
	p := testPolicy()
	for i := 3; i <= 6; i++ {
		p.Providers["staff-"+strconv.Itoa(i)] = oncall.ProviderID(10 + i)
	}
	win := testWindow()
	nextClient := 0
	newClient := func() carelogic.Participant {
		nextClient++
		id := "cl-" + strconv.Itoa(nextClient)
		return carelogic.Participant{ClientID: id, Name: "Client " + id, Email: "client" + strconv.Itoa(nextClient) + "@example.com"}
	}
	// Series and one-offs, each a list of occurrences booked together.
	var units [][]carelogic.Appointment
	total := 0
	for series := 0; total < n; series++ {
		a := carelogic.Appointment{Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: "staff-" + strconv.Itoa(1+r.IntN(6)), Duration: 50 * time.Minute, Activity: "Individual Therapy"}
		if r.IntN(5) == 0 {
			a.Modality = carelogic.InPerson
		}
		first := -7 + r.IntN(63)
		at := days(first).Add(-4*time.Hour + time.Duration(r.IntN(16))*30*time.Minute)
		weeks := 1
		switch k := r.IntN(10); {
		case k == 0: // a weekly group, 3 to 12 clients
			a.Kind, a.Activity, a.Duration = carelogic.Group, "Skills Group", 90*time.Minute
			for range 3 + r.IntN(10) {
				a.Participants = append(a.Participants, newClient())
			}
			at, weeks = days(-7+r.IntN(7)).Add(-4*time.Hour+time.Duration(r.IntN(16))*30*time.Minute), 9
		case k <= 3: // a weekly 1:1
			a.Participants = []carelogic.Participant{newClient()}
			at, weeks = days(-7+r.IntN(7)).Add(-4*time.Hour+time.Duration(r.IntN(16))*30*time.Minute), 9
		default:
			a.Participants = []carelogic.Participant{newClient()}
		}
		var unit []carelogic.Appointment
		for w := range min(weeks, n-total) {
			occ := a.Clone()
			occ.Start = at.AddDate(0, 0, 7*w)
			if weeks > 1 {
				occ.SeriesID = "S" + strconv.Itoa(series)
			}
			unit = append(unit, occ)
		}
		units = append(units, unit)
		total += len(unit)
	}
	nextID := 100000
	bookID := func() string { nextID++; return strconv.Itoa(nextID) }
	var ehr []carelogic.Appointment
	for _, i := range r.Perm(len(units)) {
		for _, a := range units[i] {
			a.ID = bookID()
			ehr = append(ehr, a)
		}
	}
	byStart := func(ehr []carelogic.Appointment) {
		slices.SortStableFunc(ehr, func(a, b carelogic.Appointment) int { return a.Start.Compare(b.Start) })
	}
	byStart(ehr)

	// The first sync, a month ago, creating in start order.
	first := p
	first.Now = days(-40)
	cs := Plan(ehr, nil, win, first)
	slices.SortStableFunc(cs.Actions, func(a, b Action) int { return a.Create.DateTime.Compare(b.Create.DateTime) })
	ids := counter(1)
	state := applyToState(tb, nil, cs, ids)
	for range max(1, n/100) {
		id := oncall.AppointmentID(ids())
		state = append(state, oncall.Appointment{ID: id, URL: fmt.Sprintf("https://api.oncallhealth.ca/appointments/%d/", id), Title: "Intake call", Type: oncall.TypeOnline,
			DateTime: days(-7 + r.IntN(63)), Duration: 30, Status: oncall.StatusIncomplete, Division: testDivision,
			Provider: oncall.ProviderID(11 + r.IntN(6)), Metadata: oncall.Metadata{},
			Participants: []oncall.Participant{newParticipant(ids(), id, oncall.ParticipantParams{Name: "Walk-in", Email: "walkin" + strconv.Itoa(int(id)) + "@example.com"})}})
	}

	// The past week's outcomes and a few changes ahead, synced.
	for i := range ehr {
		a := &ehr[i]
		past := a.Start.Before(testNow)
		for j := range a.Participants {
			c := &a.Participants[j]
			switch k := r.IntN(100); {
			case past && k < 75:
				c.Status = carelogic.StatusKept
			case past && k < 83:
				c.Status = carelogic.StatusDNS
			case past && k < 87:
				c.Status = carelogic.StatusCBC
			case past && k < 90:
				c.Status = carelogic.StatusCBT
			case past && k < 93:
				c.Status = "Checked-in"
			case past && k < 95:
				c.Status = carelogic.StatusError
			case !past && k < 2:
				c.Status = carelogic.StatusCBC
			case !past && k < 3:
				c.Status = carelogic.StatusCBT
			}
		}
		if !past && r.IntN(100) < 2 {
			a.Deleted = true
		}
	}
	state = applyToState(tb, state, Plan(ehr, state, win, p), ids)
	if again := Plan(ehr, state, win, p); !again.Empty() {
		tb.Fatalf("the history is not synced: planning it again gives\n%s", actionLines(again))
	}

	// Since then: about one appointment in twenty changed.
	emails := map[string]string{} // clients whose email changed, to their new address
	var out []carelogic.Appointment
	removed := 0
	for _, a := range ehr {
		if a.Deleted || a.Start.Before(testNow) {
			out = append(out, a)
			continue
		}
		a = a.Clone()
		switch k := r.IntN(1000); {
		case k < 10:
			a.Start = a.Start.Add(30 * time.Minute)
		case k < 15:
			a.Activity = "Family Therapy"
		case k < 20:
			a.Deleted = true
		case k < 25: // gone from the EHR: an orphan
			removed++
			continue
		case k < 30 && a.Kind == carelogic.Individual: // a new client
			a.Participants[0] = newClient()
		case k < 35:
			a.Participants[0].Status = []carelogic.Status{carelogic.StatusCBC, carelogic.StatusCBT, carelogic.StatusError}[r.IntN(3)]
		case k < 40 && a.Kind == carelogic.Group:
			a.Participants[r.IntN(len(a.Participants))] = newClient()
		case k < 45 && a.Kind == carelogic.Group:
			a.Participants = append(a.Participants, newClient())
		case k < 47: // the client's email changes on every appointment of theirs
			emails[a.Participants[0].ClientID] = "new-" + a.Participants[0].Email
		}
		out = append(out, a)
	}
	for i := range out {
		for j := range out[i].Participants {
			if e, ok := emails[out[i].Participants[j].ClientID]; ok && !out[i].Start.Before(testNow) {
				out[i].Participants[j].Email = e
			}
		}
	}
	for range removed { // as many new bookings
		a := carelogic.Appointment{ID: bookID(), Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: "staff-" + strconv.Itoa(1+r.IntN(6)), Duration: 50 * time.Minute, Activity: "Individual Therapy",
			Start:        days(1 + r.IntN(55)).Add(-4*time.Hour + time.Duration(r.IntN(16))*30*time.Minute),
			Participants: []carelogic.Participant{newClient()}}
		out = append(out, a)
	}
	if len(out) >= 3 {
		// One invalid appointment, one listed twice (the copy more recently updated) in place of another.
		bad := &out[len(out)/3]
		*bad = bad.Clone()
		bad.Modality = "phone"
		dup := out[len(out)/2].Clone()
		dup.UpdatedAt, dup.Activity = testNow, "Family Therapy"
		out[len(out)/2+1] = dup
	}
	byStart(out)
	return &planMix{ehr: out, existing: decoded(tb, state), policy: p, window: win}
}

// TestPlanMix checks that BenchmarkPlanOrder measures what it says: a synced state with every status (planning the
// history again changes nothing), a minority of changes that plan every kind of action, and the same plan in every
// input order.
func TestPlanMix(t *testing.T) {
	t.Parallel()
	const n = 3000
	m := newPlanMix(t, n)
	if len(m.ehr) != n {
		t.Fatalf("%d EHR appointments, want %d", len(m.ehr), n)
	}
	if slices.IsSortedFunc(m.existing, func(a, b oncall.Appointment) int {
		return strings.Compare(appointmentKey(a.Metadata), appointmentKey(b.Metadata))
	}) {
		t.Error("the OnCall appointments are listed in key order")
	}
	statuses, series, groups, deleted := map[carelogic.Status]int{}, 0, 0, 0
	for _, a := range m.ehr {
		for _, c := range a.Participants {
			statuses[c.Status]++
		}
		if a.SeriesID != "" {
			series++
		}
		if a.Kind == carelogic.Group {
			groups++
		}
		if a.Deleted {
			deleted++
		}
	}
	for _, s := range []carelogic.Status{"", carelogic.StatusKept, carelogic.StatusDNS, carelogic.StatusCBC, carelogic.StatusCBT, carelogic.StatusError, "Checked-in"} {
		if statuses[s] == 0 {
			t.Errorf("no client with status %q", s)
		}
	}
	if series < n/4 || groups < n/20 || deleted < n/100 {
		t.Errorf("%d in series, %d groups, %d deleted: too few", series, groups, deleted)
	}
	cs := Plan(m.ehr, m.existing, m.window, m.policy)
	counts := cs.Counts()
	for _, k := range []ActionKind{ActionCreate, ActionUpdate, ActionCancel, ActionRecreate} {
		if counts[k] == 0 {
			t.Errorf("no %s planned; counts %v", k, counts)
		}
	}
	if changed := len(cs.Actions); changed < n/40 || changed > n/10 {
		t.Errorf("%d actions for %d appointments, want a minority (a 40th to a 10th)", changed, n)
	}
	for _, o := range planOrders {
		if diff := cmp.Diff(cs, Plan(o.order(m.ehr), m.existing, m.window, m.policy)); diff != "" {
			t.Errorf("order %s plans differently (-start +%s):\n%s", o.name, o.name, diff)
		}
	}
}
