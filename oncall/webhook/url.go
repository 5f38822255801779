package webhook

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/internal/origin"
	"github.com/oncallsync/oncall-go/oncall"
)

// comRoot is the host OnCall's guide shows in webhook payloads for both regions.
const comRoot = "https://api.oncallhealth.com/"

// PublicRoots returns the API roots of OnCall Health's public hosts, on which a webhook url may name an
// appointment: https://api.oncallhealth.com/ (the host OnCall's guide shows in its webhook payloads), and the
// Canadian and US regions' https://api.oncallhealth.ca/ and https://api.oncallhealth.us/. It returns a new slice on
// each call.
//
// These roots say only which URLs are well formed; they do not say which region an appointment belongs to. The
// Handler accepts a narrower set (see NewHandler).
func PublicRoots() []string {
	return []string{comRoot, oncall.RegionCA.BaseURL(), oncall.RegionUS.BaseURL()}
}

// AppointmentIDFromURL returns the id of the appointment that raw names. raw must be an appointment URL below one
// of roots, "<root>appointments/<id>" with or without a trailing slash, where id is a positive decimal number
// without leading zeros, and must carry no user info, query or fragment.
//
// roots are the API roots the URL may be on, such as "https://api.oncallhealth.ca/" or the BaseURL of a client
// pointed at a fake server; the URL's scheme, host and port must equal a root's (case aside; a default port
// written out is the same as none) and its path must start with the root's. With no roots, PublicRoots() are used.
// Roots given replace the public ones: pass PublicRoots() too to keep them.
//
// An error matches ErrOriginNotAllowed when the URL is on none of roots' origins, and ErrMalformed for any other
// problem with the URL. A malformed root is an error that matches neither.
func AppointmentIDFromURL(raw string, roots ...string) (oncall.AppointmentID, error) {
	rs, err := parseRoots(roots)
	if err != nil {
		return 0, err
	}
	return appointmentID(raw, rs)
}

// root is an accepted API root: its origin, normalised as the client normalises it (internal/origin), and a path
// that ends with a slash.
type root struct {
	origin.Origin
	path string
}

func (r root) sameOrigin(o root) bool { return r.Origin == o.Origin }

func parseRoots(roots []string) ([]root, error) {
	if len(roots) == 0 {
		roots = PublicRoots()
	}
	out := make([]root, 0, len(roots))
	for _, s := range roots {
		r, err := parseRoot(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRoot(s string) (root, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(s, "#") {
		return root{}, fmt.Errorf("webhook: API root %q: want an absolute http or https URL without user info, query or fragment", s)
	}
	r := root{Origin: origin.Of(u)}
	r.path = u.EscapedPath()
	if !strings.HasSuffix(r.path, "/") {
		r.path += "/"
	}
	return r, nil
}

// appointmentID is AppointmentIDFromURL with parsed roots. Its errors name what is wrong, never quoting the URL,
// which comes from an untrusted body.
func appointmentID(raw string, roots []root) (oncall.AppointmentID, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return 0, fmt.Errorf("%w: url is not an absolute URL with a host", ErrMalformed)
	}
	switch {
	case u.User != nil:
		return 0, fmt.Errorf("%w: url carries user info", ErrMalformed)
	case u.RawQuery != "" || u.ForceQuery:
		return 0, fmt.Errorf("%w: url has a query", ErrMalformed)
	case strings.Contains(raw, "#"):
		// url.Parse splits at the first '#', so one anywhere in raw is a fragment, even an empty one.
		return 0, fmt.Errorf("%w: url has a fragment", ErrMalformed)
	}
	o := root{Origin: origin.Of(u)}
	path := u.EscapedPath() // escaped, so that "%31" is not read as "1"
	onOrigin := false
	for _, r := range roots {
		if !r.sameOrigin(o) {
			continue
		}
		onOrigin = true
		rest, ok := strings.CutPrefix(path, r.path)
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(rest, "appointments/")
		if !ok {
			continue
		}
		id, ok := parseID(strings.TrimSuffix(rest, "/"))
		if !ok {
			return 0, fmt.Errorf("%w: url path does not end in a positive numeric appointment id", ErrMalformed)
		}
		return id, nil
	}
	if !onOrigin {
		return 0, fmt.Errorf("%w: url is on none of the %d accepted API origins", ErrOriginNotAllowed, len(roots))
	}
	return 0, fmt.Errorf("%w: url path is not appointments/<id> below the API root", ErrMalformed)
}

// parseID accepts a positive decimal int64 in canonical form: digits only, no sign, no leading zero.
func parseID(s string) (oncall.AppointmentID, bool) {
	if s == "" || s[0] == '0' || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return oncall.AppointmentID(n), true
}
