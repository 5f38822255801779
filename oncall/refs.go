package oncall

import (
	"bytes"
	"encoding/json"
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
	p := strings.Trim(path, "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", 0, fmt.Errorf("URL path has no resource id")
	}
	kind, last := p[strings.LastIndexByte(p[:i], '/')+1:i], p[i+1:]
	if kind == "" {
		return "", 0, fmt.Errorf("URL path has no resource kind")
	}
	id, err = strconv.ParseInt(last, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, fmt.Errorf("URL path does not end in a numeric id")
	}
	return kind, id, nil
}

// plainURLPath returns the path of raw without parsing it, when raw is an http or https URL (or an absolute path)
// of the plain form the API sends: a host of letters, digits, dots and hyphens with an optional numeric port, and a
// path of unreserved characters and slashes, with no escape, query or fragment. url.Parse would return the same
// path for such a URL; every other string is left to url.Parse. A page of appointments holds several references
// per item, so this spares decoding most of its allocations.
func plainURLPath(raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(raw, "http://")
	}
	path := raw
	if !ok && strings.HasPrefix(raw, "//") {
		return "", false // a network-path reference: url.Parse reads a host from it
	}
	if ok {
		slash := strings.IndexByte(rest, '/')
		if slash < 0 {
			return "", false
		}
		host, port, hasPort := strings.Cut(rest[:slash], ":")
		if host == "" || !allBytes(host, isHostByte) || (hasPort && (port == "" || !allBytes(port, isDigit))) {
			return "", false
		}
		path = rest[slash:]
	}
	if !strings.HasPrefix(path, "/") || !allBytes(path, isPathByte) {
		return "", false
	}
	return path, true
}

func allBytes(s string, ok func(byte) bool) bool {
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
