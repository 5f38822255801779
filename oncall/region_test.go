package oncall_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/oncall"
)

func TestRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r        oncall.Region
		wantBase string
		wantStr  string
	}{
		{oncall.RegionCA, "https://api.oncallhealth.ca/", "ca"},
		{oncall.RegionUS, "https://api.oncallhealth.us/", "us"},
		{"", "", ""},
		{"uk", "", "uk"},
		{"CA", "", "CA"}, // a Region value is exact; ParseRegion folds case
	}
	for _, tc := range tests {
		if got := tc.r.BaseURL(); got != tc.wantBase {
			t.Errorf("Region(%q).BaseURL() = %q, want %q", string(tc.r), got, tc.wantBase)
		}
		if got := tc.r.String(); got != tc.wantStr {
			t.Errorf("Region(%q).String() = %q, want %q", string(tc.r), got, tc.wantStr)
		}
	}
}

func TestParseRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    oncall.Region
		wantErr string
	}{
		{in: "ca", want: oncall.RegionCA},
		{in: "us", want: oncall.RegionUS},
		{in: "CA", want: oncall.RegionCA},
		{in: " Us\n", want: oncall.RegionUS},
		{in: "", wantErr: `oncall: unknown region "": want "ca" or "us"`},
		{in: "uk", wantErr: `oncall: unknown region (a value of 2 characters): want "ca" or "us"`},
		{in: "canada", wantErr: `oncall: unknown region (a value of 6 characters): want "ca" or "us"`},
		// A DRF token looks like a name: 40 lower-case hex characters. It is never echoed.
		{in: "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", wantErr: `oncall: unknown region (a value of 40 characters): want "ca" or "us"`},
		{in: "api.oncallhealth.ca", wantErr: `oncall: unknown region (a value of 19 characters): want "ca" or "us"`},
		{in: "c a", wantErr: `oncall: unknown region (a value of 3 characters): want "ca" or "us"`},
	}
	for _, tc := range tests {
		got, err := oncall.ParseRegion(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr || got != "" {
				t.Errorf("ParseRegion(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseRegion(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
