package oncall

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
)

// netCall sends one request of the given method through the client's request path, with a JSON body for the
// methods that carry one.
func netCall(ctx context.Context, c *Client, method string) error {
	var body any
	if method != http.MethodGet && method != http.MethodDelete {
		body = map[string]string{"title": "Follow-up"}
	}
	return c.do(ctx, method, c.endpoint("appointments/7/", nil), body, nil)
}

const netTarget = "https://api.oncallhealth.ca/appointments/7/"

func TestRetryByMethodAndStatus(t *testing.T) {
	t.Parallel()
	errConn := errors.New("connection reset by peer")
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost}
	const all = netMaxAttempts
	tests := []struct {
		status int // 0: a connection error before the request is written
		// attempts by method, in the order of methods
		want [5]int
	}{
		{http.StatusTooManyRequests, [5]int{all, all, all, all, all}},
		{http.StatusBadGateway, [5]int{all, all, all, all, 1}},
		{http.StatusServiceUnavailable, [5]int{all, all, all, all, 1}},
		{http.StatusGatewayTimeout, [5]int{all, all, all, all, 1}},
		{http.StatusBadRequest, [5]int{1, 1, 1, 1, 1}},
		{http.StatusUnauthorized, [5]int{1, 1, 1, 1, 1}},
		{http.StatusForbidden, [5]int{1, 1, 1, 1, 1}},
		{http.StatusNotFound, [5]int{1, 1, 1, 1, 1}},
		{http.StatusConflict, [5]int{1, 1, 1, 1, 1}},
		{http.StatusUnprocessableEntity, [5]int{1, 1, 1, 1, 1}},
		{http.StatusInternalServerError, [5]int{1, 1, 1, 1, 1}},
		{http.StatusNotImplemented, [5]int{1, 1, 1, 1, 1}},
		// httpmock fails before any header is written, so even a POST surely did not arrive.
		{0, [5]int{all, all, all, all, all}},
	}
	for _, tt := range tests {
		for i, method := range methods {
			name := fmt.Sprintf("%s %d", method, tt.status)
			if tt.status == 0 {
				name = method + " connection error"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c, mt := netMockClient(t)
				responder := netJSONResponder(tt.status, `{"detail": "try again"}`)
				if tt.status == 0 {
					responder = httpmock.NewErrorResponder(errConn)
				}
				mt.RegisterResponder(method, netTarget, responder)

				err := netCall(t.Context(), c, method)

				if got := mt.GetTotalCallCount(); got != tt.want[i] {
					t.Errorf("%d attempts, want %d", got, tt.want[i])
				}
				if tt.status == 0 {
					var re *RequestError
					if !errors.As(err, &re) || re.Sent || !errors.Is(err, errConn) {
						t.Fatalf("error = %#v, want a *RequestError, not sent, wrapping the connection error", err)
					}
					if re.Method != method || re.Path != "/appointments/7/" {
						t.Errorf("RequestError names %s %s", re.Method, re.Path)
					}
					return
				}
				var ae *APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error = %v, want an *APIError", err)
				}
				if ae.StatusCode != tt.status || ae.Method != method || ae.Path != "/appointments/7/" {
					t.Errorf("APIError = %d %s %s, want %d %s /appointments/7/", ae.StatusCode, ae.Method, ae.Path, tt.status, method)
				}
			})
		}
	}
}

// netMaxAttempts is the number of attempts netPolicy allows: the first and MaxRetries more.
const netMaxAttempts = 4

// netSequence answers each attempt with the next response from steps (the last one repeats), recording each
// request's body and arrival.
type netSequence struct {
	mu       sync.Mutex
	steps    []func() *http.Response
	bodies   []string
	arrivals []time.Time
	answered []time.Time
}

func (s *netSequence) responder(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.arrivals = append(s.arrivals, time.Now())
	s.bodies = append(s.bodies, string(body))
	step := s.steps[min(len(s.bodies), len(s.steps))-1]
	resp := step()
	s.answered = append(s.answered, time.Now())
	return resp, nil
}

func (s *netSequence) snapshot() (bodies []string, arrivals, answered []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...), append([]time.Time(nil), s.arrivals...), append([]time.Time(nil), s.answered...)
}

func netStatus(status int, header ...string) func() *http.Response {
	return func() *http.Response {
		resp := httpmock.NewStringResponse(status, `{"detail": "status `+strconv.Itoa(status)+`"}`)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp
	}
}

func netAppointment(status, id int) func() *http.Response {
	return func() *http.Response {
		resp := httpmock.NewStringResponse(status, netAppointmentJSON("https://api.oncallhealth.ca/", id))
		resp.Header.Set("Content-Type", "application/json")
		return resp
	}
}

// When every attempt fails, the error is the last attempt's.
func TestRetryExhaustedReturnsLastAttempt(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	seq := &netSequence{steps: []func() *http.Response{
		netStatus(429, "Retry-After", "0", "X-Request-Id", "attempt-1"),
		netStatus(429, "Retry-After", "0", "X-Request-Id", "attempt-2"),
		netStatus(429, "Retry-After", "0", "X-Request-Id", "attempt-3"),
		netStatus(429, "Retry-After", "1", "X-Request-Id", "attempt-4"),
	}}
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/9/", seq.responder)

	_, err := c.Appointments.Get(t.Context(), 9)

	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Get = %v, want an *APIError", err)
	}
	want := &APIError{StatusCode: 429, Method: "GET", Path: "/appointments/9/", RequestID: "attempt-4",
		Messages: []string{"status 429"}, RetryAfter: time.Second, Body: []byte(`{"detail": "status 429"}`)}
	if diff := cmp.Diff(want, ae); diff != "" {
		t.Errorf("APIError (-want +got):\n%s", diff)
	}
	if !errors.Is(err, ErrRateLimited) {
		t.Error("errors.Is(err, ErrRateLimited) = false")
	}
	if got := mt.GetTotalCallCount(); got != netMaxAttempts {
		t.Errorf("%d attempts, want %d", got, netMaxAttempts)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		steps  []func() *http.Response
	}{
		{"GET after 503, 502, 504", "GET", []func() *http.Response{netStatus(503), netStatus(502), netStatus(504), netAppointment(200, 7)}},
		{"GET after a 429", "GET", []func() *http.Response{netStatus(429, "Retry-After", "0"), netAppointment(200, 7)}},
		{"PATCH after 503", "PATCH", []func() *http.Response{netStatus(503), netAppointment(200, 7)}},
		{"POST after two 429s", "POST", []func() *http.Response{netStatus(429), netStatus(429, "Retry-After", "0"), netAppointment(201, 7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			seq := &netSequence{steps: tt.steps}
			mt.RegisterResponder(tt.method, netTarget, seq.responder)
			var got Appointment
			var body any
			if tt.method != "GET" {
				body = map[string]string{"title": "x"}
			}
			if err := c.do(t.Context(), tt.method, c.endpoint("appointments/7/", nil), body, &got); err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			if got.ID != 7 {
				t.Errorf("decoded appointment %d, want 7", got.ID)
			}
			if n := mt.GetTotalCallCount(); n != len(tt.steps) {
				t.Errorf("%d attempts, want %d", n, len(tt.steps))
			}
		})
	}
}

// The backoff hook takes the server's Retry-After on 429 and 503, in seconds or as an HTTP date, and otherwise
// backs off exponentially within the policy's bounds.
func TestBackoff(t *testing.T) {
	t.Parallel()
	c, _ := netMockClient(t, WithRetryPolicy(RetryPolicy{MaxRetries: 3, MinWait: 100 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: time.Minute}))
	resp := func(status int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	in30s := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		resp     *http.Response
		attempt  int
		min, max time.Duration
	}{
		{"429 seconds", resp(429, "7"), 0, 7 * time.Second, 7 * time.Second},
		{"503 seconds", resp(503, "7"), 2, 7 * time.Second, 7 * time.Second},
		{"429 zero", resp(429, "0"), 1, 0, 0},
		{"429 HTTP date", resp(429, in30s), 0, 28 * time.Second, 30 * time.Second},
		{"503 HTTP date", resp(503, in30s), 0, 28 * time.Second, 30 * time.Second},
		{"429 HTTP date in the past", resp(429, past), 0, 0, 0},
		{"502 ignores Retry-After", resp(502, "7"), 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{"429 without Retry-After", resp(429, ""), 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{"429 malformed Retry-After", resp(429, "soon"), 1, 100 * time.Millisecond, 200 * time.Millisecond},
		{"connection error, third retry", nil, 3, 400 * time.Millisecond, 800 * time.Millisecond},
		{"connection error, capped", nil, 10, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		for range 20 { // the jitter is random: try it several times
			got := c.backoff(0, 0, tt.attempt, tt.resp)
			if got < tt.min || got > tt.max {
				t.Errorf("%s: backoff = %v, want within [%v, %v]", tt.name, got, tt.min, tt.max)
				break
			}
		}
	}
}

// The client really waits out a Retry-After before the next attempt: the retry arrives no earlier than the pause
// allows, whichever form the header takes.
func TestRetryWaitsForRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// header is the Retry-After value; atLeast is the least wait it allows.
		header  func() string
		atLeast time.Duration
	}{
		{"seconds", func() string { return "1" }, time.Second},
		// An HTTP date has whole seconds: two seconds from now, truncated, is more than one second away when the
		// header is made; the bound leaves half of that for the time between then and the answer's arrival.
		{"HTTP date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, time.Second / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			seq := &netSequence{}
			seq.steps = []func() *http.Response{
				func() *http.Response { return netStatus(429, "Retry-After", tt.header())() },
				netAppointment(200, 7),
			}
			mt.RegisterResponder("GET", netTarget, seq.responder)
			if _, err := c.Appointments.Get(t.Context(), 7); err != nil {
				t.Fatalf("Get: %v", err)
			}
			_, arrivals, answered := seq.snapshot()
			if len(arrivals) != 2 {
				t.Fatalf("%d attempts, want 2", len(arrivals))
			}
			if wait := arrivals[1].Sub(answered[0]); wait < tt.atLeast {
				t.Errorf("the retry came %v after the 429, before its Retry-After had passed", wait)
			}
		})
	}
}

// A Retry-After above MaxRetryAfter ends retrying at once: the caller learns how long the server asked for.
func TestRetryAfterAboveCap(t *testing.T) {
	t.Parallel()
	inAnHour := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		method     string
		status     int
		retryAfter string
		min, max   time.Duration
	}{
		{"GET 429 seconds", "GET", 429, "3", 3 * time.Second, 3 * time.Second},
		{"POST 429 seconds", "POST", 429, "3", 3 * time.Second, 3 * time.Second},
		{"GET 503 seconds", "GET", 503, "120", 2 * time.Minute, 2 * time.Minute},
		{"DELETE 429 HTTP date", "DELETE", 429, inAnHour, 59 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t) // MaxRetryAfter 2s
			mt.RegisterResponder(tt.method, netTarget, netSequenceOf(netStatus(tt.status, "Retry-After", tt.retryAfter)))
			err := netCall(t.Context(), c, tt.method)
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status {
				t.Fatalf("error = %v, want an *APIError with status %d", err, tt.status)
			}
			if ae.RetryAfter < tt.min || ae.RetryAfter > tt.max {
				t.Errorf("RetryAfter = %v, want within [%v, %v]", ae.RetryAfter, tt.min, tt.max)
			}
			if n := mt.GetTotalCallCount(); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

func netSequenceOf(steps ...func() *http.Response) httpmock.Responder {
	return (&netSequence{steps: steps}).responder
}

func TestMaxRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy RetryPolicy
		want   int
	}{
		{"zero policy", RetryPolicy{}, 1},
		{"no retries", RetryPolicy{MaxRetries: 0, MinWait: time.Millisecond, MaxWait: time.Millisecond}, 1},
		{"one retry", RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond}, 2},
		{"two retries", RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}, 3},
		{"five retries", RetryPolicy{MaxRetries: 5, MinWait: time.Millisecond, MaxWait: time.Millisecond}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, WithRetryPolicy(tt.policy))
			mt.RegisterResponder("GET", netTarget, netSequenceOf(netStatus(503)))
			_, err := c.Appointments.Get(t.Context(), 7)
			if !errors.Is(err, ErrServer) {
				t.Errorf("Get = %v, want ErrServer", err)
			}
			if n := mt.GetTotalCallCount(); n != tt.want {
				t.Errorf("%d attempts, want %d", n, tt.want)
			}
		})
	}
}

// Each retry sends the same body again, in full.
func TestRetryReplaysBody(t *testing.T) {
	t.Parallel()
	t.Run("PATCH", func(t *testing.T) {
		t.Parallel()
		c, mt := netMockClient(t)
		seq := &netSequence{steps: []func() *http.Response{netStatus(503), netStatus(502), netAppointment(200, 7)}}
		mt.RegisterResponder("PATCH", netTarget, seq.responder)
		// The answer's title is the one sent, so that the client's check of the answer passes.
		if _, err := c.Appointments.Update(t.Context(), 7, &AppointmentUpdateParams{Title: Ptr("Session 7")}); err != nil {
			t.Fatalf("Update: %v", err)
		}
		bodies, _, _ := seq.snapshot()
		want := []string{`{"title":"Session 7"}`, `{"title":"Session 7"}`, `{"title":"Session 7"}`}
		if diff := cmp.Diff(want, bodies); diff != "" {
			t.Errorf("bodies of the attempts (-want +got):\n%s", diff)
		}
	})
	t.Run("POST", func(t *testing.T) {
		t.Parallel()
		c, mt := netMockClient(t)
		write, err := json.Marshal(c.createWire(netCreateParams()))
		if err != nil {
			t.Fatal(err)
		}
		created := func() *http.Response { // the answer shows the appointment as sent, so the client's check passes
			resp := httpmock.NewStringResponse(201, echoWrite(netAppointmentJSON(netRoot, 7), write, netRoot, 7))
			resp.Header.Set("Content-Type", "application/json")
			return resp
		}
		seq := &netSequence{steps: []func() *http.Response{netStatus(429), netStatus(429), created}}
		mt.RegisterResponder("POST", "https://api.oncallhealth.ca/appointments/", seq.responder)
		if _, err := c.Appointments.Create(t.Context(), netCreateParams()); err != nil {
			t.Fatalf("Create: %v", err)
		}
		bodies, _, _ := seq.snapshot()
		if len(bodies) != 3 || bodies[0] == "" {
			t.Fatalf("bodies = %q, want three non-empty ones", bodies)
		}
		if diff := cmp.Diff([]string{bodies[0], bodies[0], bodies[0]}, bodies); diff != "" {
			t.Errorf("bodies of the attempts differ (-first +got):\n%s", diff)
		}
	})
}

// netDropServer is a real server that reads each request in full and then closes the connection without
// answering: the request reached it, and the client cannot know whether it was acted on.
func netDropServer(t *testing.T) (url string, requests *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	requests = new(atomic.Int32)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				requests.Add(1)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), requests
}

// A POST that reached the server is not repeated, however its connection failed; a GET is.
func TestPostNotRetriedOnceSent(t *testing.T) {
	t.Parallel()
	t.Run("POST", func(t *testing.T) {
		t.Parallel()
		url, requests := netDropServer(t)
		c := netServerClient(t, url)
		_, err := c.Appointments.Create(t.Context(), netCreateParams())
		var re *RequestError
		if !errors.As(err, &re) {
			t.Fatalf("Create = %v, want a *RequestError", err)
		}
		if !re.Sent {
			t.Error("RequestError.Sent = false for a POST the server read")
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("server read %d requests, want exactly 1", n)
		}
	})
	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		url, requests := netDropServer(t)
		c := netServerClient(t, url)
		_, err := c.Appointments.Get(t.Context(), 7)
		var re *RequestError
		if !errors.As(err, &re) || !re.Sent {
			t.Fatalf("Get = %v, want a *RequestError with Sent", err)
		}
		if n := requests.Load(); n != netMaxAttempts {
			t.Errorf("server read %d requests, want %d", n, netMaxAttempts)
		}
	})
}

// A POST whose connection was refused surely never reached the server, so it is retried.
func TestPostRetriedWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	var dials atomic.Int32
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, address)
	}}
	defer tr.CloseIdleConnections()
	c := netServerClient(t, "http://"+addr, WithHTTPClient(&http.Client{Transport: tr}))

	_, err = c.Appointments.Create(t.Context(), netCreateParams())
	var re *RequestError
	if !errors.As(err, &re) {
		t.Fatalf("Create = %v, want a *RequestError", err)
	}
	if re.Sent {
		t.Error("RequestError.Sent = true for a connection that was refused")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Create = %v, want it to wrap ECONNREFUSED", err)
	}
	if n := dials.Load(); n != netMaxAttempts {
		t.Errorf("%d dials, want %d", n, netMaxAttempts)
	}
}

// An attempt that times out (http.Client.Timeout) is a transient failure: retried for a GET, and not for a POST,
// which the server may have acted on.
func TestAttemptTimeoutRetried(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			stop, firstSeen := make(chan struct{}), make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Read the body first: the server notices a client hanging up only once the body is read.
				_, _ = io.Copy(io.Discard, r.Body)
				if requests.Add(1) == 1 {
					close(firstSeen)
					select { // the first attempt never gets an answer
					case <-r.Context().Done():
					case <-stop:
					}
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(200)
				fmt.Fprint(w, netAppointmentJSON("http://"+r.Host+"/", 7))
			}))
			defer srv.Close()
			defer close(stop)
			// The timeout bounds every attempt, the one that succeeds too: it leaves a loaded machine room for that.
			c := netServerClient(t, srv.URL, WithHTTPClient(&http.Client{Transport: netTransport(t), Timeout: 2 * time.Second}))
			ctx, cancel := context.WithTimeout(t.Context(), netHangGuard)
			defer cancel()

			err := netCall(ctx, c, method)
			select { // the server may get to the first request only after the client has given up on it
			case <-firstSeen:
			case <-ctx.Done():
				t.Fatal("the server never saw the first request")
			}

			switch method {
			case "GET":
				if err != nil {
					t.Fatalf("GET = %v, want success on the second attempt", err)
				}
				if n := requests.Load(); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			case "POST":
				var re *RequestError
				if !errors.As(err, &re) || !re.Sent {
					t.Fatalf("POST = %v, want a *RequestError with Sent", err)
				}
				if n := requests.Load(); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			}
		})
	}
}

// Waits on the rate limiter end with the context: a wait that cannot finish before the deadline fails at once,
// sends nothing, and is not retried.
func TestRateLimitWaitHonoursContext(t *testing.T) {
	t.Parallel()
	// A slow backoff: were the failed wait retried, the call would last until the context's deadline.
	slow := RetryPolicy{MaxRetries: 3, MinWait: time.Minute, MaxWait: time.Minute, MaxRetryAfter: time.Hour}
	tests := []struct {
		name  string
		opts  []Option
		first func() *http.Response
	}{
		{"token bucket", []Option{WithRateLimit(1.0/3600, 1), WithRetryPolicy(slow)}, netAppointment(200, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, tt.opts...)
			mt.RegisterResponder("GET", netTarget, netSequenceOf(tt.first, netAppointment(200, 7)))
			_, _ = c.Appointments.Get(t.Context(), 7)
			if n := mt.GetTotalCallCount(); n != 1 {
				t.Fatalf("first request: %d attempts, want 1", n)
			}

			ctx, cancel := context.WithTimeout(t.Context(), netHangGuard)
			defer cancel()
			_, err := c.Appointments.Get(ctx, 7)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("second Get = %v, want an error wrapping context.DeadlineExceeded", err)
			}
			var re *RequestError
			if !errors.As(err, &re) || re.Sent {
				t.Errorf("second Get = %#v, want a *RequestError, not sent", err)
			}
			if ctx.Err() != nil {
				t.Error("the second Get waited until its deadline instead of failing at once")
			}
			if n := mt.GetTotalCallCount(); n != 1 {
				t.Errorf("%d requests in all, want 1: the second must not be sent", n)
			}
		})
	}
}

// A 429 on one request slows the whole client: a request started on another goroutine after it waits out the
// Retry-After too, and the rate drops.
func TestRateLimitedSlowsWholeClient(t *testing.T) {
	t.Parallel()
	const configured = 1000.0
	c, mt := netMockClient(t, WithRateLimit(configured, 10))
	first := &netSequence{steps: []func() *http.Response{netStatus(429, "Retry-After", "1"), netAppointment(200, 1)}}
	second := &netSequence{steps: []func() *http.Response{netAppointment(200, 2)}}
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/1/", first.responder)
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/2/", second.responder)

	ctx, cancel := context.WithTimeout(t.Context(), netHangGuard)
	defer cancel()
	errA := make(chan error, 1)
	go func() {
		_, err := c.Appointments.Get(ctx, 1)
		errA <- err
	}()
	for c.pacer.Throttles() == 0 { // until the 429 has reached the pacer
		if ctx.Err() != nil {
			t.Fatal("the 429 never reached the pacer")
		}
		time.Sleep(time.Millisecond)
	}
	if l := c.pacer.Limit(); l >= configured {
		t.Errorf("rate after a 429 = %v, want below the configured %v", l, configured)
	}
	if _, err := c.Appointments.Get(ctx, 2); err != nil {
		t.Fatalf("Get(2): %v", err)
	}
	if err := <-errA; err != nil {
		t.Fatalf("Get(1): %v", err)
	}
	_, _, answered429 := first.snapshot()
	_, arrivals2, _ := second.snapshot()
	if wait := arrivals2[0].Sub(answered429[0]); wait < time.Second {
		t.Errorf("the other request was sent %v after the 429, inside its one-second Retry-After", wait)
	}
	if n := c.pacer.Throttles(); n != 1 {
		t.Errorf("Throttles() = %d, want 1", n)
	}
}

// Cancelling the context during a wait between attempts ends the call at once.
func TestContextCancelledDuringRetryWait(t *testing.T) {
	t.Parallel()
	long := RetryPolicy{MaxRetries: 3, MinWait: time.Hour, MaxWait: time.Hour, MaxRetryAfter: time.Hour}
	tests := []struct {
		name string
		resp func() *http.Response
	}{
		{"503 Retry-After", netStatus(503, "Retry-After", "1800")},
		{"429 Retry-After", netStatus(429, "Retry-After", "1800")},
		{"502 backoff", netStatus(502)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, WithRetryPolicy(long))
			answered := make(chan struct{}, 1)
			mt.RegisterResponder("GET", netTarget, func(*http.Request) (*http.Response, error) {
				defer func() { answered <- struct{}{} }()
				return tt.resp(), nil
			})
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				_, err := c.Appointments.Get(ctx, 7)
				done <- err
			}()
			<-answered
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Get = %v, want an error wrapping context.Canceled", err)
				}
				var re *RequestError
				if !errors.As(err, &re) {
					t.Errorf("Get = %v, want a *RequestError", err)
				}
			case <-time.After(netHangGuard):
				t.Fatal("Get did not return after its context was cancelled")
			}
			if n := mt.GetTotalCallCount(); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

// TestThrottlePauseCapped checks that a 429 whose Retry-After is beyond MaxRetryAfter pauses the client for
// MaxRetryAfter only: a request whose deadline ends sooner fails at once without being sent, and one that can wait
// goes out once the capped pause is over, rather than an hour later.
func TestThrottlePauseCapped(t *testing.T) {
	t.Parallel()
	// The cap is long enough that the next request surely starts inside the pause, however loaded the machine.
	c, mt := netMockClient(t, WithRetryPolicy(RetryPolicy{MaxRetryAfter: 2 * time.Second}))
	mt.RegisterResponder("GET", netTarget, netSequenceOf(netStatus(429, "Retry-After", "3600"), netAppointment(200, 7)))
	_, err := c.Appointments.Get(t.Context(), 7)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour {
		t.Fatalf("first Get = %v, want the 429 carrying a one-hour RetryAfter", err)
	}

	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Appointments.Get(short, 7); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get with a deadline inside the pause = %v, want context.DeadlineExceeded", err)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Fatalf("%d requests, want 1: a request that cannot outlast the pause must not be sent", n)
	}

	long, cancel2 := context.WithTimeout(t.Context(), netHangGuard)
	defer cancel2()
	if _, err := c.Appointments.Get(long, 7); err != nil {
		t.Fatalf("Get after the capped pause = %v, want success", err)
	}
	if long.Err() != nil {
		t.Fatal("the request waited until its deadline: the pause was not capped")
	}
	if n := mt.GetTotalCallCount(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// A PATCH that carries a participants list is not repeated after a 502, which may have come after the server
// invited a newcomer or after the list went stale; one without a list is repeated like any PATCH, and a list
// refused with 429 (never acted on) is sent again.
func TestRetryPatchWithParticipants(t *testing.T) {
	t.Parallel()
	existing := ParticipantEntry{URL: netRoot + "participants/5/", Name: "Jane Q. Patient", Email: "jane.patient@example.com"}
	newcomer := ParticipantEntry{Name: "John Q. Patient", Email: "john.patient@example.com"}
	tests := []struct {
		name    string
		entries []ParticipantEntry
		status  int
		want    int
	}{
		{"no list", nil, 502, netMaxAttempts},
		{"existing participants only", []ParticipantEntry{existing}, 502, 1},
		{"someone new", []ParticipantEntry{existing, newcomer}, 502, 1},
		{"refused with 429", []ParticipantEntry{existing, newcomer}, 429, netMaxAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			mt.RegisterResponder("PATCH", netTarget, netSequenceOf(netStatus(tt.status)))
			_, err := c.Appointments.Update(t.Context(), 7, &AppointmentUpdateParams{Title: Ptr("Intake"), Participants: tt.entries})
			if err == nil {
				t.Error("Update succeeded, want the server's error")
			}
			if n := mt.GetTotalCallCount(); n != tt.want {
				t.Errorf("%d attempts, want %d", n, tt.want)
			}
		})
	}
}
