package tenantsync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

// Activity names, as the workflow calls them and a worker registers them (Register).
const (
	ActivityPlan  = "OnCallPlan"
	ActivityApply = "OnCallApply"
)

// Error types of the application errors activities fail with, for a workflow's or an operator's errors.As. Both
// are non-retryable: a retry cannot fix them.
const (
	// ErrTypeUnauthorized: OnCall refused the tenant's token (401) or its permissions (403): revoked or rotated.
	ErrTypeUnauthorized = "TenantUnauthorized"
	// ErrTypeUnknownTenant: the worker does not serve the tenant (see Tenants).
	ErrTypeUnknownTenant = "UnknownTenant"
)

// DefaultMaxGroups is PlanInput.MaxGroups when zero: the actions a plan returns are kept to those of this many EHR
// keys, so that one result stays far below Temporal's payload limits (a group's JSON is a few hundred bytes); the
// workflow plans again for the rest.
const DefaultMaxGroups = 500

// PlanInput is the Plan activity's input.
type PlanInput struct {
	Tenant string `json:"tenant"`
	// MaxGroups bounds the groups returned; zero means DefaultMaxGroups.
	MaxGroups int `json:"max_groups,omitempty"`
}

// Group is the actions a plan makes for one EHR key, in the order they apply: what an Apply activity re-derives
// and applies. It holds ids, kinds and field names only.
type Group struct {
	// Key is the EHR appointment's key (carelogic.Appointment.Key) and EHRID its id, which the EHR adapter's
	// Appointment takes ("" for an OnCall appointment whose EHR appointment is gone: Apply reads it from the OnCall
	// appointment's metadata).
	Key   string `json:"key"`
	EHRID string `json:"ehr_id,omitempty"`
	// Appointments are the OnCall appointments the actions change (none for a create).
	Appointments []oncall.AppointmentID `json:"appointments,omitempty"`
	// Actions are the plan's actions, in their JSON form: kind, key, OnCall ids, client ids, field names, reasons.
	// The parameters that carry names and emails are not marshalled (see syncer.Action).
	Actions []syncer.Action `json:"actions"`
}

// Creates reports whether the group creates an appointment (a create or a recreate): a retry must then look the key
// up in OnCall first.
func (g *Group) Creates() bool {
	return slices.ContainsFunc(g.Actions, func(a syncer.Action) bool {
		return a.Kind == syncer.ActionCreate || a.Kind == syncer.ActionRecreate
	})
}

// PlanResult is what the Plan activity returns: counts, the window read, and the groups of actions. No name, email
// or token.
type PlanResult struct {
	// Window is the span of start times read from the EHR; Apply activities plan within it.
	Window syncer.Window `json:"window"`
	// EHR counts the EHR appointments read, Listed the OnCall appointments listed.
	EHR    int `json:"ehr"`
	Listed int `json:"listed"`
	// Groups are the actions to apply, per EHR key, at most PlanInput.MaxGroups; More reports that there were more.
	Groups []Group `json:"groups,omitempty"`
	More   bool    `json:"more,omitempty"`
	// Planned counts the actions of every group, returned or not.
	Planned int `json:"planned"`
	// Attention counts the skips that need a person, Review the OnCall appointments to review (see syncer.Report).
	Attention int `json:"attention,omitempty"`
	Review    int `json:"review,omitempty"`
}

// ApplyInput is the Apply activity's input: one group of a plan.
type ApplyInput struct {
	Tenant string        `json:"tenant"`
	Window syncer.Window `json:"window"`
	Group  Group         `json:"group"`
}

// ApplyResult is what an Apply activity did.
type ApplyResult struct {
	Key string `json:"key"`
	// Applied counts the actions applied by kind; empty when the plan for the key, derived again, had nothing to
	// do (an action applied by an earlier attempt, or made unnecessary by a change since the plan).
	Applied map[syncer.ActionKind]int `json:"applied,omitempty"`
	// Ignored counts the actions OnCall answered without applying every field (syncer.OutcomeIgnored).
	Ignored int `json:"ignored,omitempty"`
	// LookedUp reports a retry of a create that first looked the key up in OnCall.
	LookedUp bool `json:"looked_up,omitempty"`
	// Attempt is the activity's attempt that succeeded.
	Attempt int32 `json:"attempt"`
}

// Activities are the sync's activities, served by a worker for every tenant in Tenants. Register them with
// the package's Register.
type Activities struct {
	Tenants *Tenants
	// Concurrency is each Apply's syncer.Runner concurrency; zero means 1 (a group's actions apply in order anyway).
	Concurrency int

	// afterApply, if set (tests), runs after a group was applied and before the activity returns; its error is the
	// activity's, as if the worker died after OnCall had done the work.
	afterApply func(ctx context.Context, in ApplyInput, res ApplyResult) error
}

// Plan reads the tenant's EHR (the default loop window: a day back, 180 days ahead), lists its OnCall
// appointments, plans with syncer's pure Plan (through a dry-run syncer.Runner.Sync, which also asks the EHR about
// each orphan before planning its cancellation) and returns the actions grouped by EHR key, without PHI.
func (a *Activities) Plan(ctx context.Context, in PlanInput) (*PlanResult, error) {
	t, err := a.tenant(in.Tenant)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	w := syncer.DefaultLoopWindow(now)
	ehr := &recordingEHR{Adapter: t.ehr, ids: map[string]string{}}
	p := t.policy
	p.Now = now
	runner := &syncer.Runner{Client: t.client, DryRun: true}
	rep, err := runner.Sync(ctx, ehr, w, p)
	if err != nil && !incomplete(err) {
		return nil, classify(in.Tenant, "planning", err)
	}
	res := &PlanResult{Window: w, EHR: ehr.read()}
	if rep.Listing != nil {
		res.Listed = rep.Listing.Appointments
	}
	for _, s := range rep.Skipped {
		if s.Attention {
			res.Attention++
		}
	}
	res.Review = len(rep.Review)
	limit := in.MaxGroups
	if limit <= 0 {
		limit = DefaultMaxGroups
	}
	index := map[string]int{}
	for _, r := range rep.Actions {
		res.Planned++
		i, ok := index[r.Key]
		if !ok {
			if len(res.Groups) == limit {
				res.More = true
				continue
			}
			i = len(res.Groups)
			index[r.Key] = i
			res.Groups = append(res.Groups, Group{Key: r.Key, EHRID: ehr.id(r.Key)})
		}
		g := &res.Groups[i]
		act := r.Action
		act.Create, act.Update, act.Add, act.ParticipantUpdate = nil, nil, nil, nil
		g.Actions = append(g.Actions, act)
		if act.Appointment != 0 && !slices.Contains(g.Appointments, act.Appointment) {
			g.Appointments = append(g.Appointments, act.Appointment)
		}
	}
	return res, nil
}

// Apply applies one group of a plan, deriving it again from what the EHR and OnCall hold now: it reads the EHR
// appointment and the OnCall appointments the group names, plans that key with syncer.Plan, and applies the result
// with syncer.Runner.Apply. An action no longer needed is not made, so an Apply retried after a crash re-derives
// rather than trusts its input.
//
// No duplicate: a retry (attempt > 1) of a group that creates first lists OnCall and matches the key in the
// appointments' metadata (syncer.KeyEMRID, KeyEMRSource), so a create that an earlier attempt made is found and
// not made again; within an attempt, Runner.Apply settles a create whose outcome is unknown by the same look-up.
// A refused token (401, 403) fails with a non-retryable ErrTypeUnauthorized error.
func (a *Activities) Apply(ctx context.Context, in ApplyInput) (*ApplyResult, error) {
	t, err := a.tenant(in.Tenant)
	if err != nil {
		return nil, err
	}
	attempt := activity.GetInfo(ctx).Attempt
	res := &ApplyResult{Key: in.Group.Key, Attempt: attempt}

	// The OnCall appointments of the key: those the plan named, read again, and on a retry of a create, those a
	// listing finds under the key.
	var existing []oncall.Appointment
	seen := map[oncall.AppointmentID]bool{}
	ehrID := in.Group.EHRID
	for _, id := range in.Group.Appointments {
		m, err := t.client.Appointments.Get(ctx, id)
		if errors.Is(err, oncall.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, classify(in.Tenant, "reading an appointment", err)
		}
		if ehrID == "" {
			ehrID, _ = m.Metadata.String(syncer.KeyEMRID)
		}
		seen[m.ID] = true
		existing = append(existing, *m)
	}
	if attempt > 1 && in.Group.Creates() {
		res.LookedUp = true
		for m, err := range t.client.Appointments.All(ctx, nil) {
			if err != nil {
				return nil, classify(in.Tenant, "looking the key up", err)
			}
			if !seen[m.ID] && metadataKey(m.Metadata) == in.Group.Key {
				seen[m.ID] = true
				existing = append(existing, *m)
			}
		}
	}

	var ehr []carelogic.Appointment
	if ehrID != "" {
		e, err := t.ehr.Appointment(ctx, ehrID)
		switch {
		case errors.Is(err, carelogic.ErrNotFound):
		case err != nil:
			return nil, ehrFailure(in.Tenant, err)
		case e.Key() == in.Group.Key:
			ehr = append(ehr, e)
		}
	}

	p := t.policy
	p.Now = time.Now()
	cs := syncer.Plan(ehr, existing, in.Window, p)
	cs.Actions = slices.DeleteFunc(cs.Actions, func(x syncer.Action) bool { return x.Key != in.Group.Key })
	if cs.Empty() {
		return res, a.after(ctx, in, res)
	}
	conc := a.Concurrency
	if conc <= 0 {
		conc = 1
	}
	runner := &syncer.Runner{Client: t.client, Concurrency: conc}
	rep, err := runner.Apply(ctx, &syncer.Changeset{Actions: cs.Actions})
	if err != nil && !incomplete(err) {
		return nil, classify(in.Tenant, "applying", err)
	}
	var failed []error
	for _, r := range rep.Actions {
		switch r.Outcome {
		case syncer.OutcomeApplied:
			if res.Applied == nil {
				res.Applied = map[syncer.ActionKind]int{}
			}
			res.Applied[r.Kind]++
			if r.Created != 0 && r.URL != "" && ehrID != "" {
				if store, ok := t.ehr.(carelogic.URLStore); ok {
					// The URL only makes matching cheaper; the metadata is what matches, so a failure here is not
					// the sync's.
					_ = store.SetOnCallURL(ctx, ehrID, r.URL)
				}
			}
		case syncer.OutcomeIgnored:
			res.Ignored++
		default:
			err := r.Err
			if err == nil {
				err = fmt.Errorf("%s %s", r.Kind, r.Outcome)
			}
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return nil, classify(in.Tenant, fmt.Sprintf("applying %d of %d actions", len(failed), len(rep.Actions)), errors.Join(failed...))
	}
	return res, a.after(ctx, in, res)
}

// incomplete reports whether err is a syncer run's *IncompleteError: the run finished, and its report says what is
// left.
func incomplete(err error) bool {
	var ie *syncer.IncompleteError
	return errors.As(err, &ie)
}

func (a *Activities) after(ctx context.Context, in ApplyInput, res *ApplyResult) error {
	if a.afterApply == nil {
		return nil
	}
	return a.afterApply(ctx, in, *res)
}

func (a *Activities) tenant(id string) (*Tenant, error) {
	if a.Tenants == nil {
		return nil, temporal.NewNonRetryableApplicationError("no tenant registry", ErrTypeUnknownTenant, ErrUnknownTenant)
	}
	t, err := a.Tenants.Get(id)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnknownTenant, err)
	}
	return t, nil
}

// classify turns an error of OnCall's client or of the syncer into the activity's error: non-retryable for a
// refused token, retryable otherwise. The text is the client's, which names requests and statuses and never a
// token, a name or an email (see package oncall).
func classify(tenant, doing string, err error) error {
	if errors.Is(err, oncall.ErrUnauthorized) || errors.Is(err, oncall.ErrForbidden) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("tenant %q: %s: OnCall refused the token", tenant, doing), ErrTypeUnauthorized, err)
	}
	return fmt.Errorf("tenant %q: %s: %w", tenant, doing, err)
}

// ehrFailure is the error of an EHR adapter's failure. An adapter's error text may quote the patient's record, and
// an activity's error is recorded in workflow history, so only its type is told; the worker's own logs are where
// an adapter should report what went wrong.
func ehrFailure(tenant string, err error) error {
	return fmt.Errorf("tenant %q: reading the EHR: %w", tenant, ehrError{err})
}

// ehrError hides an EHR adapter's error text behind its type, keeping it for errors.Is and errors.As in the
// worker's process.
type ehrError struct{ err error }

func (e ehrError) Error() string { return fmt.Sprintf("EHR adapter error (%T)", e.err) }
func (e ehrError) Unwrap() error { return e.err }

// recordingEHR is the tenant's EHR as a dry-run Sync reads it: it notes the id of each EHR key read, which the
// plan's groups carry to the Apply activities, and hides the adapter's error texts (see ehrError). It hides the
// adapter's write interfaces too, which a dry run does not use.
type recordingEHR struct {
	carelogic.Adapter
	mu  sync.Mutex
	ids map[string]string
	n   int
}

func (r *recordingEHR) Appointments(ctx context.Context, from, to time.Time) iter.Seq2[carelogic.Appointment, error] {
	return func(yield func(carelogic.Appointment, error) bool) {
		for a, err := range r.Adapter.Appointments(ctx, from, to) {
			if err != nil {
				yield(carelogic.Appointment{}, ehrError{err})
				return
			}
			r.note(&a, true)
			if !yield(a, nil) {
				return
			}
		}
	}
}

func (r *recordingEHR) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	a, err := r.Adapter.Appointment(ctx, id)
	if err != nil {
		if errors.Is(err, carelogic.ErrNotFound) {
			return a, fmt.Errorf("appointment %q: %w", id, carelogic.ErrNotFound)
		}
		return a, ehrError{err}
	}
	r.note(&a, false)
	return a, nil
}

func (r *recordingEHR) note(a *carelogic.Appointment, count bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[a.Key()] = a.ID
	if count {
		r.n++
	}
}

func (r *recordingEHR) id(key string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[key]
}

func (r *recordingEHR) read() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// metadataKey returns the EHR key an OnCall appointment's metadata names, as carelogic.Appointment.Key renders it,
// or "" when it names none.
func metadataKey(m oncall.Metadata) string {
	id, _ := m.String(syncer.KeyEMRID)
	if id == "" {
		return ""
	}
	if src, _ := m.String(syncer.KeyEMRSource); src != "" {
		return src + "/" + id
	}
	return id
}
