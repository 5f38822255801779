package siu

import (
	"errors"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, units string
		want         time.Duration
	}{
		{"60", "s", time.Minute},
		{"60", "", time.Minute},
		{"90", "S", 90 * time.Second},
		{"70", "Min", 70 * time.Minute},
		{"45", "MIN", 45 * time.Minute},
		{"50", "min", 50 * time.Minute},
		{"2", "minutes", 2 * time.Minute},
		{"1.5", "h", 90 * time.Minute},
		{"1", "HR", time.Hour},
		{"2", "hours", 2 * time.Hour},
		{"1", "d", 24 * time.Hour},
		{"0.5", "sec", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.value+tt.units, func(t *testing.T) {
			t.Parallel()
			got, err := parseDuration(tt.value, tt.units)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("parseDuration(%q, %q) = %v, want %v", tt.value, tt.units, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, units string
		want         error
	}{
		{"", "min", errDurationValue},
		{"x", "min", errDurationValue},
		{"0", "min", errDurationValue},
		{"-5", "min", errDurationValue},
		{"NaN", "min", errDurationValue},
		{"Inf", "min", errDurationValue},
		{"5", "m", errDurationUnits},
		{"5", "mo", errDurationUnits},
		{"5", "wk", errDurationUnits},
		{"32", "d", errDurationRange},
		{"1e300", "s", errDurationRange},
	}
	for _, tt := range tests {
		t.Run(tt.value+tt.units, func(t *testing.T) {
			t.Parallel()
			if _, err := parseDuration(tt.value, tt.units); !errors.Is(err, tt.want) {
				t.Errorf("parseDuration(%q, %q) error = %v, want %v", tt.value, tt.units, err, tt.want)
			}
		})
	}
}
