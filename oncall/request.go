package oncall

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Do sends a request to an endpoint the client does not model yet, through everything the modelled ones go through:
// the region's host and the token (a URL of another origin is refused with ErrCrossOrigin), the rate limit, the
// retry policy (a POST is not repeated once it may have reached the server), and the error types (*APIError,
// *RequestError, *DecodeError).
//
// path is relative to the API root ("appointments/7/attachments/", with the trailing slash the API uses), or an
// absolute URL on the client's own origin, such as one an answer gave; query is added to it. in, when not nil, is
// sent as JSON; the answer's JSON is decoded into out when out is not nil. Do knows nothing of the endpoint: it does
// not check a write's answer against what was sent, as the modelled writes do, so that is the caller's to do.
//
//	var attachments struct {
//		Count   int              `json:"count"`
//		Results []map[string]any `json:"results"`
//	}
//	err := client.Do(ctx, "GET", "appointmentattachments/", url.Values{"appointment_id": {"7"}}, nil, &attachments)
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return &ValidationError{Resource: "request", Problems: []string{fmt.Sprintf("method %q: want GET, POST, PUT, PATCH or DELETE", method)}}
	}
	target, err := c.resolvePath(path)
	if err != nil {
		return err
	}
	if len(query) > 0 {
		q := target.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		target.RawQuery = q.Encode()
	}
	return c.do(ctx, method, target, in, out)
}

// resolvePath resolves Do's path: a path below the API root, or an absolute URL on the client's origin and under its root.
func (c *Client) resolvePath(path string) (*url.URL, error) {
	invalid := func(problem string) error {
		return &ValidationError{Resource: "request", Problems: []string{"path: " + problem}}
	}
	if path == "" || strings.ContainsFunc(path, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, invalid("empty, or holds white space or control characters")
	}
	u, err := url.Parse(path)
	if err != nil {
		return nil, invalid("not a URL path")
	}
	if u.IsAbs() {
		if !c.sameOrigin(u) {
			return nil, fmt.Errorf("%w: a request to another origin than the client's %s", ErrCrossOrigin, c.origin())
		}
		if !c.underBase(u) || u.Fragment != "" {
			return nil, invalid("not under the API root " + c.base.Path + " (or with . or .. segments, or escaped dots or slashes)")
		}
		return u, nil
	}
	switch {
	case u.Host != "" || strings.HasPrefix(path, "/"):
		return nil, invalid("want a path relative to the API root (no leading slash), or an absolute URL")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, invalid("a query goes in the query argument")
	case u.RawPath != "" || hasDotSegment(u.Path):
		// %2e%2e is .. to a server that normalises paths, and %2F a slash.
		return nil, invalid("must not leave the API root: no . or .. segments, and no escaped dots or slashes")
	}
	return c.endpoint(u.Path, nil), nil
}
