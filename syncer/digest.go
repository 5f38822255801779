package syncer

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// emailHash is a short, stable fingerprint of an email address, compared case-insensitively. It identifies a
// participant within one appointment; it is not a security measure (the address itself is on the participant).
func emailHash(email string) string {
	d := digestOf(email)
	return d.String()
}

// digest is an email's fingerprint, the number emailHash renders (at most 10 base-36 digits). The planner compares
// thousands per run, as numbers: it renders one only to record it.
type digest uint64

// digestOf is the FNV-1a hash of the trimmed, lower-cased address, cut to 48 bits.
func digestOf(email string) digest {
	s := strings.TrimSpace(email)
	h := uint64(14695981039346656037) // FNV-1a 64-bit offset basis
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return fnv48(strings.ToLower(s)) // lower-casing beyond ASCII may change the length
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211 // FNV-1a 64-bit prime
	}
	return digest(h & (1<<48 - 1))
}

// fnv48 is the FNV-1a hash of s, cut to 48 bits.
func fnv48(s string) digest {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return digest(h & (1<<48 - 1))
}

func (d digest) String() string { return strconv.FormatUint(uint64(d), 36) }

func (d digest) appendTo(b []byte) []byte { return strconv.AppendUint(b, uint64(d), 36) }

// is reports whether s is the rendered digest.
func (d digest) is(s string) bool {
	v, ok := parseDigest(s)
	return ok && v == d
}

// base36 is the value of each base-36 digit a digest renders (0-9, a-z), and 0xff for every other byte: every
// planned appointment's roster has its hashes read as numbers, a table look-up a byte.
var base36 = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()

// parseDigest reads s as a digest rendered, and only so: base 36 in lower case, without leading zeros, 48 bits at
// most. Another spelling of the same number is another hash text, which no digest renders as.
func parseDigest(s string) (digest, bool) {
	if s == "" || len(s) > 10 || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := base36[s[i]]
		if c == 0xff {
			return 0, false
		}
		v = v*36 + uint64(c)
	}
	if v >= 1<<48 {
		return 0, false
	}
	return digest(v), true
}
