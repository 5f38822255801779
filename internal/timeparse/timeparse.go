// Package timeparse parses the ISO 8601 date-times the OnCall API sends, leniently.
//
// The API's own documentation shows "2026-01-15T0:00:00Z": a one-digit hour, which time.RFC3339 rejects. Parse
// accepts what a DRF-style server produces and a little more, and nothing ambiguous:
//
//	YYYY-MM-DD('T'|' ')H[H]:MM[:S[S][.fraction]][Z|±HH:MM|±HHMM|±HH]
//
// A value without a zone is read as UTC, since every example the API publishes is in UTC.
package timeparse

import (
	"errors"
	"time"
)

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("not an ISO 8601 date-time")

type parseError struct{ what string }

func (e *parseError) Error() string { return ErrSyntax.Error() + ": " + e.what }
func (e *parseError) Unwrap() error { return ErrSyntax }

// Parse parses s as described in the package documentation. Its errors say what part was wrong, not the value.
func Parse(s string) (time.Time, error) {
	p := parser{s: s}
	year := p.digits(4, 4, "year")
	p.expect('-', "date")
	month := p.digits(2, 2, "month")
	p.expect('-', "date")
	day := p.digits(2, 2, "day")
	if p.err == nil && p.i < len(s) && (s[p.i] == 'T' || s[p.i] == 't' || s[p.i] == ' ') {
		p.i++
	} else {
		p.fail("date and time separator")
	}
	hour := p.digits(1, 2, "hour")
	p.expect(':', "time")
	minute := p.digits(2, 2, "minute")
	sec, nsec := 0, 0
	if p.err == nil && p.i < len(s) && s[p.i] == ':' {
		p.i++
		sec = p.digits(1, 2, "second")
		if p.err == nil && p.i < len(s) && (s[p.i] == '.' || s[p.i] == ',') {
			p.i++
			nsec = p.fraction()
		}
	}
	loc := p.zone()
	if p.err == nil && p.i != len(s) {
		p.fail("trailing characters")
	}
	if p.err != nil {
		return time.Time{}, p.err
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, &parseError{"month out of range"}
	case day < 1 || day > daysIn(year, month):
		return time.Time{}, &parseError{"day out of range"}
	case hour > 23:
		return time.Time{}, &parseError{"hour out of range"}
	case minute > 59:
		return time.Time{}, &parseError{"minute out of range"}
	case sec > 60: // 60 is a leap second, which time.Date normalises
		return time.Time{}, &parseError{"second out of range"}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

type parser struct {
	s   string
	i   int
	err error
}

func (p *parser) fail(what string) {
	if p.err == nil {
		p.err = &parseError{"bad " + what}
	}
}

func (p *parser) expect(c byte, what string) {
	if p.err == nil && p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return
	}
	p.fail(what)
}

// digits reads between lo and hi decimal digits.
func (p *parser) digits(lo, hi int, what string) int {
	if p.err != nil {
		return 0
	}
	n, v := 0, 0
	for n < hi && p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n < lo {
		p.fail(what)
	}
	return v
}

// fraction reads the digits of a decimal fraction of a second, keeping nanoseconds and dropping finer digits.
func (p *parser) fraction() int {
	start, v, scale := p.i, 0, 100_000_000
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		v += int(p.s[p.i]-'0') * scale
		scale /= 10
		p.i++
	}
	if p.i == start {
		p.fail("fraction of a second")
	}
	return v
}

func (p *parser) zone() *time.Location {
	if p.err != nil || p.i == len(p.s) {
		return time.UTC
	}
	c := p.s[p.i]
	if c == 'Z' || c == 'z' {
		p.i++
		return time.UTC
	}
	if c != '+' && c != '-' {
		p.fail("time zone")
		return time.UTC
	}
	p.i++
	hh := p.digits(2, 2, "time zone")
	mm := 0
	if p.err == nil && p.i < len(p.s) {
		if p.s[p.i] == ':' {
			p.i++
		}
		mm = p.digits(2, 2, "time zone")
	}
	if p.err != nil {
		return time.UTC
	}
	if hh > 23 || mm > 59 {
		p.fail("time zone")
		return time.UTC
	}
	off := (hh*60 + mm) * 60
	if c == '-' {
		off = -off
	}
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
