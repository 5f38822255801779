// Package origin is the one definition of "the same origin" for the module: the client's token guard and the
// webhook parser must never disagree on it.
package origin

import (
	"net/url"
	"strings"
)

// Origin is a URL's scheme and host, normalised: both lower-case, and a default port (443 for https, 80 for
// http) removed, so that https://api.oncallhealth.ca:443/ and https://API.oncallhealth.ca/ are one origin.
type Origin struct {
	Scheme, Host string
}

// Of returns u's origin.
func Of(u *url.URL) Origin {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if p := u.Port(); (scheme == "https" && p == "443") || (scheme == "http" && p == "80") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return Origin{Scheme: scheme, Host: host}
}

// Same reports whether a and b are on one origin.
func Same(a, b *url.URL) bool { return Of(a) == Of(b) }
