package oncall

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Metadata is an appointment's free-form metadata: a flat object that only the API sees (staff never see it in
// OnCall's UI). It is where an integration stores its own keys, above all the EHR's id of the appointment, which
// makes matching exact.
//
// Values decoded from the API are string, int64 (integral numbers), float64 (other numbers), bool or nil. Values
// sent must be string, an integer type within the 32-bit signed range, bool or nil; the API's documented limits
// (at most MaxMetadataKeys keys of at most MaxMetadataKeyLen characters, strings of at most
// MaxMetadataValueLen characters, no nesting) are checked by Validate before anything is sent.
type Metadata map[string]any

// Documented metadata limits.
const (
	MaxMetadataKeys     = 50
	MaxMetadataKeyLen   = 100
	MaxMetadataValueLen = 2000
)

// String returns the string value of key, and whether it was present as a string. Integral numbers are formatted,
// so an EHR id stored as 12345 or "12345" reads back the same.
func (m Metadata) String(key string) (string, bool) {
	switch v := m[key].(type) {
	case string:
		return v, true
	case int64:
		return itoa(v), true
	case int:
		return itoa(int64(v)), true
	case int32:
		return itoa(int64(v)), true
	}
	return "", false
}

// Validate checks the API's documented metadata limits. Its error names the keys at fault, never their values.
func (m Metadata) Validate() error {
	var p problems
	m.validate(&p)
	return p.err("metadata")
}

func (m Metadata) validate(p *problems) {
	if len(m) > MaxMetadataKeys {
		p.addf("metadata: %d keys, at most %d", len(m), MaxMetadataKeys)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic messages
	for _, k := range keys {
		// A key is named only when it looks like one (emr_id); any other is input, and described by its length.
		name := redact.Name(k)
		if !redact.IsName(k) {
			name = fmt.Sprintf("(a key of %d characters)", utf8.RuneCountInString(k))
		}
		if utf8.RuneCountInString(k) > MaxMetadataKeyLen {
			p.addf("metadata: a key of %d characters, at most %d", utf8.RuneCountInString(k), MaxMetadataKeyLen)
		}
		switch v := m[k].(type) {
		case nil, bool:
		case string:
			if n := utf8.RuneCountInString(v); n > MaxMetadataValueLen {
				p.addf("metadata: value of %s: %d characters, at most %d", name, n, MaxMetadataValueLen)
			}
		case int:
			checkInt32(p, name, int64(v))
		case int8, int16, int32, uint8, uint16:
		case int64:
			checkInt32(p, name, v)
		case uint32:
			checkInt32(p, name, int64(v))
		case uint:
			checkInt32(p, name, int64(min(v, math.MaxInt64)))
		case uint64:
			checkInt32(p, name, int64(min(v, math.MaxInt64)))
		case float64:
			if v != math.Trunc(v) {
				p.addf("metadata: value of %s: a fraction; numbers must be 32-bit integers", name)
			} else {
				checkInt32(p, name, int64(max(min(v, math.MaxInt64), math.MinInt64)))
			}
		default:
			p.addf("metadata: value of %s: a %T; values must be strings, 32-bit integers, booleans or null (the object must be flat)", name, v)
		}
	}
}

func checkInt32(p *problems, name string, v int64) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		p.addf("metadata: value of %s: outside the 32-bit signed integer range", name)
	}
}

// UnmarshalJSON decodes a metadata object, keeping integral numbers exact as int64.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*m = nil
		return nil
	}
	out, ok := scanMetadata(b)
	if !ok {
		var err error
		if out, err = decodeMetadata(b); err != nil {
			return err
		}
	}
	*m = out
	return nil
}

// decodeMetadata is the general reading of a metadata object, for what scanMetadata does not read: a nested value,
// an escaped key, a number out of range, or b not being JSON at all.
func decodeMetadata(b []byte) (Metadata, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("oncall: metadata: %w", jsonError(err))
	}
	out := make(Metadata, len(raw))
	for k, r := range raw {
		v, err := decodeMetadataValue(r)
		if err != nil {
			return nil, fmt.Errorf("oncall: metadata value of %s: %w", redact.Name(k), err)
		}
		out[k] = v
	}
	return out, nil
}

// scanMetadata reads a metadata object as the API sends it, in one pass over b: a flat object whose keys are
// strings without escapes and whose values are strings, numbers, booleans or null. It reports false for anything
// else, including every input decodeMetadata refuses; wherever it reports true, the two readings agree
// (FuzzMetadataScan checks it). It spares decodeMetadata's second pass (a map of raw values, each then decoded),
// which made up a fifth of the time and two fifths of the allocations of decoding a page of appointments.
func scanMetadata(b []byte) (Metadata, bool) {
	i := skipJSONSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return nil, false
	}
	m := make(Metadata)
	if i = skipJSONSpace(b, i+1); i < len(b) && b[i] == '}' {
		return m, skipJSONSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := scanPlainString(b, i)
		if !ok {
			return nil, false
		}
		if i = skipJSONSpace(b, j); i == len(b) || b[i] != ':' {
			return nil, false
		}
		v, j, ok := scanFlatValue(b, skipJSONSpace(b, i+1))
		if !ok {
			return nil, false
		}
		m[string(key)] = v // a key given twice keeps its last value, as encoding/json does
		if i = skipJSONSpace(b, j); i == len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = skipJSONSpace(b, i+1)
		case '}':
			return m, skipJSONSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

// scanFlatValue reads the string, number, boolean or null at b[i:], returning it as decodeMetadataValue would and
// the offset after it; false for anything else.
func scanFlatValue(b []byte, i int) (v any, next int, ok bool) {
	if i == len(b) {
		return nil, i, false
	}
	switch c := b[i]; {
	case c == '"':
		if s, j, ok := scanPlainString(b, i); ok {
			return string(s), j, true
		}
		// An escape: find the string's end, and leave the escapes to encoding/json.
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) {
			return nil, i, false
		}
		var s string
		if json.Unmarshal(b[i:j+1], &s) != nil {
			return nil, i, false
		}
		return s, j + 1, true
	case c == '-' || isDigit(c):
		j := scanNumber(b, i)
		if j == i {
			return nil, i, false
		}
		v, err := metadataNumber(b[i:j])
		return v, j, err == nil
	case hasPrefix(b[i:], "true"):
		return true, i + 4, true
	case hasPrefix(b[i:], "false"):
		return false, i + 5, true
	case hasPrefix(b[i:], "null"):
		return nil, i + 4, true
	}
	return nil, i, false
}

func decodeMetadataValue(r json.RawMessage) (any, error) {
	r = bytes.TrimSpace(r)
	if len(r) == 0 {
		return nil, fmt.Errorf("empty value")
	}
	// The common values are decoded directly; r is already known to be valid JSON.
	switch c := r[0]; {
	case c == '-' || isDigit(c):
		return metadataNumber(r)
	case c == '"' && bytes.IndexByte(r, '\\') < 0 && utf8.Valid(r):
		return string(r[1 : len(r)-1]), nil
	case bytes.Equal(r, []byte("true")):
		return true, nil
	case bytes.Equal(r, []byte("false")):
		return false, nil
	case bytes.Equal(r, []byte("null")):
		return nil, nil
	}
	var v any // escaped strings; and, leniently, nested values the API should never send
	if err := json.Unmarshal(r, &v); err != nil {
		return nil, jsonError(err)
	}
	return v, nil
}

// metadataNumber reads a JSON number: an int64 when strconv.ParseInt takes it, a float64 otherwise.
func metadataNumber(r []byte) (any, error) {
	if i, ok := parseInt64(r); ok {
		return i, nil
	}
	f, err := strconv.ParseFloat(string(r), 64)
	if err != nil {
		return nil, fmt.Errorf("number out of range")
	}
	return f, nil
}

// sameMetadata reports whether m and o hold the same keys with the same values, integers compared by value
// whatever their Go type (an int sent reads back as an int64). Nil and empty metadata are the same. (It is not an
// Equal method, which go-cmp would use in every comparison of Metadata.)
func sameMetadata(m, o Metadata) bool {
	if len(m) != len(o) {
		return false
	}
	for k, a := range m {
		b, ok := o[k]
		if !ok || !sameMetadataValue(a, b) {
			return false
		}
	}
	return true
}

func sameMetadataValue(a, b any) bool {
	if x, ok := metadataInt(a); ok {
		y, ok := metadataInt(b)
		return ok && x == y
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		s, ok := b.(string)
		return ok && s == a
	case bool:
		v, ok := b.(bool)
		return ok && v == a
	case float64:
		v, ok := b.(float64)
		return ok && v == a
	}
	return false
}

// metadataInt returns an integral value (of any Go integer type, or a whole float64 in range) as an int64.
func metadataInt(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && v >= math.MinInt64 && v < math.MaxInt64 {
			return int64(v), true
		}
	case uint:
		return int64(v), v <= math.MaxInt64
	case uint64:
		return int64(v), v <= math.MaxInt64
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	}
	return 0, false
}
