package oncalltest

import (
	"net/http"
	"time"
)

// DefaultToken is the API token a Server accepts unless WithToken sets another.
const DefaultToken = "oncalltest-token"

// Page sizes of listings, unless WithPageSize sets others. OnCall documents neither; these are Django REST
// Framework's usual choices for an API of this kind.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Webhook delivery defaults, unless WithWebhookRetry or WithWebhookClient set others.
const (
	DefaultWebhookRetries = 3
	DefaultWebhookBackoff = 10 * time.Millisecond
	DefaultWebhookTimeout = 5 * time.Second
)

// An Option configures a Server. Options cannot fail: a value out of range is replaced as each option says.
type Option func(*config)

type config struct {
	token          string
	pageSize       int
	maxPageSize    int
	webhookURL     string
	webhookBase    string
	webhookHeader  http.Header
	webhookRetries int
	webhookBackoff time.Duration
	webhookClient  *http.Client
	ratePerSecond  float64
	rateBurst      int
	tls            bool
	extension      bool
	ignored        map[string]bool
}

func defaultConfig() config {
	return config{
		token:          DefaultToken,
		pageSize:       DefaultPageSize,
		maxPageSize:    MaxPageSize,
		webhookHeader:  http.Header{},
		webhookRetries: DefaultWebhookRetries,
		webhookBackoff: DefaultWebhookBackoff,
	}
}

// WithToken sets the API token the server accepts; "" keeps DefaultToken.
func WithToken(token string) Option {
	return func(c *config) {
		if token != "" {
			c.token = token
		}
	}
}

// WithPageSize sets the page size of a listing without page_size, and the largest page_size honoured (a larger one
// is lowered to it, as Django REST Framework does). A value below 1 keeps the default; a default above the maximum
// is lowered to it.
func WithPageSize(defaultSize, maxSize int) Option {
	return func(c *config) {
		if maxSize >= 1 {
			c.maxPageSize = maxSize
		}
		if defaultSize >= 1 {
			c.pageSize = defaultSize
		}
		c.pageSize = min(c.pageSize, c.maxPageSize)
	}
}

// WithWebhookURL registers the URL that webhooks are posted to, as SetWebhookURL does.
func WithWebhookURL(rawURL string) Option {
	return func(c *config) { c.webhookURL = rawURL }
}

// WithWebhookBase sets the scheme and host that the "url" of a webhook payload is written on, such as
// "https://api.oncallhealth.com", which is what OnCall's published payloads show (a host other than the API's
// regional one). By default it is the server's own URL. A trailing slash is removed.
func WithWebhookBase(base string) Option {
	return func(c *config) {
		for len(base) > 0 && base[len(base)-1] == '/' {
			base = base[:len(base)-1]
		}
		c.webhookBase = base
	}
}

// WithWebhookHeader adds a header to every webhook request, for a deployment that agrees a shared secret with
// OnCall. Public material describes no signature, so by default none is sent.
func WithWebhookHeader(key, value string) Option {
	return func(c *config) { c.webhookHeader.Add(key, value) }
}

// WithWebhookRetry sets how many times a webhook is retried after a failed attempt (a transport error or a non-2xx
// answer) and the wait before the first retry, which doubles for each further one. Negative values count as 0.
func WithWebhookRetry(maxRetries int, backoff time.Duration) Option {
	return func(c *config) {
		c.webhookRetries = max(maxRetries, 0)
		c.webhookBackoff = max(backoff, 0)
	}
}

// WithWebhookClient makes the server post webhooks with hc, for example the Client of an httptest TLS receiver;
// Close closes hc's idle connections. By default the server uses its own client with a DefaultWebhookTimeout
// timeout.
func WithWebhookClient(hc *http.Client) Option {
	return func(c *config) {
		if hc != nil {
			c.webhookClient = hc
		}
	}
}

// WithRateLimit makes the server refuse requests beyond perSecond a second (with bursts of up to burst) with 429
// Too Many Requests and a Retry-After, as a throttled Django REST Framework API does. It is off by default; a
// perSecond of 0 or less turns it off, and a burst below 1 counts as 1.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) {
		c.ratePerSecond = max(perSecond, 0)
		c.rateBurst = max(burst, 1)
	}
}

// WithTLS serves HTTPS with a self-signed certificate, as httptest.NewTLSServer does; Server.Client trusts it.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithUndocumentedParticipantAPI turns on the participant extension: the unconfirmed part of the API that
// OnCall's public documentation does not describe (see the oncall package's undocumented.go). With it the server
// takes POST /participants/ and PATCH and DELETE /participants/{id}/, reads and writes a participant's "status",
// and renders "status" on every participant. Without it, the default, the server is the documented API only: those
// methods answer 405 and a participant's "status" in a write is ignored, as Django REST Framework ignores an
// unknown field. Use it to test code that relies on the extension; code that must work against the documented API
// should be tested without it.
func WithUndocumentedParticipantAPI() Option {
	return func(c *config) { c.extension = true }
}

// WithIgnoredFields makes the server ignore the named fields in every write, as Django REST Framework ignores a
// field its serializer does not have or holds read-only: the write is answered as usual, without the field's change.
// It is for testing how code handles a write the API drops (the client reports it as oncall.ErrWriteIgnored).
// Names are those of an appointment's fields ("status", "title", "participants", ...) and, prefixed with
// "participant.", of a participant's, in an appointment's participants list or a participant write
// ("participant.cancelled", "participant.status").
func WithIgnoredFields(fields ...string) Option {
	return func(c *config) {
		if c.ignored == nil {
			c.ignored = map[string]bool{}
		}
		for _, f := range fields {
			c.ignored[f] = true
		}
	}
}
