// Package retry holds the parts of the client's retry policy that do not depend on the client: reading
// Retry-After, and the exponential backoff with jitter used when the server gives no hint.
package retry

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter reads a Retry-After header value, in delay-seconds or as an HTTP-date (RFC 9110 section 10.2.3),
// relative to now. It reports false when the value is absent or malformed. A date in the past gives zero.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(365*24*time.Hour/time.Second) { // absurd, and would overflow a Duration further on
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// Backoff returns the wait before retry number attempt (0 for the first retry): min doubled per attempt, capped at
// max, with "equal jitter" (a random point in the upper half) so that many clients do not retry in step.
func Backoff(min, max time.Duration, attempt int) time.Duration {
	if min <= 0 {
		return 0
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + rand.N(half+1)
}
