package syncer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

const testSource = "carelogic-test"

// testClient returns made-up client n.
func testClient(n int) carelogic.Participant {
	return carelogic.Participant{ClientID: fmt.Sprintf("cl-%03d", n), Name: fmt.Sprintf("Test Client %03d", n), Email: fmt.Sprintf("client%03d@example.org", n)}
}

// testSchedule returns n video 1:1s on the days after e2eNow, appointment i with client i.
func testSchedule(n int) []carelogic.Appointment {
	out := make([]carelogic.Appointment, n)
	for i := range out {
		out[i] = carelogic.Appointment{
			ID: fmt.Sprintf("r-%03d", i), Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: "staff-101", Start: e2eNow.AddDate(0, 0, 1).Add(time.Duration(i) * time.Hour),
			Duration: 50 * time.Minute, Activity: "Individual Therapy", Participants: []carelogic.Participant{testClient(i)},
		}
	}
	return out
}

// testGroup returns a group appointment with clients first to last.
func testGroup(id string, first, last int) carelogic.Appointment {
	a := carelogic.Appointment{
		ID: id, Source: testSource, Kind: carelogic.Group, Modality: carelogic.Video, ProviderID: "staff-103",
		Start: e2eNow.AddDate(0, 0, 2), Duration: 90 * time.Minute, Activity: "Skills Group",
	}
	for n := first; n <= last; n++ {
		a.Participants = append(a.Participants, testClient(n))
	}
	return a
}

// extensionHarness is newHarness with the participant extension on both sides: the fake serves it and the policy
// plans for it.
func extensionHarness(t testing.TB, appts []carelogic.Appointment) *harness {
	t.Helper()
	h := newHarness(t, appts, harnessConfig{server: []oncalltest.Option{oncalltest.WithUndocumentedParticipantAPI()}})
	h.policy.UndocumentedParticipantAPI = true
	return h
}

// requestCounts counts the request log by "METHOD route".
func requestCounts(srv *oncalltest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Requests() {
		out[r.Method+" "+r.Route]++
	}
	return out
}

// outcome is what the runner tests compare of each action's result.
type outcome struct {
	Kind    syncer.ActionKind
	Key     string
	Outcome syncer.Outcome
	Fields  []string
	Note    string
}

func outcomes(rep *syncer.Report) []outcome {
	var out []outcome
	for _, a := range rep.Actions {
		out = append(out, outcome{Kind: a.Kind, Key: a.Key, Outcome: a.Outcome, Fields: a.Fields, Note: a.Note})
	}
	return out
}

func TestRunnerCallCounts(t *testing.T) {
	t.Parallel()
	const n, pageSize = 1000, 100
	pages := func(n int) int { return max(1, (n+pageSize-1)/pageSize) }
	h := newHarness(t, append(testSchedule(n-2), testGroup("g-1", 500, 503), testGroup("g-2", 510, 513)))
	r := &syncer.Runner{Client: h.client, Concurrency: 4, PageSize: pageSize}
	list := "GET /appointments/"

	step := func(name string, want map[string]int, wantApplied map[syncer.ActionKind]int) {
		t.Helper()
		h.srv.ResetRequests()
		rep := h.sync(r)
		if diff := cmp.Diff(want, requestCounts(h.srv)); diff != "" {
			t.Errorf("%s: requests by route (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff(wantApplied, rep.Applied); diff != "" {
			t.Errorf("%s: applied (-want +got):\n%s", name, diff)
		}
		if f := rep.FailedActions(); len(f) > 0 {
			t.Errorf("%s: failures:\n%s", name, rep)
		}
		total := 0
		for _, c := range want {
			total += c
		}
		t.Logf("%s: %d calls", name, total)
	}

	// Initial sync: one listing page (nothing exists yet) and one create per appointment.
	step("initial sync", map[string]int{list: pages(0), "POST /appointments/": n}, map[syncer.ActionKind]int{syncer.ActionCreate: n})
	// Nothing changed: the listing pass alone.
	step("no-change sync", map[string]int{list: pages(n)}, map[syncer.ActionKind]int{})

	// k changes, each needing exactly one call.
	h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		for i := range appts {
			a := &appts[i]
			switch a.ID {
			case "r-003", "r-050":
				a.Start = a.Start.Add(30 * time.Minute)
			case "r-007":
				a.Activity = "Family Therapy"
			case "r-010", "r-060":
				a.Participants[0].Status = carelogic.StatusDNS
			case "r-020":
				a.Participants[0].Status = carelogic.StatusCBT
			case "r-030":
				a.Deleted = true
			case "r-117":
				a.Participants[0].Status = carelogic.StatusError
			case "g-1": // a swap, a CBC and a DNS at once
				a.Participants[0] = testClient(504)
				a.Participants[1].Status = carelogic.StatusCBC
				a.Participants[2].Status = carelogic.StatusDNS
			case "g-2":
				a.Participants[3].Status = carelogic.StatusError
			}
		}
		return appts
	})
	// On the documented API every change to an appointment is one request, whatever it changes: its fields, its
	// status, who is on it: pages(N) + k in all (issue 13). A change to who is on it builds the list from the
	// appointment as the listing pass read it moments before (Runner.MaxListingAge).
	step("sync of 10 changes", map[string]int{
		list:                        pages(n),
		"PATCH /appointments/{id}/": 10, // 2 times, 1 title, 2 DNS, 1 CBT, 1 deletion, 1 Error, 2 groups
	}, map[syncer.ActionKind]int{syncer.ActionUpdate: 7, syncer.ActionCancel: 3})
	// Cancelled appointments are still listed.
	step("no-change sync after the changes", map[string]int{list: pages(n)}, map[syncer.ActionKind]int{})

	// A listing older than MaxListingAge (here any: negative) is read again before a participants list is sent.
	r.MaxListingAge = -1
	h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		for i := range appts {
			if appts[i].ID == "g-2" {
				appts[i].Participants[1].Status = carelogic.StatusCBT
			}
		}
		return appts
	})
	step("a group change with MaxListingAge -1", map[string]int{
		list:                        pages(n),
		"GET /appointments/{id}/":   1,
		"PATCH /appointments/{id}/": 1,
	}, map[syncer.ActionKind]int{syncer.ActionUpdate: 1})
}

func TestRunnerDryRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	dry := &syncer.Runner{Client: h.client, DryRun: true}
	check := func(when string) *syncer.Report {
		t.Helper()
		ehrBefore, ocBefore := h.mem.All(), h.srv.Appointments()
		h.srv.ResetRequests()
		rep := h.sync(dry)
		for _, req := range h.srv.Requests() {
			if req.Method != http.MethodGet {
				t.Errorf("%s: dry run sent %s %s", when, req.Method, req.Path)
			}
		}
		if len(rep.Actions) == 0 {
			t.Fatalf("%s: dry run planned nothing", when)
		}
		counts := map[syncer.ActionKind]int{}
		for _, a := range rep.Actions {
			if a.Outcome != syncer.OutcomePlanned {
				t.Errorf("%s: %s: outcome %s, want %s", when, a.Action, a.Outcome, syncer.OutcomePlanned)
			}
			counts[a.Kind]++
		}
		if diff := cmp.Diff(counts, rep.Planned); diff != "" {
			t.Errorf("%s: Planned (-counted +reported):\n%s", when, diff)
		}
		if !rep.DryRun || len(rep.Applied) != 0 || len(rep.Failed) != 0 {
			t.Errorf("%s: DryRun %v, Applied %v, Failed %v; want a dry run with nothing applied or failed", when, rep.DryRun, rep.Applied, rep.Failed)
		}
		if diff := cmp.Diff(ehrBefore, h.mem.All()); diff != "" {
			t.Errorf("%s: dry run changed the EHR (-before +after):\n%s", when, diff)
		}
		if diff := cmp.Diff(ocBefore, h.srv.Appointments()); diff != "" {
			t.Errorf("%s: dry run changed OnCall (-before +after):\n%s", when, diff)
		}
		if !strings.HasPrefix(rep.String(), fmt.Sprintf("%d planned (dry run, nothing written): ", len(rep.Actions))) {
			t.Errorf("%s: text report does not start with the dry run's summary:\n%s", when, rep)
		}
		// A real run then applies what the dry run planned.
		real := h.sync(h.runner())
		if diff := cmp.Diff(rep.Planned, real.Applied); diff != "" {
			t.Errorf("%s: the real run applied other than the dry run planned (-planned +applied):\n%s", when, diff)
		}
		return rep
	}
	check("first sync")
	h.edit(carelogic.DemoEdits)
	check("after the edits")
}

// inflight is a transport that records the most requests it ever had in flight at once.
type inflight struct {
	next     http.RoundTripper
	mu       sync.Mutex
	cur, max int
}

func (t *inflight) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.cur++
	t.max = max(t.max, t.cur)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.cur--
		t.mu.Unlock()
	}()
	return t.next.RoundTrip(req)
}

func TestRunnerConcurrencyBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		concurrency, want int
	}{{1, 1}, {3, 3}, {0, 4}} { // 0 is the default, 4
		t.Run(fmt.Sprint(tt.concurrency), func(t *testing.T) {
			t.Parallel()
			tr := &inflight{next: http.DefaultTransport.(*http.Transport).Clone()}
			h := newHarness(t, testSchedule(24), harnessConfig{client: []oncall.Option{oncall.WithHTTPClient(&http.Client{Transport: tr})}})
			// Every request takes a while, so that the workers overlap.
			if err := h.srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultLatency}, Latency: 5 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			rep := h.sync(&syncer.Runner{Client: h.client, Concurrency: tt.concurrency})
			if rep.Applied[syncer.ActionCreate] != 24 {
				t.Fatalf("applied %v, want 24 creates:\n%s", rep.Applied, rep)
			}
			tr.mu.Lock()
			got := tr.max
			tr.mu.Unlock()
			if got > tt.want {
				t.Errorf("at most %d requests in flight, want at most %d", got, tt.want)
			}
			if tt.want > 1 && got < 2 {
				t.Errorf("at most %d request in flight with Concurrency %d: the runner does not work concurrently", got, tt.concurrency)
			}
		})
	}
}

// TestRunnerCancel cancels a sync part way through. It does not run in parallel, since it counts goroutines.
func TestRunnerCancel(t *testing.T) {
	const n = 40
	tr := http.DefaultTransport.(*http.Transport).Clone()
	h := newHarness(t, testSchedule(n), harnessConfig{client: []oncall.Option{oncall.WithHTTPClient(&http.Client{Transport: tr})}})
	goroutines := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &syncer.Runner{Client: h.client, Concurrency: 2, Progress: func(p syncer.Progress) {
		if p.Done == 5 {
			cancel()
		}
	}}
	rep, err := finished(r.Sync(ctx, h.mem, h.window, h.policy))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync returned %v, want context.Canceled", err)
	}
	if rep == nil {
		t.Fatal("no report from a cancelled run")
	}
	count := map[syncer.Outcome]int{}
	for _, a := range rep.Actions {
		count[a.Outcome]++
		if a.Outcome != syncer.OutcomeApplied && !strings.Contains(a.Error, "context canceled") {
			t.Errorf("%s: %s with error %q, want it to say the context was cancelled", a.Action, a.Outcome, a.Error)
		}
	}
	if len(rep.Actions) != n || count[syncer.OutcomeApplied] < 5 || count[syncer.OutcomeNotRun] == 0 ||
		count[syncer.OutcomeApplied]+count[syncer.OutcomeNotRun]+count[syncer.OutcomeFailed] != n {
		t.Errorf("outcomes %v of %d actions: want at least 5 applied, some not run, and nothing else", count, len(rep.Actions))
	}
	if got, want := sum(rep.Failed), count[syncer.OutcomeNotRun]+count[syncer.OutcomeFailed]; got != want {
		t.Errorf("Failed counts %d, want %d (not run and failed)", got, want)
	}
	if !strings.Contains(rep.String(), "NOT RUN: context canceled") {
		t.Errorf("text report does not say what was not run:\n%s", rep)
	}

	// No goroutine of the run is left behind.
	tr.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > goroutines {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the cancelled run, %d before:\n%s", got, goroutines, buf[:runtime.Stack(buf, true)])
	}

	// A new run completes the work, without a duplicate, and stores every URL.
	rep = h.sync(&syncer.Runner{Client: h.client, Concurrency: 2})
	if f := rep.FailedActions(); len(f) > 0 {
		t.Fatalf("re-run failed:\n%s", rep)
	}
	if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
		t.Errorf("after the re-run: want no action, got:\n%s", rep)
	}
	o := newOracle(h.policy)
	o.sync(h.ehr())
	h.checkState(o, "after the re-run")
	checkURLs(t, h, "after the re-run")
}

func sum(m map[syncer.ActionKind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// checkURLs checks that every EHR appointment with a live OnCall appointment has its URL.
func checkURLs(t *testing.T, h *harness, when string) {
	t.Helper()
	live := map[string]string{}
	for _, a := range h.srv.Appointments() {
		if superseded, _ := a.Metadata["emr_superseded"].(bool); !a.Cancelled && !superseded {
			live[emrKey(a.Metadata)] = a.URL
		}
	}
	want, got := map[string]string{}, map[string]string{}
	for _, a := range h.mem.All() {
		if u := live[a.Key()]; u != "" {
			want[a.ID] = u
			got[a.ID] = a.OnCallURL
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s: no EHR appointment has a live OnCall appointment", when)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: OnCall URLs on the EHR records (-want +got):\n%s", when, diff)
	}
}

func TestRunnerDefiniteFailure(t *testing.T) {
	t.Parallel()
	appts := testSchedule(3)
	appts[1].ProviderID = "staff-999"
	h := newHarness(t, appts)
	// staff-999 maps to a provider who is not a member of the division: OnCall refuses the create with a 400.
	h.policy.Providers["staff-999"] = h.srv.AddProvider("Provider Elsewhere", "elsewhere@clinic.example.org")

	rep := h.sync(h.runner())
	want := []outcome{
		{Kind: syncer.ActionCreate, Key: testSource + "/r-000", Outcome: syncer.OutcomeApplied},
		{Kind: syncer.ActionCreate, Key: testSource + "/r-001", Outcome: syncer.OutcomeFailed},
		{Kind: syncer.ActionCreate, Key: testSource + "/r-002", Outcome: syncer.OutcomeApplied},
	}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	failed := rep.FailedActions()
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "POST /appointments/: 400 Bad Request (fields: provider)") {
		t.Fatalf("failures %+v, want the create of r-001 refused with a 400 on provider", failed)
	}
	if diff := cmp.Diff(map[syncer.ActionKind]int{syncer.ActionCreate: 1}, rep.Failed); diff != "" {
		t.Errorf("Failed (-want +got):\n%s", diff)
	}
	if !strings.Contains(rep.String(), "! create "+testSource+"/r-001: new in the EHR FAILED: oncall: POST /appointments/: 400 Bad Request (fields: provider)") {
		t.Errorf("text report does not show the failure:\n%s", rep)
	}
	if len(h.srv.Appointments()) != 2 {
		t.Errorf("%d appointments in OnCall, want 2", len(h.srv.Appointments()))
	}
	// The failure recurs until someone fixes the mapping; the others are done.
	if rep = h.sync(h.runner()); len(rep.Actions) != 1 || rep.Failed[syncer.ActionCreate] != 1 {
		t.Errorf("second sync: want the one create failing again, got:\n%s", rep)
	}
}

// TestRunnerFailedParticipantSkipsRoster: when adding a client fails, the appointment's update does not record
// the client on the roster, so that the next sync adds it again.
// TestRunnerFailedParticipantSkipsRoster: with the participant extension, a participant add that fails definitely
// keeps the client off the roster the appointment's update records, so that the next sync adds them.
func TestRunnerFailedParticipantSkipsRoster(t *testing.T) {
	t.Parallel()
	key := testSource + "/g-1"
	for _, tt := range []struct {
		name  string
		edit  func(a *carelogic.Appointment)
		first []outcome
	}{{
		name: "update of other fields goes without the roster",
		edit: func(a *carelogic.Appointment) { a.Activity = "Skills Group (week 2)" },
		first: []outcome{
			{Kind: syncer.ActionAddParticipant, Key: key, Outcome: syncer.OutcomeFailed},
			{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"title"}},
		},
	}, {
		name: "update of the roster alone is not run",
		edit: func(*carelogic.Appointment) {},
		first: []outcome{
			{Kind: syncer.ActionAddParticipant, Key: key, Outcome: syncer.OutcomeFailed},
			{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeNotRun, Fields: []string{"metadata"}},
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := extensionHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)})
			o := newOracle(h.policy)
			o.sync(h.ehr())
			h.sync(h.runner())
			edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				appts[0].Participants = append(appts[0].Participants, testClient(4))
				tt.edit(&appts[0])
				return appts
			})
			// 429s beyond what the client retries: a definite failure.
			if err := h.srv.InjectNext(oncalltest.FaultRateLimit, fastRetry.MaxRetries+1, oncalltest.Match{Method: "POST", Route: "/participants/"}); err != nil {
				t.Fatal(err)
			}
			rep := h.sync(h.runner())
			if diff := cmp.Diff(tt.first, outcomes(rep)); diff != "" {
				t.Fatalf("first sync (-want +got):\n%s", diff)
			}
			failuresHaveReasons(t, rep, "first sync")
			if f := rep.FailedActions(); !strings.Contains(f[0].Error, "429") {
				t.Errorf("add-participant failed with %q, want the 429", f[0].Error)
			}
			appt := h.srv.Appointments()[0]
			roster, _ := appt.Metadata.String("emr_clients")
			if strings.Contains(roster, testClient(4).ClientID) || len(appt.Participants) != 3 {
				t.Errorf("after the failed add: roster %q and %d participants; want client 4 on neither", roster, len(appt.Participants))
			}

			rep = h.sync(h.runner())
			want := []outcome{
				{Kind: syncer.ActionAddParticipant, Key: key, Outcome: syncer.OutcomeApplied},
				{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"metadata"}},
			}
			if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
				t.Errorf("second sync (-want +got):\n%s", diff)
			}
			o.sync(edited)
			h.checkState(o, "after the second sync")
		})
	}
}

func TestRunnerProgress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	var (
		mu    sync.Mutex
		calls []syncer.Progress
	)
	r := h.runner()
	r.PageSize = 5
	r.Progress = func(p syncer.Progress) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, p)
	}
	for pass := range 2 {
		calls = nil
		listed := len(h.srv.Appointments())
		rep := h.sync(r)
		n := len(rep.Actions)
		if pass == 0 && n == 0 {
			t.Fatal("the first sync planned nothing")
		}
		// A call per page of the listing pass, then one per action, each with the count listed.
		var want []syncer.Progress
		for l := 5; l < listed; l += 5 {
			want = append(want, syncer.Progress{Listed: l})
		}
		want = append(want, syncer.Progress{Listed: listed})
		for i := 1; i <= n; i++ {
			want = append(want, syncer.Progress{Listed: listed, Done: i, Total: n})
		}
		mu.Lock()
		got := calls
		mu.Unlock()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pass %d: Progress calls (-want +got):\n%s", pass+1, diff)
		}
		h.edit(carelogic.DemoEdits)
	}
}

// urlCounter is an EHR that counts the URLs written to it.
type urlCounter struct {
	*carelogic.Memory
	writes atomic.Int32
}

func (u *urlCounter) SetOnCallURL(ctx context.Context, id, url string) error {
	u.writes.Add(1)
	return u.Memory.SetOnCallURL(ctx, id, url)
}

func TestRunnerStoresURLs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	ehr := &urlCounter{Memory: h.mem}
	sync := func(when string) (*syncer.Report, int) {
		t.Helper()
		ehr.writes.Store(0)
		rep, err := finished(h.runner().Sync(context.Background(), ehr, h.window, h.policy))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Warnings) > 0 {
			t.Errorf("%s: warnings %q", when, rep.Warnings)
		}
		checkURLs(t, h, when)
		return rep, int(ehr.writes.Load())
	}
	if rep, writes := sync("first sync"); writes != rep.Applied[syncer.ActionCreate] || writes == 0 {
		t.Errorf("first sync: %d URLs written for %d creates, want one each", writes, rep.Applied[syncer.ActionCreate])
	}
	if _, writes := sync("no-change sync"); writes != 0 {
		t.Errorf("no-change sync: %d URLs written, want none", writes)
	}
	// A record that lost its URL (or never got it) gets it back.
	if err := h.mem.SetOnCallURL(context.Background(), "appt-101", ""); err != nil {
		t.Fatal(err)
	}
	if _, writes := sync("sync after a URL was lost"); writes != 1 {
		t.Errorf("sync after a URL was lost: %d URLs written, want 1", writes)
	}
	// The recreated 1:1 gets its new appointment's URL, and the new intake its own.
	h.edit(carelogic.DemoEdits)
	if _, writes := sync("sync of the edits"); writes != 2 {
		t.Errorf("sync of the edits: %d URLs written, want 2", writes)
	}
}

func TestRunnerAmbiguousCreate(t *testing.T) {
	t.Parallel()
	const (
		confirmed = "confirmed by look-up after an ambiguous failure"
		again     = "created again after a look-up found nothing"
	)
	for _, tt := range []struct {
		fault oncalltest.FaultKind
		note  string
		// posts and lists are the creates and listing pages sent.
		posts, lists int
	}{
		{oncalltest.FaultCommitThenDrop, confirmed, 3, 2},
		{oncalltest.FaultCommitThenGatewayTimeout, confirmed, 3, 2},
		{oncalltest.FaultDrop, again, 4, 2},
		{oncalltest.FaultInternalError, again, 4, 2},
		{oncalltest.FaultBadGateway, again, 4, 2},
		{oncalltest.FaultGatewayTimeout, again, 4, 2},
		{oncalltest.FaultUnavailable, again, 4, 2},
		{oncalltest.FaultRateLimit, "", 4, 1}, // refused before anything is done: the client retries it at once
	} {
		t.Run(string(tt.fault), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testSchedule(3))
			if err := h.srv.InjectNext(tt.fault, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
				t.Fatal(err)
			}
			rep := h.sync(&syncer.Runner{Client: h.client, Concurrency: 1})
			want := []outcome{
				{Kind: syncer.ActionCreate, Key: testSource + "/r-000", Outcome: syncer.OutcomeApplied, Note: tt.note},
				{Kind: syncer.ActionCreate, Key: testSource + "/r-001", Outcome: syncer.OutcomeApplied},
				{Kind: syncer.ActionCreate, Key: testSource + "/r-002", Outcome: syncer.OutcomeApplied},
			}
			if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			wantCalls := map[string]int{"GET /appointments/": tt.lists, "POST /appointments/": tt.posts}
			if diff := cmp.Diff(wantCalls, requestCounts(h.srv)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			appts := h.srv.Appointments()
			if len(appts) != 3 {
				t.Errorf("%d appointments in OnCall, want 3", len(appts))
			}
			checkNoDuplicates(t, appts, "after the sync")
			// The report names the appointment that exists, and the EHR has its URL.
			for _, a := range appts {
				if emrKey(a.Metadata) == rep.Actions[0].Key && (a.ID != rep.Actions[0].Created || a.URL != rep.Actions[0].URL) {
					t.Errorf("report says created %d at %q; OnCall has %d at %q", rep.Actions[0].Created, rep.Actions[0].URL, a.ID, a.URL)
				}
			}
			checkURLs(t, h, "after the sync")
			if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
				t.Errorf("second sync: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestRunnerAmbiguousParticipantAdd: with the participant extension, an add that may have happened is looked up
// before it is sent again.
func TestRunnerAmbiguousParticipantAdd(t *testing.T) {
	t.Parallel()
	const (
		confirmed = "confirmed by look-up after an ambiguous failure"
		again     = "added again after a look-up found nothing"
	)
	key := testSource + "/g-1"
	for _, tt := range []struct {
		fault      oncalltest.FaultKind
		note       string
		posts, get int
	}{
		{oncalltest.FaultCommitThenDrop, confirmed, 1, 1},
		{oncalltest.FaultCommitThenGatewayTimeout, confirmed, 1, 1},
		{oncalltest.FaultDrop, again, 2, 1},
		{oncalltest.FaultInternalError, again, 2, 1},
	} {
		t.Run(string(tt.fault), func(t *testing.T) {
			t.Parallel()
			h := extensionHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)})
			o := newOracle(h.policy)
			o.sync(h.ehr())
			h.sync(h.runner())
			o.sync(h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				appts[0].Participants = append(appts[0].Participants, testClient(4))
				return appts
			}))
			if err := h.srv.InjectNext(tt.fault, 1, oncalltest.Match{Method: "POST", Route: "/participants/"}); err != nil {
				t.Fatal(err)
			}
			h.srv.ResetRequests()
			rep := h.sync(h.runner())
			want := []outcome{
				{Kind: syncer.ActionAddParticipant, Key: key, Outcome: syncer.OutcomeApplied, Note: tt.note},
				{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"metadata"}},
			}
			if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			wantCalls := map[string]int{
				"GET /appointments/": 1, "POST /participants/": tt.posts, "GET /appointments/{id}/": tt.get, "PATCH /appointments/{id}/": 1,
			}
			if diff := cmp.Diff(wantCalls, requestCounts(h.srv)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			h.checkState(o, "after the sync") // client 4 on it once
			if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
				t.Errorf("second sync: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestRunnerFullGroupSwap: a full group swaps a client the way the CareLogic integration tells staff to (mark the
// old one Error, add the new): the EHR then lists 26 clients, and OnCall, which holds at most 25, loses the old
// participant as it gets the new one: in one update of its participants list on the documented API, and with
// the extension a removal before the addition.
func TestRunnerFullGroupSwap(t *testing.T) {
	t.Parallel()
	key := testSource + "/g-25"
	for _, tt := range []struct {
		extension bool
		want      []outcome
		writes    []string
	}{{
		want:   []outcome{{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"participants", "metadata"}}},
		writes: []string{"PATCH /appointments/{id}/ 200"},
	}, {
		extension: true,
		want: []outcome{
			{Kind: syncer.ActionRemoveParticipant, Key: key, Outcome: syncer.OutcomeApplied},
			{Kind: syncer.ActionAddParticipant, Key: key, Outcome: syncer.OutcomeApplied},
			{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"metadata"}},
		},
		writes: []string{"DELETE /participants/{id}/ 204", "POST /participants/ 201", "PATCH /appointments/{id}/ 200"},
	}} {
		t.Run(fmt.Sprintf("extension=%v", tt.extension), func(t *testing.T) {
			t.Parallel()
			appts := []carelogic.Appointment{testGroup("g-25", 1, carelogic.MaxGroupParticipants)}
			h := newHarness(t, appts)
			if tt.extension {
				h = extensionHarness(t, appts)
			}
			o := newOracle(h.policy)
			o.sync(h.ehr())
			h.sync(h.runner())
			o.sync(h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				appts[0].Participants[4].Status = carelogic.StatusError
				appts[0].Participants = append(appts[0].Participants, testClient(carelogic.MaxGroupParticipants+1))
				return appts
			}))
			h.srv.ResetRequests()
			rep := h.sync(h.runner())
			if diff := cmp.Diff(tt.want, outcomes(rep)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			var order []string
			for _, r := range h.srv.Requests() {
				if r.Method != http.MethodGet {
					order = append(order, fmt.Sprintf("%s %s %d", r.Method, r.Route, r.Status))
				}
			}
			if diff := cmp.Diff(tt.writes, order); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			h.checkState(o, "after the swap")
			if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
				t.Errorf("second sync: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestRunnerAmbiguousListUpdate: on the documented API, an update of a participants list that invites someone and
// may have happened (its answer lost) is not repeated blindly: the runner reads the appointment again, and sends
// the list built from it, which no longer invites whoever the first request did.
func TestRunnerAmbiguousListUpdate(t *testing.T) {
	t.Parallel()
	const again = "sent again after reading the appointment"
	key := testSource + "/g-1"
	for _, fault := range []oncalltest.FaultKind{oncalltest.FaultCommitThenDrop, oncalltest.FaultCommitThenGatewayTimeout,
		oncalltest.FaultDrop, oncalltest.FaultInternalError} {
		t.Run(string(fault), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)})
			o := newOracle(h.policy)
			o.sync(h.ehr())
			h.sync(h.runner())
			o.sync(h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				appts[0].Participants = append(appts[0].Participants, testClient(4))
				return appts
			}))
			if err := h.srv.InjectNext(fault, 1, oncalltest.Match{Method: "PATCH", Route: "/appointments/{id}/"}); err != nil {
				t.Fatal(err)
			}
			h.srv.ResetRequests()
			rep := h.sync(h.runner())
			want := []outcome{{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeApplied, Fields: []string{"participants", "metadata"}, Note: again}}
			if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s\n%s", diff, rep)
			}
			// The first list comes from the listing pass; the second from reading the appointment again.
			wantCalls := map[string]int{"GET /appointments/": 1, "GET /appointments/{id}/": 1, "PATCH /appointments/{id}/": 2}
			if diff := cmp.Diff(wantCalls, requestCounts(h.srv)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			h.checkState(o, "after the sync") // client 4 on it once
			if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
				t.Errorf("second sync: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestRunnerFailedListUpdate: on the documented API, an update of the participants list that fails definitely
// changes nothing, the roster included (it travels in the same request), and the next sync makes it.
func TestRunnerFailedListUpdate(t *testing.T) {
	t.Parallel()
	key := testSource + "/g-1"
	h := newHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)})
	o := newOracle(h.policy)
	o.sync(h.ehr())
	h.sync(h.runner())
	before := h.srv.Appointments()
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Participants = append(appts[0].Participants, testClient(4))
		appts[0].Participants[1].Status = carelogic.StatusCBC
		return appts
	})
	// 429s beyond what the client retries: a definite failure.
	if err := h.srv.InjectNext(oncalltest.FaultRateLimit, fastRetry.MaxRetries+1, oncalltest.Match{Method: "PATCH", Route: "/appointments/{id}/"}); err != nil {
		t.Fatal(err)
	}
	rep := h.sync(h.runner())
	want := []outcome{{Kind: syncer.ActionUpdate, Key: key, Outcome: syncer.OutcomeFailed, Fields: []string{"participants", "metadata"}}}
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Fatalf("first sync (-want +got):\n%s", diff)
	}
	if f := rep.FailedActions(); !errors.Is(f[0].Err, oncall.ErrRateLimited) {
		t.Errorf("the update failed with %v, want ErrRateLimited", f[0].Err)
	}
	if diff := cmp.Diff(before, h.srv.Appointments()); diff != "" {
		t.Errorf("the failed update changed OnCall (-before +after):\n%s", diff)
	}
	rep = h.sync(h.runner())
	want[0].Outcome = syncer.OutcomeApplied
	if diff := cmp.Diff(want, outcomes(rep)); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	o.sync(edited)
	h.checkState(o, "after the second sync")
}

// lookupFails is an EHR that lists its appointments but cannot be asked for one by id.
type lookupFails struct{ *carelogic.Memory }

func (lookupFails) Appointment(context.Context, string) (carelogic.Appointment, error) {
	return carelogic.Appointment{}, errors.New("EHR unavailable")
}

// TestRunnerOrphans: an OnCall appointment whose EHR appointment was not read is cancelled only when the EHR says
// it is gone.
func TestRunnerOrphans(t *testing.T) {
	t.Parallel()
	key := testSource + "/r-001"
	for _, tt := range []struct {
		name    string
		edit    func(h *harness)
		adapter func(*carelogic.Memory) carelogic.Adapter
		want    []string // the second sync's actions
		skipped []syncer.Skip
	}{{
		name: "moved out of the window",
		edit: func(h *harness) {
			h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
				a[1].Start = h.window.To.AddDate(0, 0, 5)
				return a
			})
		},
		want: []string{"update " + key + " (oncall 1002) [datetime]: changed in the EHR"},
	}, {
		name: "deleted outright",
		edit: func(h *harness) {
			if err := h.mem.Delete("r-001"); err != nil {
				h.t.Fatal(err)
			}
		},
		want: []string{"cancel " + key + " (oncall 1002) [cancelled]: no longer in the EHR"},
	}, {
		name: "marked deleted and moved out of the window",
		edit: func(h *harness) {
			h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
				a[1].Start, a[1].Deleted = h.window.To.AddDate(0, 0, 5), true
				return a
			})
		},
		want: []string{"cancel " + key + " (oncall 1002) [cancelled]: deleted in the EHR"},
	}, {
		name: "the EHR cannot say",
		edit: func(h *harness) {
			h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
				a[1].Start = h.window.To.AddDate(0, 0, 5)
				return a
			})
		},
		adapter: func(m *carelogic.Memory) carelogic.Adapter { return lookupFails{m} },
		skipped: []syncer.Skip{{Attention: true, Key: key, Reason: "not cancelled: the EHR could not say whether it still has this appointment: the EHR adapter failed (its error text is not shown, as it may hold patient data)"}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testSchedule(3))
			r := &syncer.Runner{Client: h.client, Concurrency: 1}
			h.sync(r)
			tt.edit(h)
			var ehr carelogic.Adapter = h.mem
			if tt.adapter != nil {
				ehr = tt.adapter(h.mem)
			}
			rep, err := finished(r.Sync(context.Background(), ehr, h.window, h.policy))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range rep.Actions {
				got = append(got, a.Action.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, rep.Skipped, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			failuresHaveReasons(t, rep, "second sync")
			if rep, err = finished(r.Sync(context.Background(), ehr, h.window, h.policy)); err != nil || len(rep.Actions) != 0 {
				t.Errorf("third sync: %v, want no action:\n%s", err, rep)
			}
		})
	}
}

func TestRunnerLog(t *testing.T) {
	t.Parallel()
	appts := testSchedule(3)
	appts[2].ProviderID = "staff-999"
	h := newHarness(t, appts)
	h.policy.Providers["staff-999"] = h.srv.AddProvider("Provider Elsewhere", "elsewhere@clinic.example.org")
	if err := h.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	r := &syncer.Runner{Client: h.client, Concurrency: 1, Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	h.sync(r)

	type line struct {
		Level, Msg, Kind, Key, Note string
		Created                     int64
		HasError                    bool
	}
	var got []line
	for _, raw := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var l struct {
			line
			Error string
		}
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		l.HasError = l.Error != ""
		got = append(got, l.line)
	}
	want := []line{
		{Level: "INFO", Msg: "oncall sync action ambiguous: it will be looked up", Kind: "create", Key: testSource + "/r-000", HasError: true},
		{Level: "DEBUG", Msg: "oncall sync action applied", Kind: "create", Key: testSource + "/r-001", Created: 1002},
		{Level: "WARN", Msg: "oncall sync action failed", Kind: "create", Key: testSource + "/r-002", HasError: true},
		{Level: "DEBUG", Msg: "oncall sync action applied", Kind: "create", Key: testSource + "/r-000", Created: 1001,
			Note: "confirmed by look-up after an ambiguous failure"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestRunnerMisuse(t *testing.T) {
	t.Parallel()
	mem := carelogic.NewMemory(testSchedule(1)...)
	if _, err := (&syncer.Runner{}).Sync(context.Background(), mem, syncer.Window{}, syncer.Policy{}); err == nil || !strings.Contains(err.Error(), "Client is nil") {
		t.Errorf("Sync without a client: error %v, want one naming the nil Client", err)
	}
	if _, err := (&syncer.Runner{}).Apply(context.Background(), &syncer.Changeset{Actions: []syncer.Action{{Kind: syncer.ActionCancel, Key: "k", Appointment: 1}}}); err == nil {
		t.Error("Apply without a client: no error")
	}
	rep, err := (&syncer.Runner{DryRun: true}).Apply(context.Background(), nil)
	if err != nil || rep == nil || rep.Changed() {
		t.Errorf("dry-run Apply of a nil changeset: %v, %v; want an empty report", rep, err)
	}
}

// listIgnored ends the report of a participant change OnCall did not apply.
const listIgnored = "OnCall did not apply the participants list when the sync last sent it; make the change in OnCall by hand"

// rosters returns each OnCall appointment's roster (syncer.KeyEMRClients), by id.
func rosters(t *testing.T, h *harness) map[oncall.AppointmentID]string {
	t.Helper()
	out := map[oncall.AppointmentID]string{}
	for _, a := range h.srv.Appointments() {
		got, err := h.client.Appointments.Get(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[a.ID], _ = got.Metadata.String(syncer.KeyEMRClients)
	}
	return out
}

// TestRunnerIgnoredWrite: a field the server accepts but does not apply (as Django REST Framework drops a field it
// does not know) is reported once as an oncall.ErrWriteIgnored, and the next sync writes nothing: the sync records
// what it sent (a status in the roster, a field's value in emr_ignored) and does not send it again.
func TestRunnerIgnoredWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		extension bool
		ignore    string
		edit      func(a *carelogic.Appointment)
		appt      carelogic.Appointment
		kind      syncer.ActionKind
		fields    []string // the fields the error names
		skip      string   // what the next sync reports instead of writing
		// sameRoster: the roster is as before the edit once the write is recorded as ignored.
		sameRoster bool
	}{{
		name: "a 1:1's status", ignore: "status", appt: testSchedule(1)[0],
		edit: func(a *carelogic.Appointment) { a.Participants[0].Status = carelogic.StatusDNS },
		kind: syncer.ActionUpdate, fields: []string{"status"},
		skip: "EHR status DNS not sent again: the sync sent it before and OnCall did not apply it",
	}, {
		name: "a title", ignore: "title", appt: testSchedule(1)[0],
		edit: func(a *carelogic.Appointment) { a.Activity = "Family Therapy" },
		kind: syncer.ActionUpdate, fields: []string{"title"},
		skip: "title not sent again: OnCall did not apply it when the sync last sent this value; change it in OnCall by hand",
	}, {
		name: "a group client's withdrawal", ignore: "participant.cancelled", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants[1].Status = carelogic.StatusCBC },
		kind: syncer.ActionUpdate, fields: []string{"participants"}, sameRoster: true,
		skip: "participant change (withdraw: marked CBC in the EHR) not sent again: " + listIgnored,
	}, {
		// The whole list ignored: the roster written with it must not record the change, or the next sync would
		// take the client as added (and report nothing) or removed.
		name: "a client added to a group", ignore: "participants", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants = append(a.Participants, testClient(4)) },
		kind: syncer.ActionUpdate, fields: []string{"participants"}, sameRoster: true,
		skip: "participant change (add: added to the group in the EHR) not sent again: " + listIgnored,
	}, {
		name: "a group client marked Error", ignore: "participants", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants[1].Status = carelogic.StatusError },
		kind: syncer.ActionUpdate, fields: []string{"participants"}, sameRoster: true,
		skip: "participant change (remove: marked Error in the EHR) not sent again: " + listIgnored,
	}, {
		name: "a client taken off a group", ignore: "participants", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants = a.Participants[:2] },
		kind: syncer.ActionUpdate, fields: []string{"participants"}, sameRoster: true,
		skip: "participant change (remove: no longer on the appointment in the EHR) not sent again: " + listIgnored,
	}, {
		name: "a group client's email", ignore: "participants", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants[1].Email = "new.address@example.org" },
		kind: syncer.ActionUpdate, fields: []string{"participants"}, sameRoster: true,
		skip: "participant change (email: email changed in the EHR) not sent again: " + listIgnored,
	}, {
		name: "a participant status (extension)", extension: true, ignore: "participant.status", appt: testGroup("g-1", 1, 3),
		edit: func(a *carelogic.Appointment) { a.Participants[1].Status = carelogic.StatusDNS },
		kind: syncer.ActionSetStatus, fields: []string{"status"},
		skip: "EHR status DNS not sent again: the sync sent it before and OnCall did not apply it",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []carelogic.Appointment{tt.appt})
			if tt.extension {
				h = extensionHarness(t, []carelogic.Appointment{tt.appt})
			}
			h.sync(h.runner())
			rosterBefore := rosters(t, h)
			// From now on the server answers writes of the field without applying it.
			h.srv.SetIgnoredFields(tt.ignore)
			h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				tt.edit(&appts[0])
				return appts
			})

			rep := h.sync(h.runner())
			var ignored []syncer.ActionResult
			for _, a := range rep.Actions {
				if a.Outcome == syncer.OutcomeIgnored {
					ignored = append(ignored, a)
				}
			}
			if len(ignored) != 1 || ignored[0].Kind != tt.kind {
				t.Fatalf("first sync: want one %s not applied by OnCall, got:\n%s", tt.kind, rep)
			}
			var wi *oncall.WriteIgnoredError
			if !errors.As(ignored[0].Err, &wi) || !errors.Is(ignored[0].Err, oncall.ErrWriteIgnored) {
				t.Fatalf("first sync: the result's Err is %v, want an oncall.WriteIgnoredError", ignored[0].Err)
			}
			if diff := cmp.Diff(tt.fields, wi.Fields); diff != "" {
				t.Errorf("first sync: fields named (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[syncer.ActionKind]int{tt.kind: 1}, rep.Ignored); diff != "" {
				t.Errorf("first sync: Ignored (-want +got):\n%s", diff)
			}
			if !strings.Contains(rep.String(), "1 not fully applied by OnCall") || !strings.Contains(rep.String(), "NOT APPLIED BY ONCALL") {
				t.Errorf("first sync: the text report does not say what OnCall did not apply:\n%s", rep)
			}
			if f := rep.FailedActions(); len(f) != 1 {
				t.Errorf("first sync: FailedActions = %d, want the ignored one", len(f))
			}
			if diff := cmp.Diff(rosterBefore, rosters(t, h)); tt.sameRoster && diff != "" {
				t.Errorf("first sync: the roster records what OnCall did not apply (-before +after):\n%s", diff)
			}

			h.srv.ResetRequests()
			rep = h.sync(h.runner())
			if len(rep.Actions) != 0 {
				t.Errorf("second sync: want no action, got:\n%s", rep)
			}
			for _, r := range h.srv.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("second sync wrote: %s %s", r.Method, r.Path)
				}
			}
			var skips []string
			for _, s := range rep.Skipped {
				skips = append(skips, s.Reason)
			}
			if diff := cmp.Diff([]string{tt.skip}, skips); diff != "" {
				t.Errorf("second sync: skipped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunnerCompleteWhenKept: with Policy.CompleteWhenKept, an appointment whose clients the EHR marks Kept is
// completed in OnCall, in one update, and left alone from then on; without it, it is not.
func TestRunnerCompleteWhenKept(t *testing.T) {
	t.Parallel()
	for _, complete := range []bool{false, true} {
		t.Run(fmt.Sprintf("CompleteWhenKept=%v", complete), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []carelogic.Appointment{testSchedule(1)[0], testGroup("g-1", 1, 3)})
			h.policy.CompleteWhenKept = complete
			h.sync(h.runner())
			h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				for i := range appts {
					for j := range appts[i].Participants {
						appts[i].Participants[j].Status = carelogic.StatusKept
					}
				}
				appts[1].Participants[2].Status = carelogic.StatusCBC // left before; the others were there
				return appts
			})
			rep := h.sync(h.runner())
			if len(rep.FailedActions()) > 0 {
				t.Fatalf("sync failed:\n%s", rep)
			}
			var statuses []oncall.AppointmentStatus
			for _, a := range h.srv.Appointments() {
				statuses = append(statuses, a.Status)
			}
			want := []oncall.AppointmentStatus{oncall.StatusIncomplete, oncall.StatusIncomplete}
			if complete {
				want = []oncall.AppointmentStatus{oncall.StatusComplete, oncall.StatusComplete}
			}
			if diff := cmp.Diff(want, statuses); diff != "" {
				t.Errorf("OnCall statuses (-want +got):\n%s\n%s", diff, rep)
			}
			if rep = h.sync(h.runner()); len(rep.Actions) != 0 {
				t.Errorf("next sync: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestRunnerSafeDefaults: what a caller gets with no configuration beyond a division. Sync takes the present from
// the clock when Policy.Now is zero, so that an appointment already over is not created (the README's snippet);
// the zero Window is refused before anything is read or sent; AllTime syncs everything; and the zero Policy is
// DefaultPolicy.
func TestRunnerSafeDefaults(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Minute)
	yesterday, tomorrow := testSchedule(2)[0], testSchedule(2)[1]
	yesterday.Start, tomorrow.Start = now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)
	h := newHarness(t, []carelogic.Appointment{yesterday, tomorrow})
	policy := syncer.Policy{Division: h.policy.Division, Providers: h.policy.Providers} // no Now
	if diff := cmp.Diff(syncer.DefaultPolicy(h.policy.Division), syncer.Policy{Division: h.policy.Division}); diff != "" {
		t.Errorf("the zero Policy with a division is not DefaultPolicy (-default +zero):\n%s", diff)
	}

	_, err := h.runner().Sync(t.Context(), h.mem, syncer.Window{}, policy)
	if err == nil || !strings.Contains(err.Error(), "syncer.AllTime()") {
		t.Errorf("Sync with the zero Window = %v, want an error naming syncer.AllTime()", err)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("Sync with the zero Window sent %d requests", n)
	}

	rep, err := h.runner().Sync(t.Context(), h.mem, syncer.Window{From: now.AddDate(0, 0, -7), To: now.AddDate(0, 0, 7)}, policy)
	if err != nil {
		t.Fatalf("Sync: %v\n%s", err, rep)
	}
	var created []string
	for _, a := range h.srv.Appointments() {
		id, _ := a.Metadata.String(syncer.KeyEMRID)
		created = append(created, id)
	}
	if diff := cmp.Diff([]string{tomorrow.ID}, created); diff != "" {
		t.Errorf("created (-want +got):\n%s\n%s", diff, rep)
	}
	if want := (syncer.Skip{Key: yesterday.Key(), Reason: "ended before it reached OnCall; past appointments are not created"}); len(rep.Skipped) != 1 || rep.Skipped[0] != want {
		t.Errorf("skipped %v, want %v", rep.Skipped, want)
	}

	// AllTime reads the same two; the past one is still not created.
	rep, err = h.runner().Sync(t.Context(), h.mem, syncer.AllTime(), policy)
	if err != nil {
		t.Fatalf("Sync over AllTime: %v", err)
	}
	if rep.Changed() {
		t.Errorf("Sync over AllTime = %v, planned %d actions; want nothing left to do", err, len(rep.Actions))
	}
}

// TestRunnerIncompleteError: a run that finishes with actions failed, or with something that needs a person,
// returns an *syncer.IncompleteError with the counts, beside the full report; each result carries its real error.
func TestRunnerIncompleteError(t *testing.T) {
	t.Parallel()
	t.Run("every create fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testSchedule(4))
		// Enough 500s for every attempt: the first, and each after a look-up found nothing.
		if err := h.srv.InjectNext(oncalltest.FaultInternalError, 100, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
			t.Fatal(err)
		}
		rep, err := h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
		var ie *syncer.IncompleteError
		if !errors.As(err, &ie) || !errors.Is(err, syncer.ErrIncomplete) {
			t.Fatalf("Sync = %v, want an *IncompleteError", err)
		}
		if diff := cmp.Diff(syncer.IncompleteError{Failed: 4}, *ie); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
		if rep == nil || len(rep.Actions) != 4 {
			t.Fatalf("the report is missing or partial: %v", rep)
		}
		for _, a := range rep.Actions {
			if !errors.Is(a.Err, oncall.ErrServer) || a.Error == "" {
				t.Errorf("%s: Err = %v, Error = %q; want the 500, in both", a.Action, a.Err, a.Error)
			}
		}
		if strings.Contains(rep.String(), "OnCall is in sync") {
			t.Errorf("a run whose every write failed reads as in sync:\n%s", rep)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, testSchedule(1))
		if err := h.srv.InjectNext(oncalltest.FaultRateLimit, fastRetry.MaxRetries+1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
			t.Fatal(err)
		}
		rep, err := h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
		if !errors.Is(err, syncer.ErrIncomplete) || len(rep.Actions) != 1 || !errors.Is(rep.Actions[0].Err, oncall.ErrRateLimited) {
			t.Errorf("Sync = %v; result error %v, want ErrRateLimited", err, rep.Actions[0].Err)
		}
	})
	t.Run("an unmapped provider, nothing else", func(t *testing.T) {
		t.Parallel()
		appt := testSchedule(1)[0]
		appt.ProviderID = "staff-999"
		h := newHarness(t, nil)
		h.mem.Put(appt)
		rep, err := h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
		var ie *syncer.IncompleteError
		if !errors.As(err, &ie) || *ie != (syncer.IncompleteError{Attention: 1}) {
			t.Fatalf("Sync = %v, want an *IncompleteError with one skip needing attention", err)
		}
		if !rep.NeedsAttention() || strings.Contains(rep.String(), "OnCall is in sync") {
			t.Errorf("an unmapped provider reads as in sync:\n%s", rep)
		}
	})
}
