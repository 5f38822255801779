package retry

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Sun, 22 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sunday, 22-Nov-26 12:01:00 GMT", time.Minute, true},
		{"Sun Nov 22 12:00:05 2026", 5 * time.Second, true},
		{"Sun, 22 Nov 2026 11:00:00 GMT", 0, true},
		{"99999999999", 365 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempt, wantCap := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		wantCap *= time.Millisecond
		for range 50 {
			got := Backoff(100*time.Millisecond, time.Second, attempt)
			if got < wantCap/2 || got > wantCap {
				t.Fatalf("Backoff(attempt %d) = %v, want in [%v, %v]", attempt, got, wantCap/2, wantCap)
			}
		}
	}
	if got := Backoff(0, time.Second, 3); got != 0 {
		t.Errorf("Backoff with zero min = %v, want 0", got)
	}
}
