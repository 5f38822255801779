package tenantsync

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// clinic is one tenant of a test: an OnCall fake with its own token, an EHR in memory holding planted patient
// details, and the policy that maps one to the other.
type clinic struct {
	id     string
	srv    *oncalltest.Server
	ehr    *carelogic.Memory
	policy syncer.Policy
	// secrets are the strings that must never reach workflow history: the token and every planted patient detail.
	secrets []string
}

// fastRetries keeps the client's own retries quick; Temporal's retries, on the test clock, do the rest.
var fastRetries = oncall.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}

// newClinic starts clinic i: the demo schedule at now, with every client renamed to a planted patient of this
// clinic (a name, an email and a phone number in the comments that appear nowhere else), and an OnCall fake whose
// token is the clinic's own.
func newClinic(t testing.TB, i int, now time.Time) *clinic {
	t.Helper()
	c := &clinic{id: fmt.Sprintf("clinic-%03d", i)}
	token := fmt.Sprintf("tok-%03d-9f8e7d6c5b4a", i)
	c.secrets = append(c.secrets, token)
	c.srv = oncalltest.NewServer(oncalltest.WithToken(token))
	t.Cleanup(c.srv.Close)
	appts := carelogic.DemoSchedule(now)
	names := map[string]int{}
	for a := range appts {
		for p := range appts[a].Participants {
			part := &appts[a].Participants[p]
			n, ok := names[part.ClientID]
			if !ok {
				n = len(names)
				names[part.ClientID] = n
			}
			name, email := plantedPatient(i, n)
			part.Name, part.Email = name, email
		}
		if appts[a].Comments != "" {
			phone := fmt.Sprintf("+1-416-555-%04d", 1000+i)
			appts[a].Comments = "Patient asked to be called back at " + phone
			c.secrets = append(c.secrets, phone)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		name, email := plantedPatient(i, names[n])
		c.secrets = append(c.secrets, name, email)
	}
	c.ehr = carelogic.NewMemory(appts...)
	c.policy = syncer.DefaultPolicy(c.srv.AddDivision("Clinic " + c.id))
	c.policy.Providers = map[string]oncall.ProviderID{}
	for _, a := range carelogic.DemoEdits(appts) {
		if _, ok := c.policy.Providers[a.ProviderID]; !ok && a.ProviderID != "" {
			c.policy.Providers[a.ProviderID] = c.srv.AddProvider("Provider "+a.ProviderID, a.ProviderID+"@clinic.example.org", c.policy.Division)
		}
	}
	return c
}

// plantedPatient returns the made-up name and email of clinic i's n-th patient: unlike any word the sync writes, so
// that finding one in a payload can only mean patient data leaked.
func plantedPatient(i, n int) (name, email string) {
	first := []string{"Philippa", "Octavius", "Marguerite", "Leopoldine", "Bartholomew", "Ignatia", "Cornelius"}
	last := []string{"Quillfeather", "Ashgrove", "Wintermere", "Blackthorne", "Featherstonehaugh"}
	f, l := first[n%len(first)], last[(n/len(first))%len(last)]
	name = fmt.Sprintf("%s %s-%d", f, l, i*100+n)
	email = fmt.Sprintf("%s.%s.%d@patientmail.example", strings.ToLower(f), strings.ToLower(l), i*100+n)
	return name, email
}

// config is the clinic's TenantConfig; token replaces the clinic's own when not empty (a revoked one).
func (c *clinic) config(token string) TenantConfig {
	if token == "" {
		token = c.srv.Token()
	}
	return TenantConfig{
		ID: c.id, Region: oncall.RegionCA, Token: token, Division: c.policy.Division, Providers: c.policy.Providers,
		EHR: c.ehr, RateLimit: 1000, Burst: 50,
		ClientOptions: []oncall.Option{oncall.WithBaseURL(c.srv.URL()), oncall.WithRetryPolicy(fastRetries)},
	}
}

// check reports how far the clinic's OnCall is from its EHR: the actions a plan still finds, and the count of
// appointments per EHR key that the sync owns (superseded ones, cancelled and replaced by a recreate, left out).
func (c *clinic) check(t testing.TB) (actions []string, perKey map[string]int) {
	t.Helper()
	now := time.Now()
	w := syncer.DefaultLoopWindow(now)
	var ehr []carelogic.Appointment
	for a, err := range c.ehr.Appointments(context.Background(), w.From, w.To) {
		if err != nil {
			t.Fatal(err)
		}
		ehr = append(ehr, a)
	}
	existing := c.srv.Appointments()
	p := c.policy
	p.Now = now
	for _, a := range syncer.Plan(ehr, existing, w, p).Actions {
		actions = append(actions, a.String())
	}
	perKey = map[string]int{}
	for _, m := range existing {
		if sup, _ := m.Metadata[syncer.KeyEMRSuperseded].(bool); sup {
			continue
		}
		if k := metadataKey(m.Metadata); k != "" {
			perKey[k]++
		}
	}
	return actions, perKey
}

// controlKeys returns the appointments per EHR key that a plain syncer.Runner.Sync, without Temporal and without
// faults, leaves in OnCall for the demo schedule at now: what every clinic must end with.
func controlKeys(t testing.TB, now time.Time) map[string]int {
	t.Helper()
	c := newClinic(t, 999, now)
	client, err := c.srv.Client(oncall.WithRateLimit(oncall.NoRateLimit, 1))
	if err != nil {
		t.Fatal(err)
	}
	p := c.policy
	if _, err := (&syncer.Runner{Client: client}).Sync(context.Background(), c.ehr, syncer.DefaultLoopWindow(time.Now()), p); err != nil && !incomplete(err) {
		t.Fatal(err)
	}
	actions, keys := c.check(t)
	if len(actions) != 0 {
		t.Fatalf("the control sync left actions: %q", actions)
	}
	return keys
}

// recorder is a DataConverter that records every payload it encodes: workflow and activity inputs and results,
// signals, query answers, child workflow inputs. Those are what a Temporal server stores in history.
type recorder struct {
	converter.DataConverter
	mu       sync.Mutex
	payloads [][]byte
}

func newRecorder() *recorder { return &recorder{DataConverter: converter.GetDefaultDataConverter()} }

func (r *recorder) ToPayload(v any) (*commonpb.Payload, error) {
	p, err := r.DataConverter.ToPayload(v)
	if err == nil && p != nil {
		r.mu.Lock()
		r.payloads = append(r.payloads, bytes.Clone(p.GetData()))
		r.mu.Unlock()
	}
	return p, err
}

func (r *recorder) ToPayloads(vs ...any) (*commonpb.Payloads, error) {
	ps, err := r.DataConverter.ToPayloads(vs...)
	if err == nil {
		r.mu.Lock()
		for _, p := range ps.GetPayloads() {
			r.payloads = append(r.payloads, bytes.Clone(p.GetData()))
		}
		r.mu.Unlock()
	}
	return ps, err
}

// leaks returns, for each secret found in a recorded payload or an error text, the secret and where.
func (r *recorder) leaks(secrets []string, errs []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []string
	for _, s := range secrets {
		for i, p := range r.payloads {
			if bytes.Contains(bytes.ToLower(p), []byte(strings.ToLower(s))) {
				found = append(found, fmt.Sprintf("payload %d holds %q", i, s))
			}
		}
		for _, e := range errs {
			if strings.Contains(strings.ToLower(e), strings.ToLower(s)) {
				found = append(found, fmt.Sprintf("error %q holds %q", e, s))
			}
		}
	}
	return found
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.payloads)
}

// FleetOutcome is what fleetWorkflow reports for one tenant.
type FleetOutcome struct {
	Result *Result `json:"result,omitempty"`
	// ErrorType is the type of the application error that ended the tenant's workflow, if one did.
	ErrorType string `json:"error_type,omitempty"`
	Error     string `json:"error,omitempty"`
}

// fleetWorkflow runs one SyncWorkflow per input as child workflows, as a starter would start one per tenant, and
// waits for them all: the test environment runs one workflow at a time, and its children share its worker.
func fleetWorkflow(ctx workflow.Context, ins []SyncInput) (map[string]FleetOutcome, error) {
	futures := make([]workflow.ChildWorkflowFuture, len(ins))
	for i, in := range ins {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: WorkflowID(in.Tenant)})
		futures[i] = workflow.ExecuteChildWorkflow(cctx, WorkflowName, in)
	}
	out := map[string]FleetOutcome{}
	for i, f := range futures {
		var res Result
		var o FleetOutcome
		if err := f.Get(ctx, &res); err != nil {
			o.Error = err.Error()
			o.ErrorType = errorType(err)
		} else {
			o.Result = &res
		}
		out[ins[i].Tenant] = o
	}
	return out, nil
}
