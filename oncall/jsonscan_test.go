package oncall

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The in-place readers (jsonscan.go) are shortcuts: each must read what it reads exactly as the general reading
// beside it does, and must not refuse or accept anything the general reading would not. The fuzz targets below
// check the shortcut against the general reading on every input; the tests check that the forms the API sends
// take the shortcut, so that losing it shows as a failure and not only as a slower benchmark.

func TestScanMetadataTakesTheAPIForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Metadata // nil: the scan must leave it to the general reading
	}{
		{`{}`, Metadata{}},
		{` { } `, Metadata{}},
		{`{"emr_id": "CL-100000", "series": 0, "source": "carelogic", "group": false}`,
			Metadata{"emr_id": "CL-100000", "series": int64(0), "source": "carelogic", "group": false}},
		{`{"emr_id":"A000001","emr_source":"carelogic","emr_series_id":"S0","emr_clients":"C2=k2j4h5g6f7,C3=a1b2c3d4e5"}`,
			Metadata{"emr_id": "A000001", "emr_source": "carelogic", "emr_series_id": "S0", "emr_clients": "C2=k2j4h5g6f7,C3=a1b2c3d4e5"}},
		{"{\n\t\"a\": -12,\r\n \"b\": 9007199254740993, \"c\": 1.5, \"d\": null, \"e\": true, \"f\": \"é\"}",
			Metadata{"a": int64(-12), "b": int64(9007199254740993), "c": 1.5, "d": nil, "e": true, "f": "é"}},
		{`{"a": 1E2, "b": -0, "c": 9223372036854775808, "d": 0.0}`,
			Metadata{"a": 100.0, "b": int64(0), "c": 9223372036854775808.0, "d": 0.0}},
		{`{"a": "x\/y\u00e9", "a2": "\"q\""}`, Metadata{"a": "x/yé", "a2": `"q"`}}, // escaped values: still one pass
		{`{"a": 1, "a": "last"}`, Metadata{"a": "last"}},

		{`null`, nil}, {` null`, nil}, {`[]`, nil}, {`"x"`, nil}, {``, nil},
		{`{"a": {"b": 1}}`, nil}, {`{"a": [1]}`, nil}, // nested: leniently decoded, by the general reading
		{`{"\u0061": 1}`, nil}, // an escaped key
		{`{"n": 1e400}`, nil},  // out of range: the general reading's error
		{`{"a": 01}`, nil}, {`{"a": 1.}`, nil}, {`{"a": .5}`, nil}, {`{"a": +1}`, nil}, {`{"a": 1e}`, nil}, {`{"a": -}`, nil},
		{`{"a": tru}`, nil}, {`{"a": nul}`, nil}, {`{"a": truee}`, nil}, {`{"a": 1,}`, nil}, {`{"a" 1}`, nil},
		{`{"a": 1} x`, nil}, {`{"a": 1`, nil}, {`{"a": "x`, nil}, {`{"a": "x\"}`, nil}, {"{\"a\": \"\x01\"}", nil},
		{"{\"a\": \"\xff\"}", Metadata{"a": "\ufffd"}}, // invalid UTF-8 in a value: U+FFFD, as encoding/json reads it
		{"{\"\xff\": 1}", nil}, {"{\"a\": \"\\q\"}", nil}, {"\ufeff{}", nil}, {"{\"a\":\f1}", nil},
	} {
		got, ok := scanMetadata([]byte(tc.in))
		if ok != (tc.want != nil) {
			t.Errorf("scanMetadata(%q): read %v, want %v", tc.in, ok, tc.want != nil)
			continue
		}
		if diff := cmp.Diff(tc.want, got); ok && diff != "" {
			t.Errorf("scanMetadata(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestPlainStatusTakesTheShortcut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want AppointmentStatus
		ok   bool
	}{
		{`"Provider cancelled"`, StatusProviderCancelled, true},
		{`"No-show fee charged"`, StatusNoShowFeeCharged, true},
		{`"Annulé"`, "Annulé", true},
		{`""`, "", true},
		{`"a\"b"`, "", false}, {`"a`, "", false}, {`"a" `, "", false}, {"\"\xff\"", "", false}, {`null`, "", false}, {`1`, "", false},
	} {
		s, next, ok := scanPlainString([]byte(tc.in), 0)
		if ok = ok && next == len(tc.in); ok != tc.ok || (ok && AppointmentStatus(s) != tc.want) {
			t.Errorf("scanPlainString(%q) = %q, %v; want %q, %v", tc.in, s, ok, tc.want, tc.ok)
		}
	}
}

func FuzzMetadataScan(f *testing.F) {
	for _, s := range []string{
		`{"emr_id": "12345", "series": 3, "group": true, "x": null}`, `{"a": 9007199254740993, "b": 1.5}`, `{"n": 1e400}`,
		`{}`, `null`, `[]`, `{"a": {"b": [1]}}`, `{"a": -0}`, `{"a": 1E2}`, `{"a": "\u00e9"}`, `{"a": 1, "a": 2}`,
		`{"a": 1e400, "a": 1}`, `{"\u0061": 1, "a": 2}`, "{\"a\": \"\xff\"}", `{"a": 01}`, ` {"a" : "b" } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := scanMetadata(b)
		if !ok {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("scanMetadata read %q, which is not JSON", b)
		}
		want, err := decodeMetadata(b)
		if err != nil {
			t.Fatalf("scanMetadata read %q, which the general reading refuses: %v", b, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("scanMetadata(%q) differs from the general reading (-general +scan):\n%s", b, diff)
		}
	})
}

// FuzzRefBytes checks that a reference read from the bytes of a response (unmarshalRef's shortcut) reads as the
// same text does as a string, and that parseInt64 is strconv.ParseInt.
func FuzzRefBytes(f *testing.F) {
	for _, s := range []string{
		"https://api.oncallhealth.ca/appointments/1234/", "http://h:8080/divisions/1", "/appointments/1/", "appointments/1",
		"", "https://h/", "https://h/appointments/abc/", "https://h/appointments/-1/", "https://h/appointments/0/",
		"https://h/appointments/0012/", "https://h/appointments/9223372036854775807/", "https://h/appointments/9223372036854775808/",
		"https://h:/appointments/1/", "//h/appointments/1", "https://h/a/b/c/9///", "https://h/appointments/+1/", "-5", "+5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseInt64(s)
		bn, bok := parseInt64([]byte(s))
		sn, err := strconv.ParseInt(s, 10, 64)
		if ok != (err == nil) || n != sn || bok != ok || bn != n {
			t.Fatalf("parseInt64(%q) = %d, %v (bytes: %d, %v); strconv.ParseInt = %d, %v", s, n, ok, bn, bok, sn, err)
		}

		path, ok := plainURLPath(s)
		bpath, bok := plainURLPath([]byte(s))
		if ok != bok || path != string(bpath) {
			t.Fatalf("plainURLPath(%q) = %q, %v; from bytes %q, %v", s, path, ok, bpath, bok)
		}
		if !ok {
			return
		}
		kind, id, err := splitPath(path)
		bkind, bid, berr := splitPath(bpath)
		if kind != string(bkind) || id != bid || (err == nil) != (berr == nil) {
			t.Fatalf("splitPath(%q) = %q, %d, %v; from bytes %q, %d, %v", path, kind, id, err, bkind, bid, berr)
		}
		// Through JSON: the bytes of the quoted reference decode as the string does.
		quoted, _ := json.Marshal(s)
		var sent string // s as JSON carries it: invalid UTF-8 becomes U+FFFD
		if err := json.Unmarshal(quoted, &sent); err != nil {
			t.Fatal(err)
		}
		var fromBytes, fromString int64
		errBytes := unmarshalRef(quoted, kindAppointments, &fromBytes)
		var errString error
		if sent != "" {
			var k string
			k, fromString, errString = splitRefPath(sent)
			if errString == nil && k != kindAppointments {
				fromString, errString = 0, strconv.ErrSyntax // another kind: an error too
			}
		}
		if (errBytes == nil) != (errString == nil) || fromBytes != fromString {
			t.Fatalf("unmarshalRef(%s) = %d, %v; the string reading gives %d, %v", quoted, fromBytes, errBytes, fromString, errString)
		}
	})
}

// FuzzStatusJSON checks the shortcut for a plain status string against encoding/json.
func FuzzStatusJSON(f *testing.F) {
	for _, s := range []string{`"Incomplete"`, `"No show"`, `null`, `""`, `"a\u00e9"`, `"\/"`, "\"\xff\"", `1`, `"x`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var o optional[AppointmentStatus]
		err := o.UnmarshalJSON(b)
		var want AppointmentStatus
		werr := json.Unmarshal(b, &want)
		if (err == nil) != (werr == nil) || (err == nil && o.v != want) || !o.set {
			t.Fatalf("status from %q = %q, %v (set %v); encoding/json reads %q, %v", b, o.v, err, o.set, want, werr)
		}
	})
}
