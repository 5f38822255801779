package oncalltest

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// handlerFunc answers one request to a route; it runs with the server's mutex held.
type handlerFunc func(c *call) *response

// call is one request as a handler sees it.
type call struct {
	r    *http.Request
	id   int64 // the {id} in the path; 0 for a collection
	body []byte
}

// route is one of the API's paths, such as "/appointments/{id}/", with a handler per method.
type route struct {
	pattern  string
	name     string // as Django REST Framework's OPTIONS answer names the view
	handlers map[string]handlerFunc
}

// Route patterns, as the request log's Route field and fault matching name them.
const (
	routeAppointments        = "/appointments/"
	routeAppointment         = "/appointments/{id}/"
	routeParticipants        = "/participants/"
	routeParticipant         = "/participants/{id}/"
	routeProviders           = "/providers/"
	routeProvider            = "/providers/{id}/"
	routeDivisions           = "/divisions/"
	routeDivision            = "/divisions/{id}/"
	routeContacts            = "/contacts/"
	routeContact             = "/contacts/{id}/"
	routeContactAppointments = "/contacts/{id}/appointments/"
)

func (s *Server) routeTable() map[string]*route {
	list := []*route{
		{routeAppointments, "Appointment List", map[string]handlerFunc{"GET": s.listAppointments, "POST": s.createAppointment}},
		{routeAppointment, "Appointment Instance", map[string]handlerFunc{"GET": s.getAppointment, "PATCH": s.patchAppointment}},
		{routeParticipants, "Participant List", map[string]handlerFunc{"GET": s.listParticipants}},
		{routeParticipant, "Participant Instance", map[string]handlerFunc{"GET": s.getParticipant}},
		{routeProviders, "Provider List", map[string]handlerFunc{"GET": s.listProviders}},
		{routeProvider, "Provider Instance", map[string]handlerFunc{"GET": s.getProvider}},
		{routeDivisions, "Division List", map[string]handlerFunc{"GET": s.listDivisions}},
		{routeDivision, "Division Instance", map[string]handlerFunc{"GET": s.getDivision}},
		{routeContacts, "Contact List", map[string]handlerFunc{"GET": s.listContacts, "POST": s.createContact}},
		{routeContact, "Contact Instance", map[string]handlerFunc{"GET": s.getContact, "PATCH": s.patchContact}},
		{routeContactAppointments, "Contact Appointments", map[string]handlerFunc{"GET": s.listContactAppointments}},
	}
	out := make(map[string]*route, len(list))
	for _, r := range list {
		out[r.pattern] = r
	}
	// The documented API reads participants only; the extension writes them too. Without it, the writes are
	// answered 405 as Django REST Framework answers a method a view lacks.
	if s.extension {
		out[routeParticipants].handlers["POST"] = s.createParticipant
		out[routeParticipant].handlers["PATCH"] = s.patchParticipant
		out[routeParticipant].handlers["DELETE"] = s.deleteParticipant
	}
	return out
}

// knownRoute reports whether pattern names one of the API's routes.
func knownRoute(pattern string) bool {
	switch pattern {
	case routeAppointments, routeAppointment, routeParticipants, routeParticipant, routeProviders, routeProvider,
		routeDivisions, routeDivision, routeContacts, routeContact, routeContactAppointments:
		return true
	}
	return false
}

// pattern returns the route pattern a path matches, and the {id} segment, or "" if it matches none. The trailing
// slash is required.
func pattern(path string) (string, string) {
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || len(path) < 2 {
		return "", ""
	}
	segs := strings.Split(path[1:len(path)-1], "/")
	if slices.Contains(segs, "") {
		return "", ""
	}
	switch {
	case len(segs) == 1:
		return "/" + segs[0] + "/", ""
	case len(segs) == 2:
		return "/" + segs[0] + "/{id}/", segs[1]
	case len(segs) == 3 && segs[0] == kindContacts && segs[2] == "appointments":
		return routeContactAppointments, segs[1]
	}
	return "", ""
}

// match returns the route of a path, or nil.
func (s *Server) match(path string) *route {
	p, _ := pattern(path)
	return s.routes[p]
}

// handle answers a request that no fault has taken over.
func (s *Server) handle(r *http.Request, rt *route, body []byte, tooLarge bool) *response {
	if rt == nil {
		// Django answers a path without its trailing slash with a redirect to the path with it (for GET and HEAD;
		// the server answers other methods with 404, as a client that drops the slash on a write is broken), and
		// any other unknown path with its HTML 404 page, before the API's authentication runs.
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasSuffix(r.URL.Path, "/") &&
			s.match(r.URL.Path+"/") != nil {
			loc := r.URL.Path + "/"
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			resp := newResponse(http.StatusMovedPermanently, "text/html; charset=utf-8", nil)
			resp.header.Set("Location", loc)
			return resp
		}
		return djangoPage(http.StatusNotFound)
	}
	if msg := s.authProblem(r); msg != "" {
		resp := detailResponse(http.StatusUnauthorized, msg)
		resp.header.Set("WWW-Authenticate", `Token`)
		return resp
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	allow := rt.allow()
	if method == http.MethodOptions {
		resp := jsonResponse(http.StatusOK, map[string]any{"name": rt.name, "description": "",
			"renders": []string{"application/json"}, "parses": []string{"application/json"}})
		resp.header.Set("Allow", allow)
		return resp
	}
	h := rt.handlers[method]
	if h == nil {
		resp := detailResponse(http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		resp.header.Set("Allow", allow)
		return resp
	}
	if tooLarge {
		return detailResponse(http.StatusRequestEntityTooLarge, "Request body too large.")
	}
	if len(body) > 0 && method != http.MethodGet {
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return detailResponse(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request.", ct))
		}
	}
	c := &call{r: r, body: body}
	if _, idSeg := pattern(r.URL.Path); idSeg != "" {
		id, err := strconv.ParseInt(idSeg, 10, 64)
		if err != nil || id <= 0 {
			return notFound()
		}
		c.id = id
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return h(c)
}

// allow is the route's Allow header, in Django REST Framework's order.
func (rt *route) allow() string {
	var out []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if rt.handlers[m] != nil {
			out = append(out, m)
		}
	}
	if rt.handlers["GET"] != nil {
		out = append(out, "HEAD")
	}
	return strings.Join(append(out, "OPTIONS"), ", ")
}

// authProblem checks the Authorization header as Django REST Framework's TokenAuthentication does, returning ""
// for the server's token and the framework's message otherwise. Another scheme counts as no credentials.
func (s *Server) authProblem(r *http.Request) string {
	parts := strings.Fields(r.Header.Get("Authorization"))
	switch {
	case len(parts) == 0 || !strings.EqualFold(parts[0], "Token"):
		return "Authentication credentials were not provided."
	case len(parts) == 1:
		return "Invalid token header. No credentials provided."
	case len(parts) > 2:
		return "Invalid token header. Token string should not contain spaces."
	case subtle.ConstantTimeCompare([]byte(parts[1]), []byte(s.token)) != 1:
		return "Invalid token."
	}
	return ""
}
