package syncer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeRosterCanonical checks what decodeRosterInto says of the text it read: canonical only when the text is
// the roster's encoding exactly, which is what lets the planner compare rosters entry by entry.
func TestDecodeRosterCanonical(t *testing.T) {
	t.Parallel()
	h := emailHash("one@example.com")
	tests := []struct {
		in        string
		canonical bool
	}{
		{"", true},
		{"c1=" + h, true},
		{"c1=" + h + ":D,c2=x", true},
		{"c1=a=b", true},
		{"c2=x,c1=" + h, false},  // out of order
		{"c1=x,c1=y", false},     // an id twice
		{"c1=" + h + ",", false}, // a trailing comma
		{",c1=" + h, false},
		{"c1=" + h + ",,c2=x", false},
		{"c1=" + h + ",bare", false},
		{"c1=x:Q", false},
		{"a%2Cb=x", false}, // an escaped id is not checked
	}
	for _, tt := range tests {
		r, canonical := decodeRosterInto(nil, tt.in)
		if canonical != tt.canonical {
			t.Errorf("decodeRosterInto(%q) canonical = %v, want %v", tt.in, canonical, tt.canonical)
		}
		if canonical && r.encode() != tt.in {
			t.Errorf("decodeRosterInto(%q) is canonical, but encodes as %q", tt.in, r.encode())
		}
	}
}

func FuzzDecodeRosterCanonical(f *testing.F) {
	for _, s := range []string{"", "c1=abc", "c1=abc:D,c2=x", "c2=x,c1=y", "c1=x,", "a%2Cb=x", "c1=a=b:K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, canonical := decodeRosterInto(nil, s)
		enc := r.encode()
		if canonical && enc != s {
			t.Errorf("decodeRosterInto(%q) is canonical, but encodes as %q", s, enc)
		}
		// What a roster encodes as reads back canonical, unless an id needed escaping.
		if again, canonical := decodeRosterInto(nil, enc); !canonical && !hasEscapedID(again) {
			t.Errorf("the encoding %q of a roster does not read back canonical", enc)
		}
		// A roster encodes to a text exactly when comparing entries says so.
		decoded, canonical := decodeRosterInto(nil, s)
		if got, want := r.encodes(s, decoded, canonical), enc == s; got != want {
			t.Errorf("encodes(%q) = %v, want %v", s, got, want)
		}
	})
}

func hasEscapedID(r roster) bool {
	for _, e := range r {
		if rosterEscaper.Replace(e.id) != e.id {
			return true
		}
	}
	return false
}

// FuzzDecodePlainRoster checks that the one-pass reading of a plain roster agrees with the general one wherever it
// answers, and that it answers for every roster the sync writes.
func FuzzDecodePlainRoster(f *testing.F) {
	for _, s := range []string{"", "c1=abc", "c1=abc:D,c2=x", "c2=x,c1=y", "c1=x,", "a%2Cb=x", "c1=a=b:K", "c1=x:Q", "c1=x:DD", "c1=:D", "=x", "c1=x,,c2=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wantCanonical := decodeRosterEntries(nil, s)
		if got, ok := decodePlainRoster(nil, s); ok {
			if !wantCanonical {
				t.Errorf("decodePlainRoster(%q) read a text the general reading finds not canonical", s)
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(rosterEntry{})); diff != "" {
				t.Errorf("decodePlainRoster(%q) (-general +plain):\n%s", s, diff)
			}
		}
		if enc := want.encode(); !hasEscapedID(want) {
			if _, ok := decodePlainRoster(nil, enc); !ok {
				t.Errorf("decodePlainRoster does not read %q, the encoding of a roster", enc)
			}
		}
	})
}
