package oncalltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oncallsync/oncall-go/oncall"
)

// This file reads request fields the way Django REST Framework's serializer fields do, with their error messages,
// so that a client sees the same 400 bodies it would see from the real API.

// Messages Django REST Framework uses for every kind of field.
const (
	msgRequired = "This field is required."
	msgNull     = "This field may not be null."
	msgBlank    = "This field may not be blank."
)

// fieldErrors collects field errors in Django REST Framework's shape, {"field": ["message", ...]}. A value is a
// []string, or for a list of nested objects a []any of per-item error objects.
type fieldErrors map[string]any

func (fe fieldErrors) add(field, msg string) {
	list, _ := fe[field].([]string)
	fe[field] = append(list, msg)
}

// pyType names a JSON value's type as Python (and so Django REST Framework's messages) does.
func pyType(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "NoneType"
	}
	switch raw[0] {
	case '"':
		return "str"
	case '{':
		return "dict"
	case '[':
		return "list"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "float"
	}
	return "int"
}

func isNull(raw json.RawMessage) bool { return pyType(raw) == "NoneType" }

// decodeObject reads a request body that must be a JSON object, returning its members, or the error response to
// send: a parse error as {"detail": ...} and another JSON value as {"non_field_errors": [...]}.
func decodeObject(body []byte) (map[string]json.RawMessage, *response) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]json.RawMessage{}, nil // DRF reads an empty body as an empty object
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, detailResponse(400, "JSON parse error - "+jsonProblem(err))
	}
	if t := pyType(v); t != "dict" {
		return nil, jsonResponse(400, map[string][]string{
			"non_field_errors": {"Invalid data. Expected a dictionary, but got " + t + "."},
		})
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		return nil, detailResponse(400, "JSON parse error - "+jsonProblem(err))
	}
	return obj, nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	switch {
	case err == nil:
		return "extra data after the JSON value"
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	default:
		return "invalid JSON"
	}
}

// parseString reads a CharField: a JSON string; blank is an error unless allowBlank.
func parseString(raw json.RawMessage, allowBlank bool, maxLen int) (string, string) {
	if isNull(raw) {
		return "", msgNull
	}
	var s string
	if pyType(raw) != "str" || json.Unmarshal(raw, &s) != nil {
		return "", "Not a valid string."
	}
	s = strings.TrimSpace(s) // DRF's CharField trims white space by default
	if s == "" && !allowBlank {
		return "", msgBlank
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		return "", fmt.Sprintf("Ensure this field has no more than %d characters.", maxLen)
	}
	return s, ""
}

// parseChoice reads a ChoiceField.
func parseChoice(raw json.RawMessage, choices []string) (string, string) {
	if isNull(raw) {
		return "", msgNull
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", fmt.Sprintf("%q is not a valid choice.", strings.TrimSpace(string(raw)))
	}
	for _, c := range choices {
		if s == c {
			return s, ""
		}
	}
	return "", fmt.Sprintf("%q is not a valid choice.", s)
}

var decimalZeros = regexp.MustCompile(`\.0*$`)

// parseInt reads an IntegerField, which (like DRF's) accepts 60, 60.0 and "60", within [lo, hi].
func parseInt(raw json.RawMessage, lo, hi int64) (int64, string) {
	const invalid = "A valid integer is required."
	if isNull(raw) {
		return 0, msgNull
	}
	var text string
	switch pyType(raw) {
	case "int", "float":
		text = string(bytes.TrimSpace(raw))
	case "str":
		if json.Unmarshal(raw, &text) != nil {
			return 0, invalid
		}
		text = strings.TrimSpace(text)
	default:
		return 0, invalid
	}
	n, err := strconv.ParseInt(decimalZeros.ReplaceAllString(text, ""), 10, 64)
	if err != nil {
		return 0, invalid
	}
	if n < lo {
		return 0, fmt.Sprintf("Ensure this value is greater than or equal to %d.", lo)
	}
	if n > hi {
		return 0, fmt.Sprintf("Ensure this value is less than or equal to %d.", hi)
	}
	return n, ""
}

// parseBool reads a BooleanField, which accepts true, "true", "True", 1, "1" and the like.
func parseBool(raw json.RawMessage) (bool, string) {
	if isNull(raw) {
		return false, msgNull
	}
	text := string(bytes.TrimSpace(raw))
	if pyType(raw) == "str" {
		if json.Unmarshal(raw, &text) != nil {
			return false, "Must be a valid boolean."
		}
	}
	switch text {
	case "true", "True", "TRUE", "t", "T", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "1":
		return true, ""
	case "false", "False", "FALSE", "f", "F", "no", "No", "NO", "n", "N", "off", "Off", "OFF", "0":
		return false, ""
	}
	return false, "Must be a valid boolean."
}

// datetimeRE is Django's ISO 8601 pattern, which accepts a one-digit hour (OnCall's own example,
// "2026-01-15T0:00:00Z", is such a value).
var datetimeRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`)

const msgDatetimeFormat = "Datetime has wrong format. Use one of these formats instead: " +
	"YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// parseDateTime reads a DateTimeField. It reports null separately, since a message appointment has no datetime.
// A value without a zone is refused: see the package documentation.
func parseDateTime(raw json.RawMessage) (t time.Time, null bool, msg string) {
	if isNull(raw) {
		return time.Time{}, true, ""
	}
	var s string
	if pyType(raw) != "str" || json.Unmarshal(raw, &s) != nil {
		return time.Time{}, false, msgDatetimeFormat
	}
	m := datetimeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false, msgDatetimeFormat
	}
	if m[8] == "" {
		return time.Time{}, false, "Datetime has no time zone. Send it in UTC with a Z suffix, or with a UTC offset."
	}
	num := func(i int) int { n, _ := strconv.Atoi(m[i]); return n }
	year, month, day, hour, minute, sec := num(1), num(2), num(3), num(4), num(5), num(6)
	usec := 0
	if m[7] != "" {
		usec, _ = strconv.Atoi((m[7] + "00000")[:6])
	}
	loc := time.UTC
	if z := m[8]; z != "Z" {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(z[1:], ":", "")
		hh, _ := strconv.Atoi(digits[:2])
		mm := 0
		if len(digits) == 4 {
			mm, _ = strconv.Atoi(digits[2:])
		}
		loc = time.FixedZone("", sign*(hh*3600+mm*60))
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, usec*1000, loc)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute ||
		t.Second() != sec {
		return time.Time{}, false, msgDatetimeFormat // out of range: Django's ValueError
	}
	// Python's datetime holds the years 1 to 9999 only, in the given zone and in UTC.
	if u := t.UTC(); year < 1 || u.Year() < 1 || u.Year() > 9999 {
		return time.Time{}, false, msgDatetimeFormat
	}
	return t.UTC(), false, ""
}

// parseHyperlink reads a HyperlinkedRelatedField: the URL of a resource of kind on this server, returning its id.
// Whether the resource exists is the caller's check.
func (s *Server) parseHyperlink(raw json.RawMessage, kind string) (int64, string) {
	if isNull(raw) {
		return 0, msgNull
	}
	var str string
	if pyType(raw) != "str" || json.Unmarshal(raw, &str) != nil {
		return 0, "Incorrect type. Expected URL string, received " + pyType(raw) + "."
	}
	u, err := url.Parse(strings.TrimSpace(str))
	if err != nil || !u.IsAbs() {
		return 0, "Invalid hyperlink - No URL match."
	}
	if !strings.EqualFold(u.Scheme+"://"+u.Host, s.base) {
		return 0, "Invalid hyperlink - URL is not on this server."
	}
	k, id, ok := splitResourcePath(u.Path)
	if !ok {
		return 0, "Invalid hyperlink - No URL match."
	}
	if k != kind {
		return 0, "Invalid hyperlink - Incorrect URL match."
	}
	return id, ""
}

// splitResourcePath splits "/<kind>/<id>/" (the trailing slash required).
func splitResourcePath(p string) (kind string, id int64, ok bool) {
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
		return "", 0, false
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) != 2 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return parts[0], id, true
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$`)

// parseEmail reads an EmailField.
func parseEmail(raw json.RawMessage) (string, string) {
	s, msg := parseString(raw, false, 254)
	if msg != "" {
		return "", msg
	}
	if !emailRE.MatchString(s) {
		return "", "Enter a valid email address."
	}
	return s, ""
}

var decimalRE = regexp.MustCompile(`^(-?)(\d*)(?:\.(\d*))?$`)

// Fee limits: a Django DecimalField with two decimal places. The maximum number of digits is an assumption.
const (
	feeDecimalPlaces = 2
	feeMaxDigits     = 10
)

// parseFee reads a DecimalField fee: a JSON number or a numeric string, not negative, with at most two decimal
// places, returned with exactly two ("10" becomes "10.00").
func parseFee(raw json.RawMessage) (string, string) {
	if isNull(raw) {
		return "", msgNull
	}
	var text string
	switch pyType(raw) {
	case "int", "float":
		text = string(bytes.TrimSpace(raw))
	case "str":
		if json.Unmarshal(raw, &text) != nil {
			return "", "A valid number is required."
		}
	default:
		return "", "A valid number is required."
	}
	return normalizeFee(text)
}

func normalizeFee(text string) (string, string) {
	m := decimalRE.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil || (m[2] == "" && m[3] == "") {
		return "", "A valid number is required."
	}
	intPart := strings.TrimLeft(m[2], "0")
	frac := strings.TrimRight(m[3], "0")
	if m[1] == "-" && (intPart != "" || frac != "") {
		return "", "Ensure this value is greater than or equal to 0."
	}
	if len(frac) > feeDecimalPlaces {
		return "", fmt.Sprintf("Ensure that there are no more than %d decimal places.", feeDecimalPlaces)
	}
	if len(intPart)+feeDecimalPlaces > feeMaxDigits {
		return "", fmt.Sprintf("Ensure that there are no more than %d digits in total.", feeMaxDigits)
	}
	if intPart == "" {
		intPart = "0"
	}
	return intPart + "." + (frac + "00")[:feeDecimalPlaces], ""
}

// Metadata limits, as OnCall documents them.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 100
	maxMetadataValueLen = 2000
)

// parseMetadata reads the metadata object with OnCall's documented rules. Values are kept as string, int64, bool
// or nil. Null reads as an empty object.
func parseMetadata(raw json.RawMessage) (map[string]any, []string) {
	if isNull(raw) {
		return map[string]any{}, nil
	}
	if t := pyType(raw); t != "dict" {
		return nil, []string{"Metadata must be a JSON object, not " + t + "."}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, []string{"Metadata must be a JSON object."}
	}
	return checkMetadata(obj)
}

func checkMetadata(obj map[string]json.RawMessage) (map[string]any, []string) {
	var msgs []string
	if len(obj) > maxMetadataKeys {
		msgs = append(msgs, fmt.Sprintf("Metadata may have at most %d keys; it has %d.", maxMetadataKeys, len(obj)))
	}
	out := make(map[string]any, len(obj))
	for _, k := range sortedKeys(obj) {
		if utf8.RuneCountInString(k) > maxMetadataKeyLen {
			msgs = append(msgs, fmt.Sprintf("Metadata keys must not exceed %d characters.", maxMetadataKeyLen))
			continue
		}
		v, msg := metadataValue(obj[k])
		if msg != "" {
			msgs = append(msgs, fmt.Sprintf("Metadata value of %q: %s", k, msg))
			continue
		}
		out[k] = v
	}
	if len(msgs) > 0 {
		return nil, msgs
	}
	return out, nil
}

func metadataValue(raw json.RawMessage) (any, string) {
	switch pyType(raw) {
	case "NoneType":
		return nil, ""
	case "bool":
		b, _ := parseBool(raw)
		return b, ""
	case "str":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "not a valid string."
		}
		if utf8.RuneCountInString(s) > maxMetadataValueLen {
			return nil, fmt.Sprintf("string values must not exceed %d characters.", maxMetadataValueLen)
		}
		return s, ""
	case "int":
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
		if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, "numeric values must fit in a 32-bit signed integer."
		}
		return n, ""
	case "float":
		return nil, "numbers must be integers."
	default:
		return nil, "values must be strings, integers, booleans or null; metadata must be flat."
	}
}

// readDivision reads obj["division"], when present, as the URL of a division on this server into dst; a malformed
// URL or an unknown division is a field error, and leaves dst as it is.
func (s *Server) readDivision(obj map[string]json.RawMessage, fe fieldErrors, dst *oncall.DivisionID) {
	if id, ok := s.readLink(obj, "division", kindDivisions, fe, func(id int64) bool { return s.st.divisions[oncall.DivisionID(id)] != nil }); ok {
		*dst = oncall.DivisionID(id)
	}
}

// readProvider is readDivision for obj["provider"], where null, like absence, leaves dst as it is.
func (s *Server) readProvider(obj map[string]json.RawMessage, fe fieldErrors, dst *oncall.ProviderID) {
	if raw, ok := obj["provider"]; ok && isNull(raw) {
		return
	}
	if id, ok := s.readLink(obj, "provider", kindProviders, fe, func(id int64) bool { return s.st.providers[oncall.ProviderID(id)] != nil }); ok {
		*dst = oncall.ProviderID(id)
	}
}

// readLink reads obj[field], when present, as the URL of an existing resource of the given kind, and returns its
// id; a malformed URL or an unknown id is recorded as a field error.
func (s *Server) readLink(obj map[string]json.RawMessage, field, kind string, fe fieldErrors, exists func(int64) bool) (int64, bool) {
	raw, ok := obj[field]
	if !ok {
		return 0, false
	}
	id, msg := s.parseHyperlink(raw, kind)
	switch {
	case msg != "":
		fe.add(field, msg)
	case !exists(id):
		fe.add(field, msgNoSuchObject)
	default:
		return id, true
	}
	return 0, false
}
