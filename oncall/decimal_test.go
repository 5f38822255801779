package oncall_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"10", "10"},
		{"10.0", "10.0"},
		{"10.10", "10.10"},
		{"0.00", "0.00"},
		{"0", "0"},
		{"-0", "-0"},
		{"-0.5", "-0.5"},
		{".5", "0.5"},
		{"-.5", "-0.5"},
		{"5.", "5"},
		{"+5", "5"},
		{"+5.25", "5.25"},
		{"007", "7"},
		{"-00.50", "-0.50"},
		{"1.5e2", "150"},
		{"1.5E2", "150"},
		{"1.5e+2", "150"},
		{"-1.5e3", "-1500"},
		{"1.5e-2", "0.015"},
		{"150e-2", "1.50"},
		{"1e0", "1"},
		{"1.0e0", "1.0"},
		{"12.345e1", "123.45"},
		{"0e5", "0"},
		{".5e1", "5"},
		{"123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
		{"", ""},
		{"-", ""},
		{"+", ""},
		{".", ""},
		{"-.", ""},
		{"e5", ""},
		{"1e", ""},
		{"1e+", ""},
		{"1.2.3", ""},
		{"1,5", ""},
		{" 1", ""},
		{"1 ", ""},
		{"ten", ""},
		{"0x10", ""},
		{"1_000", ""},
		{"NaN", ""},
		{"Infinity", ""},
		{"--1", ""},
		{"1e99999", ""},
	}
	for _, tc := range tests {
		d, err := oncall.ParseDecimal(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("ParseDecimal(%q) = %q, want an error", tc.in, d)
			} else if len(tc.in) >= 3 && strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseDecimal(%q) error %q quotes the input", tc.in, err)
			}
			continue
		}
		if err != nil || d.String() != tc.want {
			t.Errorf("ParseDecimal(%q) = %q, %v; want %q", tc.in, d, err, tc.want)
		}
	}
}

func TestDecimalLargeExponent(t *testing.T) {
	t.Parallel()
	d, err := oncall.ParseDecimal("1e1000")
	if err != nil {
		t.Fatal(err)
	}
	if want := "1" + strings.Repeat("0", 1000); d.String() != want {
		t.Errorf("1e1000 = %d digits, want 1001", len(d.String()))
	}
	d, err = oncall.ParseDecimal("1e-1000")
	if err != nil {
		t.Fatal(err)
	}
	if want := "0." + strings.Repeat("0", 999) + "1"; d.String() != want {
		t.Errorf("1e-1000 = %q..., want 0.000...1", d.String()[:10])
	}
}

func TestDecimalEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string // "" is the zero Decimal
		want bool
	}{
		{"10", "10.0", true},
		{"10.0", "10.000", true},
		{"10", "1e1", true},
		{"0", "-0", true},
		{"0", "0.00", true},
		{"-0.0", "0", true},
		{"0.5", ".5", true},
		{"007.10", "7.1", true},
		{"10", "10.01", false},
		{"10", "-10", false},
		{"1", "10", false},
		{"0.1", "0.01", false},
		{"", "", true},
		{"", "0", false},
		{"0", "", false},
	}
	for _, tc := range tests {
		a, b := decimalOrZero(t, tc.a), decimalOrZero(t, tc.b)
		if got := a.Equal(b); got != tc.want {
			t.Errorf("%q.Equal(%q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := b.Equal(a); got != tc.want {
			t.Errorf("%q.Equal(%q) = %v, want %v (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func decimalOrZero(t *testing.T, s string) oncall.Decimal {
	t.Helper()
	if s == "" {
		return oncall.Decimal{}
	}
	return oncall.MustDecimal(s)
}

func TestDecimalZero(t *testing.T) {
	t.Parallel()
	var d oncall.Decimal
	if !d.IsZero() || d.String() != "" {
		t.Errorf("zero Decimal: IsZero %v, String %q", d.IsZero(), d.String())
	}
	if z := oncall.MustDecimal("0.00"); z.IsZero() {
		t.Errorf(`"0.00" IsZero, want an amount`)
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != "null" {
		t.Errorf("Marshal(zero) = %s, %v; want null", b, err)
	}
	// A zero fee is left out of a participant (omitzero): the division's default applies.
	b, err = json.Marshal(oncall.ParticipantParams{Name: "A", Email: "a@example.com"})
	if err != nil || strings.Contains(string(b), "fee") {
		t.Errorf("Marshal(ParticipantParams) = %s, %v; want no fee", b, err)
	}
}

func TestDecimalUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // String of the result
		wantErr bool
	}{
		{in: `10`, want: "10"},
		{in: `10.0`, want: "10.0"},
		{in: `10.10`, want: "10.10"},
		{in: `-0.5`, want: "-0.5"},
		{in: `1.5e2`, want: "150"},
		{in: `1E-3`, want: "0.001"},
		{in: `"10.00"`, want: "10.00"},
		{in: `"0.00"`, want: "0.00"},
		{in: `".5"`, want: "0.5"},
		{in: `"5."`, want: "5"},
		{in: `"+5"`, want: "5"},
		{in: `"1.5e2"`, want: "150"},
		{in: `null`, want: ""},
		{in: `""`, want: ""},
		{in: `"ten"`, wantErr: true},
		{in: `" 10"`, wantErr: true},
		{in: `"10 "`, wantErr: true},
		{in: `"\u0031"`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `{}`, wantErr: true},
		{in: `[10]`, wantErr: true},
		{in: `"`, wantErr: true},
		{in: `garbage`, wantErr: true},
	}
	for _, tc := range tests {
		var d oncall.Decimal
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.wantErr {
			if err == nil {
				t.Errorf("Unmarshal(%s) = %q, want an error", tc.in, d)
			}
			continue
		}
		if err != nil || d.String() != tc.want {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", tc.in, d, err, tc.want)
		}
	}
	// null resets a value decoded before.
	d := oncall.MustDecimal("1")
	if err := d.UnmarshalJSON([]byte("null")); err != nil || !d.IsZero() {
		t.Errorf("UnmarshalJSON(null) over a value = %q, %v; want zero", d, err)
	}
	var bad oncall.Decimal
	err := json.Unmarshal([]byte(`"Jane Doe"`), &bad)
	if err == nil || strings.Contains(err.Error(), "Jane") {
		t.Errorf("Unmarshal of a name = %v, want an error without the value", err)
	}
}

func TestDecimalMarshalJSON(t *testing.T) {
	t.Parallel()
	type fee struct {
		Fee oncall.Decimal `json:"fee"`
	}
	for in, want := range map[string]string{
		"10":     `{"fee":10}`,
		"10.0":   `{"fee":10.0}`,
		"10.10":  `{"fee":10.10}`,
		"0.00":   `{"fee":0.00}`,
		"-0.5":   `{"fee":-0.5}`,
		".5":     `{"fee":0.5}`,
		"+007.":  `{"fee":7}`,
		"1.5e2":  `{"fee":150}`,
		"2.5e-1": `{"fee":0.25}`,
	} {
		b, err := json.Marshal(fee{oncall.MustDecimal(in)})
		if err != nil || string(b) != want {
			t.Errorf("Marshal(%q) = %s, %v; want %s", in, b, err, want)
		}
	}
	// A round trip through JSON keeps the digits.
	var got fee
	if err := json.Unmarshal([]byte(`{"fee":10.10}`), &got); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil || string(b) != `{"fee":10.10}` {
		t.Errorf("round trip = %s, %v", b, err)
	}
}

func TestMustDecimalPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustDecimal(\"x\") did not panic")
		}
	}()
	oncall.MustDecimal("x")
}

// TestDecimalInCmp checks that cmp compares Decimals by value through Equal, which the other tests rely on.
func TestDecimalInCmp(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(oncall.MustDecimal("10"), oncall.MustDecimal("10.0")); diff != "" {
		t.Errorf("cmp.Diff(10, 10.0) = %s, want equal", diff)
	}
	if cmp.Equal(oncall.MustDecimal("10"), oncall.MustDecimal("10.5")) {
		t.Error("cmp.Equal(10, 10.5) = true")
	}
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"10", "10.0", "-0.5", ".5", "5.", "+5", "1.5e2", "1e-3", "007", "0", "-0", "", "e", "1e", "1.2.3", "9e9999"} {
		f.Add(s)
	}
	for _, fee := range fixtureValues(f, "fee") { // 10 and 10.0
		f.Add(fee)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := oncall.ParseDecimal(s)
		var u oncall.Decimal
		uerr := u.UnmarshalJSON([]byte(s))
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("ParseDecimal(%q) returned %q with error %v", s, d, err)
			}
			return
		}
		// A number literal that parses decodes the same from JSON (when it is one).
		if uerr == nil && json.Valid([]byte(s)) && !u.Equal(d) {
			t.Fatalf("UnmarshalJSON(%q) = %q, ParseDecimal = %q", s, u, d)
		}
		c := d.String()
		if c == "" || strings.ContainsAny(c, "eE+") || strings.HasSuffix(c, ".") || strings.HasPrefix(c, ".") {
			t.Fatalf("ParseDecimal(%q) = %q, not canonical", s, c)
		}
		if !d.Equal(d) {
			t.Fatalf("%q is not Equal to itself", c)
		}
		again, err := oncall.ParseDecimal(c)
		if err != nil || again.String() != c {
			t.Fatalf("re-parsing %q = %q, %v", c, again, err)
		}
		b, err := d.MarshalJSON()
		if err != nil || !json.Valid(b) {
			t.Fatalf("MarshalJSON(%q) = %s, %v: not valid JSON", c, b, err)
		}
		var back oncall.Decimal
		if err := json.Unmarshal(b, &back); err != nil || back.String() != c {
			t.Fatalf("JSON round trip of %q = %q, %v", c, back, err)
		}
		quoted, _ := json.Marshal(c)
		if err := json.Unmarshal(quoted, &back); err != nil || back.String() != c {
			t.Fatalf("string round trip of %q = %q, %v", c, back, err)
		}
	})
}
