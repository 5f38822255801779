package webhook

import "errors"

// Sentinel errors, for errors.Is. Their texts, and the texts of the errors that wrap them, never quote the body
// or any part of it: a delivery comes from outside and may carry anything, including patient data.
var (
	// ErrMalformed is matched by an error about a body that is not a delivery: not JSON, not an object, an event
	// or url field that is missing, empty or not a string, or a url that does not name an appointment (its path is
	// not appointments/<id>, the id is not a positive number, or it carries user info, a query or a fragment).
	ErrMalformed = errors.New("webhook: malformed payload")

	// ErrOriginNotAllowed is matched by an error about a well-formed url on an origin (scheme, host and port) that
	// is not accepted: a foreign or look-alike host, http where https is expected, or, in a Handler, the other
	// region's host.
	ErrOriginNotAllowed = errors.New("webhook: url is not on an accepted API origin")

	// ErrUnverified is matched by the errors of the verifiers this package makes (SharedSecretHeader and
	// HMACScheme.Verifier): the request does not carry the proof they require.
	ErrUnverified = errors.New("webhook: request not verified")
)
