package oncalltest_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// faultOutcome is how a client call fared.
type faultOutcome int

const (
	survived faultOutcome = iota
	apiError              // an *oncall.APIError
	lost                  // an *oncall.RequestError with Sent true
)

func outcomeOf(t *testing.T, err error) (faultOutcome, int) {
	t.Helper()
	var ae *oncall.APIError
	var re *oncall.RequestError
	switch {
	case err == nil:
		return survived, 0
	case errors.As(err, &ae):
		return apiError, ae.StatusCode
	case errors.As(err, &re):
		if !re.Sent {
			t.Errorf("RequestError %v has Sent false; the server received the request", err)
		}
		return lost, 0
	}
	t.Fatalf("unexpected error %v (%T)", err, err)
	return 0, 0
}

func TestFaultsOnGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind       oncalltest.FaultKind
		want       faultOutcome
		wantStatus int
	}{
		{oncalltest.FaultRateLimit, survived, 0},
		{oncalltest.FaultInternalError, apiError, 500}, // the client retries 502, 503 and 504 only
		{oncalltest.FaultBadGateway, survived, 0},
		{oncalltest.FaultUnavailable, survived, 0},
		{oncalltest.FaultGatewayTimeout, survived, 0},
		{oncalltest.FaultLatency, survived, 0},
		{oncalltest.FaultDrop, survived, 0},
		{oncalltest.FaultCommitThenDrop, survived, 0},
		{oncalltest.FaultCommitThenGatewayTimeout, survived, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			id := w.seed(t, oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
			want, _ := w.srv.Appointment(id)
			if err := w.srv.InjectNext(tt.kind, 1, oncalltest.Match{Method: "GET", Route: "/appointments/{id}/"}); err != nil {
				t.Fatal(err)
			}
			got, err := w.client(t).Appointments.Get(t.Context(), id)
			outcome, status := outcomeOf(t, err)
			if outcome != tt.want || status != tt.wantStatus {
				t.Fatalf("outcome %d (status %d, error %v), want %d (status %d)", outcome, status, err, tt.want, tt.wantStatus)
			}
			if outcome == survived {
				if diff := cmp.Diff(&want, got); diff != "" {
					t.Errorf("appointment (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(map[oncalltest.FaultKind]int{tt.kind: 1}, w.srv.FaultCounts()); diff != "" {
				t.Errorf("FaultCounts (-want +got):\n%s", diff)
			}
			reqs := w.srv.Requests()
			if len(reqs) == 0 || reqs[0].Fault != tt.kind {
				t.Errorf("first logged request has fault %q, want %q", reqs[0].Fault, tt.kind)
			}
		})
	}
}

func TestFaultsOnCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind        oncalltest.FaultKind
		want        faultOutcome
		wantStatus  int
		wantPosts   int
		wantStored  int
		wantStatus0 bool // the faulted request got no answer
	}{
		{oncalltest.FaultRateLimit, survived, 0, 2, 1, false}, // a 429 surely did nothing: retried
		{oncalltest.FaultInternalError, apiError, 500, 1, 0, false},
		{oncalltest.FaultBadGateway, apiError, 502, 1, 0, false},
		{oncalltest.FaultUnavailable, apiError, 503, 1, 0, false},
		{oncalltest.FaultGatewayTimeout, apiError, 504, 1, 0, false},
		{oncalltest.FaultLatency, survived, 0, 1, 1, false},
		{oncalltest.FaultDrop, lost, 0, 1, 0, true},
		{oncalltest.FaultCommitThenDrop, lost, 0, 1, 1, true},
		{oncalltest.FaultCommitThenGatewayTimeout, apiError, 504, 1, 1, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if err := w.srv.InjectNext(tt.kind, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
				t.Fatal(err)
			}
			_, err := w.client(t).Appointments.Create(t.Context(), w.params("E1"))
			outcome, status := outcomeOf(t, err)
			if outcome != tt.want || status != tt.wantStatus {
				t.Fatalf("outcome %d (status %d, error %v), want %d (status %d)", outcome, status, err, tt.want, tt.wantStatus)
			}
			if n := w.srv.RequestCount("POST", "/appointments/"); n != tt.wantPosts {
				t.Errorf("%d POSTs reached the server, want %d", n, tt.wantPosts)
			}
			var emrIDs []string
			for _, a := range w.srv.Appointments() {
				id, _ := a.Metadata.String("emr_id")
				emrIDs = append(emrIDs, id)
			}
			if len(emrIDs) != tt.wantStored || (tt.wantStored == 1 && emrIDs[0] != "E1") {
				t.Errorf("stored appointments with emr_ids %q, want %d", emrIDs, tt.wantStored)
			}
			first := w.srv.Requests()[0]
			if first.Fault != tt.kind || (first.Status == 0) != tt.wantStatus0 || first.Committed != (tt.wantStored == 1 && tt.kind != oncalltest.FaultRateLimit) {
				t.Errorf("logged %+v; want fault %q, no answer %v", first, tt.kind, tt.wantStatus0)
			}
		})
	}
}

func TestCommitThenDropOnPatchIsRetried(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.seed(t, oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	if err := w.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "PATCH"}); err != nil {
		t.Fatal(err)
	}
	got, err := w.client(t).Appointments.Cancel(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cancelled {
		t.Error("appointment not cancelled")
	}
	var view []string
	for _, r := range w.srv.Requests() {
		view = append(view, fmt.Sprintf("%s %d %q committed=%v", r.Method, r.Status, r.Fault, r.Committed))
	}
	want := []string{`PATCH 0 "commit_then_drop" committed=true`, `PATCH 200 "" committed=true`}
	if diff := cmp.Diff(want, view); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestScriptedFaults(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.srv.InjectNext(oncalltest.FaultBadGateway, 2, oncalltest.Match{Route: "/divisions/"}); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.InjectNext(oncalltest.FaultUnavailable, 1, oncalltest.Match{}); err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, path := range []string{"/providers/", "/divisions/", "/providers/", "/divisions/", "/divisions/"} {
		got = append(got, do(t, w.srv, "GET", path, "").status)
	}
	if diff := cmp.Diff([]int{503, 502, 200, 502, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if err := w.srv.InjectNext(oncalltest.FaultBadGateway, 5, oncalltest.Match{}); err != nil {
		t.Fatal(err)
	}
	w.srv.ClearFaults()
	if r := do(t, w.srv, "GET", "/providers/", ""); r.status != 200 {
		t.Errorf("after ClearFaults: status %d", r.status)
	}
	want := map[oncalltest.FaultKind]int{oncalltest.FaultBadGateway: 2, oncalltest.FaultUnavailable: 1}
	if diff := cmp.Diff(want, w.srv.FaultCounts()); diff != "" {
		t.Errorf("FaultCounts (-want +got):\n%s", diff)
	}
}

func TestFaultResponses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.srv.SetFaults(oncalltest.Faults{RetryAfter: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind       oncalltest.FaultKind
		status     int
		retryAfter string
		typ        string
	}{
		{oncalltest.FaultRateLimit, 429, "2", "application/json"},
		{oncalltest.FaultUnavailable, 503, "2", "text/html"},
		{oncalltest.FaultInternalError, 500, "", "text/html; charset=utf-8"},
		{oncalltest.FaultGatewayTimeout, 504, "", "text/html"},
	}
	for _, tt := range tests {
		if err := w.srv.InjectNext(tt.kind, 1, oncalltest.Match{}); err != nil {
			t.Fatal(err)
		}
		r := do(t, w.srv, "GET", "/divisions/", "")
		got := []string{fmt.Sprint(r.status), r.header.Get("Retry-After"), r.header.Get("Content-Type")}
		if diff := cmp.Diff([]string{fmt.Sprint(tt.status), tt.retryAfter, tt.typ}, got); diff != "" {
			t.Errorf("%s: status, Retry-After, Content-Type (-want +got):\n%s", tt.kind, diff)
		}
	}
}

// faultSequence sends n GETs one at a time and returns the fault each got.
func faultSequence(t *testing.T, f oncalltest.Faults, n int) []oncalltest.FaultKind {
	t.Helper()
	srv := oncalltest.NewServer()
	defer srv.Close()
	if err := srv.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	hc := srv.HTTPClient()
	for range n {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/divisions/", nil)
		req.Header.Set("Authorization", "Token "+srv.Token())
		req.Close = true // a fresh connection each time, so that a dropped one is not retried by net/http
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	var out []oncalltest.FaultKind
	counted := map[oncalltest.FaultKind]int{}
	for _, r := range srv.Requests() {
		out = append(out, r.Fault)
		if r.Fault != "" {
			counted[r.Fault]++
		}
	}
	if diff := cmp.Diff(counted, srv.FaultCounts()); diff != "" {
		t.Errorf("FaultCounts disagree with the request log (-log +counts):\n%s", diff)
	}
	return out
}

func TestRandomFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	f := oncalltest.Faults{Seed: 42, Rate: 0.3, Kinds: []oncalltest.FaultKind{
		oncalltest.FaultBadGateway, oncalltest.FaultRateLimit, oncalltest.FaultDrop, oncalltest.FaultLatency}, Latency: time.Millisecond}
	first := faultSequence(t, f, 60)
	again := faultSequence(t, f, 60)
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same seed, different faults (-first +again):\n%s", diff)
	}
	f.Seed = 43
	other := faultSequence(t, f, 60)
	if cmp.Equal(first, other) {
		t.Error("seeds 42 and 43 gave the same 60 faults")
	}
	injected := 0
	for _, k := range first {
		if k != "" {
			injected++
		}
	}
	if injected == 0 || injected == len(first) {
		t.Errorf("%d of %d requests faulted at rate 0.3", injected, len(first))
	}
}

func TestRandomFaultFilters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	err := w.srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultBadGateway},
		Methods: []string{"post"}, Routes: []string{"/participants/"}})
	if err != nil {
		t.Fatal(err)
	}
	id := w.seed(t, oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	body := fmt.Sprintf(`{"appointment":"%s/appointments/%d/","name":"Kim Poe","email":"kim@example.com"}`, w.srv.URL(), id)
	got := []int{
		do(t, w.srv, "GET", "/participants/", "").status,
		do(t, w.srv, "POST", "/appointments/", "{}").status,
		do(t, w.srv, "POST", "/participants/", body).status,
	}
	if diff := cmp.Diff([]int{200, 400, 502}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestFaultCountsMatchFailures shows how a test compares the failures its code saw with the faults injected.
func TestFaultCountsMatchFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	err := w.srv.SetFaults(oncalltest.Faults{Seed: 7, Rate: 0.25,
		Kinds: []oncalltest.FaultKind{oncalltest.FaultBadGateway, oncalltest.FaultCommitThenGatewayTimeout}, Methods: []string{"POST"}})
	if err != nil {
		t.Fatal(err)
	}
	client := w.client(t)
	failed := 0
	for i := range 40 {
		if _, err := client.Appointments.Create(t.Context(), w.params(fmt.Sprint("E", i))); err != nil {
			failed++
		}
	}
	counts := w.srv.FaultCounts()
	if got := counts[oncalltest.FaultBadGateway] + counts[oncalltest.FaultCommitThenGatewayTimeout]; got != failed || failed == 0 {
		t.Errorf("%d creates failed, %d faults injected", failed, got)
	}
	if got, want := len(w.srv.Appointments()), 40-counts[oncalltest.FaultBadGateway]; got != want {
		t.Errorf("%d appointments stored, want %d (every create but those refused with 502)", got, want)
	}
}

func TestFaultConfigErrors(t *testing.T) {
	t.Parallel()
	srv := oncalltest.NewServer()
	defer srv.Close()
	bad := []oncalltest.Faults{
		{Rate: 1.5, Kinds: []oncalltest.FaultKind{oncalltest.FaultDrop}},
		{Rate: -0.1},
		{Rate: 0.5},
		{Rate: 0.5, Kinds: []oncalltest.FaultKind{"explode"}},
		{Routes: []string{"/appointments"}},
		{Latency: -time.Second},
	}
	for _, f := range bad {
		if err := srv.SetFaults(f); err == nil {
			t.Errorf("SetFaults(%+v) succeeded", f)
		}
	}
	if err := srv.InjectNext("explode", 1, oncalltest.Match{}); err == nil {
		t.Error("InjectNext of an unknown kind succeeded")
	}
	if err := srv.InjectNext(oncalltest.FaultDrop, 0, oncalltest.Match{}); err == nil {
		t.Error("InjectNext of 0 faults succeeded")
	}
	if err := srv.InjectNext(oncalltest.FaultDrop, 1, oncalltest.Match{Route: "/appointments/{id}"}); err == nil {
		t.Error("InjectNext on an unknown route succeeded")
	}
	if n := len(oncalltest.FaultKinds()); n != 9 {
		t.Errorf("FaultKinds has %d kinds, want 9", n)
	}
}

func TestCloseCutsLatencyShort(t *testing.T) {
	t.Parallel()
	srv := oncalltest.NewServer()
	if err := srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultLatency}, Latency: time.Hour}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL()+"/divisions/", nil)
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for srv.FaultCounts()[oncalltest.FaultLatency] == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return while a request was delayed")
	}
	if err := <-errc; err == nil {
		t.Error("the delayed request succeeded, want a dropped connection")
	}
}
