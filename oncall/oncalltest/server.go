package oncalltest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// Server is an in-memory OnCall Health API served over HTTP on a loopback port. It is safe for concurrent use.
// Start one with NewServer and stop it with Close.
type Server struct {
	ts          *httptest.Server
	base        string // scheme://host:port, no trailing slash
	token       string
	pageSize    int
	maxPageSize int
	// extension turns on the participant extension (WithUndocumentedParticipantAPI); it never changes.
	extension bool
	routes    map[string]*route
	hooks     *webhooks
	done      chan struct{} // closed by Close, to end fault latencies early
	closeOnce sync.Once

	mu      sync.Mutex      // guards everything below
	ignored map[string]bool // the fields writes ignore (WithIgnoredFields, SetIgnoredFields)
	st      store
	reqs    []Request
	seq     int
	faults  faultState
	limiter *bucket
}

// NewServer starts a server on a loopback port with the given options. Like httptest.NewServer, which it is
// built on, it panics if no loopback port can be opened. Close it when done:
//
//	srv := oncalltest.NewServer()
//	defer srv.Close()
//	client, err := srv.Client()
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &Server{
		token:       cfg.token,
		pageSize:    cfg.pageSize,
		maxPageSize: cfg.maxPageSize,
		extension:   cfg.extension,
		ignored:     cfg.ignored,
		done:        make(chan struct{}),
		st:          newStore(),
		faults:      newFaultState(),
	}
	if cfg.ratePerSecond > 0 {
		s.limiter = newBucket(cfg.ratePerSecond, cfg.rateBurst)
	}
	s.routes = s.routeTable()
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	scheme := "http"
	if cfg.tls {
		scheme = "https"
	}
	// The base URL is known before the server starts, so that handlers read it without a race.
	s.base = scheme + "://" + s.ts.Listener.Addr().String()
	hookBase := cfg.webhookBase
	if hookBase == "" {
		hookBase = s.base
	}
	s.hooks = startWebhooks(cfg, hookBase)
	if cfg.tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	return s
}

// URL returns the server's base URL, such as "http://127.0.0.1:41234", without a trailing slash. Resource URLs
// are on it: URL()+"/appointments/1001/".
func (s *Server) URL() string { return s.base }

// Token returns the API token the server accepts.
func (s *Server) Token() string { return s.token }

// HTTPClient returns an *http.Client for talking to the server directly: it trusts the server's certificate under
// WithTLS, and its idle connections are closed by Close.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Client returns a real OnCall client (labelled oncall.RegionCA) that sends requests to this server with its
// token. The options come after the server's own (oncall.WithBaseURL and oncall.WithHTTPClient), so they can
// replace them; tests usually add a fast oncall.WithRetryPolicy and oncall.WithRateLimit(oncall.NoRateLimit, 1).
func (s *Server) Client(opts ...oncall.Option) (*oncall.Client, error) {
	all := append([]oncall.Option{oncall.WithBaseURL(s.base), oncall.WithHTTPClient(s.ts.Client())}, opts...)
	return oncall.NewClient(oncall.RegionCA, s.token, all...)
}

// Close stops the server: requests in progress end (a fault's latency is cut short), webhooks not yet delivered
// are abandoned (WebhookDeliveries shows them as not delivered), and no goroutine of the server is left running.
// Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.ts.Close()
		s.hooks.close()
	})
}

// maxBody is the largest request body the server reads.
const maxBody = 1 << 20

// serveHTTP runs one request: it logs it, applies a fault or the rate limit if one applies, and answers it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	tooLarge := len(body) > maxBody
	if err != nil {
		body = nil
	}
	rt := s.match(r.URL.Path)
	pattern := ""
	if rt != nil {
		pattern = rt.pattern
	}

	s.mu.Lock()
	s.seq++
	entry := &Request{
		Seq:          s.seq,
		Time:         time.Now(),
		Method:       r.Method,
		Path:         r.URL.Path,
		Query:        r.URL.RawQuery,
		Route:        pattern,
		Authorized:   s.authProblem(r) == "",
		Undocumented: undocumented(r.Method, pattern),
		Body:         body,
		RequestID:    fmt.Sprintf("oncalltest-%06d", s.seq),
	}
	f := s.faults.draw(r.Method, pattern)
	entry.Fault = f.kind
	s.mu.Unlock()

	// The rate limit counts a request when it arrives, as a real server's does, before any latency.
	if (f.kind == "" || f.kind == FaultLatency) && s.limiter != nil {
		s.mu.Lock()
		ok, wait := s.limiter.take(time.Now())
		s.mu.Unlock()
		if !ok {
			s.write(w, entry, throttled(max(wholeSeconds(wait), 1)))
			return
		}
	}

	switch f.kind {
	case FaultLatency:
		if !s.sleep(r.Context(), f.latency) {
			s.drop(w, entry)
			return
		}
	case FaultDrop:
		s.drop(w, entry)
		return
	case FaultRateLimit:
		s.write(w, entry, throttled(wholeSeconds(f.retryAfter)))
		return
	case FaultInternalError:
		s.write(w, entry, djangoPage(http.StatusInternalServerError))
		return
	case FaultBadGateway, FaultGatewayTimeout:
		s.write(w, entry, proxyPage(f.status()))
		return
	case FaultUnavailable:
		resp := proxyPage(http.StatusServiceUnavailable)
		if f.retryAfter > 0 {
			resp.header.Set("Retry-After", fmt.Sprint(wholeSeconds(f.retryAfter)))
		}
		s.write(w, entry, resp)
		return
	}

	resp := s.handle(r, rt, body, tooLarge)
	entry.Committed = resp.committed
	switch f.kind {
	case FaultCommitThenDrop:
		s.drop(w, entry)
		return
	case FaultCommitThenGatewayTimeout:
		resp = proxyPage(http.StatusGatewayTimeout)
	}
	s.write(w, entry, resp)
}

// SetIgnoredFields replaces the fields writes ignore from now on (see WithIgnoredFields); none turns it off. A test
// can let a first sync write everything and then make the server drop a field.
func (s *Server) SetIgnoredFields(fields ...string) {
	m := map[string]bool{}
	for _, f := range fields {
		m[f] = true
	}
	s.mu.Lock()
	s.ignored = m
	s.mu.Unlock()
}

// dropIgnored removes from a write's fields those WithIgnoredFields names, each prefixed with prefix. The caller
// holds s.mu.
func (s *Server) dropIgnored(obj map[string]json.RawMessage, prefix string) {
	for f := range s.ignored {
		if name, ok := strings.CutPrefix(f, prefix); ok {
			delete(obj, name)
		}
	}
}

// wholeSeconds rounds d up to whole seconds, the resolution of Retry-After.
func wholeSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// record adds entry to the request log. write and drop call it before the client can see the answer, so that
// a client which has its answer (or its dropped connection) always finds the request in the log.
func (s *Server) record(entry *Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, *entry)
	s.mu.Unlock()
}

// write logs the request with resp's status, then sends resp.
func (s *Server) write(w http.ResponseWriter, entry *Request, resp *response) {
	entry.Status = resp.status
	s.record(entry)
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	h.Set("X-Request-Id", entry.RequestID)
	w.WriteHeader(resp.status)
	if len(resp.body) > 0 {
		_, _ = w.Write(resp.body)
	}
}

// drop logs the request, then closes the connection without an answer. Should the connection not allow it (it
// always does over HTTP/1.1, which is all this server speaks), a 502 is sent instead.
func (s *Server) drop(w http.ResponseWriter, entry *Request) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			entry.Status = 0
			s.record(entry)
			_ = conn.Close()
			return
		}
	}
	s.write(w, entry, proxyPage(http.StatusBadGateway))
}

// sleep waits d, and reports false if the client went away or the server is closing first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
