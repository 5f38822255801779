// Package ratelimit paces a client's requests: a token bucket waited on before every attempt, which a 429 answer
// slows down for every request of the client, not just the one that was refused.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer is a rate limiter with back-pressure. It is safe for concurrent use.
//
// After Throttle (a 429), every Wait first waits out the server's Retry-After, and the rate drops to half (never
// below Floor of the configured rate); each later success adds back a twentieth of the configured rate. This is
// additive-increase, multiplicative-decrease, so a client converges on what the server accepts.
type Pacer struct {
	lim        *rate.Limiter
	configured rate.Limit

	mu          sync.Mutex
	pausedUntil time.Time
	throttles   int
}

// Floor is the fraction of the configured rate below which Throttle never lowers the limit.
const Floor = 0.05

// New returns a Pacer allowing limit requests a second with bursts of burst. rate.Inf disables the token bucket;
// a Retry-After pause still applies.
func New(limit rate.Limit, burst int) *Pacer {
	if burst < 1 {
		burst = 1
	}
	return &Pacer{lim: rate.NewLimiter(limit, burst), configured: limit}
}

// Wait blocks until a request may be sent, or ctx is done. Its error wraps ctx.Err(), or
// context.DeadlineExceeded when waiting would outlast ctx's deadline.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		d := time.Until(p.pausedUntil)
		p.mu.Unlock()
		if d <= 0 {
			break
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return fmt.Errorf("rate limit pause of %v would outlast the context deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := p.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// x/time/rate reports "would exceed context deadline" as a plain error; make it testable with errors.Is.
		return fmt.Errorf("%v: %w", err, context.DeadlineExceeded)
	}
	return nil
}

// Throttle records a 429: every request waits retryAfter (if positive) from now, and the rate is halved.
func (p *Pacer) Throttle(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttles++
	if until := time.Now().Add(retryAfter); until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
	if p.configured == rate.Inf {
		return
	}
	p.lim.SetLimit(max(p.lim.Limit()/2, p.configured*Floor))
}

// Success records a request the server accepted, restoring part of the rate a Throttle took away.
func (p *Pacer) Success() {
	if p.configured == rate.Inf || p.lim.Limit() >= p.configured {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lim.SetLimit(min(p.lim.Limit()+p.configured/20, p.configured))
}

// Limit returns the current rate, which is below the configured one after a Throttle.
func (p *Pacer) Limit() rate.Limit { return p.lim.Limit() }

// Throttles returns how many 429s the pacer has seen.
func (p *Pacer) Throttles() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttles
}
