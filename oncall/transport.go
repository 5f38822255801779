package oncall

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
	"golang.org/x/time/rate"
)

// attemptState follows one logical request across its attempts.
type attemptState struct {
	method string
	path   string
	// once marks a request that must not be repeated once it may have reached the server, whatever its method.
	once bool
	// wrote is set once any attempt has written its request headers: from then on the request may have reached
	// the server, and a POST must not be repeated.
	wrote atomic.Bool
	// attempts counts the attempts made.
	attempts atomic.Int32
}

// repeatable reports whether sending the request again has no effect beyond the first time.
func (st *attemptState) repeatable() bool { return idempotent(st.method) && !st.once }

type attemptKey struct{}

func attemptStateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(attemptKey{}).(*attemptState)
	return st
}

// attemptTransport runs under the retry loop, once per attempt. It refuses any request off the client's origin
// (the last line of defence for the token), waits on the client's pacer, notes whether the request was written,
// and feeds 429s back to the pacer so that the whole client slows down.
type attemptTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	if !c.sameOrigin(req.URL) {
		closeBody(req)
		return nil, fmt.Errorf("%w: refusing to send a request to another origin than the client's", ErrCrossOrigin)
	}
	ctx := req.Context()
	st := attemptStateFrom(ctx)
	if err := c.pacer.Wait(ctx); err != nil {
		closeBody(req)
		return nil, &finalError{err}
	}
	var n int32
	if st != nil {
		n = st.attempts.Add(1)
		trace := &httptrace.ClientTrace{WroteHeaders: func() { st.wrote.Store(true) }}
		req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		c.rtt.add(time.Since(start))
	}
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, "oncall request failed",
			slog.String("method", req.Method), slog.String("path", redact.Path(req.URL.Path)), slog.Int("attempt", int(n)),
			slog.Duration("elapsed", time.Since(start)), slog.String("error", errorClass(err)))
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ra, _ := parseRetryAfter(resp)
		// Every request waits out the server's Retry-After, but no longer than the policy would wait for one:
		// past that, callers get the 429 (with its RetryAfter) at once rather than hang.
		c.pacer.Throttle(min(ra, c.pauseCap()))
		attrs := []slog.Attr{slog.String("method", req.Method), slog.String("path", redact.Path(req.URL.Path)), slog.Duration("retry_after", ra)}
		if lim := c.pacer.Limit(); lim != rate.Inf {
			attrs = append(attrs, slog.Float64("rate", float64(lim)))
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "oncall rate limited: slowing down", attrs...)
	case resp.StatusCode < 500:
		c.pacer.Success()
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "oncall request",
		slog.String("method", req.Method), slog.String("path", redact.Path(req.URL.Path)), slog.Int("status", resp.StatusCode),
		slog.Int("attempt", int(n)), slog.Duration("elapsed", time.Since(start)))
	return resp, nil
}

// finalError is a failure that a retry would meet again: a rate-limit wait that the context cannot outlast, or a
// redirect that a CheckRedirect refused. It keeps the cause's text and wraps it.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

// pauseCap bounds the client-wide pause after a 429: the policy's MaxRetryAfter, or the default's when retries
// are off.
func (c *Client) pauseCap() time.Duration {
	if c.retry.MaxRetryAfter > 0 {
		return c.retry.MaxRetryAfter
	}
	return DefaultRetryPolicy().MaxRetryAfter
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// errorClass describes a transport error for a log line without its text, which for some errors holds the URL.
func errorClass(err error) string {
	switch {
	case err == nil:
		return ""
	case isContextErr(err):
		return "context done"
	default:
		return fmt.Sprintf("%T", err)
	}
}
