package timeparse

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	plus2 := time.FixedZone("", 2*3600+15*60)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-01-15T0:00:00Z", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"2026-01-15T09:05:00Z", time.Date(2026, 1, 15, 9, 5, 0, 0, time.UTC)},
		{"2019-01-16T18:00:00Z", time.Date(2019, 1, 16, 18, 0, 0, 0, time.UTC)},
		{"2019-01-16T18:00Z", time.Date(2019, 1, 16, 18, 0, 0, 0, time.UTC)},
		{"2019-01-16 18:00:07", time.Date(2019, 1, 16, 18, 0, 7, 0, time.UTC)},
		{"2019-01-16T18:00:00.123456789Z", time.Date(2019, 1, 16, 18, 0, 0, 123456789, time.UTC)},
		{"2019-01-16T18:00:00.1234567891Z", time.Date(2019, 1, 16, 18, 0, 0, 123456789, time.UTC)},
		{"2019-01-16T18:00:00.5+02:15", time.Date(2019, 1, 16, 18, 0, 0, 500_000_000, plus2)},
		{"2019-01-16T18:00:00-0500", time.Date(2019, 1, 16, 18, 0, 0, 0, minus5)},
		{"2019-01-16T18:00:00-05", time.Date(2019, 1, 16, 18, 0, 0, 0, minus5)},
		{"2019-01-16T18:00:00+00:00", time.Date(2019, 1, 16, 18, 0, 0, 0, time.UTC)},
		{"2024-02-29T1:02:03z", time.Date(2024, 2, 29, 1, 2, 3, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Format(time.RFC3339Nano) != tt.want.Format(time.RFC3339Nano) {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                           "bad year",
		"2026":                       "bad date",
		"2026-1-15T00:00:00Z":        "bad month",
		"2026-01-15":                 "bad date and time separator",
		"2026-01-15T":                "bad hour",
		"2026-01-15T123:00:00Z":      "bad time",
		"2026-01-15T10:0Z":           "bad minute",
		"2026-01-15T10:00:00.Z":      "bad fraction of a second",
		"2026-01-15T10:00:00X":       "bad time zone",
		"2026-01-15T10:00:00+5":      "bad time zone",
		"2026-01-15T10:00:00+25:00":  "bad time zone",
		"2026-01-15T10:00:00Z junk":  "bad trailing characters",
		"2026-13-15T10:00:00Z":       "month out of range",
		"2025-02-29T10:00:00Z":       "day out of range",
		"2026-01-15T24:00:00Z":       "hour out of range",
		"2026-01-15T10:60:00Z":       "minute out of range",
		"2026-01-15T10:00:61Z":       "second out of range",
		"2026-01-15T10:00:00+01:00x": "bad trailing characters",
	}
	for in, want := range tests {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", in, want)
			continue
		}
		if !errors.Is(err, ErrSyntax) || err.Error() != ErrSyntax.Error()+": "+want {
			t.Errorf("Parse(%q) error = %q, want %q wrapping ErrSyntax", in, err, want)
		}
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts survives a round trip through
// RFC 3339, which it must also accept.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-01-15T0:00:00Z", "2019-01-16T18:00:00.5+02:15", "2019-01-16 18:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(got.Format(time.RFC3339Nano))
		if err != nil {
			t.Fatalf("Parse(%q) = %v, whose RFC 3339 form does not parse: %v", s, got, err)
		}
		if !again.Equal(got) {
			t.Fatalf("round trip of %q: %v != %v", s, again, got)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("2026-01-15T0:00:00Z"); err != nil {
			b.Fatal(err)
		}
	}
}
