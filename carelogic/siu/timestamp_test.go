package siu

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	toronto, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	plus0215 := time.FixedZone("", 2*3600+15*60)
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2021", nil, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"202109", nil, time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)},
		{"20210924", nil, time.Date(2021, 9, 24, 0, 0, 0, 0, time.UTC)},
		{"2021092409", nil, time.Date(2021, 9, 24, 9, 0, 0, 0, time.UTC)},
		{"202109240930", nil, time.Date(2021, 9, 24, 9, 30, 0, 0, time.UTC)},
		{"20210924093015", nil, time.Date(2021, 9, 24, 9, 30, 15, 0, time.UTC)},
		{"20210924093015.1", nil, time.Date(2021, 9, 24, 9, 30, 15, 100e6, time.UTC)},
		{"20210924093015.1234", nil, time.Date(2021, 9, 24, 9, 30, 15, 123400e3, time.UTC)},
		{"20210924093000+0215", nil, time.Date(2021, 9, 24, 7, 15, 0, 0, time.UTC)},
		{"202109141120+0215", nil, time.Date(2021, 9, 14, 11, 20, 0, 0, plus0215)},
		{"20210924093015.5-0500", nil, time.Date(2021, 9, 24, 14, 30, 15, 500e6, time.UTC)},
		{"2021-0000", nil, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"198908181126+0215", nil, time.Date(1989, 8, 18, 9, 11, 0, 0, time.UTC)},
		{"20240229", nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"202107011000", toronto, time.Date(2021, 7, 1, 14, 0, 0, 0, time.UTC)},
		{"202101011000", toronto, time.Date(2021, 1, 1, 15, 0, 0, 0, time.UTC)},
		{"202107011000+0000", toronto, time.Date(2021, 7, 1, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseTimeDSTGap checks that a local time skipped by a daylight-saving change is read, not refused: the
// sender's clock showed it, and time.Date resolves it.
func TestParseTimeDSTGap(t *testing.T) {
	t.Parallel()
	toronto, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	got, err := ParseTime("202103140230", toronto)
	if err != nil {
		t.Fatal(err)
	}
	if got.Year() != 2021 || got.Month() != time.March || got.Day() != 14 {
		t.Errorf("ParseTime = %v, want a time on 2021-03-14", got)
	}
}

func TestParseTimeKeepsOffset(t *testing.T) {
	t.Parallel()
	got, err := ParseTime("20210924093000+0215", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, off := got.Zone(); off != 2*3600+15*60 {
		t.Errorf("offset = %ds, want %ds", off, 2*3600+15*60)
	}
}

func TestParseTimeErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "20", "202", "20210", "2021092", "202109240930151", "202109240930151234",
		"20211301", "20210231", "20230229", "2021092424", "202109242360", "20210924235960",
		"2021092409.5", "20210924093015.", "20210924093015.1234567890", "20210924093015+02", "20210924093015+02150",
		"20210924093015+2400", "20210924093015+0260", "20210924093015Z", "2021-09-24", "abcd", "20210924 0930",
		"+0215", "2021\x00",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got, err := ParseTime(in, nil); err == nil {
				t.Errorf("ParseTime(%q) = %v, want an error", in, got)
			} else if len(in) > 5 && strings.Contains(err.Error(), in) {
				t.Errorf("error %q quotes the value", err)
			}
		})
	}
}
