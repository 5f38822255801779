package oncall

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	"github.com/oncallsync/oncall-go/internal/retry"
)

// RetryPolicy says when and how long the client retries a failed attempt. Whatever the policy:
//
//   - GET, PUT, PATCH and DELETE are retried after a connection error and on 429, 502, 503 and 504. (PATCH is
//     retried because the client only ever sends absolute field values, so sending one twice changes nothing.)
//   - POST, and a PATCH that carries a participants list, are retried only when they surely did not reach the
//     server. (A second sending of a list would invite its newcomers again, and a list is built from the
//     appointment as last read: sent again minutes later, it would undo a participant's cancellation or a
//     co-host's addition made in OnCall meanwhile.) Such a request is retried when the connection failed before
//     the request was written, or the server answered 429, which refuses a request without acting on it. After a
//     5xx or a connection lost mid-request, such a write may have taken effect, so the client returns the error
//     and leaves the decision to the caller (the syncer reads the appointment again before another try).
//   - A server's Retry-After (seconds or an HTTP date) is honoured on 429 and 503. One longer than MaxRetryAfter
//     ends retrying at once, with an *APIError whose RetryAfter says how long the server asked for.
//   - Every wait ends early when the request's context is done.
type RetryPolicy struct {
	// MaxRetries is how many times a request is retried after its first attempt; 0 turns retries off.
	MaxRetries int
	// MinWait and MaxWait bound the exponential backoff (with jitter) used when the server gives no Retry-After.
	MinWait, MaxWait time.Duration
	// MaxRetryAfter caps the server-requested wait the client will honour.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a client uses unless WithRetryPolicy replaces it: 4 retries, backoff from
// 500 ms to 30 s, and Retry-After honoured up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 4, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, MaxRetryAfter: time.Minute}
}

// idempotent reports whether repeating the method has no effect beyond the first time.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// checkRetry is the retryablehttp CheckRetry hook.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := attemptStateFrom(ctx)
	if st == nil {
		return false, err
	}
	if err != nil {
		if !retryableTransportError(err) {
			return false, err
		}
		return st.repeatable() || !st.wrote.Load(), err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return c.withinRetryAfter(resp), nil
	case http.StatusServiceUnavailable:
		return st.repeatable() && c.withinRetryAfter(resp), nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return st.repeatable(), nil
	}
	return false, nil
}

// withinRetryAfter reports whether the response's Retry-After, if any, is one the policy will wait for.
func (c *Client) withinRetryAfter(resp *http.Response) bool {
	ra, ok := parseRetryAfter(resp)
	return !ok || ra <= c.retry.MaxRetryAfter
}

// retryableTransportError reports whether a transport failure could go away on its own. A refused redirect or
// origin, a rate-limit wait the context cannot outlast, a cancellation, or a certificate the system does not trust
// will not. A timeout can: checkRetry has already stopped if it was the caller's context that expired, so this one
// is a dial or an attempt (http.Client.Timeout) timing out, which net reports as matching
// context.DeadlineExceeded.
func retryableTransportError(err error) bool {
	var final *finalError
	if errors.Is(err, ErrCrossOrigin) || errors.As(err, &final) || errors.Is(err, context.Canceled) {
		return false
	}
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	if errors.As(err, &unknownAuthority) || errors.As(err, &invalid) || errors.As(err, &hostname) {
		return false
	}
	return true
}

// backoff is the retryablehttp Backoff hook: the server's Retry-After on 429 and 503, else exponential with jitter.
func (c *Client) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra, ok := parseRetryAfter(resp); ok {
			return ra
		}
	}
	return retry.Backoff(c.retry.MinWait, c.retry.MaxWait, attempt)
}

func parseRetryAfter(resp *http.Response) (time.Duration, bool) {
	return retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}
