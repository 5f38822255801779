package tenantsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

func errorType(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return ""
}

// randomFaults are 20% of requests failing in every way oncalltest can fail one, the ambiguous writes included.
func randomFaults(seed uint64) oncalltest.Faults {
	return oncalltest.Faults{Seed: seed, Rate: 0.2, Kinds: oncalltest.FaultKinds(), Latency: time.Millisecond}
}

// newEnv returns a test environment with the sync registered, the fleet workflow too, and the recorder as its
// data converter; errs collects the text of every activity error.
func newEnv(t *testing.T, acts *Activities, rec *recorder) (*testsuite.TestWorkflowEnvironment, func() []string) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetTestTimeout(3 * time.Minute)
	if rec != nil {
		env.SetDataConverter(rec)
	}
	Register(env, acts)
	env.RegisterWorkflow(fleetWorkflow)
	errs := &errRecorder{}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{errs}})
	return env, errs.texts
}

// errRecorder records the text of every error an activity attempt returns: a failure's message is recorded in
// history, outside the data converter's reach.
type errRecorder struct {
	interceptor.WorkerInterceptorBase
	mu   sync.Mutex
	errs []string
}

func (r *errRecorder) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &errRecorderActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, r: r}
}

func (r *errRecorder) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

type errRecorderActivity struct {
	interceptor.ActivityInboundInterceptorBase
	r *errRecorder
}

func (a *errRecorderActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if err != nil {
		a.r.mu.Lock()
		a.r.errs = append(a.r.errs, err.Error())
		a.r.mu.Unlock()
	}
	return res, err
}

func runFleet(t *testing.T, env *testsuite.TestWorkflowEnvironment, ins []SyncInput) map[string]FleetOutcome {
	t.Helper()
	env.ExecuteWorkflow(fleetWorkflow, ins)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the fleet workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var out map[string]FleetOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFiftyTenants syncs 50 clinics through one worker, each against its own OnCall fake failing 20% of its
// requests (ambiguous creates included), with a worker that "dies" after half the clinics' first creates reached
// OnCall; then a new worker, with nothing in memory, syncs them again. Every clinic ends with exactly what its EHR
// describes, and nothing of a patient or a token is in what the workflows recorded.
func TestFiftyTenants(t *testing.T) {
	const n = 50
	now := time.Now().UTC().Truncate(time.Minute)
	want := controlKeys(t, now)
	clinics := make([]*clinic, n)
	tenants := NewTenants()
	var secrets []string
	for i := range clinics {
		c := newClinic(t, i, now)
		if err := c.srv.SetFaults(randomFaults(uint64(i + 1))); err != nil {
			t.Fatal(err)
		}
		if err := tenants.Add(c.config("")); err != nil {
			t.Fatal(err)
		}
		clinics[i] = c
		secrets = append(secrets, c.secrets...)
	}

	// The worker dies after the first create of every other clinic reached OnCall, before Temporal heard of it:
	// Temporal runs the activity again, as it would on another worker.
	var crashes, lookups atomic.Int64
	crashed := sync.Map{}
	acts := &Activities{Tenants: tenants}
	acts.afterApply = func(ctx context.Context, in ApplyInput, res ApplyResult) error {
		var i int
		fmt.Sscanf(in.Tenant, "clinic-%d", &i)
		if res.Attempt == 1 && res.Applied[syncer.ActionCreate] > 0 && i%2 == 0 {
			if _, again := crashed.LoadOrStore(in.Tenant, true); !again {
				crashes.Add(1)
				return errors.New("worker lost after the write")
			}
		}
		if res.LookedUp {
			lookups.Add(1)
		}
		return nil
	}
	rec := newRecorder()
	env, errs := newEnv(t, acts, rec)
	ins := make([]SyncInput, n)
	for i, c := range clinics {
		ins[i] = SyncInput{Tenant: c.id, StopAfter: 1, MaxRounds: 6}
	}
	start := time.Now()
	out := runFleet(t, env, ins)
	t.Logf("%d tenants synced in %v; %d payloads recorded, %d activity errors, %d crashes after a write, %d look-ups",
		n, time.Since(start).Round(time.Millisecond), rec.count(), len(errs()), crashes.Load(), lookups.Load())

	t.Run("converge", func(t *testing.T) {
		faults := 0
		for _, c := range clinics {
			o := out[c.id]
			if o.Error != "" {
				t.Errorf("%s: %s", c.id, o.Error)
				continue
			}
			actions, keys := c.check(t)
			if len(actions) != 0 {
				t.Errorf("%s: still to do: %q (pass %+v)", c.id, actions, o.Result.Passes)
			}
			if diff := cmp.Diff(want, keys); diff != "" {
				t.Errorf("%s: appointments per EHR key (-want +got; 2 is a duplicate, a missing key lost):\n%s", c.id, diff)
			}
			for _, k := range c.srv.FaultCounts() {
				faults += k
			}
		}
		if faults == 0 {
			t.Error("no fault was injected: the test proves nothing")
		}
		if crashes.Load() != n/2 {
			t.Errorf("%d crashes after a write, want %d", crashes.Load(), n/2)
		}
		if lookups.Load() < crashes.Load() {
			t.Errorf("%d retries looked the key up, fewer than the %d crashes", lookups.Load(), crashes.Load())
		}
	})

	t.Run("no PHI or token in history", func(t *testing.T) {
		if rec.count() < 3*n {
			t.Fatalf("only %d payloads recorded: the recorder is not in the path", rec.count())
		}
		if leaks := rec.leaks(secrets, errs()); len(leaks) != 0 {
			t.Errorf("%d leaks, first: %s", len(leaks), leaks[0])
		}
	})

	t.Run("restarted worker finds nothing to do", func(t *testing.T) {
		// A new worker process: new clients, nothing in memory but the tenants' configuration.
		fresh := NewTenants()
		for _, c := range clinics {
			c.srv.ClearFaults()
			if err := fresh.Add(c.config("")); err != nil {
				t.Fatal(err)
			}
		}
		env, _ := newEnv(t, &Activities{Tenants: fresh}, nil)
		out := runFleet(t, env, ins)
		got, zero := map[string]int{}, map[string]int{}
		for _, c := range clinics {
			zero[c.id] = 0
			if o := out[c.id]; o.Result != nil && len(o.Result.Passes) == 1 {
				got[c.id] = o.Result.Passes[0].Planned
			} else {
				got[c.id] = -1
			}
		}
		if diff := cmp.Diff(zero, got); diff != "" {
			t.Errorf("actions planned after the restart (-want +got):\n%s", diff)
		}
	})
}

// TestRevokedTenantFailsAlone syncs six clinics: one whose token OnCall refuses, one whose OnCall answers every
// request with a 503, and four healthy ones under random faults. The revoked one's workflow ends at its first
// request with a non-retryable TenantUnauthorized error; the storm's sync fails and the workflow stays up to try
// again; the healthy ones converge in the same run.
func TestRevokedTenantFailsAlone(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	want := controlKeys(t, now)
	tenants := NewTenants()
	var clinics []*clinic
	var ins []SyncInput
	for i := range 6 {
		c := newClinic(t, i, now)
		token := ""
		switch i {
		case 0:
			token = "revoked-token-0000"
		case 1:
			if err := c.srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultUnavailable}}); err != nil {
				t.Fatal(err)
			}
		default:
			if err := c.srv.SetFaults(randomFaults(uint64(i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := tenants.Add(c.config(token)); err != nil {
			t.Fatal(err)
		}
		clinics = append(clinics, c)
		ins = append(ins, SyncInput{Tenant: c.id, StopAfter: 1})
	}
	env, _ := newEnv(t, &Activities{Tenants: tenants}, nil)
	out := runFleet(t, env, ins)

	revoked, storm := out[clinics[0].id], out[clinics[1].id]
	if revoked.ErrorType != ErrTypeUnauthorized {
		t.Errorf("revoked tenant: error type %q (%s), want %q", revoked.ErrorType, revoked.Error, ErrTypeUnauthorized)
	}
	if got := clinics[0].srv.RequestCount("", ""); got != 1 {
		t.Errorf("revoked tenant: %d requests, want 1: a refused token is not retried", got)
	}
	if storm.Error != "" || storm.Result == nil || len(storm.Result.Passes) != 1 {
		t.Fatalf("storm tenant: %+v, want its workflow up, with one failed sync", storm)
	}
	if p := storm.Result.Passes[0]; p.Converged || p.Error == "" {
		t.Errorf("storm tenant's sync: %+v, want it failed", p)
	}
	for _, c := range clinics[2:] {
		if o := out[c.id]; o.Error != "" {
			t.Errorf("%s: %s", c.id, o.Error)
		}
		actions, keys := c.check(t)
		if len(actions) != 0 {
			t.Errorf("%s: still to do: %q", c.id, actions)
		}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("%s: appointments per EHR key (-want +got):\n%s", c.id, diff)
		}
	}
}

// TestSignalSyncsBeforeTimer books an appointment in the EHR a minute after the first sync and signals
// ehr-changed: the second sync runs then, not at the hour the timer would have fired, and creates it.
func TestSignalSyncsBeforeTimer(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	c := newClinic(t, 1, now)
	tenants := NewTenants()
	if err := tenants.Add(c.config("")); err != nil {
		t.Fatal(err)
	}
	env, _ := newEnv(t, &Activities{Tenants: tenants}, nil)
	booked := carelogic.Appointment{
		ID: "appt-new-1", Source: carelogic.DemoSource, Kind: carelogic.Individual, Modality: carelogic.Video,
		ProviderID: "staff-101", Start: now.Add(72 * time.Hour), Duration: 50 * time.Minute, Activity: "Intake",
		Participants: []carelogic.Participant{{ClientID: "cl-new-1", Name: "Rosamund Pettigrew", Email: "rosamund@patientmail.example"}},
	}
	env.RegisterDelayedCallback(func() {
		c.ehr.Put(booked)
		env.SignalWorkflow(SignalEHRChanged, EHRChanged{IDs: []string{booked.ID}})
	}, time.Minute)
	start := env.Now()
	env.ExecuteWorkflow(SyncWorkflow, SyncInput{Tenant: c.id, Interval: time.Hour, StopAfter: 2})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	var triggers []string
	for _, p := range res.Passes {
		triggers = append(triggers, p.Trigger)
	}
	if diff := cmp.Diff([]string{"start", "signal"}, triggers); diff != "" {
		t.Fatalf("triggers (-want +got):\n%s", diff)
	}
	if at := res.Passes[1].Started.Sub(start); at >= time.Hour {
		t.Errorf("the signalled sync started %v after the first, not before the timer's hour", at)
	}
	if diff := cmp.Diff(map[syncer.ActionKind]int{syncer.ActionCreate: 1}, res.Passes[1].Applied); diff != "" {
		t.Errorf("the signalled sync applied (-want +got):\n%s", diff)
	}
	if _, keys := c.check(t); keys[booked.Key()] != 1 {
		t.Errorf("the booked appointment is in OnCall %d times, want 1", keys[booked.Key()])
	}
}

// TestContinuesAsNew runs two scheduled syncs with PassesPerRun 2: the run then continues as new, carrying the
// count of syncs and its settings.
func TestContinuesAsNew(t *testing.T) {
	c := newClinic(t, 2, time.Now().UTC().Truncate(time.Minute))
	tenants := NewTenants()
	if err := tenants.Add(c.config("")); err != nil {
		t.Fatal(err)
	}
	env, _ := newEnv(t, &Activities{Tenants: tenants}, nil)
	env.ExecuteWorkflow(SyncWorkflow, SyncInput{Tenant: c.id, Interval: time.Minute, PassesPerRun: 2})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next SyncInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	want := SyncInput{Tenant: c.id, Interval: time.Minute, Parallelism: DefaultParallelism, MaxRounds: DefaultMaxRounds, PassesPerRun: 2, Passes: 2}
	if diff := cmp.Diff(want, next); diff != "" {
		t.Errorf("next run's input (-want +got):\n%s", diff)
	}
}

// TestRecorderFindsLeaks shows the privacy check can fail: a payload or an error holding a planted detail is found.
func TestRecorderFindsLeaks(t *testing.T) {
	rec := newRecorder()
	if _, err := rec.ToPayloads(SyncInput{Tenant: "Philippa Quillfeather-7"}, EHRChanged{IDs: []string{"appt-1"}}); err != nil {
		t.Fatal(err)
	}
	got := rec.leaks([]string{"philippa quillfeather-7", "tok-1"}, []string{"401 for tok-1"})
	want := []string{`payload 0 holds "philippa quillfeather-7"`, `error "401 for tok-1" holds "tok-1"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("leaks (-want +got):\n%s", diff)
	}
}
