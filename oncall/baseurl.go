package oncall

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/internal/origin"
)

// parseBaseURL checks and normalises the API root a client sends to: an absolute http or https URL with a plain
// host (and port), a path of plain characters, and nothing else, so that references rendered on it (base +
// "appointments/7/") are the URLs requests go to. Scheme and host are lower-cased, a default port is dropped and
// the path ends with a slash. A host of the other region's OnCall domain is refused: the Region labels where
// patient data may go, and a client labelled US must not talk to the Canadian servers.
func parseBaseURL(raw string, region Region) (*url.URL, error) {
	bad := func(reason string) error { return errors.New("oncall: WithBaseURL: " + reason) }
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS":
		return nil, bad("want an absolute http or https URL")
	case u.Opaque != "" || u.Host == "":
		return nil, bad("want an absolute http or https URL with a host")
	case u.User != nil:
		return nil, bad("must not carry user info")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, bad("must not carry a query (not even an empty one)")
	case strings.Contains(raw, "#"):
		return nil, bad("must not carry a fragment")
	}
	if !validHostPort(u.Host) {
		return nil, bad("host: want a DNS name or IP address and an optional numeric port from 1 to 65535")
	}
	// A path with escapes (%2F) would render references that differ from the paths requests go to.
	if u.RawPath != "" || strings.Contains(u.Path, "%") || !allBytes(u.Path, isPathByte) {
		return nil, bad("path: only letters, digits and / . - _ ~ are allowed, without escapes")
	}
	if hasDotSegment(u.Path) {
		return nil, bad("path: no . or .. segments")
	}
	o := origin.Of(u)
	if other := otherRegionDomain(region); other != "" {
		if h := strings.TrimSuffix(u.Hostname(), "."); strings.EqualFold(h, other) || strings.HasSuffix(strings.ToLower(h), "."+other) {
			return nil, fmt.Errorf("oncall: WithBaseURL: %s belongs to the other region's servers; this client is labelled %s", other, strings.ToUpper(string(region)))
		}
	}
	n := &url.URL{Scheme: o.Scheme, Host: o.Host, Path: u.Path}
	if !strings.HasSuffix(n.Path, "/") {
		n.Path += "/"
	}
	return n, nil
}

// otherRegionDomain returns the OnCall domain of the region region is not.
func otherRegionDomain(region Region) string {
	switch region {
	case RegionCA:
		return "oncallhealth.us"
	case RegionUS:
		return "oncallhealth.ca"
	}
	return ""
}

// validHostPort accepts "host", "host:port", "[v6]" and "[v6]:port" with a DNS name, IPv4 or IPv6 address and a
// port from 1 to 65535.
func validHostPort(hostport string) bool {
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") || strings.Count(hostport, ":") == 1 {
		h, p, err := net.SplitHostPort(hostport)
		if err != nil {
			if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
				h, p = hostport[1:len(hostport)-1], ""
			} else {
				return false
			}
		}
		host, port = h, p
		if port == "" && strings.HasSuffix(hostport, ":") {
			return false
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || !allBytes(port, isDigit) {
			return false
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		return true
	}
	if strings.HasPrefix(hostport, "[") {
		return false // brackets hold only an IPv6 address
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' || !allBytes(label, func(c byte) bool {
			return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '-' || c == '_'
		}) {
			return false
		}
	}
	return true
}

// sameOrigin reports whether u is on the client's origin (see internal/origin: case and a default port aside).
func (c *Client) sameOrigin(u *url.URL) bool { return origin.Same(u, c.base) }

// underBase reports whether u is on the client's origin, without user info, and its path is below the API root
// however a server or proxy reads it: no . or .. segment, and no escape that encodes a dot or a slash (a path
// whose escaping differs from the default, such as %2e%2e, has RawPath set).
func (c *Client) underBase(u *url.URL) bool {
	return c.sameOrigin(u) && u.User == nil && u.RawPath == "" && !hasDotSegment(u.Path) && strings.HasPrefix(u.Path, c.base.Path)
}

// hasDotSegment reports whether path has a . or .. segment.
func hasDotSegment(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// origin returns the client's origin as scheme://host, for error text.
func (c *Client) origin() string { return c.base.Scheme + "://" + c.base.Host }
