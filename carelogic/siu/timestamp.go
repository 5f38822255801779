package siu

import (
	"errors"
	"strconv"
	"time"
)

// errTimestamp describes every malformed timestamp; it never quotes the value, which could be a birth date.
var errTimestamp = errors.New("not an HL7 timestamp (want YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ])")

// ParseTime parses an HL7 v2 timestamp (DTM, or the first component of a TS), whose form is
//
//	YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]
//
// Parts left out take their earliest value (month and day 1, time 00:00:00). A timestamp with an offset is
// that instant, in a fixed zone of that offset; one without is read in loc (UTC when loc is nil), as HL7 leaves
// it to the sender's local time. Compare the results with time.Time.Equal, not ==. The error never quotes the
// value.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	digits, rest := s[:n], s[n:]
	if n < 4 || n > 14 || n%2 != 0 {
		return time.Time{}, errTimestamp
	}
	var nsec int
	if len(rest) > 0 && rest[0] == '.' {
		if n != 14 {
			return time.Time{}, errTimestamp
		}
		k := 1
		for k < len(rest) && isDigit(rest[k]) {
			k++
		}
		frac := rest[1:k]
		if len(frac) == 0 || len(frac) > 9 {
			return time.Time{}, errTimestamp
		}
		v, _ := strconv.Atoi(frac)
		for i := len(frac); i < 9; i++ {
			v *= 10
		}
		nsec, rest = v, rest[k:]
	}
	if len(rest) > 0 {
		if len(rest) != 5 || (rest[0] != '+' && rest[0] != '-') || !allDigits(rest[1:]) {
			return time.Time{}, errTimestamp
		}
		h, m := atoi2(rest[1:3]), atoi2(rest[3:5])
		if h > 14 || m > 59 {
			return time.Time{}, errTimestamp
		}
		off := h*3600 + m*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	parts := [6]int{0, 1, 1, 0, 0, 0}
	parts[0], _ = strconv.Atoi(digits[:4])
	for i := 1; 4+2*i <= n; i++ {
		parts[i] = atoi2(digits[2+2*i : 4+2*i])
	}
	year, month, day, hour, minute, sec := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
	// Ranges are checked here rather than by a round trip through time.Date, which would also refuse a local
	// time that a daylight-saving change skips.
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, errTimestamp
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi2 converts two ASCII digits.
func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
