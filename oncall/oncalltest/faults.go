package oncalltest

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FaultKind is a way a request can fail.
type FaultKind string

// The faults the server injects. Unless a kind says it commits, the request has no effect on the server's state.
const (
	// FaultRateLimit answers 429 Too Many Requests with a Retry-After (Faults.RetryAfter) and Django REST
	// Framework's throttling body.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultInternalError answers 500 with Django's HTML error page.
	FaultInternalError FaultKind = "internal_error"
	// FaultBadGateway answers 502 with a proxy's HTML page.
	FaultBadGateway FaultKind = "bad_gateway"
	// FaultUnavailable answers 503 with a proxy's HTML page, and a Retry-After when Faults.RetryAfter is set.
	FaultUnavailable FaultKind = "unavailable"
	// FaultGatewayTimeout answers 504 with a proxy's HTML page.
	FaultGatewayTimeout FaultKind = "gateway_timeout"
	// FaultLatency delays the request by Faults.Latency, then answers it normally (the server's rate limit, if
	// set, included).
	FaultLatency FaultKind = "latency"
	// FaultDrop closes the connection without an answer, before doing anything.
	FaultDrop FaultKind = "drop"
	// FaultCommitThenDrop does the request (a create is stored, its webhook queued), then closes the connection
	// without an answer: the client cannot tell whether it happened.
	FaultCommitThenDrop FaultKind = "commit_then_drop"
	// FaultCommitThenGatewayTimeout does the request, then answers 504 as a proxy that gave up waiting would.
	FaultCommitThenGatewayTimeout FaultKind = "commit_then_gateway_timeout"
)

// FaultKinds returns every FaultKind.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultRateLimit, FaultInternalError, FaultBadGateway, FaultUnavailable, FaultGatewayTimeout,
		FaultLatency, FaultDrop, FaultCommitThenDrop, FaultCommitThenGatewayTimeout}
}

func (k FaultKind) valid() bool { return slices.Contains(FaultKinds(), k) }

// DefaultFaultLatency is the delay of FaultLatency when Faults.Latency is zero.
const DefaultFaultLatency = 50 * time.Millisecond

// Faults configures random fault injection. Each request that matches Methods and Routes draws a number from a
// generator seeded with Seed; with probability Rate it gets a fault, of a kind drawn uniformly from Kinds. For a
// given seed the faults depend only on the order in which matching requests arrive, so a test that sends its
// requests one at a time sees the same faults on every run.
type Faults struct {
	Seed uint64
	// Rate is the probability, from 0 to 1, that a matching request gets a fault.
	Rate  float64
	Kinds []FaultKind
	// Methods, if any, limit faults to these methods ("GET", "POST", ...).
	Methods []string
	// Routes, if any, limit faults to these routes, named as Request.Route names them ("/appointments/",
	// "/appointments/{id}/", ...).
	Routes []string
	// Latency is FaultLatency's delay; zero means DefaultFaultLatency.
	Latency time.Duration
	// RetryAfter is the Retry-After of FaultRateLimit (always sent) and FaultUnavailable (sent when non-zero),
	// rounded up to whole seconds. Zero sends "Retry-After: 0" on a 429, which keeps tests fast; the real
	// API would ask for at least a second.
	RetryAfter time.Duration
}

// Match selects the requests a scripted fault applies to; an empty field matches anything.
type Match struct {
	Method string
	Route  string
}

func (m Match) matches(method, route string) bool {
	return (m.Method == "" || strings.EqualFold(m.Method, method)) && (m.Route == "" || m.Route == route)
}

type scripted struct {
	kind  FaultKind
	left  int
	match Match
}

// faultState is the server's fault configuration; the Server's mutex guards it.
type faultState struct {
	cfg      Faults
	rng      *rand.Rand
	scripted []*scripted
	counts   map[FaultKind]int
}

func newFaultState() faultState {
	return faultState{counts: map[FaultKind]int{}}
}

// drawn is the fault a request gets, with its parameters; kind is "" for none.
type drawn struct {
	kind       FaultKind
	latency    time.Duration
	retryAfter time.Duration
}

func (d drawn) status() int {
	switch d.kind {
	case FaultBadGateway:
		return http.StatusBadGateway
	case FaultGatewayTimeout, FaultCommitThenGatewayTimeout:
		return http.StatusGatewayTimeout
	case FaultUnavailable:
		return http.StatusServiceUnavailable
	case FaultInternalError:
		return http.StatusInternalServerError
	case FaultRateLimit:
		return http.StatusTooManyRequests
	}
	return 0
}

// draw picks the fault for a request: the first scripted fault that matches it, else a random one.
func (f *faultState) draw(method, route string) drawn {
	d := drawn{latency: f.cfg.Latency, retryAfter: f.cfg.RetryAfter}
	if d.latency == 0 {
		d.latency = DefaultFaultLatency
	}
	for i, sc := range f.scripted {
		if sc.match.matches(method, route) {
			d.kind = sc.kind
			if sc.left--; sc.left == 0 {
				f.scripted = slices.Delete(f.scripted, i, i+1)
			}
			f.counts[d.kind]++
			return d
		}
	}
	c := &f.cfg
	if f.rng == nil || c.Rate <= 0 || len(c.Kinds) == 0 {
		return d
	}
	if len(c.Methods) > 0 && !slices.ContainsFunc(c.Methods, func(m string) bool { return strings.EqualFold(m, method) }) {
		return d
	}
	if len(c.Routes) > 0 && !slices.Contains(c.Routes, route) {
		return d
	}
	if f.rng.Float64() < c.Rate {
		d.kind = c.Kinds[f.rng.IntN(len(c.Kinds))]
		f.counts[d.kind]++
	}
	return d
}

// SetFaults replaces the random fault configuration, restarting its generator from f.Seed; Faults{} turns random
// faults off. Scripted faults (InjectNext) are kept. It fails on an unknown kind or route, a Rate outside [0, 1],
// a Rate above 0 with no Kinds, or a negative duration.
func (s *Server) SetFaults(f Faults) error {
	var probs []string
	if f.Rate < 0 || f.Rate > 1 || f.Rate != f.Rate {
		probs = append(probs, "Rate must be between 0 and 1")
	}
	if f.Rate > 0 && len(f.Kinds) == 0 {
		probs = append(probs, "Rate is above 0 but Kinds is empty")
	}
	for _, k := range f.Kinds {
		if !k.valid() {
			probs = append(probs, fmt.Sprintf("unknown fault kind %q", k))
		}
	}
	for _, r := range f.Routes {
		if !knownRoute(r) {
			probs = append(probs, fmt.Sprintf("unknown route %q", r))
		}
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		probs = append(probs, "Latency and RetryAfter must not be negative")
	}
	if len(probs) > 0 {
		return errors.New("oncalltest: SetFaults: " + strings.Join(probs, "; "))
	}
	f.Kinds = slices.Clone(f.Kinds)
	f.Methods = slices.Clone(f.Methods)
	f.Routes = slices.Clone(f.Routes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.cfg = f
	s.faults.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	return nil
}

// InjectNext makes the next n requests that match m fail with kind, ahead of any random fault. Scripted faults are
// used in the order they were injected. It fails on an unknown kind or route, or n below 1.
func (s *Server) InjectNext(kind FaultKind, n int, m Match) error {
	switch {
	case !kind.valid():
		return fmt.Errorf("oncalltest: InjectNext: unknown fault kind %q", kind)
	case n < 1:
		return fmt.Errorf("oncalltest: InjectNext: n is %d, want at least 1", n)
	case m.Route != "" && !knownRoute(m.Route):
		return fmt.Errorf("oncalltest: InjectNext: unknown route %q", m.Route)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.scripted = append(s.faults.scripted, &scripted{kind: kind, left: n, match: m})
	return nil
}

// ClearFaults removes every random and scripted fault. FaultCounts keeps counting from where it was.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.cfg = Faults{}
	s.faults.rng = nil
	s.faults.scripted = nil
}

// FaultCounts returns how many faults of each kind the server has injected, random and scripted together. A test
// can compare them with the failures its code reported.
func (s *Server) FaultCounts() map[FaultKind]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faults.counts)
}
