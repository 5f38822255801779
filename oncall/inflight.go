package oncall

import (
	"math"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// MaxSuggestedConcurrency caps SuggestedConcurrency, and is the number of idle connections per host the client's
// default transport keeps, so that every request in flight can reuse a connection instead of opening one (a TLS
// handshake each, against the real API).
const MaxSuggestedConcurrency = 128

// minSuggestedConcurrency is what SuggestedConcurrency gives before any request has been timed, with no rate
// limit, or at a latency so low that fewer would do: the Runner's default before it followed the network.
const minSuggestedConcurrency = 4

// SuggestedConcurrency returns how many requests to keep in flight for the client to send at its rate limit at
// the latency it has observed: by Little's law, the rate times the round-trip time (a moving average over recent
// requests, from the request sent to the response's headers), with a quarter more for jitter, between 4 and
// MaxSuggestedConcurrency. At 10 requests a second and 50 ms that is 4; at 500 a second and 150 ms, 94. With
// NoRateLimit there is no rate to hold, and it is 4. A 429 lowers the rate the client keeps to, and so this.
//
// syncer.Runner follows it when its Concurrency is zero. It is safe for concurrent use.
func (c *Client) SuggestedConcurrency() int {
	return suggestConcurrency(c.pacer.Limit(), time.Duration(c.rtt.Load()))
}

func suggestConcurrency(limit rate.Limit, rtt time.Duration) int {
	if limit == rate.Inf || limit <= 0 || rtt <= 0 {
		return minSuggestedConcurrency
	}
	n := math.Ceil(float64(limit) * rtt.Seconds() * 1.25)
	return int(max(minSuggestedConcurrency, min(n, MaxSuggestedConcurrency)))
}

// rttAverage is an exponentially weighted moving average of round-trip times, in nanoseconds, safe for
// concurrent use; 0 until the first sample.
type rttAverage struct{ ns atomic.Int64 }

// rttWeight is the weight of a new sample: about the last ten requests count.
const rttWeight = 0.2

func (a *rttAverage) Load() int64 { return a.ns.Load() }

func (a *rttAverage) add(d time.Duration) {
	for {
		old := a.ns.Load()
		next := int64(d)
		if old > 0 {
			next = int64(float64(old)*(1-rttWeight) + float64(d)*rttWeight)
		}
		if a.ns.CompareAndSwap(old, next) {
			return
		}
	}
}

// defaultTransport is http.DefaultTransport's configuration with room for MaxSuggestedConcurrency idle
// connections to the API host, instead of net/http's 2: with more requests in flight than idle connections kept,
// every request beyond them opens a new connection when it starts and closes it when it ends.
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport // replaced by the program: keep its choice
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = MaxSuggestedConcurrency
	t.MaxIdleConns = max(t.MaxIdleConns, MaxSuggestedConcurrency)
	return t
}
