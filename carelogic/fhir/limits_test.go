package fhir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

// TestDecodeLimits passes each limit of Decode by one, and checks that the error is a *DecodeError wrapping
// carelogic.ErrLimit that names the limit, the count and where.
func TestDecodeLimits(t *testing.T) {
	t.Parallel()
	many := func(n int, item string) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	tests := []struct {
		name, in, want, field string
	}{
		{
			name:  "entries",
			in:    `{"resourceType": "Bundle", "entry": [` + many(MaxBundleEntries+1, `{}`) + `]}`,
			want:  "fhir: entry: 100001 entries, over the limit of 100000 (fhir.MaxBundleEntries)",
			field: "entry",
		},
		{
			name:  "participants",
			in:    `{"resourceType": "Appointment", "status": "booked", "participant": [` + many(carelogic.MaxParticipants+1, `{}`) + `]}`,
			want:  "fhir: participant: 1001 participants, over the limit of 1000 (carelogic.MaxParticipants)",
			field: "participant",
		},
		{
			name: "participants in a Bundle entry",
			in: `{"resourceType": "Bundle", "entry": [{}, {"resource": {"resourceType": "Appointment", "participant": [` +
				many(carelogic.MaxParticipants+5, `{}`) + `]}}]}`,
			want:  "fhir: entry[1].resource.participant: 1005 participants, over the limit of 1000 (carelogic.MaxParticipants)",
			field: "entry[1].resource.participant",
		},
		{
			name: "nesting",
			in:   `{"resourceType": "Appointment", "extension": ` + strings.Repeat("[", carelogic.MaxJSONDepth) + strings.Repeat("]", carelogic.MaxJSONDepth) + `}`,
			want: "fhir: more than 64 levels of nesting, at byte offset 108, over the limit (carelogic.MaxJSONDepth)",
		},
		{
			name: "elements",
			in:   `{"resourceType": "Appointment", "identifier": [` + many(carelogic.MaxJSONElements+1, `{}`) + `]}`,
			want: "fhir: more than 1000000 array elements in the document, over the limit (carelogic.MaxJSONElements)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for name, decode := range map[string]func([]byte) error{
				"Decode":            func(b []byte) error { _, err := Decode(b); return err },
				"DecodeAppointment": func(b []byte) error { _, err := DecodeAppointment(b); return err },
				"DecodeBundle":      func(b []byte) error { _, err := DecodeBundle(b); return err },
			} {
				err := decode([]byte(tt.in))
				var de *DecodeError
				if !errors.Is(err, carelogic.ErrLimit) || !errors.As(err, &de) {
					t.Fatalf("%s = %v; want a *DecodeError wrapping ErrLimit", name, err)
				}
				if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
					t.Errorf("%s: error (-want +got):\n%s", name, diff)
				}
				if de.Field != tt.field {
					t.Errorf("%s: Field = %q, want %q", name, de.Field, tt.field)
				}
			}
		})
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	t.Parallel()
	data := make([]byte, carelogic.MaxSourceBytes+1)
	copy(data, `{"resourceType": "Appointment"}`)
	_, err := Decode(data)
	if want := "fhir: 67108865 bytes, over the limit of 67108864 (carelogic.MaxSourceBytes)"; !errors.Is(err, carelogic.ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("Decode of MaxSourceBytes+1 bytes: %v, want %s", err, want)
	}
}

// TestDecodeBundleKeepsMaxErrors decodes a Bundle of more bad entries than carelogic.MaxErrors: the error keeps
// the first MaxErrors in entry order, whether they are Patients (read first) or Appointments, and counts the rest.
func TestDecodeBundleKeepsMaxErrors(t *testing.T) {
	t.Parallel()
	var entries []string
	for i := range 3 * carelogic.MaxErrors {
		switch i % 3 {
		case 0:
			entries = append(entries, `{"resource": {"resourceType": "Appointment", "id": "a-`+strconv.Itoa(i)+`"}}`)
		case 1:
			entries = append(entries, `{"resource": {"resourceType": "Patient", "name": {}}}`)
		default:
			entries = append(entries, `{"resource": {"resourceType": "Appointment", "id": "ok-`+strconv.Itoa(i)+`", "status": "booked"}}`)
		}
	}
	appts, err := DecodeBundle([]byte(`{"resourceType": "Bundle", "entry": [` + strings.Join(entries, ",") + `]}`))
	if len(appts) != carelogic.MaxErrors {
		t.Errorf("%d appointments decoded, want %d", len(appts), carelogic.MaxErrors)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != carelogic.MaxErrors+1 {
		t.Fatalf("error %T, want MaxErrors and one counting the rest", err)
	}
	errs := joined.Unwrap()
	for i, e := range errs[:carelogic.MaxErrors] {
		if de := e.(*DecodeError); de.Entry != i/2*3+i%2 {
			t.Fatalf("error %d is of entry %d, want %d", i, de.Entry, i/2*3+i%2)
		}
	}
	if want := "fhir: Bundle: and 100 more entries could not be decoded"; errs[carelogic.MaxErrors].Error() != want {
		t.Errorf("the last error is %q, want %q", errs[carelogic.MaxErrors], want)
	}
}

// TestReadPathLimits reads folders that pass the limits of ReadPath over several files: the file that passes one
// fails, and the read goes on with the next.
func TestReadPathLimits(t *testing.T) {
	t.Parallel()
	bundle := func(prefix string, n int) string {
		entries := make([]string, n)
		for i := range entries {
			entries[i] = `{"resource": {"resourceType": "Appointment", "id": "` + prefix + strconv.Itoa(i) + `", "status": "booked"}}`
		}
		return `{"resourceType": "Bundle", "entry": [` + strings.Join(entries, ",") + `]}`
	}
	t.Run("appointments", func(t *testing.T) {
		t.Parallel()
		half := carelogic.MaxAppointments/2 + 1
		dir := sourcetest.WriteTree(t, map[string]string{"1.json": bundle("a-", half), "2.json": bundle("b-", half), "3.json": bundle("c-", 1)}, nil)
		src, err := ReadPath(dir)
		want := fmt.Sprintf("carelogic: %[1]s: 1 file could not be read\n"+
			"%[1]s/2.json: 100002 appointments, 50001 of them from the files read before, over the limit of 100000 (carelogic.MaxAppointments)", dir)
		if src == nil || len(src.appts) != half+1 || !errors.Is(err, carelogic.ErrLimit) || err.Error() != want {
			t.Errorf("ReadPath: %v, want %s", err, want)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		good := bundle("a-", 1)
		if err := os.WriteFile(filepath.Join(dir, "1.json"), []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, "2.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(carelogic.MaxSourceBytes); err != nil { // sparse: takes no room, and is never read
			t.Fatal(err)
		}
		f.Close()
		src, err := ReadPath(dir)
		want := fmt.Sprintf("carelogic: %[1]s: 1 file could not be read\n%[1]s/2.json: 67108864 bytes, with %[2]d bytes read before from the same folder, over the limit of 67108864 (carelogic.MaxSourceBytes)", dir, len(good))
		if src == nil || len(src.appts) != 1 || !errors.Is(err, carelogic.ErrLimit) || err.Error() != want {
			t.Errorf("ReadPath: %v, want %s", err, want)
		}
	})
}
