package syncer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDisplayKey(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"carelogic-demo/appt-101":       "carelogic-demo/appt-101",
		"SCHApp@GHHSFacility/36996":     "SCHApp@GHHSFacility/36996",
		"Zebulon Quincy/appt-101":       "(a value of 14 characters)/appt-101",
		"jane.roe@example.org/appt-101": "(a value of 20 characters)/appt-101",
		"carelogic/Jane Roe":            "carelogic/(a value of 8 characters)",
		"carelogic/appt-1/occurrence-2": "carelogic/appt-1/occurrence-2",
		"12345":                         "12345",
		"":                              "",
	}
	got := map[string]string{}
	for in := range tests {
		got[in] = displayKey(in)
	}
	if d := cmp.Diff(tests, got); d != "" {
		t.Errorf("displayKey (-want +got):\n%s", d)
	}
	ids := map[string]string{"cl-1001": "cl-1001", "jane.roe@example.org": "(a value of 20 characters)", "": ""}
	got = map[string]string{}
	for in := range ids {
		got[in] = displayID(in)
	}
	if d := cmp.Diff(ids, got); d != "" {
		t.Errorf("displayID (-want +got):\n%s", d)
	}
}
