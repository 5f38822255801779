package tenantsync

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/oncallsync/oncall-go/syncer"
)

// Names a client uses to talk to a tenant's workflow.
const (
	// WorkflowName is SyncWorkflow's registered name.
	WorkflowName = "OnCallTenantSync"
	// SignalEHRChanged asks for a sync now: the EHR reported a change. Its payload is an EHRChanged.
	SignalEHRChanged = "ehr-changed"
	// QueryStatus returns the workflow's Status.
	QueryStatus = "status"
)

// Defaults of SyncInput's settings.
const (
	DefaultInterval     = 15 * time.Minute
	DefaultParallelism  = 4
	DefaultPassesPerRun = 100
	DefaultMaxRounds    = 4
)

// WorkflowID returns the id of a tenant's workflow. One workflow per tenant, with this id, is what keeps two syncs
// of one clinic from running at once (Temporal refuses a second start of a running id).
func WorkflowID(tenant string) string { return "oncall-sync-" + tenant }

// SyncInput is SyncWorkflow's input: a tenant id and settings, never a token or patient data.
type SyncInput struct {
	Tenant string `json:"tenant"`
	// Interval is the time between scheduled syncs; zero means DefaultInterval.
	Interval time.Duration `json:"interval,omitempty"`
	// Parallelism bounds the tenant's Apply activities in flight; zero means DefaultParallelism. The worker's
	// activity slots are shared by every tenant, so this is what keeps a slow tenant from taking them all.
	Parallelism int `json:"parallelism,omitempty"`
	// MaxRounds bounds the plan-and-apply rounds of one sync: a round applies what its plan found, and the next
	// plan checks it (and picks up groups beyond MaxGroups); zero means DefaultMaxRounds.
	MaxRounds int `json:"max_rounds,omitempty"`
	// MaxGroups is PlanInput.MaxGroups.
	MaxGroups int `json:"max_groups,omitempty"`
	// PassesPerRun is the syncs a run makes before it continues as new, which bounds its history; zero means
	// DefaultPassesPerRun.
	PassesPerRun int `json:"passes_per_run,omitempty"`
	// StopAfter ends the workflow after this many syncs in all (for a one-off sync, and tests); zero runs until
	// cancelled.
	StopAfter int `json:"stop_after,omitempty"`

	// Passes counts the syncs of earlier runs, and Changed an ehr-changed signal not yet served; continue-as-new
	// carries them over.
	Passes  int  `json:"passes,omitempty"`
	Changed bool `json:"changed,omitempty"`
}

// EHRChanged is the payload of SignalEHRChanged: the ids of the EHR appointments that changed, if the EHR said. A
// signal always asks for a full sync; the ids are counted, and recorded in history, never a patient's detail.
type EHRChanged struct {
	IDs []string `json:"ids,omitempty"`
}

// Pass is what one sync did, without PHI.
type Pass struct {
	// Trigger is "start", "schedule" or "signal".
	Trigger string `json:"trigger"`
	// Started is the workflow's time when the sync began.
	Started time.Time `json:"started"`
	// Rounds counts the plans made.
	Rounds int `json:"rounds"`
	// Planned counts the actions the first plan found; Applied those applied, by kind.
	Planned int                       `json:"planned"`
	Applied map[syncer.ActionKind]int `json:"applied,omitempty"`
	// Failed counts the groups whose Apply failed after its retries; the next sync plans them again.
	Failed int `json:"failed,omitempty"`
	// Converged reports that the last plan found nothing to do.
	Converged bool `json:"converged"`
	// Attention and Review are the last plan's counts of what needs a person.
	Attention int `json:"attention,omitempty"`
	Review    int `json:"review,omitempty"`
	// Error is why the sync stopped short, if it did: the text of an activity's error, which names requests and
	// statuses, never a token or PHI.
	Error string `json:"error,omitempty"`
}

// Status is the answer to QueryStatus.
type Status struct {
	Tenant string `json:"tenant"`
	// Passes counts the syncs made, across continue-as-new; Signals the ehr-changed signals received in this run.
	Passes  int `json:"passes"`
	Signals int `json:"signals"`
	// Last is the last sync, if any.
	Last *Pass `json:"last,omitempty"`
}

// Result is what SyncWorkflow returns when it stops after SyncInput.StopAfter syncs.
type Result struct {
	Tenant string `json:"tenant"`
	Passes []Pass `json:"passes"`
}

// SyncWorkflow keeps one tenant's OnCall in line with its EHR: a sync at start, then one each Interval and one
// whenever SignalEHRChanged arrives, whichever comes first, continuing as new every PassesPerRun syncs. A sync that
// fails is recorded (QueryStatus) and the next one tries again; only a refused token or an unknown tenant ends the
// workflow, with a non-retryable error of type ErrTypeUnauthorized or ErrTypeUnknownTenant.
//
// The workflow holds ids and counts only: its input, its activities' inputs and results, its signal and its query
// name no patient and carry no token (see the package documentation).
func SyncWorkflow(ctx workflow.Context, in SyncInput) (*Result, error) {
	if in.Tenant == "" {
		return nil, temporal.NewNonRetryableApplicationError("no tenant", ErrTypeUnknownTenant, nil)
	}
	defaults(&in)
	logger := workflow.GetLogger(ctx)
	status := Status{Tenant: in.Tenant, Passes: in.Passes}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) { return status, nil }); err != nil {
		return nil, err
	}
	signals := workflow.GetSignalChannel(ctx, SignalEHRChanged)
	drain := func() bool {
		got := false
		var sig EHRChanged
		for signals.ReceiveAsync(&sig) {
			status.Signals++
			got = true
		}
		return got
	}

	result := &Result{Tenant: in.Tenant}
	trigger := "start"
	for run := 0; ; run++ {
		drain() // changes signalled before this sync are covered by it
		in.Changed = false
		pass, err := syncOnce(ctx, in)
		pass.Trigger = trigger
		status.Passes++
		status.Last = &pass
		in.Passes++
		if in.StopAfter > 0 {
			result.Passes = append(result.Passes, pass)
		}
		if err != nil {
			return result, err
		}
		logger.Info("sync done", "tenant", in.Tenant, "planned", pass.Planned, "failed", pass.Failed, "converged", pass.Converged)
		if in.StopAfter > 0 && in.Passes >= in.StopAfter {
			return result, nil
		}
		if run+1 >= in.PassesPerRun {
			in.Changed = drain()
			return nil, workflow.NewContinueAsNewError(ctx, WorkflowName, in)
		}

		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(timerCtx, in.Interval)
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(workflow.Future) { trigger = "schedule" })
		sel.AddReceive(signals, func(c workflow.ReceiveChannel, _ bool) {
			var sig EHRChanged
			c.Receive(ctx, &sig)
			status.Signals++
			trigger = "signal"
		})
		sel.Select(ctx)
		cancelTimer()
		if err := ctx.Err(); err != nil {
			return result, err
		}
	}
}

func defaults(in *SyncInput) {
	if in.Interval <= 0 {
		in.Interval = DefaultInterval
	}
	if in.Parallelism <= 0 {
		in.Parallelism = DefaultParallelism
	}
	if in.MaxRounds <= 0 {
		in.MaxRounds = DefaultMaxRounds
	}
	if in.PassesPerRun <= 0 {
		in.PassesPerRun = DefaultPassesPerRun
	}
}

// Activity options. Timeouts bound a stuck tenant: an attempt that outlives StartToCloseTimeout is abandoned (its
// context ends, so the client's requests stop) before the retry starts, so two attempts of one group never run at
// once.
var (
	planOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        5,
			NonRetryableErrorTypes: []string{ErrTypeUnauthorized, ErrTypeUnknownTenant},
		},
	}
	applyOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			MaximumAttempts:        8,
			NonRetryableErrorTypes: []string{ErrTypeUnauthorized, ErrTypeUnknownTenant},
		},
	}
)

// syncOnce makes one sync: plan, apply every group with at most in.Parallelism in flight, and plan again, until a
// plan is empty or in.MaxRounds plans were made. The error is non-nil only for what ends the workflow.
func syncOnce(ctx workflow.Context, in SyncInput) (Pass, error) {
	pass := Pass{Started: workflow.Now(ctx)}
	planCtx := workflow.WithActivityOptions(ctx, planOptions)
	applyCtx := workflow.WithActivityOptions(ctx, applyOptions)
	for pass.Rounds < in.MaxRounds {
		var plan PlanResult
		pass.Rounds++
		err := workflow.ExecuteActivity(planCtx, ActivityPlan, PlanInput{Tenant: in.Tenant, MaxGroups: in.MaxGroups}).Get(ctx, &plan)
		if err != nil {
			pass.Error = err.Error()
			return pass, fatal(err)
		}
		if pass.Rounds == 1 {
			pass.Planned = plan.Planned
		}
		pass.Attention, pass.Review = plan.Attention, plan.Review
		if len(plan.Groups) == 0 {
			pass.Converged = true
			return pass, nil
		}
		var stop error
		failed := 0
		inflight := 0
		sel := workflow.NewSelector(ctx)
		for _, g := range plan.Groups {
			if stop != nil {
				break
			}
			for inflight >= in.Parallelism {
				sel.Select(ctx)
				inflight--
			}
			f := workflow.ExecuteActivity(applyCtx, ActivityApply, ApplyInput{Tenant: in.Tenant, Window: plan.Window, Group: g})
			inflight++
			sel.AddFuture(f, func(f workflow.Future) {
				var r ApplyResult
				if err := f.Get(ctx, &r); err != nil {
					failed++
					pass.Error = err.Error()
					if fe := fatal(err); fe != nil && stop == nil {
						stop = fe
					}
					return
				}
				for k, n := range r.Applied {
					if pass.Applied == nil {
						pass.Applied = map[syncer.ActionKind]int{}
					}
					pass.Applied[k] += n
				}
			})
		}
		for ; inflight > 0; inflight-- {
			sel.Select(ctx)
		}
		pass.Failed += failed
		if stop != nil {
			return pass, stop
		}
		if err := ctx.Err(); err != nil {
			return pass, err
		}
		if failed > 0 {
			// The groups that failed after their retries wait for the next sync; planning again now would only
			// meet the same failure.
			return pass, nil
		}
	}
	return pass, nil
}

// fatal returns err when it must end the workflow (a refused token, an unknown tenant, the workflow cancelled),
// and nil for a failure the next sync may not meet.
func fatal(err error) error {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && (ae.Type() == ErrTypeUnauthorized || ae.Type() == ErrTypeUnknownTenant) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("tenant sync stopped: %s", ae.Error()), ae.Type(), nil)
	}
	var ce *temporal.CanceledError
	if errors.As(err, &ce) {
		return err
	}
	return nil
}
