package oncall

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
)

// An Option configures a Client. Options are applied in order; an invalid one makes NewClient fail.
type Option func(*config) error

type config struct {
	baseURL    string
	httpClient *http.Client
	retry      RetryPolicy
	limit      float64
	burst      int
	logger     *slog.Logger
	userAgent  string
	authScheme string
	maxPages   int
}

// Default rate limit. OnCall publishes no limit; 10 requests a second with bursts of 10 is gentle enough for any
// API of its kind while syncing thousands of appointments a minute. Raise it with WithRateLimit once OnCall has
// confirmed your key's allowance.
const (
	DefaultRateLimit = 10.0 // requests a second
	DefaultBurst     = 10
)

// NoRateLimit, given to WithRateLimit, removes the client's own limit: for tests against a fake, or a proxy that
// limits itself. A 429 still pauses the client for the server's Retry-After.
const NoRateLimit = math.MaxFloat64

// DefaultUserAgent is sent unless WithUserAgent replaces it.
const DefaultUserAgent = "oncall-go/" + Version

// Version is the SDK's version.
const Version = "0.1.0"

// WithBaseURL sends requests to rawURL instead of the region's API host: a fake server in tests
// (oncall/oncalltest), a proxy, or a private deployment. It must be an absolute http or https URL with a plain host,
// an optional port and a path of letters, digits and / . - _ ~ (no escapes, query, fragment or user info); scheme
// and host are lower-cased, a default port is dropped and a trailing slash is added to the path. NewClient refuses a
// host on the other region's OnCall domain (a RegionUS client pointed at oncallhealth.ca). The Region still labels
// the client, and the token is sent only to this origin.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		// Checked (and normalised) by NewClient, which knows the region.
		c.baseURL = rawURL
		return nil
	}
}

// DefaultMaxPages bounds one listing unless WithMaxPages changes it: at the page sizes APIs of its kind use (10
// to 100), 100,000 pages hold one to ten million appointments, more than any clinic's history.
const DefaultMaxPages = 100_000

// WithMaxPages bounds the pages one listing follows; an iterator that would read more stops with an error
// matching ErrPaginationRunaway. Whatever the bound, a listing also stops with that error when a page has no
// results but links a next one, when it reads more pages than the listing's count needs (plus two), or when the
// count grows past half again what the first page counted (or a thousand more): a server that never ends a
// listing is not followed until the context ends.
func WithMaxPages(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("oncall: WithMaxPages: want at least 1")
		}
		c.maxPages = n
		return nil
	}
}

// WithHTTPClient makes the client send requests through hc: its Transport (for a proxy, tracing, or an httpmock
// transport in tests), Timeout and Jar are kept. The client works on a copy: hc itself is not changed. Its
// CheckRedirect still runs, after the client's own check that a redirect stays on the API's origin. Without this
// option the client sends through its own copy of http.DefaultTransport that keeps MaxSuggestedConcurrency idle
// connections to the API host (net/http's default keeps 2, so that more requests in flight each open a new
// connection), with no overall timeout: bound each call with its context. A transport given here is used as it
// is: give it a MaxIdleConnsPerHost of SuggestedConcurrency or more.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("oncall: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy. RetryPolicy{} turns retries off.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.MinWait < 0 || p.MaxWait < 0 || p.MaxRetryAfter < 0 {
			return errors.New("oncall: WithRetryPolicy: negative values are not allowed")
		}
		if p.MaxWait < p.MinWait {
			return errors.New("oncall: WithRetryPolicy: MaxWait is less than MinWait")
		}
		c.retry = p
		return nil
	}
}

// WithRateLimit sets how many requests a second the client sends (every attempt, retries included), with bursts
// of up to burst: WithRateLimit(25, 5). NoRateLimit removes the limit; a 429 still pauses the client for the
// server's Retry-After.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 0) {
			return fmt.Errorf("oncall: WithRateLimit: requests a second must be positive, or NoRateLimit")
		}
		if burst < 1 {
			return fmt.Errorf("oncall: WithRateLimit: burst must be at least 1")
		}
		c.limit, c.burst = perSecond, burst
		return nil
	}
}

// WithLogger makes the client log to l: each attempt at debug level (method, path without query, status or error
// class, attempt number, duration), and each 429 at info level with the Retry-After and the rate it slows to. No log line ever holds the token, a query string,
// a body, or a patient's name or email. Without this option the client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("oncall: WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header; identify your integration, e.g. "acme-ehr-sync/2.3 oncall-go/0.1.0".
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("oncall: WithUserAgent: empty, or contains a line break")
		}
		c.userAgent = ua
		return nil
	}
}

// WithAuthScheme sets the scheme of the Authorization header: "Token" (the default, Django REST Framework's
// token authentication, which OnCall's own clients use) or, for example, "Bearer".
func WithAuthScheme(scheme string) Option {
	return func(c *config) error {
		if scheme == "" || strings.ContainsFunc(scheme, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return errors.New("oncall: WithAuthScheme: want a single printable word such as Token or Bearer")
		}
		c.authScheme = scheme
		return nil
	}
}
