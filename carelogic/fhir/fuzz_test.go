package fhir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// seeds are the fuzz seeds: this package's own FHIR documents (testdata, and the small Appointments and Bundle in
// testdata/seeds), and the shared fixtures where they are. The target never skips: without the shared folder, it
// fuzzes from the package's own.
func seeds(tb testing.TB) [][]byte {
	tb.Helper()
	var files []string
	for _, pattern := range []string{"*.json", filepath.Join("seeds", "*.json")} {
		own, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, own...)
	}
	if len(files) < 10 {
		tb.Fatalf("%d seed files in testdata, want the package's own", len(files))
	}
	for _, dir := range []string{"fhir-r4", "fhir-r4-from-siu"} {
		if shared, ok := fixtures.Lookup(tb, "fixtures", "ehr", dir); ok {
			more, err := filepath.Glob(filepath.Join(shared, "*.json"))
			if err != nil {
				tb.Fatal(err)
			}
			files = append(files, more...)
		}
	}
	out := make([][]byte, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// FuzzDecode checks that no input makes the decoders panic, that every failure is reported as *DecodeError with
// a bounded text, and that what does decode is self-consistent.
func FuzzDecode(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"resourceType":"Bundle","entry":[{"resource":null},{"resource":1}]}`,
		`{"resourceType":"Appointment","status":"booked","start":"2021-09-24T12:45:00+05:30","minutesDuration":153722867}`,
		`{"resourceType":"Appointment","status":"cancelled","participant":[{"actor":{"reference":"/"}},{"actor":{"reference":"#"}}]}`,
		// Values where they do not belong, and shapes at the limits.
		`{"resourceType":"JaneRoe","id":"Jane Roe"}`,
		`{"resourceType":"Bundle","ENTRY":[{"FULLURL":5}]}`,
		`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","name":{}}}]}`,
		`{"resourceType":"Appointment","id":"a-1","status":"booked","participant":[{"actor":{"reference":"Patient/1"}}` +
			strings.Repeat(`,{"actor":{"reference":"Patient/1"}}`, carelogic.MaxParticipants) + `]}`,
		`{"resourceType":"Bundle","entry":` + strings.Repeat("[", carelogic.MaxJSONDepth) + strings.Repeat("]", carelogic.MaxJSONDepth) + `}`,
		`{"resourceType":"Appointment","id":"a\u0031","status":"booked","start":"2030-01-01T10:00:00Z","end":"2030-01-01T10:00:00Z"}`,
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
			if len(a.Participants) > carelogic.MaxParticipants {
				t.Errorf("appointment %q: %d clients, over the limit", a.ID, len(a.Participants))
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

// checkDecodeErrors fails unless err is a *DecodeError or a join of at most carelogic.MaxErrors of them and one
// counting the rest, each with a message, the whole text bounded.
func checkDecodeErrors(t *testing.T, err error) {
	t.Helper()
	if n := len(err.Error()); n > 64<<10 {
		t.Errorf("error text of %d bytes", n)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if n := len(j.Unwrap()); n > carelogic.MaxErrors+1 {
			t.Errorf("%d errors joined, want at most MaxErrors and one counting the rest", n)
		}
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
