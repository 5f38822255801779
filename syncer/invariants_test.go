package syncer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// demoPolicy maps the demo schedule's staff ids.
func demoPolicy(now time.Time) Policy {
	p := DefaultPolicy(testDivision)
	p.Providers = map[string]oncall.ProviderID{}
	for i := 101; i <= 105; i++ {
		p.Providers[fmt.Sprintf("staff-%d", i)] = oncall.ProviderID(i)
	}
	p.Now = now
	return p
}

func demoWindow(now time.Time) Window {
	return Window{From: now.AddDate(0, 0, -2), To: now.AddDate(0, 0, 30)}
}

// TestInvariantSyncedStatePlansEmpty: once a plan is applied, OnCall is in sync, and a plan of a synced state is
// empty, for the demo schedule and again after a round of every kind of edit.
func TestInvariantSyncedStatePlansEmpty(t *testing.T) {
	t.Parallel()
	const demo = carelogic.DemoSource + "/"
	emails := []string{"appt-201", "appt-202", "appt-203", "appt-204", "appt-501"}
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			now := testNow.Add(17 * time.Minute)
			p, win := demoPolicy(now), demoWindow(now)
			p.UndocumentedParticipantAPI = extension
			schedule := carelogic.DemoSchedule(now)
			w := &world{t: t, nextID: counter(100)}
			first := w.sync(schedule, win, p) // fails the test unless the synced state plans empty
			if got := first.Counts()[ActionCreate]; got < len(schedule)/2 {
				t.Errorf("the initial sync created %d appointments of %d:\n%s", got, len(schedule), actionLines(first))
			}
			if kinds := first.Counts(); len(kinds) != 1 {
				t.Errorf("the initial sync planned %v, want only creates", kinds)
			}

			edited := carelogic.DemoEdits(schedule)
			second := w.sync(edited, win, p)
			// Each of the demo's edits is carried over as the action that expresses it: on the documented API one
			// update per appointment, its participants list included; with the extension, a request per
			// participant change before the update that records the roster.
			want := []string{
				"update " + demo + "appt-101 [datetime]",
				"update " + demo + "appt-102 [type]",
				"update " + demo + "appt-109 [provider]",
				"recreate " + demo + "appt-110",
				"cancel " + demo + "appt-111 [cancelled]",
				"create " + demo + "appt-112",
			}
			if extension {
				want = append(want, "remove-participant "+demo+"appt-301", "add-participant "+demo+"appt-301",
					"update "+demo+"appt-301 [metadata]", "set-status "+demo+"appt-402", "update "+demo+"appt-402 [metadata]")
				for _, id := range emails {
					want = append(want, "update-participant "+demo+id+" [email]", "update "+demo+id+" [metadata]")
				}
			} else {
				for _, id := range append(emails, "appt-301", "appt-402") {
					want = append(want, "update "+demo+id+" [participants, metadata]")
				}
			}
			var got []string
			for _, a := range second.Actions {
				s := string(a.Kind) + " " + a.Key
				if len(a.Fields) > 0 {
					s += " [" + strings.Join(a.Fields, ", ") + "]"
				}
				got = append(got, s)
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("actions after DemoEdits (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInvariantRandomSchedules checks, for random schedules, policies and edits made in the EHR and in OnCall,
// that applying a plan and planning again gives an empty plan, that a plan never touches what the sync does not
// own, and that plans are deterministic and independent of the order of their inputs.
func TestInvariantRandomSchedules(t *testing.T) {
	t.Parallel()
	n := 200
	if testing.Short() {
		n = 40
	}
	for seed := range uint64(n) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			g := newScheduleGen(seed)
			p := g.policy()
			win := Window{From: days(-10), To: days(100)}
			w := &world{t: t, nextID: counter(100)}
			for range g.r.IntN(3) {
				g.handMade(w)
			}
			ehr := g.schedule(5 + g.r.IntN(25))
			for round := range 4 {
				if round > 0 {
					ehr = g.edit(ehr, w)
				}
				cs := Plan(ehr, w.state, win, p)
				checkOwned(t, w.state, cs)
				checkOrderIndependent(t, g.r, ehr, w.state, win, p, cs)
				before := w.state
				w.state = applyToState(t, w.state, cs, w.nextID)
				checkCohostsKept(t, before, w.state)
				if again := Plan(ehr, w.state, win, p); !again.Empty() {
					t.Fatalf("round %d: planning again after applying is not empty:\n%s\nthe plan applied was:\n%s", round, actionLines(again), actionLines(cs))
				}
			}
		})
	}
}

// checkOwned fails the test when an action changes an OnCall appointment without this sync's metadata, or one
// the sync superseded.
func checkOwned(t *testing.T, state []oncall.Appointment, cs *Changeset) {
	t.Helper()
	byID := map[oncall.AppointmentID]*oncall.Appointment{}
	for i := range state {
		byID[state[i].ID] = &state[i]
	}
	for _, a := range cs.Actions {
		if a.Kind == ActionCreate {
			continue
		}
		m := byID[a.Appointment]
		if m == nil || appointmentKey(m.Metadata) != a.Key || superseded(m.Metadata) {
			t.Errorf("%s changes an appointment the sync does not own for that key", a)
		}
	}
}

// checkCohostsKept fails the test when a participant added directly in OnCall disappeared from a live appointment.
func checkCohostsKept(t *testing.T, before, after []oncall.Appointment) {
	t.Helper()
	live := map[oncall.AppointmentID]oncall.Appointment{}
	for _, m := range after {
		live[m.ID] = m
	}
	for _, m := range before {
		for _, p := range m.Participants {
			if !isCohost(p) {
				continue
			}
			if !slices.ContainsFunc(live[m.ID].Participants, func(q oncall.Participant) bool { return q.ID == p.ID }) {
				t.Errorf("co-host participant %d was removed from appointment %d", p.ID, m.ID)
			}
		}
	}
}

func isCohost(p oncall.Participant) bool { return strings.HasSuffix(p.Email, "@cohost.example.net") }

// checkOrderIndependent fails the test unless planning the same inputs again, and planning them shuffled, gives
// the same changeset.
func checkOrderIndependent(t *testing.T, r *rand.Rand, ehr []carelogic.Appointment, state []oncall.Appointment, win Window, p Policy, want *Changeset) {
	t.Helper()
	if diff := cmp.Diff(want, Plan(ehr, state, win, p)); diff != "" {
		t.Fatalf("the same inputs planned differently (-first +second):\n%s", diff)
	}
	e, s := slices.Clone(ehr), slices.Clone(state)
	r.Shuffle(len(e), func(i, j int) { e[i], e[j] = e[j], e[i] })
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	if diff := cmp.Diff(want, Plan(e, s, win, p)); diff != "" {
		t.Fatalf("shuffled inputs planned differently (-in order +shuffled):\n%s", diff)
	}
}

func TestInvariantDeterministicDemo(t *testing.T) {
	t.Parallel()
	now := testNow
	p, win := demoPolicy(now), demoWindow(now)
	w := &world{t: t, nextID: counter(100)}
	w.sync(carelogic.DemoSchedule(now), win, p)
	w.addCohost(carelogic.DemoSource+"/appt-301", "Co Host", "host@cohost.example.net")
	edited := carelogic.DemoEdits(carelogic.DemoSchedule(now))
	want := Plan(edited, w.state, win, p)
	if want.Empty() {
		t.Fatal("DemoEdits planned nothing")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		checkOrderIndependent(t, r, edited, w.state, win, p, want)
	}
}

// scheduleGen makes random EHR schedules and edits. Clients come from a pool, so that one client is on several
// appointments (which an email change must follow); each email change gives a client a new address never used
// before.
type scheduleGen struct {
	r       *rand.Rand
	pool    []carelogic.Participant
	nextID  int
	version map[string]int
	cohosts int
}

func newScheduleGen(seed uint64) *scheduleGen {
	g := &scheduleGen{r: rand.New(rand.NewPCG(seed, 0x5eed)), version: map[string]int{}}
	for n := 1; n <= 40; n++ {
		g.pool = append(g.pool, client(n))
	}
	return g
}

func (g *scheduleGen) policy() Policy {
	p := testPolicy()
	p.DisableRecreate = g.r.IntN(4) == 0
	p.DisableEmailPropagation = g.r.IntN(4) == 0
	p.StatusChangesAfterFinal = g.r.IntN(3) == 0
	p.DisableCreateHold = g.r.IntN(4) == 0
	p.DisableOrphanCancel = g.r.IntN(4) == 0
	if g.r.IntN(3) == 0 {
		p.DefaultProvider = 99
	}
	return p
}

func (g *scheduleGen) status() carelogic.Status {
	if g.r.IntN(4) > 0 {
		return ""
	}
	return []carelogic.Status{carelogic.StatusScheduled, carelogic.StatusKept, carelogic.StatusDNS, carelogic.StatusCBT,
		carelogic.StatusCBC, carelogic.StatusError, "Checked-in"}[g.r.IntN(7)]
}

// pick returns a client from the pool not among taken, with a random status.
func (g *scheduleGen) pick(taken []carelogic.Participant) carelogic.Participant {
	for {
		c := g.pool[g.r.IntN(len(g.pool))]
		if !slices.ContainsFunc(taken, func(p carelogic.Participant) bool { return p.ClientID == c.ClientID }) {
			c.Status = g.status()
			return c
		}
	}
}

func (g *scheduleGen) start() time.Time {
	return days(-3 + g.r.IntN(60)).Add(time.Duration(g.r.IntN(10*60)-4*60) * time.Minute)
}

func (g *scheduleGen) appointment() carelogic.Appointment {
	g.nextID++
	a := carelogic.Appointment{
		ID: fmt.Sprintf("a%d", g.nextID), Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video,
		ProviderID: []string{"staff-1", "staff-2", "staff-9"}[g.r.IntN(3)], Start: g.start(),
		Duration: time.Duration(30+15*g.r.IntN(5)) * time.Minute, Activity: []string{"Individual Therapy", "Skills Group", "Intake", ""}[g.r.IntN(4)],
	}
	if g.r.IntN(2) == 0 {
		a.Modality = carelogic.InPerson
	}
	n := 1
	if g.r.IntN(3) == 0 {
		a.Kind = carelogic.Group
		n = 1 + g.r.IntN(25)
		if g.r.IntN(10) == 0 {
			n = 25
		}
	}
	for range n {
		a.Participants = append(a.Participants, g.pick(a.Participants))
	}
	return a
}

func (g *scheduleGen) schedule(n int) []carelogic.Appointment {
	var out []carelogic.Appointment
	for len(out) < n {
		a := g.appointment()
		if g.r.IntN(5) == 0 { // a weekly series
			series := a.ID
			for i := range 2 + g.r.IntN(3) {
				occ := a.Clone()
				g.nextID++
				occ.ID, occ.SeriesID, occ.Start = fmt.Sprintf("a%d", g.nextID), series, a.Start.AddDate(0, 0, 7*i)
				out = append(out, occ)
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// handMade adds an appointment booked directly in OnCall, without EHR metadata, that may look like an EHR one.
func (g *scheduleGen) handMade(w *world) {
	c := g.pool[g.r.IntN(len(g.pool))]
	w.add(oncall.Appointment{Title: "Individual Therapy", DateTime: g.start(), Duration: 50, Type: oncall.TypeOnline,
		Status: oncall.StatusIncomplete, Division: testDivision, Provider: provider1,
		Participants: []oncall.Participant{{Name: c.Name, Email: c.Email}}})
}

// edit returns ehr after a round of random edits by EHR staff, and makes random changes directly in OnCall.
func (g *scheduleGen) edit(ehr []carelogic.Appointment, w *world) []carelogic.Appointment {
	out := make([]carelogic.Appointment, 0, len(ehr)+2)
	for _, a := range ehr {
		a = a.Clone()
		if g.r.IntN(4) > 0 {
			out = append(out, a)
			continue
		}
		switch g.r.IntN(12) {
		case 0:
			a.Start = a.Start.Add(time.Duration(g.r.IntN(48*60)-24*60) * time.Minute)
		case 1:
			a.Duration = time.Duration(20+g.r.IntN(100)) * time.Minute
		case 2:
			a.Activity = []string{"Family Therapy", "Case Management", ""}[g.r.IntN(3)]
		case 3:
			a.Modality = map[carelogic.Modality]carelogic.Modality{carelogic.Video: carelogic.InPerson, carelogic.InPerson: carelogic.Video}[a.Modality]
		case 4:
			a.ProviderID = []string{"staff-1", "staff-2", "staff-9"}[g.r.IntN(3)]
		case 5, 6:
			a.Participants[g.r.IntN(len(a.Participants))].Status = g.status()
		case 7: // swap a client for another
			i := g.r.IntN(len(a.Participants))
			a.Participants[i] = g.pick(a.Participants)
		case 8: // a group gains or loses a client
			if a.Kind == carelogic.Group {
				if len(a.Participants) > 1 && g.r.IntN(2) == 0 {
					i := g.r.IntN(len(a.Participants))
					a.Participants = slices.Delete(a.Participants, i, i+1)
				} else if len(a.Participants) < carelogic.MaxGroupParticipants {
					a.Participants = append(a.Participants, g.pick(a.Participants))
				}
			}
		case 9:
			a.Deleted = true
		case 10: // gone from the EHR altogether
			continue
		case 11:
			out = append(out, g.appointment())
		}
		out = append(out, a)
	}
	// A client changes their email: every appointment they are on shows the new one.
	for range g.r.IntN(3) {
		i := g.r.IntN(len(g.pool))
		c := &g.pool[i]
		g.version[c.ClientID]++
		c.Email = fmt.Sprintf("%s.v%d@example.com", c.ClientID, g.version[c.ClientID])
		for j := range out {
			for k := range out[j].Participants {
				if out[j].Participants[k].ClientID == c.ClientID {
					out[j].Participants[k].Email = c.Email
				}
			}
		}
	}
	// Staff change OnCall directly: a co-host joins, an appointment is cancelled or completed by hand.
	for i := range w.state {
		m := &w.state[i]
		if m.Cancelled || g.r.IntN(10) > 0 {
			continue
		}
		switch g.r.IntN(4) {
		case 0, 1:
			if len(m.Participants) < oncall.MaxParticipants {
				g.cohosts++
				m.Participants = append(m.Participants, newParticipant(w.nextID(), m.ID,
					oncall.ParticipantParams{Name: "Co Host", Email: fmt.Sprintf("host%d@cohost.example.net", g.cohosts)}))
			}
		case 2:
			m.Cancelled = true
		case 3:
			m.Status = oncall.StatusComplete
		}
	}
	return out
}
