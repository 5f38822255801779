package oncalltest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2026-01-15T0:00:00Z", "2030-03-04T09:00:00.25-05:00", "2030-02-30T14:00:00Z",
		"2030-03-04 9:5Z", "2030-03-04T14:00:00", "2030-03-04T14:00:00+0530", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, null, msg := parseDateTime(json.RawMessage(strconv.Quote(s)))
		if null {
			t.Fatalf("a string read as null")
		}
		if msg != "" {
			return
		}
		// What the server accepts, it renders in a form it accepts again, as the same instant.
		again, _, msg := parseDateTime(json.RawMessage(strconv.Quote(formatDateTime(tm))))
		if msg != "" || !again.Equal(tm) {
			t.Fatalf("%q: rendered as %q, read back as %v (%s)", s, formatDateTime(tm), again, msg)
		}
		if again.Location() != time.UTC {
			t.Fatalf("%q: read back in %v, want UTC", s, again.Location())
		}
	})
}

var twoPlaces = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)

func FuzzParseFee(f *testing.F) {
	for _, s := range []string{"10", "10.0", `"10.00"`, `"7.5"`, "-0", "1e2", `"-1"`, "10.123", "00012.10", `""`, "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fee, msg := parseFee(json.RawMessage(raw))
		if msg != "" {
			return
		}
		if !twoPlaces.MatchString(fee) {
			t.Fatalf("%q stored as %q, want digits with two decimal places", raw, fee)
		}
		if again, msg := normalizeFee(fee); msg != "" || again != fee {
			t.Fatalf("%q: stored %q normalises to %q (%s)", raw, fee, again, msg)
		}
	})
}

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{`{"emr_id":"A1$SG9","reminder_sent_at":1618899888,"is_urgent":false,"checked_in_at":null}`,
		`{"n":2147483648}`, `{"x":{"y":1}}`, `[]`, `null`, `{"f":1.0}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		m, msgs := parseMetadata(json.RawMessage(raw))
		if msgs != nil {
			return
		}
		if len(m) > maxMetadataKeys {
			t.Fatalf("%d keys accepted", len(m))
		}
		for k, v := range m {
			switch v := v.(type) {
			case nil, bool:
			case string:
				if len([]rune(v)) > maxMetadataValueLen {
					t.Fatalf("value of %q too long", k)
				}
			case int64:
				if v != int64(int32(v)) {
					t.Fatalf("value of %q outside int32", k)
				}
			default:
				t.Fatalf("value of %q is a %T", k, v)
			}
		}
	})
}
