package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"time"
)

// DefaultTolerance is how far a signed timestamp may be from the receiver's clock, either way, unless
// HMACScheme.Tolerance says otherwise.
const DefaultTolerance = 5 * time.Minute

// HMACScheme is a webhook signature scheme: the sender puts the Unix time in seconds in TimestampHeader, and in
// SignatureHeader the lower-case hex HMAC-SHA256, keyed with a shared secret, of the timestamp header's value, a
// dot, and the body. Signing the timestamp with the body bounds how long a captured delivery can be replayed.
//
// OnCall Health publishes no webhook signing scheme. HMACScheme is for deployments that agree one with OnCall, or
// that put a relay or API gateway in front of the Handler which signs what it forwards; it is the common shape of
// such schemes (Stripe's and Slack's are of this kind), with the header names left to the agreement.
type HMACScheme struct {
	// SignatureHeader names the header that carries the hex signature, e.g. "X-Signature".
	SignatureHeader string
	// TimestampHeader names the header that carries the Unix time in seconds, e.g. "X-Signature-Timestamp".
	TimestampHeader string
	// Tolerance is how far the timestamp may be from the receiver's clock, in the past or the future; zero means
	// DefaultTolerance. Checking both directions keeps a delivery signed with a future time from being replayable
	// for longer.
	Tolerance time.Duration
}

func (s HMACScheme) check(who string) (sigHeader, tsHeader string, err error) {
	if !validHeaderName(s.SignatureHeader) || !validHeaderName(s.TimestampHeader) {
		return "", "", fmt.Errorf("webhook: HMACScheme.%s: SignatureHeader and TimestampHeader must both be valid header names", who)
	}
	sigHeader, tsHeader = s.SignatureHeader, s.TimestampHeader
	if textproto.CanonicalMIMEHeaderKey(sigHeader) == textproto.CanonicalMIMEHeaderKey(tsHeader) {
		return "", "", fmt.Errorf("webhook: HMACScheme.%s: SignatureHeader and TimestampHeader are the same header", who)
	}
	if s.Tolerance < 0 {
		return "", "", fmt.Errorf("webhook: HMACScheme.%s: negative Tolerance", who)
	}
	return sigHeader, tsHeader, nil
}

// Verifier returns a Verifier that accepts a request signed with any of secrets (several let you rotate one)
// whose timestamp is within the tolerance of the receiver's clock. Signatures are compared in constant time, and
// every secret is tried. Like SharedSecretHeader it fails closed: no secret, a secret shorter than MinSecretLen,
// or a scheme without two distinct valid header names is an error, never a Verifier that lets requests through.
func (s HMACScheme) Verifier(secrets ...string) (Verifier, error) {
	sigHeader, tsHeader, err := s.check("Verifier")
	if err != nil {
		return nil, err
	}
	if _, err := secretDigests("HMACScheme.Verifier", secrets); err != nil {
		return nil, err
	}
	keys := make([][]byte, len(secrets))
	for i, sec := range secrets {
		keys[i] = []byte(sec)
	}
	tol := s.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	return func(r *http.Request, body []byte) error {
		ts, err := singleHeader(r.Header, tsHeader)
		if err != nil {
			return err
		}
		sig, err := singleHeader(r.Header, sigHeader)
		if err != nil {
			return err
		}
		at, ok := parseUnixSeconds(ts)
		if !ok {
			return fmt.Errorf("%w: header %s is not a Unix time in seconds", ErrUnverified, tsHeader)
		}
		got, err := hex.DecodeString(sig)
		if err != nil || len(got) != sha256.Size {
			return fmt.Errorf("%w: header %s is not a hex HMAC-SHA256", ErrUnverified, sigHeader)
		}
		match := false
		for _, k := range keys {
			if hmac.Equal(got, signature(k, ts, body)) {
				match = true // no early exit: every secret is tried
			}
		}
		if !match {
			return fmt.Errorf("%w: signature does not match", ErrUnverified)
		}
		// Checked after the signature, so that this error means "authentic but stale": a clock to fix, or a replay.
		if d := time.Since(at); d > tol || d < -tol {
			return fmt.Errorf("%w: timestamp is %v away from now, outside ±%v", ErrUnverified, d.Round(time.Second), tol)
		}
		return nil
	}, nil
}

// Sign sets the timestamp and signature headers on h for body, as signed with secret at the given time. It is what
// a relay in front of the Handler does, and what a test does to make a delivery the Verifier accepts.
func (s HMACScheme) Sign(h http.Header, secret string, at time.Time, body []byte) error {
	sigHeader, tsHeader, err := s.check("Sign")
	if err != nil {
		return err
	}
	if _, err := secretDigests("HMACScheme.Sign", []string{secret}); err != nil {
		return err
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	h.Set(tsHeader, ts)
	h.Set(sigHeader, hex.EncodeToString(signature([]byte(secret), ts, body)))
	return nil
}

func signature(key []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func singleHeader(h http.Header, name string) (string, error) {
	switch vals := h.Values(name); len(vals) {
	case 0:
		return "", fmt.Errorf("%w: header %s is missing", ErrUnverified, name)
	case 1:
		return vals[0], nil
	}
	return "", fmt.Errorf("%w: header %s is repeated", ErrUnverified, name)
}

// parseUnixSeconds accepts 1 to 12 decimal digits (up to the year 33658), no sign.
func parseUnixSeconds(s string) (time.Time, bool) {
	if s == "" || len(s) > 12 {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
