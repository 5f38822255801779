// Package redact is the module's one rule for putting input into error, log and report text.
//
// Text the module writes names things only by what cannot be patient data: our own words, counts, positions,
// field names that match a strict identifier pattern, and ids that match a strict id pattern. Any other value
// taken from input (a file, a response, a webhook, a caller's parameter) is replaced by its length, so a shifted
// column that puts a name where a status belongs, or a server that echoes an email as a field name, never reaches
// a log line. Callers keep the values themselves in typed fields or in the input.
package redact

import (
	"strconv"
	"unicode/utf8"
)

// MaxLen is the longest name or id shown as is.
const MaxLen = 64

// Name returns name quoted when it is a field name: a lower-case ASCII letter followed by lower-case letters,
// digits and underscores, at most MaxLen bytes (emr_id, first_name, custom_field_452). Anything else, such as
// "JaneRoe" or "jane@example.org", is replaced by Value.
func Name(name string) string {
	if !IsName(name) {
		return Value(name)
	}
	return strconv.Quote(name)
}

// IsName reports whether name is shown by Name.
func IsName(name string) bool {
	if len(name) == 0 || len(name) > MaxLen || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ID returns id quoted when it looks like a record id: ASCII letters, digits and . _ : / # -, starting with a letter
// or digit, holding at least one digit, at most MaxLen bytes (12345, A1234, carelogic/778-2). A name ("JaneRoe")
// or an email has no place in an id and is replaced by Value. A phone number in an id column cannot be told from an
// id, and is shown.
func ID(id string) string {
	if !IsID(id) {
		return Value(id)
	}
	return strconv.Quote(id)
}

// IsID reports whether id is shown by ID.
func IsID(id string) bool {
	if len(id) == 0 || len(id) > MaxLen || !isAlnum(id[0]) {
		return false
	}
	digit := false
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case isAlnum(c), c == '.', c == '_', c == ':', c == '/', c == '#', c == '-':
		default:
			return false
		}
	}
	return digit
}

// Value returns a stand-in for a value from input: its length, never its text. The empty string is shown as "",
// which says nothing about anyone.
func Value(v string) string {
	if v == "" {
		return `""`
	}
	n := utf8.RuneCountInString(v)
	if n == 1 {
		return "(a value of 1 character)"
	}
	return "(a value of " + strconv.Itoa(n) + " characters)"
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// Path returns an URL path as is when every segment of it is empty, a Name or an ID (/appointments/7/,
// /api/v1/contacts/12/), and otherwise a stand-in giving its length.
func Path(p string) string {
	if len(p) > 4*MaxLen {
		return "(a path of " + strconv.Itoa(utf8.RuneCountInString(p)) + " characters)"
	}
	for i := 0; i < len(p); {
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		if seg := p[i:j]; seg != "" && !IsName(seg) && !IsID(seg) && !isVersion(seg) {
			return "(a path of " + strconv.Itoa(utf8.RuneCountInString(p)) + " characters)"
		}
		i = j + 1
	}
	return p
}

// isVersion accepts an API version segment such as v1 or V2 (a Name needs lower case, an ID a digit: v1 is both,
// V2 neither).
func isVersion(s string) bool {
	return len(s) >= 2 && len(s) <= 4 && (s[0] == 'v' || s[0] == 'V') && isDigits(s[1:])
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
