package oncalltest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Request is one request the server received, as the request log records it.
type Request struct {
	// Seq numbers requests in the order they arrived, from 1.
	Seq  int
	Time time.Time
	// Method, Path and Query (the raw query string) are as received.
	Method string
	Path   string
	Query  string
	// Route is the API route the path matched, such as "/appointments/{id}/", or "" for none.
	Route string
	// Status is the status answered, or 0 when the connection was closed without an answer.
	Status int
	// Authorized reports whether the request carried the server's token.
	Authorized bool
	// Undocumented reports a request to the participant extension (see WithUndocumentedParticipantAPI), whether
	// or not the server has it on: any request to /participants/ or /participants/{id}/ except a GET (or HEAD) of
	// one participant, whose URL appointment payloads give. A test asserts that code meant for the documented API
	// sent none.
	Undocumented bool
	// Body is the request body as received. It may hold test patients' details; the log is in memory only.
	Body []byte
	// Fault is the fault injected into the request, or "".
	Fault FaultKind
	// Committed reports whether the request changed the server's state (even if its answer was then lost).
	Committed bool
	// RequestID is the X-Request-Id the server answered with.
	RequestID string
}

// undocumented reports whether a request with the method, to the route pattern, is one to the participant
// extension.
func undocumented(method, route string) bool {
	switch route {
	case routeParticipants:
		return true
	case routeParticipant:
		return method != http.MethodGet && method != http.MethodHead
	}
	return false
}

// Requests returns the request log, in arrival order. A request appears in the log before its answer (or its
// dropped connection) reaches the client, so a client that has its answer always finds the request here.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	out := slices.Clone(s.reqs)
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Request) int { return a.Seq - b.Seq })
	for i := range out {
		out[i].Body = slices.Clone(out[i].Body)
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// RequestCount returns how many logged requests have the method (any if "") and route (any if ""), for example
// RequestCount("POST", "/appointments/").
func (s *Server) RequestCount(method, route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if (method == "" || strings.EqualFold(method, r.Method)) && (route == "" || route == r.Route) {
			n++
		}
	}
	return n
}
