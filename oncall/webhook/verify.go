package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
)

// Verifier checks that a delivery comes from who it should before anything in it is used. The Handler calls it
// with the request, for its headers, and the body, already read in full (r.Body must not be read again). A non-nil
// error makes the Handler answer 401 Unauthorized without parsing the body or fetching anything.
//
// OnCall Health publishes no way to sign or authenticate its webhooks, so none is required: the Handler is safe
// without one, because it trusts nothing in a delivery but an appointment id, which it re-reads from the API.
// A verifier keeps strangers from making it do even that. Use SharedSecretHeader when OnCall has agreed to send a
// secret header, HMACScheme for a signature scheme (yours or a relay's), or write one.
//
// A Verifier's error text is not logged by the Handler, since it cannot know what it holds.
type Verifier func(r *http.Request, body []byte) error

// MinSecretLen is the shortest secret the verifiers of this package accept, in bytes, so that a placeholder such
// as "secret" or "changeme" cannot go to production by mistake.
const MinSecretLen = 16

// SharedSecretHeader returns a Verifier that requires the request to carry the header named header exactly once,
// with a value equal to one of secrets. Several secrets let you rotate one without dropping deliveries: accept the
// old and the new until the sender has switched.
//
// It fails closed: with no secret, an empty one or one shorter than MinSecretLen, or a header name that is not a
// valid HTTP token, it returns an error rather than a Verifier that lets requests through. Values are compared in
// constant time, as SHA-256 digests, so that neither their content nor their length leaks through timing.
func SharedSecretHeader(header string, secrets ...string) (Verifier, error) {
	if !validHeaderName(header) {
		return nil, fmt.Errorf("webhook: SharedSecretHeader: %q is not a valid header name", header)
	}
	digests, err := secretDigests("SharedSecretHeader", secrets)
	if err != nil {
		return nil, err
	}
	return func(r *http.Request, _ []byte) error {
		v, err := singleHeader(r.Header, header)
		if err != nil {
			return err
		}
		got := sha256.Sum256([]byte(v))
		match := 0
		for _, d := range digests {
			match |= subtle.ConstantTimeCompare(got[:], d[:]) // no early exit: every secret is compared
		}
		if match != 1 {
			return fmt.Errorf("%w: header %s does not match", ErrUnverified, header)
		}
		return nil
	}, nil
}

func secretDigests(who string, secrets []string) ([][sha256.Size]byte, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("webhook: %s: no secret given", who)
	}
	out := make([][sha256.Size]byte, 0, len(secrets))
	for i, s := range secrets {
		if len(s) < MinSecretLen {
			return nil, fmt.Errorf("webhook: %s: secret %d is empty or shorter than %d bytes", who, i, MinSecretLen)
		}
		out = append(out, sha256.Sum256([]byte(s)))
	}
	return out, nil
}

// validHeaderName reports whether s is an HTTP field name (RFC 9110's token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
