package oncall

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	"golang.org/x/time/rate"
)

// netBody is a request body that notes whether it was closed.
type netBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *netBody) Close() error {
	b.closed.Store(true)
	return nil
}

// The attempt transport is the last line of defence for the token: whatever builds a request for another
// origin, it is not sent.
func TestAttemptTransportRefusesOtherOrigin(t *testing.T) {
	t.Parallel()
	targets := []string{
		"https://api.oncallhealth.us/appointments/1/",
		"http://api.oncallhealth.ca/appointments/1/",
		"https://api.oncallhealth.ca:8443/appointments/1/",
		"https://evil.example/appointments/1/",
		"https://api.oncallhealth.ca.evil.example/appointments/1/",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{}`))

			// Straight through the transport, as a redirect or any other path to it would go.
			body := &netBody{Reader: strings.NewReader(`{"name": "x"}`)}
			req, err := http.NewRequestWithContext(t.Context(), "POST", target, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Token "+netToken)
			resp, err := c.hc.HTTPClient.Transport.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			if !errors.Is(err, ErrCrossOrigin) {
				t.Errorf("RoundTrip = %v, want ErrCrossOrigin", err)
			}
			if !body.closed.Load() {
				t.Error("the refused request's body was not closed")
			}

			// Through the client's request path.
			u, err := url.Parse(target)
			if err != nil {
				t.Fatal(err)
			}
			err = c.do(t.Context(), "GET", u, nil, nil)
			if !errors.Is(err, ErrCrossOrigin) {
				t.Errorf("do = %v, want ErrCrossOrigin", err)
			}

			if n := mt.GetTotalCallCount(); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// Each answer reaches the client's pacer: a 429 halves the rate, a success gives some back, a 5xx does neither.
func TestAttemptTransportFeedsPacer(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t, WithRateLimit(100, 10), WithRetryPolicy(RetryPolicy{}))
	steps := []struct {
		status int
		want   rate.Limit
	}{
		{429, 50},
		{200, 55},
		{500, 55},
		{503, 55},
		{404, 60},
		{429, 30},
		{429, 15},
		{201, 20},
	}
	var got []rate.Limit
	for i, s := range steps {
		target := "https://api.oncallhealth.ca/appointments/" + itoa(int64(i+1)) + "/"
		mt.RegisterResponder("GET", target, netSequenceOf(netStatus(s.status, "Retry-After", "0")))
		_ = c.do(t.Context(), "GET", mustParse(t, target), nil, nil)
		got = append(got, c.pacer.Limit())
	}
	var want []rate.Limit
	for _, s := range steps {
		want = append(want, s.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rate after each answer (-want +got):\n%s", diff)
	}
	if n := c.pacer.Throttles(); n != 3 {
		t.Errorf("Throttles() = %d, want 3", n)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// netConnError is a transport failure of a type of its own, so that its log line can be recognised.
type netConnError struct{}

func (netConnError) Error() string { return "connection reset (https://api.oncallhealth.ca/?secret=1)" }

// Each attempt is logged at debug level with its method, path, status and attempt number; a 429 at info.
func TestAttemptLogging(t *testing.T) {
	t.Parallel()
	logs := newNetLogs()
	c, mt := netMockClient(t, WithLogger(slog.New(logs)))
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/7/", netSequenceOf(
		netStatus(503), netStatus(429, "Retry-After", "0"), netAppointment(200, 7)))
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/8/", httpmock.NewErrorResponder(netConnError{}))

	if _, err := c.Appointments.Get(t.Context(), 7); err != nil {
		t.Fatalf("Get(7): %v", err)
	}
	_ = c.do(t.Context(), "GET", mustParse(t, "https://api.oncallhealth.ca/appointments/8/?secret=1"), nil, nil)

	text, _ := logs.text()
	var got []map[string]any
	for line := range strings.Lines(text) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		delete(rec, "time")
		if _, ok := rec["elapsed"]; !ok {
			if rec["level"] == "DEBUG" {
				t.Errorf("debug line without elapsed: %v", rec)
			}
		}
		delete(rec, "elapsed")
		got = append(got, rec)
	}
	attempt := func(status, n float64) map[string]any {
		return map[string]any{"level": "DEBUG", "msg": "oncall request", "method": "GET", "path": "/appointments/7/",
			"status": status, "attempt": n}
	}
	failed := func(n float64) map[string]any {
		return map[string]any{"level": "DEBUG", "msg": "oncall request failed", "method": "GET", "path": "/appointments/8/",
			"attempt": n, "error": "oncall.netConnError"}
	}
	want := []map[string]any{
		attempt(503, 1),
		{"level": "INFO", "msg": "oncall rate limited: slowing down", "method": "GET", "path": "/appointments/7/",
			"retry_after": float64(0)},
		attempt(429, 2),
		attempt(200, 3),
		failed(1), failed(2), failed(3), failed(4),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log records (-want +got):\n%s", diff)
	}
}

// The attempt transport counts every attempt of one logical request, and notes that nothing was written when the
// transport below it wrote nothing.
func TestAttemptStateCountsAttempts(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	mt.RegisterResponder("GET", netTarget, netSequenceOf(netStatus(502), netStatus(502), netAppointment(200, 7)))
	st := &attemptState{method: "GET", path: "/appointments/7/"}
	ctx := context.WithValue(t.Context(), attemptKey{}, st)
	req, err := http.NewRequestWithContext(ctx, "GET", netTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		resp, err := c.hc.HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := st.attempts.Load(); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
	if st.wrote.Load() {
		t.Error("wrote = true, though httpmock writes nothing to a connection")
	}
}

// idleCounter is a transport whose every request fails, counting calls to CloseIdleConnections.
type idleCounter struct{ closes atomic.Int32 }

func (*idleCounter) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

func (c *idleCounter) CloseIdleConnections() { c.closes.Add(1) }

// A failed call does not close the idle connections of the caller's transport: go-retryablehttp closes them after
// every failure, and the transport may be one the caller shares with the rest of the process.
func TestFailureLeavesCallersConnections(t *testing.T) {
	t.Parallel()
	tr := &idleCounter{}
	c, err := NewClient(RegionCA, netToken, WithHTTPClient(&http.Client{Transport: tr}), WithRetryPolicy(netPolicy()), WithRateLimit(NoRateLimit, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Appointments.Get(t.Context(), 7); err == nil {
		t.Fatal("Get through a failing transport succeeded")
	}
	if n := tr.closes.Load(); n != 0 {
		t.Errorf("CloseIdleConnections called %d times on the caller's transport, want 0", n)
	}
}
