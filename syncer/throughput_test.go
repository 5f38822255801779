package syncer_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// The runner's throughput is set by the client's rate limit, not by Concurrency: with enough appointments worked
// on at once, it should send requests at the limit, and never faster, or the API answers 429.
//
// The client's limit is 500 requests a second with a burst of 10 (oncall.DefaultBurst, 20 ms of traffic): on a
// busy machine a worker can wake late, and a small burst lets the next ones make up for it, so that the rate
// achieved stays at the limit; a burst of 1 would lose that time for good. The server's limit is 10% faster
// (550/s) with a burst of 50: a client that kept to its limit stays inside it even if scheduling bunches up to
// 40 of its requests (80 ms of jitter), while one exceeding its limit by more than 10% is refused within about a
// second (and one with no limit at once, see TestRunnerThroughputNo429).
const (
	throughputLimit       = 500
	throughputBurst       = 10
	throughputServerRate  = 550
	throughputServerBurst = 50
	throughputConcurrency = 16
)

// throughputResult is what one run measured.
type throughputResult struct {
	requests int
	elapsed  time.Duration
	// throttled counts the 429s the server's rate limit answered.
	throttled int
	applied   int
}

// throughputSetup starts a fake with the server-side limit and returns the changeset of n 1:1 creates and a
// runner whose client keeps to limit requests a second.
func throughputSetup(tb testing.TB, n int, limit float64, burst int, policy oncall.RetryPolicy, serverRate float64, serverBurst int) (*oncalltest.Server, *syncer.Runner, *syncer.Changeset) {
	tb.Helper()
	srv := oncalltest.NewServer(oncalltest.WithRateLimit(serverRate, serverBurst))
	div := srv.AddDivision("Throughput clinic")
	p := syncer.DefaultPolicy(div)
	p.Now = chaosNow
	p.Providers = map[string]oncall.ProviderID{"staff-1": srv.AddProvider("Provider staff-1", "staff-1@clinic.example.org", div)}
	client, err := srv.Client(oncall.WithRateLimit(limit, burst), oncall.WithRetryPolicy(policy))
	if err != nil {
		srv.Close()
		tb.Fatal(err)
	}
	appts := make([]carelogic.Appointment, n)
	for i := range appts {
		appts[i] = carelogic.Appointment{
			ID: fmt.Sprintf("T%06d", i), Source: "throughput", Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: "staff-1", Start: chaosNow.Add(time.Duration(i+1) * time.Hour), Duration: 50 * time.Minute,
			Activity: "Individual Therapy",
			Participants: []carelogic.Participant{{ClientID: fmt.Sprintf("C%06d", i), Name: "Throughput Client",
				Email: fmt.Sprintf("throughput%06d@example.com", i)}},
		}
	}
	cs := syncer.Plan(appts, nil, chaosWindow, p)
	if got := cs.Counts()[syncer.ActionCreate]; got != n {
		srv.Close()
		tb.Fatalf("planned %d creates, want %d", got, n)
	}
	return srv, &syncer.Runner{Client: client, Concurrency: throughputConcurrency}, cs
}

// throughputApply applies cs and measures the rate of requests the server received.
func throughputApply(tb testing.TB, srv *oncalltest.Server, r *syncer.Runner, cs *syncer.Changeset) throughputResult {
	tb.Helper()
	start := time.Now()
	rep, err := finished(r.Apply(context.Background(), cs))
	elapsed := time.Since(start)
	if err != nil {
		tb.Fatal(err)
	}
	res := throughputResult{elapsed: elapsed, applied: rep.Applied[syncer.ActionCreate]}
	for _, q := range srv.Requests() {
		res.requests++
		if q.Status == http.StatusTooManyRequests && q.Fault == "" {
			res.throttled++
		}
	}
	return res
}

// BenchmarkRunnerThroughput applies 5000 creates, on a fresh fake each iteration, through a client limited to 500
// requests a second, and reports the rate achieved (req/s), its fraction of the limit (limit-fraction) and the
// 429s the server's own limit answered (429s). An iteration takes about 10 s: run it with
//
//	go test -run '^$' -bench BenchmarkRunnerThroughput -benchtime=1x -count=5 ./syncer/
func BenchmarkRunnerThroughput(b *testing.B) {
	const n = 5000
	var total throughputResult
	for b.Loop() {
		b.StopTimer()
		srv, r, cs := throughputSetup(b, n, throughputLimit, throughputBurst, oncall.DefaultRetryPolicy(), throughputServerRate, throughputServerBurst)
		b.StartTimer()
		res := throughputApply(b, srv, r, cs)
		b.StopTimer()
		srv.Close()
		if res.applied != n {
			b.Fatalf("applied %d creates of %d", res.applied, n)
		}
		total.requests += res.requests
		total.elapsed += res.elapsed
		total.throttled += res.throttled
		b.StartTimer()
	}
	reqPerSec := float64(total.requests) / total.elapsed.Seconds()
	b.ReportMetric(reqPerSec, "req/s")
	b.ReportMetric(reqPerSec/throughputLimit, "limit-fraction")
	b.ReportMetric(float64(total.throttled)/float64(b.N), "429s")
}

// TestRunnerThroughputNo429 checks the claim the benchmark measures, on a smaller run: a runner whose client
// keeps to 500 requests a second gets no 429 from a server limited a little above that, however many
// appointments it works on at once. A control run shows the server's limit is live: a client allowed ten times
// its rate is refused.
func TestRunnerThroughputNo429(t *testing.T) {
	t.Parallel()
	fast := oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

	t.Run("within the limit", func(t *testing.T) {
		t.Parallel()
		const n = 500
		srv, r, cs := throughputSetup(t, n, throughputLimit, throughputBurst, fast, throughputServerRate, throughputServerBurst)
		t.Cleanup(srv.Close)
		res := throughputApply(t, srv, r, cs)
		t.Logf("%d requests in %v: %.0f req/s", res.requests, res.elapsed, float64(res.requests)/res.elapsed.Seconds())
		if res.throttled != 0 {
			t.Errorf("the server answered %d 429s to a client keeping to its limit", res.throttled)
		}
		if res.applied != n || res.requests != n {
			t.Errorf("applied %d creates with %d requests, want %d with %d", res.applied, res.requests, n, n)
		}
	})

	t.Run("control: beyond the limit", func(t *testing.T) {
		t.Parallel()
		const n = 60
		// The server allows a tenth of the client's rate: the client's burst alone exceeds it.
		srv, r, cs := throughputSetup(t, n, 10*throughputLimit, 10*throughputBurst, oncall.RetryPolicy{}, throughputLimit/10, throughputBurst)
		t.Cleanup(srv.Close)
		res := throughputApply(t, srv, r, cs)
		if res.throttled == 0 {
			t.Errorf("a client sending %d requests at %d/s got no 429 from a server limited to %d/s: the limit is not enforced",
				res.requests, 10*throughputLimit, throughputLimit/10)
		}
	})
}
