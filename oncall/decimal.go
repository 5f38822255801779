package oncall

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Decimal is an exact decimal amount, such as a participant's fee. The API sends fees as JSON numbers (10, 10.0)
// or as strings ("0.00", a Django DecimalField); Decimal keeps the digits exactly as sent, never passing them
// through float64, so "10.10" stays "10.10". The zero value is "no amount".
//
// Two Decimals with different digits can be equal in value ("10" and "10.0"); compare them with Equal.
type Decimal struct {
	s string // canonical: optional '-', digits without leading zeros, optionally '.' and digits; no exponent, no '+'
}

// ParseDecimal parses a decimal number: an optional sign, digits, an optional fraction and an optional exponent
// (1.5e2). An exponent is applied exactly, by moving the decimal point. Trailing zeros of the fraction are kept
// ("10.0" stays "10.0"); a '+', leading zeros of the integer part and a bare '.' are dropped ("+007." is "7").
func ParseDecimal(s string) (Decimal, error) {
	c, err := canonicalDecimal(s)
	if err != nil {
		return Decimal{}, err
	}
	return Decimal{s: c}, nil
}

// MustDecimal is like ParseDecimal but panics on a malformed literal. It is for constants in tests and examples.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

var errDecimal = errors.New("oncall: not a decimal number")

func canonicalDecimal(s string) (string, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fs:i]
		if frac == "" && intPart == "" {
			return "", errDecimal
		}
	}
	if intPart == "" && frac == "" {
		return "", errDecimal
	}
	mantissaEnd := i
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && isDigit(s[i]) {
			if exp > 1000 {
				return "", fmt.Errorf("%w: exponent out of range", errDecimal)
			}
			exp = exp*10 + int(s[i]-'0')
			i++
		}
		if i == es {
			return "", errDecimal
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return "", errDecimal
	}
	if exp == 0 {
		// Leading zeros go ("007" is not a JSON number, and the decimal is sent as one); so do a '+', a bare
		// '.' and a zero exponent. Trailing zeros of the fraction stay: they are the digits as sent.
		if intPart != "" && s[0] != '+' && mantissaEnd == len(s) && s[len(s)-1] != '.' && (len(intPart) == 1 || intPart[0] != '0') {
			return s, nil // already canonical: the common case, with no allocation
		}
		return assemble(neg, strings.TrimLeft(intPart, "0"), frac), nil
	}
	// Move the decimal point by exp places.
	digits := intPart + frac
	point := len(intPart) + exp
	if point <= 0 {
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	}
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	return assemble(neg, strings.TrimLeft(digits[:point], "0"), digits[point:]), nil
}

func assemble(neg bool, intPart, frac string) string {
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String returns the decimal's digits as sent ("10.0"), or "" for the zero value.
func (d Decimal) String() string { return d.s }

// IsZero reports whether d holds no amount. A Decimal holding "0.00" is not zero in this sense.
func (d Decimal) IsZero() bool { return d.s == "" }

// Equal reports whether d and e hold the same value ("10" equals "10.0"); two zero Decimals are equal.
func (d Decimal) Equal(e Decimal) bool {
	if d.s == "" || e.s == "" {
		return d.s == e.s
	}
	return normalize(d.s) == normalize(e.s)
}

// normalize strips leading zeros of the integer part, trailing zeros of the fraction, and the sign of zero.
func normalize(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	if ip == "" && fp == "" {
		return "0"
	}
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if neg {
		out = "-" + out
	}
	return out
}

// MarshalJSON writes the decimal as a JSON number with its exact digits, or null for the zero value.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d.s == "" {
		return []byte("null"), nil
	}
	return []byte(d.s), nil
}

// UnmarshalJSON accepts a JSON number, a string holding a decimal number, or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Decimal{}
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
		if len(b) == 0 {
			*d = Decimal{}
			return nil
		}
	}
	c, err := canonicalDecimal(string(b))
	if err != nil {
		return err
	}
	d.s = c
	return nil
}
