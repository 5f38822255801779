package syncer

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Defaults of a Loop's settings.
const (
	// DefaultDebounce is Loop.Debounce when zero: an EHR sends a burst of messages for one edit (a booking, then
	// its resources), and one sync should follow the burst.
	DefaultDebounce = time.Second
	// DefaultReconcileEvery is Loop.ReconcileEvery when zero.
	DefaultReconcileEvery = time.Hour
)

// DefaultLoopWindow is the window of a Loop's full reconcile when Loop.Window is nil: from a day before now (so
// that the day's statuses still sync) to 180 days ahead.
func DefaultLoopWindow(now time.Time) Window {
	return Window{From: now.Add(-24 * time.Hour), To: now.AddDate(0, 0, 180)}
}

// Loop keeps OnCall in sync continuously: EHR changes are synced as they arrive (Notify, debounced, through
// Runner.SyncChanges and the ledger: a few calls per change, no listing), OnCall's webhooks drive the other
// direction and catch changes made directly in OnCall (NotifyOnCall), and a full reconcile (Runner.Reconcile) runs
// when the loop starts, on a schedule, and whenever an incremental pass meets what only a listing can settle.
//
// Everything goes through the one Runner, so the client's rate limit covers all of it; passes run one at a time, so
// an appointment is never synced by two at once. A pass that fails is reported (OnPass, Logger, Stats) and the
// loop goes on: only the end of Run's context stops it. Changes still queued then are in the EHR, and the next
// start's full reconcile syncs those in its window; an adapter that keeps what it was sent should Notify the loop
// of it at start, so that a change outside the window is not left behind (examples/service does, for its stored
// HL7 messages).
//
// Set the exported fields before Run; Notify, NotifyOnCall, Reconcile and Stats are safe to call at any time,
// from any goroutine, before or during Run.
type Loop struct {
	// Runner applies every pass; its Client is the one client of the loop. Required.
	Runner *Runner
	// EHR is read by every pass. Required.
	EHR carelogic.Adapter
	// Ledger records what was synced (see Ledger). Required.
	Ledger Ledger
	// Policy is every pass's policy; its Now is set at each pass.
	Policy Policy
	// Window returns the window of a full reconcile at the given time; nil means DefaultLoopWindow.
	Window func(now time.Time) Window
	// Debounce is how long the loop waits after a change for more before syncing; zero means DefaultDebounce.
	// MaxDelay bounds the wait under a steady stream of changes; zero means ten times Debounce.
	Debounce, MaxDelay time.Duration
	// ReconcileEvery is the time between full reconciles; zero means DefaultReconcileEvery, and a negative value
	// reconciles only at start and when a pass asks for it.
	ReconcileEvery time.Duration
	// Reverse, if set, carries what a webhook reports back to the EHR (EHRApplier.HandleAppointment) before the
	// appointment is synced forward.
	Reverse *EHRApplier
	// OnPass, if set, is called after each pass, from Run's goroutine; it must be quick.
	OnPass func(Pass)
	// Logger gets a line per pass (counts and ids only: an EHR adapter's error is described, never quoted); nil is
	// silent.
	Logger *slog.Logger

	mu      sync.Mutex
	wake    chan struct{}
	changes map[string]*queued
	fresh   map[oncall.AppointmentID]*oncall.Appointment
	full    bool // a full reconcile is asked for
	running bool // Run is running
	stats   LoopStats
}

// queued is a change waiting for its debounce: first and last are when the loop first and last heard of it. A
// change whose sync failed waits until retryAt, its tries counted in tries.
type queued struct {
	change      Change
	first, last time.Time
	retryAt     time.Time
	tries       int
}

// Retries of a change whose sync failed (a 5xx, a connection lost): after 2 s, then twice as long each time, at most
// maxChangeRetries times; after that the next full reconcile syncs it.
const (
	firstRetryDelay  = 2 * time.Second
	maxChangeRetries = 5
)

// PassKind says what a pass of a Loop did.
type PassKind string

const (
	// PassReconcile is a full reconcile: a listing pass, the whole plan, and the ledger rebuilt.
	PassReconcile PassKind = "reconcile"
	// PassChanges syncs queued EHR changes.
	PassChanges PassKind = "changes"
	// PassOnCall handles OnCall appointments reported by webhooks: back to the EHR, then forward.
	PassOnCall PassKind = "oncall"
)

// Pass is one pass of a Loop, for Loop.OnPass.
type Pass struct {
	Kind PassKind
	// Items counts the changes or OnCall appointments the pass took from the queue (0 for a reconcile).
	Items   int
	Started time.Time
	Elapsed time.Duration
	// Report is the pass's report (nil when it could not run); Err its error, as Runner's methods return it
	// (an *IncompleteError when it finished with something undone).
	Report *Report
	Err    error
	// EHR holds the results of the OnCall-to-EHR writes of a PassOnCall.
	EHR []EHRResult
}

// LoopStats are a Loop's counters since it was made, for a service's metrics.
type LoopStats struct {
	// Passes counts the passes run, by kind.
	Passes map[PassKind]int `json:"passes"`
	// Applied and Failed count actions applied and not made, across passes; Attention the skips that need a
	// person; EHRFailed the OnCall-to-EHR writes that failed.
	Applied   int `json:"applied"`
	Failed    int `json:"failed"`
	Attention int `json:"attention"`
	EHRFailed int `json:"ehr_failed"`
	// Queued is the changes and OnCall appointments waiting for a pass (retries included), and Running the kind of
	// the pass under way ("" when idle).
	Queued  int      `json:"queued"`
	Running PassKind `json:"running,omitempty"`
	// LastReconcile is when the last full reconcile finished, and LastReconcileOK whether it finished without
	// an error other than an *IncompleteError.
	LastReconcile   time.Time `json:"last_reconcile,omitzero"`
	LastReconcileOK bool      `json:"last_reconcile_ok"`
}

// Notify queues EHR appointments that changed. The loop syncs each once no news of it has come for Debounce (at
// most MaxDelay after the first), reading it from the EHR then, so that a burst of messages for one appointment
// costs one sync of its last state, and a steady stream of changes to others does not hold it back. A change whose
// sync fails (a 5xx, a connection lost) is tried again 2 s later, then 4, 8, 16 and 32 s later; after that, the
// next full reconcile syncs it.
func (l *Loop) Notify(changes ...Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	now := time.Now()
	for _, c := range changes {
		if c.Key == "" {
			continue
		}
		if q := l.changes[c.Key]; q != nil {
			q.change, q.last, q.retryAt, q.tries = c, now, time.Time{}, 0
		} else {
			l.changes[c.Key] = &queued{change: c, first: now, last: now}
		}
	}
	l.signal()
}

// NotifyOnCall queues an OnCall appointment as just read after a webhook (webhook.Delivery.Appointment): the
// loop carries it back to the EHR (Reverse) and syncs its EHR appointment against it, undoing a change made
// directly in OnCall that the EHR does not hold. An appointment without the sync's metadata is ignored.
func (l *Loop) NotifyOnCall(m *oncall.Appointment) {
	if m == nil || appointmentKey(m.Metadata) == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	l.fresh[m.ID] = m
	l.signal()
}

// Reconcile asks for a full reconcile as soon as the pass under way, if any, ends.
func (l *Loop) Reconcile() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	l.full = true
	l.signal()
}

// Stats returns the loop's counters.
func (l *Loop) Stats() LoopStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Passes = maps.Clone(l.stats.Passes)
	s.Queued = len(l.changes) + len(l.fresh)
	return s
}

// Run runs the loop until ctx ends: a full reconcile first, then passes as changes arrive and as the schedule
// says. It returns nil when ctx ends (after the pass under way, which ctx cancels), and an error only for a loop
// it cannot run (a required field unset, or Run already running: two would sync the same appointments at once).
func (l *Loop) Run(ctx context.Context) error {
	switch {
	case l.Runner == nil || l.Runner.Client == nil:
		return errors.New("syncer: Loop.Runner and its Client are required")
	case l.EHR == nil:
		return errors.New("syncer: Loop.EHR is required")
	case l.Ledger == nil:
		return errors.New("syncer: Loop.Ledger is required")
	}
	l.mu.Lock()
	if l.running {
		l.mu.Unlock()
		return errors.New("syncer: Loop.Run is already running: one loop, one Run")
	}
	l.running = true
	l.init()
	l.full = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.running, l.stats.Running = false, ""
		l.mu.Unlock()
	}()
	every := l.ReconcileEvery
	if every == 0 {
		every = DefaultReconcileEvery
	}
	var (
		nextFull time.Time     // zero: none scheduled
		rebuilt  bool          // a reconcile has rebuilt the ledger since Run started
		backoff  time.Duration // before the next try of a reconcile that failed
	)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		kind, wait := l.due(time.Now(), nextFull, rebuilt)
		l.mu.Lock()
		l.stats.Running = kind
		l.mu.Unlock()
		switch kind {
		case PassReconcile:
			nextFull = time.Time{}
			if l.runReconcile(ctx) {
				rebuilt, backoff = true, 0
				if every > 0 {
					nextFull = time.Now().Add(every)
				}
			} else if ctx.Err() == nil {
				// Until a reconcile succeeds the ledger may not know what OnCall holds, and an event synced
				// through it could create an appointment twice: changes wait, and the reconcile is tried again.
				backoff = min(max(2*backoff, time.Second), time.Minute)
				nextFull = time.Now().Add(backoff)
			}
			continue
		case PassOnCall:
			l.runOnCall(ctx)
			continue
		case PassChanges:
			l.runChanges(ctx)
			continue
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-l.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
	return nil
}

// due returns the pass to run now, or none and how long to wait for the next. Until the ledger has been rebuilt
// (rebuilt false), only a reconcile runs.
func (l *Loop) due(now, nextFull time.Time, rebuilt bool) (PassKind, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !nextFull.IsZero() && !now.Before(nextFull) {
		l.full = true
	}
	switch {
	case l.full && (rebuilt || nextFull.IsZero() || !now.Before(nextFull)):
		return PassReconcile, 0
	case rebuilt && len(l.fresh) > 0:
		return PassOnCall, 0
	}
	wait := time.Hour
	if !nextFull.IsZero() {
		wait = nextFull.Sub(now)
	}
	if !rebuilt {
		return "", max(wait, time.Millisecond)
	}
	for _, q := range l.changes {
		at := l.dueAt(q)
		if !now.Before(at) {
			return PassChanges, 0
		}
		wait = min(wait, at.Sub(now))
	}
	return "", max(wait, time.Millisecond)
}

// dueAt is when a queued change is due: Debounce after the last news of it, or MaxDelay after the first.
func (l *Loop) dueAt(q *queued) time.Time {
	debounce := l.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	maxDelay := l.MaxDelay
	if maxDelay <= 0 {
		maxDelay = 10 * debounce
	}
	at := q.last.Add(debounce)
	if limit := q.first.Add(maxDelay); limit.Before(at) {
		at = limit
	}
	if q.retryAt.After(at) {
		at = q.retryAt
	}
	return at
}

func (l *Loop) policy() Policy {
	p := l.Policy
	p.Now = time.Now()
	return p
}

// runReconcile runs a full reconcile and reports whether it rebuilt the ledger.
func (l *Loop) runReconcile(ctx context.Context) bool {
	l.mu.Lock()
	l.full = false
	l.mu.Unlock()
	start := time.Now()
	window := DefaultLoopWindow
	if l.Window != nil {
		window = l.Window
	}
	res := l.Runner.reconcile(ctx, l.EHR, l.Ledger, window(start), l.policy())
	l.finish(ctx, Pass{Kind: PassReconcile, Started: start, Report: res.rep, Err: res.err})
	if ctx.Err() == nil {
		l.retry(res.failed, nil)
	}
	return res.rebuilt
}

func (l *Loop) runChanges(ctx context.Context) {
	l.mu.Lock()
	now := time.Now()
	var changes []Change
	tries := map[string]int{}
	for key, q := range l.changes {
		if !now.Before(l.dueAt(q)) {
			changes = append(changes, q.change)
			tries[key] = q.tries
			delete(l.changes, key)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(changes, func(a, b Change) int { return cmp.Compare(a.Key, b.Key) })
	start := time.Now()
	rep, failed, err := l.Runner.syncChanges(ctx, l.EHR, l.Ledger, changes, nil, l.policy())
	l.finish(ctx, Pass{Kind: PassChanges, Items: len(changes), Started: start, Report: rep, Err: err})
	switch {
	case ctx.Err() != nil:
	case rep == nil:
		// The pass could not run (the ledger unreadable, say): every change of it is tried again.
		l.retry(changes, tries)
	default:
		l.retry(append(failed, changesOf(changes, retryKeys(rep))...), tries)
	}
}

// changesOf returns the changes, among changes, of keys.
func changesOf(changes []Change, keys []string) []Change {
	var out []Change
	for _, key := range keys {
		if i := slices.IndexFunc(changes, func(c Change) bool { return c.Key == key }); i >= 0 {
			out = append(out, changes[i])
		}
	}
	return out
}

// retry queues again, with a growing delay, changes whose actions failed (tries says how often each was tried
// before), unless news of them came meanwhile (they are queued already) or they were tried maxChangeRetries times.
func (l *Loop) retry(failed []Change, tries map[string]int) {
	if len(failed) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, c := range failed {
		n := tries[c.Key] + 1
		if n > maxChangeRetries || l.changes[c.Key] != nil {
			continue
		}
		l.changes[c.Key] = &queued{change: c, first: now, last: now, tries: n, retryAt: now.Add(firstRetryDelay << (n - 1))}
	}
	l.signal()
}

func (l *Loop) runOnCall(ctx context.Context) {
	l.mu.Lock()
	fresh := l.fresh
	l.fresh = map[oncall.AppointmentID]*oncall.Appointment{}
	l.mu.Unlock()
	start := time.Now()
	pass := Pass{Kind: PassOnCall, Items: len(fresh), Started: start}
	ids := slices.Sorted(maps.Keys(fresh))
	var changes []Change
	for _, id := range ids {
		m := fresh[id]
		if l.Reverse != nil {
			res, err := l.Reverse.HandleAppointment(ctx, m)
			pass.EHR = append(pass.EHR, res...)
			if err != nil && ctx.Err() != nil {
				break
			}
		}
		emrID, _ := m.Metadata.String(KeyEMRID)
		changes = append(changes, Change{Key: appointmentKey(m.Metadata), ID: emrID})
	}
	var failed []Change
	if ctx.Err() == nil {
		pass.Report, failed, pass.Err = l.Runner.syncChanges(ctx, l.EHR, l.Ledger, changes, fresh, l.policy())
	}
	l.finish(ctx, pass)
	// What failed is tried again as an EHR change: read afresh from OnCall, as a webhook's copy grows old.
	switch {
	case ctx.Err() != nil:
	case pass.Report == nil:
		l.retry(changes, nil)
	default:
		l.retry(append(failed, changesOf(changes, retryKeys(pass.Report))...), nil)
	}
}

// finish counts a pass, logs it and hands it to OnPass, and asks for a full reconcile when the pass needs one.
func (l *Loop) finish(ctx context.Context, p Pass) {
	p.Elapsed = time.Since(p.Started)
	l.mu.Lock()
	if l.stats.Passes == nil {
		l.stats.Passes = map[PassKind]int{}
	}
	l.stats.Passes[p.Kind]++
	if rep := p.Report; rep != nil {
		l.stats.Applied += sum(rep.Applied) + sum(rep.Ignored)
		l.stats.Failed += sum(rep.Failed)
		for _, s := range rep.Skipped {
			if s.Attention {
				l.stats.Attention++
			}
		}
		if rep.Reconcile {
			l.full = true
		}
	}
	for _, r := range p.EHR {
		if r.Outcome == OutcomeFailed {
			l.stats.EHRFailed++
		}
	}
	if p.Kind == PassReconcile {
		var incomplete *IncompleteError
		l.stats.LastReconcile = time.Now()
		l.stats.LastReconcileOK = p.Report != nil && (p.Err == nil || errors.As(p.Err, &incomplete))
	}
	l.mu.Unlock()
	if l.Logger != nil && ctx.Err() == nil {
		attrs := []any{slog.String("pass", string(p.Kind)), slog.Int("items", p.Items), slog.Duration("elapsed", p.Elapsed)}
		level := slog.LevelInfo
		if rep := p.Report; rep != nil {
			attrs = append(attrs, slog.Int("applied", sum(rep.Applied)), slog.Int("failed", sum(rep.Failed)))
		}
		if p.Err != nil {
			level = slog.LevelWarn
			attrs = append(attrs, slog.String("error", reportText(p.Err)))
		}
		l.Logger.Log(ctx, level, "syncer: loop pass", attrs...)
	}
	if l.OnPass != nil {
		l.OnPass(p)
	}
}

// init makes the loop's queues; l.mu is held.
func (l *Loop) init() {
	if l.wake == nil {
		l.wake = make(chan struct{}, 1)
		l.changes = map[string]*queued{}
		l.fresh = map[oncall.AppointmentID]*oncall.Appointment{}
	}
}

// signal wakes Run; l.mu is held.
func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}
