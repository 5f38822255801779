package oncall

import (
	"strconv"
	"unicode/utf8"
)

// Readers of JSON values where they lie, for the decoders of the values the API sends most (metadata, references,
// statuses). Each reads only plain forms, exactly as encoding/json reads them, and reports false for anything
// else, which its caller then leaves to encoding/json: they spare a copy or a second pass over the bytes, and never
// accept what encoding/json would refuse.

// scanPlainString returns the contents of the JSON string at b[i:] and the offset after it, when it holds no
// escape, no control character and only valid UTF-8: then its bytes are its value.
func scanPlainString(b []byte, i int) (s []byte, next int, ok bool) {
	if i == len(b) || b[i] != '"' {
		return nil, i, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s = b[i+1 : j]
			return s, j + 1, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, i, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, i, false
}

// scanNumber returns the offset after the JSON number at b[i:], or i when there is none.
func scanNumber(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && '1' <= b[j] && b[j] <= '9':
		j = skipDigits(b, j)
	default:
		return i
	}
	if j < len(b) && b[j] == '.' {
		k := skipDigits(b, j+1)
		if k == j+1 {
			return i
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := skipDigits(b, j)
		if k == j {
			return i
		}
		j = k
	}
	return j
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// parseInt64 parses a decimal integer as strconv.ParseInt(s, 10, 64) does, which it calls for what it does not
// read itself (a '+', more than 18 digits, anything malformed), without copying s when s is bytes.
func parseInt64[S string | []byte](s S) (int64, bool) {
	digits := s
	if len(s) > 0 && s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || !allBytes(digits, isDigit) {
		n, err := strconv.ParseInt(string(s), 10, 64)
		return n, err == nil
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		n = n*10 + int64(digits[i]-'0')
	}
	if len(digits) < len(s) {
		n = -n
	}
	return n, true
}
