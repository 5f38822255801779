package webhook

import (
	"errors"
	"log/slog"
	"math"
	"time"
)

// An Option configures a Handler. Options are applied in order; an invalid one makes NewHandler fail.
type Option func(*config) error

// Defaults for the Handler's limits.
const (
	// DefaultMaxBodyBytes bounds a delivery's body. A real one is under 100 bytes; 64 KiB leaves room for an
	// event OnCall may add later, and little for a flood.
	DefaultMaxBodyBytes = 64 << 10
	// DefaultTimeout bounds the handling of one delivery: the re-fetch (retries included) and the callback.
	DefaultTimeout = 10 * time.Second
	// DefaultFetchRate and DefaultFetchBurst bound the appointments the Handler re-reads: 2 a second, in bursts
	// of 10. A clinic's staff change a few appointments a minute; a flood of deliveries, forged or real, then
	// takes at most a fifth of a client at its default rate (oncall.DefaultRateLimit, 10 a second), and the sync
	// sharing that client keeps the rest. See WithFetchLimit.
	DefaultFetchRate  = 2.0
	DefaultFetchBurst = 10
)

// NoFetchLimit, given to WithFetchLimit, removes the Handler's own limit: every accepted delivery is re-read, at
// the client's rate.
const NoFetchLimit = math.MaxFloat64

type config struct {
	fetcher  Fetcher
	verifier Verifier
	maxBody  int64
	timeout  time.Duration
	logger   *slog.Logger

	fetchRate  float64
	fetchBurst int
}

// WithFetchLimit replaces the Handler's own limit on re-reads (DefaultFetchRate, DefaultFetchBurst), kept apart
// from the client's so that deliveries cannot starve a sync that shares the client. A delivery over the limit
// waits for its turn for as long as half the Handler's timeout, so a burst of real changes is re-read a little
// later; past that it is answered 429 Too Many Requests with Retry-After: 1, before any API call, for OnCall to
// send again (OnCall documents no retries: the periodic full sync is what catches a change whose delivery was
// refused). Verification (WithVerifier) comes first, so an unverified delivery never counts against the limit.
// perSecond may be NoFetchLimit.
func WithFetchLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 0) {
			return errors.New("webhook: WithFetchLimit: re-reads a second must be positive, or NoFetchLimit")
		}
		if burst < 1 {
			return errors.New("webhook: WithFetchLimit: burst must be at least 1")
		}
		c.fetchRate, c.fetchBurst = perSecond, burst
		return nil
	}
}

// WithVerifier makes the Handler check every delivery with v before parsing it; a rejected one gets 401.
func WithVerifier(v Verifier) Option {
	return func(c *config) error {
		if v == nil {
			return errors.New("webhook: WithVerifier: nil Verifier")
		}
		c.verifier = v
		return nil
	}
}

// WithMaxBodyBytes replaces DefaultMaxBodyBytes; a longer body gets 413 Request Entity Too Large.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("webhook: WithMaxBodyBytes: the limit must be positive")
		}
		c.maxBody = n
		return nil
	}
}

// WithTimeout replaces DefaultTimeout, the time allowed for the re-fetch and the callback of one delivery. It is
// a deadline on the context both receive; past it the Handler answers 504 so that OnCall can retry.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("webhook: WithTimeout: the timeout must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithLogger makes the Handler log each delivery to l: at debug level when it is handled, at warn level when it is
// refused (4xx), at error level when it fails (5xx), with the event type, the appointment id, the status and the
// reason. It never logs the body, a header, a name or an email, nor the error text of the callback, of a Verifier,
// or of a Fetcher given with WithFetcher, which it cannot know to be free of patient data. Without this option the
// Handler logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("webhook: WithLogger: nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithFetcher makes the Handler read appointments through f instead of the client's Appointments service: a cache
// or a test double. f must read from the client's region; the Handler still decides from the client which urls to
// accept.
func WithFetcher(f Fetcher) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("webhook: WithFetcher: nil Fetcher")
		}
		c.fetcher = f
		return nil
	}
}
