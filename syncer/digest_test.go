package syncer

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestParseDigest checks that parseDigest reads back exactly what a digest renders as, and no other spelling, so
// that comparing numbers answers as comparing the texts would.
func TestParseDigest(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, v := range []uint64{0, 1, 35, 36, 1<<48 - 1, r.Uint64() & (1<<48 - 1), r.Uint64() & (1<<20 - 1)} {
		d := digest(v)
		if got, ok := parseDigest(d.String()); !ok || got != d {
			t.Errorf("parseDigest(%q) = %v, %v; want %v", d.String(), got, ok, v)
		}
	}
	for _, s := range []string{"", "00", "0a", "ABC", "a-b", "a b", "zzzzzzzzzz", strconv.FormatUint(1<<48, 36), "12345678901", "é"} {
		if v, ok := parseDigest(s); ok {
			t.Errorf("parseDigest(%q) = %v, true; no digest renders as %q", s, v, s)
		}
	}
}

func FuzzParseDigest(f *testing.F) {
	for _, s := range []string{"", "0", "1mx2ohz6e8", "00", "Z", strconv.FormatUint(1<<48, 36)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDigest(s)
		if ok && d.String() != s {
			t.Errorf("parseDigest(%q) = %v, which renders as %q", s, d, d.String())
		}
		if !ok && len(s) > 0 && len(s) <= 10 {
			if v, err := strconv.ParseUint(s, 36, 64); err == nil && v < 1<<48 && strconv.FormatUint(v, 36) == s {
				t.Errorf("parseDigest(%q) refuses the rendering of %d", s, v)
			}
		}
	})
}
