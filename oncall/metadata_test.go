package oncall_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

func TestMetadataUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    oncall.Metadata
		wantErr string
	}{
		{name: "emr id", in: `{"emr_id": "12345"}`, want: oncall.Metadata{"emr_id": "12345"}},
		{
			name: "kinds",
			in:   `{"s": "x", "i": 42, "neg": -7, "b": true, "f": false, "n": null, "frac": 1.5, "exp": 1e3, "int32": 2147483647}`,
			want: oncall.Metadata{"s": "x", "i": int64(42), "neg": int64(-7), "b": true, "f": false, "n": nil, "frac": 1.5,
				"exp": float64(1000), "int32": int64(2147483647)},
		},
		{
			name: "integers stay exact",
			in:   `{"above_float": 9007199254740993, "max": 9223372036854775807, "min": -9223372036854775808}`,
			want: oncall.Metadata{"above_float": int64(9007199254740993), "max": int64(math.MaxInt64), "min": int64(math.MinInt64)},
		},
		{name: "beyond int64", in: `{"big": 18446744073709551616}`, want: oncall.Metadata{"big": 18446744073709551616.0}},
		{name: "integral with a fraction part", in: `{"n": 5.0}`, want: oncall.Metadata{"n": 5.0}},
		{name: "nested, kept leniently", in: `{"ehr": {"id": 1, "src": "siu"}, "ids": [1, "2"]}`,
			want: oncall.Metadata{"ehr": map[string]any{"id": float64(1), "src": "siu"}, "ids": []any{float64(1), "2"}}},
		{name: "empty", in: `{}`, want: oncall.Metadata{}},
		{name: "null", in: `null`, want: nil},
		{name: "unicode key", in: `{"clé": "valeur"}`, want: oncall.Metadata{"clé": "valeur"}},
		{name: "list", in: `["Jane Doe"]`, wantErr: "oncall: metadata: field (top level): JSON array where an object was expected"},
		{name: "string", in: `"Jane Doe"`, wantErr: "oncall: metadata: field (top level): JSON string where an object was expected"},
		{name: "number", in: `12345`, wantErr: "oncall: metadata: field (top level): JSON number where an object was expected"},
		{name: "number out of range", in: `{"n": 1e400}`, wantErr: `oncall: metadata value of "n": number out of range`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got oncall.Metadata
			err := json.Unmarshal([]byte(tc.in), &got)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error = %v, want %q", err, tc.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "Jane") {
					t.Errorf("error %q quotes the value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadataInAppointment checks that integral ids survive a decode of a whole appointment exactly.
func TestMetadataInAppointment(t *testing.T) {
	t.Parallel()
	var a oncall.Appointment
	if err := json.Unmarshal([]byte(`{"metadata": {"emr_id": 9007199254740993, "series": "S-1"}}`), &a); err != nil {
		t.Fatal(err)
	}
	id, ok := a.Metadata.String("emr_id")
	if !ok || id != "9007199254740993" {
		t.Errorf(`Metadata.String("emr_id") = %q, %v; want "9007199254740993"`, id, ok)
	}
}

func TestMetadataString(t *testing.T) {
	t.Parallel()
	m := oncall.Metadata{
		"s": "abc", "i64": int64(9007199254740993), "i": 12345, "i32": int32(-7), "b": true, "f": 1.5, "n": nil, "empty": "",
	}
	type result struct {
		V  string
		OK bool
	}
	want := map[string]result{
		"s": {"abc", true}, "i64": {"9007199254740993", true}, "i": {"12345", true}, "i32": {"-7", true},
		"b": {"", false}, "f": {"", false}, "n": {"", false}, "empty": {"", true}, "missing": {"", false},
	}
	got := map[string]result{}
	for k := range want {
		v, ok := m.String(k)
		got[k] = result{v, ok}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var nilMeta oncall.Metadata
	if v, ok := nilMeta.String("emr_id"); v != "" || ok {
		t.Errorf("nil Metadata String = %q, %v", v, ok)
	}
}

func TestMetadataValidate(t *testing.T) {
	t.Parallel()
	keys := func(n int) oncall.Metadata {
		m := oncall.Metadata{}
		for i := range n {
			m[strings.Repeat("k", i+1)] = true
		}
		return m
	}
	tests := []struct {
		name string
		m    oncall.Metadata
		want []string // nil: valid
	}{
		{name: "nil", m: nil},
		{name: "empty", m: oncall.Metadata{}},
		{name: "50 keys", m: keys(50)},
		{name: "51 keys", m: keys(51), want: []string{"metadata: 51 keys, at most 50"}},
		{name: "key of 100 characters", m: oncall.Metadata{strings.Repeat("ü", 100): 1}},
		{name: "key of 101 characters", m: oncall.Metadata{strings.Repeat("a", 101): 1},
			want: []string{"metadata: a key of 101 characters, at most 100"}},
		{name: "key too long and a bad value", m: oncall.Metadata{strings.Repeat("a", 101): 1.5},
			want: []string{
				"metadata: a key of 101 characters, at most 100",
				"metadata: value of (a key of 101 characters): a fraction; numbers must be 32-bit integers",
			}},
		{name: "value of 2000 characters", m: oncall.Metadata{"v": strings.Repeat("é", 2000)}},
		{name: "value of 2001 characters", m: oncall.Metadata{"v": strings.Repeat("x", 2001)},
			want: []string{`metadata: value of "v": 2001 characters, at most 2000`}},
		{name: "int32 bounds", m: oncall.Metadata{"a": math.MaxInt32, "b": math.MinInt32, "c": int64(math.MaxInt32), "d": uint32(math.MaxInt32)}},
		{name: "small integer kinds", m: oncall.Metadata{"a": int8(-1), "b": int16(2), "c": int32(3), "d": uint8(4), "e": uint16(5), "f": uint(6), "g": uint64(7)}},
		{name: "integral floats", m: oncall.Metadata{"a": 42.0, "b": -2147483648.0}},
		{name: "int above", m: oncall.Metadata{"n": math.MaxInt32 + 1},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "int below", m: oncall.Metadata{"n": math.MinInt32 - 1},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "uint above", m: oncall.Metadata{"n": uint(math.MaxUint32)},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "decoded int64 above", m: oncall.Metadata{"n": int64(9007199254740993)},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "huge float", m: oncall.Metadata{"n": 1e300},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "negative huge float", m: oncall.Metadata{"n": -1e300},
			want: []string{`metadata: value of "n": outside the 32-bit signed integer range`}},
		{name: "fraction", m: oncall.Metadata{"n": 0.5},
			want: []string{`metadata: value of "n": a fraction; numbers must be 32-bit integers`}},
		{name: "NaN", m: oncall.Metadata{"n": math.NaN()},
			want: []string{`metadata: value of "n": a fraction; numbers must be 32-bit integers`}},
		{name: "float32", m: oncall.Metadata{"n": float32(1)},
			want: []string{`metadata: value of "n": a float32; values must be strings, 32-bit integers, booleans or null (the object must be flat)`}},
		{name: "nested map", m: oncall.Metadata{"n": oncall.Metadata{"a": 1}},
			want: []string{`metadata: value of "n": a oncall.Metadata; values must be strings, 32-bit integers, booleans or null (the object must be flat)`}},
		{name: "struct", m: oncall.Metadata{"n": struct{ Name string }{"Jane Doe"}},
			want: []string{`metadata: value of "n": a struct { Name string }; values must be strings, 32-bit integers, booleans or null (the object must be flat)`}},
		{name: "problems sorted by key", m: oncall.Metadata{"z": 0.5, "a": []string{"Jane Doe"}, "m": strings.Repeat("x", 2001)},
			want: []string{
				`metadata: value of "a": a []string; values must be strings, 32-bit integers, booleans or null (the object must be flat)`,
				`metadata: value of "m": 2001 characters, at most 2000`,
				`metadata: value of "z": a fraction; numbers must be 32-bit integers`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.m.Validate()
			if tc.want == nil {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *oncall.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, oncall.ErrInvalidParams) {
				t.Fatalf("Validate = %v, want a *ValidationError matching ErrInvalidParams", err)
			}
			if diff := cmp.Diff(&oncall.ValidationError{Resource: "metadata", Problems: tc.want}, ve); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "Jane") || strings.Contains(err.Error(), "xxxx") {
				t.Errorf("error %q quotes a value", err)
			}
		})
	}
}

func FuzzMetadata(f *testing.F) {
	for _, s := range []string{
		`{"emr_id": "12345"}`, `{"a": 9007199254740993, "b": 1.5, "c": true, "d": null}`, `{"n": 1e400}`, `{}`, `null`,
		`[]`, `{"a": {"b": [1]}}`, `{"a": -0}`, `{"a": 1E2}`, `{"a": "\u00e9"}`,
	} {
		f.Add([]byte(s))
	}
	for _, m := range fixtureValues(f, "metadata") {
		f.Add([]byte(m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m oncall.Metadata
		if err := json.Unmarshal(b, &m); err != nil {
			return
		}
		if want, ok := metadataByStdlib(b); ok {
			if diff := cmp.Diff(want, m, cmpNaN); diff != "" {
				t.Fatalf("decoded %s differently from the plain reading (-plain +client):\n%s", b, diff)
			}
		}
		_ = m.Validate() // must not panic
		for k := range m {
			m.String(k)
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal of decoded metadata: %v", err)
		}
		var again oncall.Metadata
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if len(again) != len(m) {
			t.Fatalf("re-decoded %d keys, want %d", len(again), len(m))
		}
		for k, v := range m {
			if i, ok := v.(int64); ok && again[k] != i {
				t.Fatalf("key %q: integer %d came back as %v", k, i, again[k])
			}
			if s, ok := v.(string); ok && again[k] != s {
				t.Fatalf("key %q: string came back changed", k)
			}
		}
	})
}

var cmpNaN = cmp.Comparer(func(a, b float64) bool { return a == b || a != a && b != b })

// metadataByStdlib is the plain reading of a metadata object that UnmarshalJSON must match: each value through
// encoding/json, integral numbers as int64 when they fit and float64 otherwise.
func metadataByStdlib(b []byte) (oncall.Metadata, bool) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, false
	}
	out := oncall.Metadata{}
	for k, r := range raw {
		var n json.Number
		if len(r) > 0 && (r[0] == '-' || '0' <= r[0] && r[0] <= '9') && json.Unmarshal(r, &n) == nil {
			if i, err := n.Int64(); err == nil {
				out[k] = i
				continue
			}
			f, err := n.Float64()
			if err != nil {
				return nil, false
			}
			out[k] = f
			continue
		}
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}
