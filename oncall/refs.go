package oncall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The API identifies every resource by its URL ("https://api.oncallhealth.ca/divisions/123/"), and takes URLs
// as references in request bodies. The client exposes the numeric id instead, typed per resource so that a
// provider id cannot be passed where a division id is expected, and renders it as a URL on its own region's host
// when it sends a request. Because a URL is always rebuilt from the id and the client's base URL, a reference
// that arrives from elsewhere can never make the client send its token to another host.

// AppointmentID is the numeric id of an OnCall appointment.
type AppointmentID int64

// ParticipantID is the numeric id of a participant: one person's place on one appointment.
type ParticipantID int64

// ProviderID is the numeric id of an OnCall provider (a clinician user).
type ProviderID int64

// DivisionID is the numeric id of an OnCall division (a clinic or team within an organization).
type DivisionID int64

// ContactID is the numeric id of a roster contact (a patient record that does not belong to one appointment).
type ContactID int64

// Resource kinds, as they appear as the first element of a resource URL's path.
const (
	kindAppointments = "appointments"
	kindParticipants = "participants"
	kindProviders    = "providers"
	kindDivisions    = "divisions"
	kindContacts     = "contacts"
)

// UnmarshalJSON accepts the appointment's URL, a numeric id, or null.
func (id *AppointmentID) UnmarshalJSON(b []byte) error {
	return unmarshalRef(b, kindAppointments, (*int64)(id))
}

// UnmarshalJSON accepts the participant's URL, a numeric id, or null.
func (id *ParticipantID) UnmarshalJSON(b []byte) error {
	return unmarshalRef(b, kindParticipants, (*int64)(id))
}

// UnmarshalJSON accepts the provider's URL, a numeric id, or null.
func (id *ProviderID) UnmarshalJSON(b []byte) error {
	return unmarshalRef(b, kindProviders, (*int64)(id))
}

// UnmarshalJSON accepts the division's URL, a numeric id, or null.
func (id *DivisionID) UnmarshalJSON(b []byte) error {
	return unmarshalRef(b, kindDivisions, (*int64)(id))
}

// UnmarshalJSON accepts the contact's URL, a numeric id, or null.
func (id *ContactID) UnmarshalJSON(b []byte) error {
	return unmarshalRef(b, kindContacts, (*int64)(id))
}

// unmarshalRef decodes a reference. Decoding is lenient about the host (a response from the client's own origin
// is trusted to name its own resources) but strict about the kind: a provider URL in a division field is an error.
func unmarshalRef(b []byte, kind string, dst *int64) error {
	if bytes.Equal(b, []byte("null")) {
		*dst = 0
		return nil
	}
	if len(b) > 0 && b[0] != '"' {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("oncall: %s reference: not a URL or id", kind)
		}
		*dst = n
		return nil
	}
	// The API's references are plain URLs: read one in place, without copying it into a string. Anything else,
	// including every error, takes the general reading below, which gives the same answer for a plain URL.
	if len(b) >= 2 && b[len(b)-1] == '"' {
		if path, ok := plainURLPath(b[1 : len(b)-1]); ok {
			if k, n, err := splitPath(path); err == nil && string(k) == kind {
				*dst = n
				return nil
			}
		}
	}
	var s string
	if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		s = string(b[1 : len(b)-1])
	} else if err := json.Unmarshal(b, &s); err != nil { // JSON escapes, such as "\/", which strconv.Unquote refuses
		return fmt.Errorf("oncall: %s reference: not a JSON string", kind)
	}
	if s == "" {
		*dst = 0
		return nil
	}
	k, n, err := splitRefPath(s)
	if err != nil {
		return fmt.Errorf("oncall: %s reference: %w", kind, err)
	}
	if k != kind {
		return fmt.Errorf("oncall: %s reference: URL names a %s resource", kind, strings.TrimSuffix(k, "s"))
	}
	*dst = n
	return nil
}

// splitRefPath returns the kind and id of a resource URL whose path ends in "<kind>/<id>/" (the trailing slash is
// optional, as in the webhook payloads).
func splitRefPath(raw string) (kind string, id int64, err error) {
	path, ok := plainURLPath(raw)
	if !ok {
		u, err := url.Parse(raw)
		if err != nil {
			return "", 0, fmt.Errorf("malformed URL")
		}
		path = u.Path
	}
	return splitPath(path)
}

var (
	errRefNoID   = errors.New("URL path has no resource id")
	errRefNoKind = errors.New("URL path has no resource kind")
	errRefBadID  = errors.New("URL path does not end in a numeric id")
)

// splitPath returns the last two elements of a URL path, "<kind>/<id>", slashes around it ignored. It reads a
// string or the bytes of one alike, so that a reference is read where it lies in a response.
func splitPath[S string | []byte](path S) (kind S, id int64, err error) {
	var none S
	p := trimSlashes(path)
	i := lastSlash(p)
	if i < 0 {
		return none, 0, errRefNoID
	}
	kind, last := p[lastSlash(p[:i])+1:i], p[i+1:]
	if len(kind) == 0 {
		return none, 0, errRefNoKind
	}
	id, ok := parseInt64(last)
	if !ok || id <= 0 {
		return none, 0, errRefBadID
	}
	return kind, id, nil
}

func trimSlashes[S string | []byte](s S) S {
	i, j := 0, len(s)
	for i < j && s[i] == '/' {
		i++
	}
	for j > i && s[j-1] == '/' {
		j--
	}
	return s[i:j]
}

func lastSlash[S string | []byte](s S) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// plainURLPath returns the path of raw without parsing it, when raw is an http or https URL (or an absolute path)
// of the plain form the API sends: a host of letters, digits, dots and hyphens with an optional numeric port, and a
// path of unreserved characters and slashes, with no escape, query or fragment. url.Parse would return the same
// path for such a URL; every other string is left to url.Parse. A page of appointments holds several references
// per item, so this spares decoding most of its allocations.
func plainURLPath[S string | []byte](raw S) (S, bool) {
	var none S
	rest, ok := cutPrefix(raw, "https://")
	if !ok {
		rest, ok = cutPrefix(raw, "http://")
	}
	path := raw
	if !ok && hasPrefix(raw, "//") {
		return none, false // a network-path reference: url.Parse reads a host from it
	}
	if ok {
		slash := -1
		for i := 0; i < len(rest); i++ {
			if rest[i] == '/' {
				slash = i
				break
			}
		}
		if slash < 0 {
			return none, false
		}
		host, port, hasPort := rest[:slash], rest[:0], false
		for i := 0; i < len(host); i++ {
			if host[i] == ':' {
				host, port, hasPort = host[:i], host[i+1:], true
				break
			}
		}
		if len(host) == 0 || !allBytes(host, isHostByte) || (hasPort && (len(port) == 0 || !allBytes(port, isDigit))) {
			return none, false
		}
		path = rest[slash:]
	}
	if !hasPrefix(path, "/") || !allBytes(path, isPathByte) {
		return none, false
	}
	return path, true
}

func hasPrefix[S string | []byte](s S, prefix string) bool {
	return len(s) >= len(prefix) && string(s[:len(prefix)]) == prefix
}

func cutPrefix[S string | []byte](s S, prefix string) (S, bool) {
	if !hasPrefix(s, prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

func allBytes[S string | []byte](s S, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '.' || c == '-'
}

func isPathByte(c byte) bool { return isHostByte(c) || c == '/' || c == '_' || c == '~' }

// Ref is a parsed resource URL: its kind (the collection, e.g. "appointments") and numeric id.
type Ref struct {
	Kind string
	ID   int64
}

// ParseRef parses a resource URL that must be on the client's own origin (scheme, host and port), such as an
// OnCall appointment URL stored on an EHR record. A URL of another origin, including the other region's host,
// fails with an error wrapping ErrCrossOrigin: data of one region must not be fetched with the other's client.
func (c *Client) ParseRef(raw string) (Ref, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return Ref{}, fmt.Errorf("oncall: resource URL: not an absolute URL")
	}
	if !c.sameOrigin(u) {
		return Ref{}, fmt.Errorf("%w: resource URL is not on the client's origin %s", ErrCrossOrigin, c.origin())
	}
	if !strings.HasPrefix(u.Path, c.base.Path) {
		return Ref{}, fmt.Errorf("oncall: resource URL: path is not under the API root %s", c.base.Path)
	}
	kind, id, err := splitRefPath(raw)
	if err != nil {
		return Ref{}, fmt.Errorf("oncall: resource URL: %w", err)
	}
	return Ref{Kind: kind, ID: id}, nil
}

// ParseAppointmentURL returns the id of an appointment URL on the client's own origin (see ParseRef).
func (c *Client) ParseAppointmentURL(raw string) (AppointmentID, error) {
	r, err := c.ParseRef(raw)
	if err != nil {
		return 0, err
	}
	if r.Kind != kindAppointments {
		return 0, fmt.Errorf("oncall: resource URL names a %s resource, not an appointment", strings.TrimSuffix(r.Kind, "s"))
	}
	return AppointmentID(r.ID), nil
}

// AppointmentURL returns the URL of the appointment with the given id on the client's region, the form the API
// uses for references and the value worth storing on the EHR record.
func (c *Client) AppointmentURL(id AppointmentID) string {
	return c.refURL(kindAppointments, int64(id))
}

// refURL renders a reference to a resource on the client's base URL, with the trailing slash the API uses.
func (c *Client) refURL(kind string, id int64) string {
	return c.baseStr + kind + "/" + strconv.FormatInt(id, 10) + "/"
}

// idFromURL returns the id at the end of a resource URL of the given kind, or 0.
func idFromURL(raw, kind string) int64 {
	k, id, err := splitRefPath(raw)
	if err != nil || k != kind {
		return 0
	}
	return id
}
