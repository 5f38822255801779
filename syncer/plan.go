package syncer

import (
	"errors"
	"runtime"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Window is the span of start times the EHR appointments passed to Plan were read for, From included, To not. Plan
// only cancels an orphan (an OnCall appointment whose EHR appointment is gone) inside it, since outside it the EHR
// was not asked. Runner.Sync refuses the zero Window, which would read nothing; AllTime covers everything.
type Window struct {
	From, To time.Time
}

// AllTime returns the window of every start time, for a sync of all the EHR holds. Past appointments are still
// not created, and an orphan that has started is not cancelled (see Policy.Now).
func AllTime() Window {
	// From is not the zero time.Time (year 1), which the window check takes for "not set".
	return Window{From: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
}

// check refuses a window that reads nothing: the zero Window, or one whose From is not before its To.
func (w Window) check() error {
	if w.From.IsZero() || w.To.IsZero() || !w.From.Before(w.To) {
		return errors.New("syncer: the window reads nothing (From and To must be set, From before To): " +
			"give the span of start times to sync, or syncer.AllTime() for everything")
	}
	return nil
}

func (w Window) contains(t time.Time) bool {
	return !w.From.IsZero() && !w.To.IsZero() && !t.Before(w.From) && t.Before(w.To)
}

// Plan compares EHR appointments with the OnCall appointments that exist and returns the changes that bring
// OnCall in line: creates, updates of only the fields that differ, cancellations, participant statuses,
// participants added and removed, and 1:1s recreated, with what it skipped and why. It does no I/O, and its
// result depends only on its inputs, not on their order.
//
// OnCall appointments are matched to EHR appointments by the metadata the syncer writes (KeyEMRID, with
// KeyEMRSource); one without that metadata is never changed, and is only proposed for review when it looks like an
// EHR appointment. window is the span the EHR was read for (see Window); the zero Window turns off the
// cancelling of orphans.
//
// A plan of a synced state is empty, and applying a plan and planning again gives an empty plan.
//
// Plan reads and plans more than 256 appointments on up to GOMAXPROCS goroutines, and returns once they are done:
// on the two processors of the machine BENCHMARKS.md describes (run L), a plan of 100,000 took two thirds of the
// time it took before, for about a fifth more CPU time. With GOMAXPROCS at 1 it runs on the caller's goroutine
// alone. Plan is safe for concurrent use.
func Plan(ehr []carelogic.Appointment, existing []oncall.Appointment, window Window, p Policy) *Changeset {
	return plan(ehr, existing, window, p, nil)
}

// plan is Plan, where the sources in read count as read even when ehr holds none of their appointments: their
// orphans are cancelled (SyncChanges, for an appointment the EHR no longer has).
func plan(ehr []carelogic.Appointment, existing []oncall.Appointment, window Window, p Policy, read map[string]bool) *Changeset {
	return planOn(runtime.GOMAXPROCS(0), ehr, existing, window, p, read)
}

// planOn is plan, planning the EHR's appointments on at most workers goroutines.
func planOn(workers int, ehr []carelogic.Appointment, existing []oncall.Appointment, window Window, p Policy, read map[string]bool) *Changeset {
	workers = max(workers, 1)
	pl := &planner{policy: p, window: window}
	pl.reserve(max(len(ehr), len(existing)))
	listed := pl.list(ehr, workers)
	pl.index(existing, workers)
	parts, sources := pl.planEHR(ehr, listed, read, workers)
	pl.orphans(len(ehr) > 0 || len(read) > 0, sources)
	return assemble(parts, &pl.out)
}

// planRange plans the EHR appointments ehr[lo:hi], ehr[i] filed under pl.keyed[listed[i]], into pl.out, and adds
// their sources to sources.
func (pl *planner) planRange(ehr []carelogic.Appointment, listed []int32, lo, hi int, sources map[string]bool) {
	prevSource, anySource := "", false
	for i := lo; i < hi; i++ {
		if (i-lo)%warmBatch == 0 {
			end := min(i+warmBatch, hi)
			pl.warm(ehr[i:end], listed[i:end])
		}
		e := &pl.keyed[listed[i]]
		if e.ehr != int32(i) {
			continue // another copy is planned
		}
		a := &ehr[i]
		if !anySource || a.Source != prevSource {
			sources[a.Source], prevSource, anySource = true, a.Source, true
		}
		start := pl.out.position(e.key)
		pl.appointment(a, e)
		for range e.copies - 1 {
			pl.attend(e.key, "", "the EHR listed this appointment more than once; the most recently updated copy was used")
		}
		pl.out.planned(start)
	}
}

type planner struct {
	policy Policy
	window Window
	// The index (see index.go): every EHR key, listed by the EHR or carried by an OnCall appointment, and the
	// OnCall appointments, those that carry one filed under it.
	byKey keyTable
	keyed []keyed
	cands []candidate
	// unowned holds live appointments without EHR metadata, by provider and UTC date, for the review heuristic.
	unowned map[unownedKey][]*oncall.Appointment
	// The index is only read once built; what planning an appointment writes is the planner's own, its output and
	// its scratch, and each goroutine planning has its own planner (see planEHR).
	out output
	scratch
}

// scratch is space reused from one appointment to the next, so that planning a synced appointment allocates next
// to nothing.
type scratch struct {
	pairing pairing
	roster  roster
	diff    diff
	warmth  byte // see warm
}

func (pl *planner) add(a Action) { pl.out.actions.add(a) }

// skip records a skip by policy; attend, one that needs a person.
func (pl *planner) skip(key, client, reason string) {
	pl.out.skipped.add(Skip{Key: key, Client: client, Reason: reason})
}

func (pl *planner) attend(key, client, reason string) {
	pl.out.skipped.add(Skip{Key: key, Client: client, Reason: reason, Attention: true})
}

func (pl *planner) appointment(a *carelogic.Appointment, e *keyed) {
	key := e.key
	if err := a.Validate(); err != nil {
		pl.attend(key, "", err.Error())
		return
	}
	c := pl.match(e)
	if c == nil {
		pl.create(a, key)
		return
	}
	pl.update(a, key, c)
}

func (pl *planner) provider(staffID string) (oncall.ProviderID, bool) {
	if id, ok := pl.policy.Providers[staffID]; ok && id > 0 {
		return id, true
	}
	return pl.policy.DefaultProvider, pl.policy.DefaultProvider > 0
}

func (pl *planner) title(a *carelogic.Appointment) string {
	if t := strings.TrimSpace(a.Activity); t != "" {
		return t
	}
	if pl.policy.DefaultTitle != "" {
		return pl.policy.DefaultTitle
	}
	return "Appointment"
}

// appointmentType maps a modality Validate has accepted.
func appointmentType(m carelogic.Modality) oncall.AppointmentType {
	if m == carelogic.InPerson {
		return oncall.TypeInPerson
	}
	return oncall.TypeOnline
}

// start is a's start as the API stores it, to the second.
func start(a *carelogic.Appointment) time.Time { return a.Start.Truncate(time.Second) }

// sameStart reports whether t is start(a), without building it: every appointment planned is compared.
// Truncating to the second keeps the second and drops the nanoseconds.
func sameStart(t time.Time, a *carelogic.Appointment) bool {
	return t.Nanosecond() == 0 && t.Unix() == a.Start.Unix()
}

// minutes rounds a duration up to whole minutes, the API's unit: a 50 min 30 s session is booked for 51.
func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// live reports whether the EHR still expects the appointment to happen for someone.
func live(a *carelogic.Appointment) bool {
	if a.Deleted {
		return false
	}
	for _, c := range a.Participants {
		if effectOf(c.Status) == EffectNone {
			return true
		}
	}
	return false
}

// allRemoved reports whether every client of a is marked Error.
func allRemoved(a *carelogic.Appointment) bool {
	for _, c := range a.Participants {
		if effectOf(c.Status) != EffectRemove {
			return false
		}
	}
	return len(a.Participants) > 0
}
