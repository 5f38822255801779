package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Runner applies changesets through an oncall.Client. It is safe for concurrent use, though two runners syncing
// the same EHR appointments at once could each create one (matching is by the metadata they write): run one sync
// per EHR source at a time.
type Runner struct {
	// Client sends the requests; its rate limit paces the runner, whatever Concurrency is.
	Client *oncall.Client
	// Concurrency is how many appointments are worked on at once (default 4). The actions of one appointment are
	// always applied in order, one at a time.
	Concurrency int
	// PageSize is the page size of the listing pass (default 100).
	PageSize int
	// DryRun plans and reports without writing anything to OnCall or the EHR.
	DryRun bool
	// Logger receives a line per action at debug level and per failure at warn level, without PHI. Nil is silent.
	Logger *slog.Logger
	// Progress, if set, is called after each action with the number done and the total. It must be quick.
	Progress func(done, total int)
}

// maxCreateRounds bounds the look-up-then-retry rounds after ambiguous create failures.
const maxCreateRounds = 3

// Sync reads the EHR appointments that start in w, and every OnCall appointment, plans with p, and applies the
// plan: one listing pass plus one call per change (see Apply). Appointments the runner creates get their OnCall
// URL stored on the EHR record when the adapter implements carelogic.URLStore.
func (r *Runner) Sync(ctx context.Context, ehr carelogic.Adapter, w Window, p Policy) (*Report, error) {
	var appts []carelogic.Appointment
	for a, err := range ehr.Appointments(ctx, w.From, w.To) {
		if err != nil {
			return nil, fmt.Errorf("syncer: reading the EHR: %w", err)
		}
		appts = append(appts, a)
	}
	existing, err := r.list(ctx)
	if err != nil {
		return nil, err
	}
	cs := Plan(appts, existing, w, p)
	rep, err := r.Apply(ctx, cs)
	if store, ok := ehr.(carelogic.URLStore); ok && !r.DryRun && rep != nil {
		ids := make(map[string]string, len(appts))
		for i := range appts {
			ids[appts[i].Key()] = appts[i].ID
		}
		for i := range rep.Actions {
			res := &rep.Actions[i]
			if res.Outcome != OutcomeApplied || res.URL == "" || (res.Kind != ActionCreate && res.Kind != ActionRecreate) {
				continue
			}
			if serr := store.SetOnCallURL(ctx, ids[res.Key], res.URL); serr != nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: storing the OnCall URL on the EHR record: %v", res.Key, serr))
			}
		}
	}
	return rep, err
}

// list reads every OnCall appointment the token can see.
func (r *Runner) list(ctx context.Context) ([]oncall.Appointment, error) {
	var out []oncall.Appointment
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: cmpOr(r.PageSize, 100)}}
	for a, err := range r.Client.Appointments.All(ctx, opts) {
		if err != nil {
			return nil, fmt.Errorf("syncer: listing OnCall appointments: %w", err)
		}
		out = append(out, *a)
	}
	return out, nil
}

// Apply applies a changeset: the actions of each appointment in order, different appointments concurrently.
//
// It never creates a duplicate. A create that failed ambiguously (a 5xx, a timeout, a connection lost after the
// request was sent) may have succeeded, so it is not retried blindly: once every other action is done, the
// runner lists OnCall again and retries only the creates whose EHR key is still missing. A participant added
// ambiguously is checked the same way, by reading its appointment.
//
// The report counts what was applied, lists failures with their reasons and what was skipped; the error is
// non-nil only when ctx ended the run (the report then says what was done).
func (r *Runner) Apply(ctx context.Context, cs *Changeset) (*Report, error) {
	rep := newReport(cs, r.DryRun)
	if r.DryRun {
		for i := range rep.Actions {
			rep.Actions[i].Outcome = OutcomePlanned
		}
		return rep, nil
	}
	groups := cs.Groups()
	total := len(cs.Actions)
	var (
		mu      sync.Mutex
		done    int
		pending []int // indexes into rep.Actions of ambiguous creates
	)
	finish := func(i int, res ActionResult) {
		mu.Lock()
		defer mu.Unlock()
		rep.Actions[i] = res
		done++
		if res.Outcome == OutcomeAmbiguous {
			pending = append(pending, i)
		}
		if r.Progress != nil {
			r.Progress(done, total)
		}
	}
	// index of each group's first action in rep.Actions
	starts := make([]int, len(groups))
	for g, n := 1, 0; g < len(groups); g++ {
		n += len(groups[g-1])
		starts[g] = n
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(cmpOr(r.Concurrency, 4), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				r.applyGroup(ctx, groups[g], starts[g], rep, finish)
			}
		}()
	}
feed:
	for g := range groups {
		select {
		case work <- g:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() == nil {
		r.resolveCreates(ctx, rep, pending)
	}
	rep.finish()
	return rep, ctx.Err()
}

// applyGroup applies one appointment's actions in order. After a participant change fails, the appointment's
// final update is sent without the roster metadata, so that the roster never records a change that did not happen.
func (r *Runner) applyGroup(ctx context.Context, acts []Action, start int, rep *Report, finish func(int, ActionResult)) {
	failed := false
	for k, a := range acts {
		i := start + k
		if ctx.Err() != nil {
			finish(i, ActionResult{Action: a, Outcome: OutcomeNotRun, Error: "not run: " + ctx.Err().Error()})
			continue
		}
		if failed && a.Kind == ActionUpdate && a.Update != nil && a.Update.Metadata != nil {
			a = withoutMetadata(a)
			if a.Update == nil {
				finish(i, ActionResult{Action: acts[k], Outcome: OutcomeNotRun, Error: "not run: an earlier change to this appointment failed"})
				continue
			}
		}
		res := r.apply(ctx, a)
		if res.Outcome != OutcomeApplied {
			failed = true
			r.logf(ctx, slog.LevelWarn, "oncall sync action failed", a, res.Error)
		} else {
			r.logf(ctx, slog.LevelDebug, "oncall sync action applied", a, "")
		}
		finish(i, res)
	}
}

func withoutMetadata(a Action) Action {
	u := *a.Update
	u.Metadata = nil
	a.Fields = removeField(a.Fields, "metadata")
	if len(a.Fields) == 0 {
		a.Update = nil
		return a
	}
	a.Update = &u
	return a
}

func removeField(fields []string, f string) []string {
	out := make([]string, 0, len(fields))
	for _, x := range fields {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

// apply performs one action.
func (r *Runner) apply(ctx context.Context, a Action) ActionResult {
	appts := r.Client.Appointments
	res := ActionResult{Action: a, Outcome: OutcomeApplied}
	var err error
	switch a.Kind {
	case ActionCreate:
		return r.create(ctx, a)
	case ActionRecreate:
		if _, err = appts.Update(ctx, a.Appointment, a.Update); err != nil {
			break
		}
		return r.create(ctx, a)
	case ActionUpdate:
		_, err = appts.Update(ctx, a.Appointment, a.Update)
	case ActionCancel:
		_, err = appts.Cancel(ctx, a.Appointment)
	case ActionSetStatus:
		_, err = r.Client.Participants.SetStatus(ctx, a.Participant, a.Status)
	case ActionUpdateParticipant:
		_, err = r.Client.Participants.Update(ctx, a.Participant, a.ParticipantUpdate)
	case ActionRemoveParticipant:
		err = r.Client.Participants.Delete(ctx, a.Participant)
		if errors.Is(err, oncall.ErrNotFound) {
			err = nil // already gone: the outcome wanted
		}
	case ActionAddParticipant:
		return r.addParticipant(ctx, a)
	default:
		err = fmt.Errorf("syncer: unknown action kind %q", a.Kind)
	}
	if err != nil {
		res.Outcome, res.Error = OutcomeFailed, err.Error()
	}
	return res
}

// ambiguous reports whether a failed write may nonetheless have taken effect.
func ambiguous(err error) bool {
	var reqErr *oncall.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.Sent
	}
	var apiErr *oncall.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 || apiErr.StatusCode == http.StatusRequestTimeout
	}
	var decErr *oncall.DecodeError
	return errors.As(err, &decErr) // a 2xx we could not read: it happened
}

func (r *Runner) create(ctx context.Context, a Action) ActionResult {
	res := ActionResult{Action: a, Outcome: OutcomeApplied}
	created, err := r.Client.Appointments.Create(ctx, a.Create)
	switch {
	case err == nil:
		res.Created, res.URL = created.ID, created.URL
	case ambiguous(err) && ctx.Err() == nil:
		res.Outcome, res.Error = OutcomeAmbiguous, err.Error()
	default:
		res.Outcome, res.Error = OutcomeFailed, err.Error()
	}
	return res
}

// resolveCreates settles ambiguous creates: one listing pass per round finds those that did happen; only the
// others are created again.
func (r *Runner) resolveCreates(ctx context.Context, rep *Report, pending []int) {
	for round := 0; len(pending) > 0 && round < maxCreateRounds; round++ {
		existing, err := r.list(ctx)
		if err != nil {
			for _, i := range pending {
				rep.Actions[i].Outcome = OutcomeFailed
				rep.Actions[i].Error += "; then the look-up failed: " + err.Error()
			}
			return
		}
		found := map[string]*oncall.Appointment{}
		for j := range existing {
			m := &existing[j]
			if key := appointmentKey(m.Metadata); key != "" && !m.Cancelled && !superseded(m.Metadata) {
				if _, dup := found[key]; !dup {
					found[key] = m
				}
			}
		}
		var again []int
		for _, i := range pending {
			res := &rep.Actions[i]
			if m := found[res.Key]; m != nil {
				res.Outcome, res.Error, res.Created, res.URL = OutcomeApplied, "", m.ID, m.URL
				res.Note = "confirmed by look-up after an ambiguous failure"
				continue
			}
			retry := r.create(ctx, res.Action)
			retry.Note = "created again after a look-up found nothing"
			*res = retry
			if res.Outcome == OutcomeAmbiguous {
				again = append(again, i)
			}
		}
		pending = again
	}
	for _, i := range pending {
		rep.Actions[i].Outcome = OutcomeFailed
		rep.Actions[i].Error += "; still unresolved after look-ups: the next sync will find or create it"
	}
}

// addParticipant adds a participant, checking the appointment before a retry after an ambiguous failure so that
// nobody is invited twice.
func (r *Runner) addParticipant(ctx context.Context, a Action) ActionResult {
	res := ActionResult{Action: a, Outcome: OutcomeApplied}
	for attempt := 0; ; attempt++ {
		_, err := r.Client.Participants.Create(ctx, &oncall.ParticipantCreateParams{Appointment: a.Appointment, ParticipantParams: *a.Add})
		if err == nil {
			return res
		}
		if !ambiguous(err) || ctx.Err() != nil || attempt == maxCreateRounds-1 {
			res.Outcome, res.Error = OutcomeFailed, err.Error()
			return res
		}
		m, gerr := r.Client.Appointments.Get(ctx, a.Appointment)
		if gerr != nil {
			res.Outcome, res.Error = OutcomeFailed, err.Error()+"; then the look-up failed: "+gerr.Error()
			return res
		}
		for _, p := range m.Participants {
			if strings.EqualFold(p.Email, a.Add.Email) {
				res.Note = "confirmed by look-up after an ambiguous failure"
				return res
			}
		}
	}
}

func (r *Runner) logf(ctx context.Context, level slog.Level, msg string, a Action, errText string) {
	if r.Logger == nil {
		return
	}
	attrs := []slog.Attr{slog.String("kind", string(a.Kind)), slog.String("key", a.Key)}
	if a.Appointment != 0 {
		attrs = append(attrs, slog.Int64("appointment", int64(a.Appointment)))
	}
	if errText != "" {
		attrs = append(attrs, slog.String("error", errText))
	}
	r.Logger.LogAttrs(ctx, level, msg, attrs...)
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
