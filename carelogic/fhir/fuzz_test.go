package fhir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// FuzzDecode checks that no input makes the decoders panic, that every failure is reported as *DecodeError, and
// that what does decode is self-consistent.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, dir := range []string{"fhir-r4", "fhir-r4-from-siu"} {
		more, _ := filepath.Glob(filepath.Join(fixtures.Path(f, "fixtures", "ehr", dir), "*.json"))
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"resourceType":"Bundle","entry":[{"resource":null},{"resource":1}]}`,
		`{"resourceType":"Appointment","status":"booked","start":"2021-09-24T12:45:00+05:30","minutesDuration":153722867}`,
		`{"resourceType":"Appointment","status":"cancelled","participant":[{"actor":{"reference":"/"}},{"actor":{"reference":"#"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		appts, err := Decode(data)
		if err != nil {
			checkDecodeErrors(t, err)
		}
		for _, a := range appts {
			if a.Duration < 0 {
				t.Errorf("appointment %q: negative duration %v", a.ID, a.Duration)
			}
			if a.Source != DefaultSource {
				t.Errorf("appointment %q: Source %q", a.ID, a.Source)
			}
			if len(a.Participants) > 1 && a.Kind != carelogic.Group {
				t.Errorf("appointment %q: %d clients but Kind %q", a.ID, len(a.Participants), a.Kind)
			}
			if a.Deleted && !allError(a.Participants) {
				t.Errorf("appointment %q: deleted, but not every client is in error", a.ID)
			}
			_ = a.Validate()
		}
		one, errOne := DecodeAppointment(data)
		if errOne != nil {
			checkDecodeErrors(t, errOne)
		} else if err != nil || len(appts) != 1 {
			t.Errorf("DecodeAppointment succeeded where Decode gave %d appointments and error %v", len(appts), err)
		} else if diff := cmp.Diff(appts[0], one); diff != "" {
			t.Errorf("DecodeAppointment and Decode disagree (-Decode +DecodeAppointment):\n%s", diff)
		}
		if _, err := DecodeBundle(data); err != nil {
			checkDecodeErrors(t, err)
		}
	})
}

func allError(ps []carelogic.Participant) bool {
	for _, p := range ps {
		if p.Status != carelogic.StatusError {
			return false
		}
	}
	return true
}

// checkDecodeErrors fails unless err is a *DecodeError or a join of them, each with a message.
func checkDecodeErrors(t *testing.T, err error) {
	t.Helper()
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			checkDecodeErrors(t, e)
		}
		return
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %T (%v) is not a *DecodeError", err, err)
	}
	if de.msg == "" {
		t.Errorf("DecodeError without a message: %v", de)
	}
}
