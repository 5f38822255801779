package oncall

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

func TestSuggestConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit rate.Limit
		rtt   time.Duration
		want  int
	}{
		{"not measured yet", 500, 0, 4},
		{"no rate limit", rate.Inf, 50 * time.Millisecond, 4},
		{"default rate, 50 ms: fewer than 4 would do", 10, 50 * time.Millisecond, 4},
		{"500/s at 50 ms: 25 plus a quarter", 500, 50 * time.Millisecond, 32},
		{"500/s at 150 ms", 500, 150 * time.Millisecond, 94},
		{"1000/s at 150 ms: the cap", 1000, 150 * time.Millisecond, MaxSuggestedConcurrency},
		{"100/s at 150 ms", 100, 150 * time.Millisecond, 19},
		{"loopback", 500, 200 * time.Microsecond, 4},
	}
	got, want := map[string]int{}, map[string]int{}
	for _, tt := range tests {
		got[tt.name], want[tt.name] = suggestConcurrency(tt.limit, tt.rtt), tt.want
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("suggestConcurrency (-want +got):\n%s", d)
	}
}

func TestRTTAverage(t *testing.T) {
	t.Parallel()
	var a rttAverage
	a.add(100 * time.Millisecond)
	if got := time.Duration(a.Load()); got != 100*time.Millisecond {
		t.Fatalf("first sample: %v", got)
	}
	for range 50 {
		a.add(10 * time.Millisecond)
	}
	if got := time.Duration(a.Load()); got < 10*time.Millisecond || got > 11*time.Millisecond {
		t.Errorf("after 50 samples of 10 ms: %v, want about 10 ms", got)
	}
}

// TestDefaultTransportKeepsEnoughIdleConnections: with net/http's default of 2 idle connections per host, a
// client keeping 32 requests in flight opened a new connection for most of them.
func TestDefaultTransportKeepsEnoughIdleConnections(t *testing.T) {
	t.Parallel()
	c, err := NewClient(RegionCA, "t0ken")
	if err != nil {
		t.Fatal(err)
	}
	at, ok := c.hc.HTTPClient.Transport.(*attemptTransport)
	if !ok {
		t.Fatalf("transport is a %T", c.hc.HTTPClient.Transport)
	}
	tr, ok := at.next.(*http.Transport)
	if !ok {
		t.Fatalf("inner transport is a %T", at.next)
	}
	if tr.MaxIdleConnsPerHost < MaxSuggestedConcurrency || tr == http.DefaultTransport {
		t.Errorf("MaxIdleConnsPerHost = %d (shared default: %v), want at least %d on the client's own transport",
			tr.MaxIdleConnsPerHost, tr == http.DefaultTransport, MaxSuggestedConcurrency)
	}
}
