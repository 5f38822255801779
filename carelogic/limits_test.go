package carelogic_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/memtest"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

// TestReadJSONLimits passes each limit of ReadJSON by one, and checks that the error wraps ErrLimit and names
// the limit and the count. The inputs are small: the limits are on counts, which cost little to write.
func TestReadJSONLimits(t *testing.T) {
	t.Parallel()
	const p = "carelogic: JSON schedule: "
	many := func(n int, item string) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	tests := []struct {
		name, in, want string
	}{
		{
			name: "appointments",
			in:   `{"appointments": [` + many(carelogic.MaxAppointments+1, `{}`) + `]}`,
			want: p + "appointments: 100001 appointments, over the limit of 100000 (carelogic.MaxAppointments)",
		},
		{
			name: "participants",
			in:   carelogic.Schedule(carelogic.OkAppt, carelogic.WithField("participants", `[`+many(carelogic.MaxParticipants+1, `{"client_id": "c-1"}`)+`]`)),
			want: p + "appointments[1].participants: 1001 participants, over the limit of 1000 (carelogic.MaxParticipants)",
		},
		{
			name: "nesting",
			in:   `{"appointments": [{"x": ` + strings.Repeat("[", carelogic.MaxJSONDepth) + strings.Repeat("]", carelogic.MaxJSONDepth) + `}]}`,
			want: p + "more than 64 levels of nesting, at byte offset 85, over the limit (carelogic.MaxJSONDepth)",
		},
		{
			name: "elements",
			in:   `{"appointments": [{"x": [` + many(carelogic.MaxJSONElements, `0`) + `]}]}`,
			want: p + "more than 1000000 array elements in the document, over the limit (carelogic.MaxJSONElements)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := carelogic.ReadJSON(strings.NewReader(tt.in))
			if got != nil || !errors.Is(err, carelogic.ErrLimit) {
				t.Fatalf("ReadJSON = %d appointments, %v; want none and an error wrapping ErrLimit", len(got), err)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadJSONAtTheLimits reads a schedule at the limits of appointments and participants.
func TestReadJSONAtTheLimits(t *testing.T) {
	t.Parallel()
	memtest.Hostile(t) // MaxAppointments appointments take a while under the race detector, and say nothing more there

	full := []string{`{"client_id": "c-0"}`} // a group of one client and many marked Error
	for j := 1; j < carelogic.MaxParticipants; j++ {
		full = append(full, `{"client_id": "e-`+strconv.Itoa(j)+`", "status": "Error"}`)
	}
	var b strings.Builder
	b.WriteString(`{"appointments": [`)
	for i := range carelogic.MaxAppointments {
		if i > 0 {
			b.WriteByte(',')
		}
		participants := `{"client_id": "c-1"}`
		if i == 0 {
			participants = strings.Join(full, ",")
		}
		fmt.Fprintf(&b, `{"id": "a-%d", "kind": "group", "modality": "video", "start": "2030-03-04T09:00:00Z", "duration_minutes": 50, "participants": [%s]}`, i, participants)
	}
	b.WriteString(`]}`)
	got, err := carelogic.ReadJSON(strings.NewReader(b.String()))
	if err != nil || len(got) != carelogic.MaxAppointments || len(got[0].Participants) != carelogic.MaxParticipants {
		t.Errorf("ReadJSON at the limits: %d appointments, %.300v", len(got), err)
	}
}

// TestReadJSONSizeLimit reads one byte more than MaxSourceBytes.
func TestReadJSONSizeLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads MaxSourceBytes")
	}
	in := io.MultiReader(strings.NewReader(`{"appointments": []}`), bytes.NewReader(make([]byte, carelogic.MaxSourceBytes)))
	_, err := carelogic.ReadJSON(in)
	want := "carelogic: JSON schedule: more than 67108864 bytes, over the limit (carelogic.MaxSourceBytes)"
	if !errors.Is(err, carelogic.ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("ReadJSON of MaxSourceBytes+20 bytes: %v, want %s", err, want)
	}
}

// TestReadJSONKeepsMaxErrors reads a schedule of more invalid appointments than MaxErrors: the error keeps the
// first MaxErrors and counts the rest, and its text lists 50.
func TestReadJSONKeepsMaxErrors(t *testing.T) {
	t.Parallel()
	bad := make([]string, 3*carelogic.MaxErrors)
	for i := range bad {
		bad[i] = strings.Replace(carelogic.WithField("id", `"x-`+strconv.Itoa(i)+`"`), `"video"`, `"phone"`, 1)
	}
	_, err := carelogic.ReadJSON(strings.NewReader(carelogic.Schedule(bad...)))
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != carelogic.MaxErrors {
		t.Fatalf("error %T keeps %d appointments, want MaxErrors", err, len(joined.Unwrap()))
	}
	lines := strings.Split(err.Error(), "\n")
	if want := "carelogic: JSON schedule: and 250 more invalid appointments"; len(lines) != 51 || lines[50] != want {
		t.Errorf("%d lines, the last %q; want 51, the last %q", len(lines), lines[len(lines)-1], want)
	}
}

// TestReadJSONPathAppointmentLimit reads a folder whose files hold more than MaxAppointments together: the file
// that passes it fails, and the read goes on.
func TestReadJSONPathAppointmentLimit(t *testing.T) {
	t.Parallel()
	memtest.Hostile(t) // MaxAppointments appointments take a while under the race detector, and say nothing more there

	file := func(prefix string, n int) string {
		appts := make([]string, n)
		for i := range appts {
			appts[i] = carelogic.WithField("id", `"`+prefix+strconv.Itoa(i)+`"`)
		}
		return carelogic.Schedule(appts...)
	}
	half := carelogic.MaxAppointments/2 + 1
	dir := sourcetest.WriteTree(t, map[string]string{"1.json": file("a-", half), "2.json": file("b-", half), "3.json": file("c-", 1)}, nil)
	got, err := carelogic.ReadJSONPath(dir)
	want := "carelogic: DIR: 1 file could not be read\n" +
		"DIR/2.json: 100002 appointments, 50001 of them from the files read before, over the limit of 100000 (carelogic.MaxAppointments)"
	if len(got) != half+1 || !errors.Is(err, carelogic.ErrLimit) || err.Error() != strings.ReplaceAll(want, "DIR", dir) {
		t.Errorf("ReadJSONPath: %d appointments, %v", len(got), err)
	}
}

// TestReadJSONPathSizeLimit reads a folder whose second file would pass MaxSourceBytes with the first: it is
// refused from its size, unread.
func TestReadJSONPathSizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := carelogic.Schedule(carelogic.OkAppt)
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
	got, err := carelogic.ReadJSONPath(dir)
	want := fmt.Sprintf("carelogic: %[1]s: 1 file could not be read\n%[1]s/2.json: 67108864 bytes, with %[2]d bytes read before from the same folder, over the limit of 67108864 (carelogic.MaxSourceBytes)", dir, len(good))
	if len(got) != 1 || !errors.Is(err, carelogic.ErrLimit) || err.Error() != want {
		t.Errorf("ReadJSONPath: %d appointments, %v", len(got), err)
	}
}

func TestWriteJSONLimits(t *testing.T) {
	t.Parallel()
	a := carelogic.Appointment{ID: "a-1", Kind: carelogic.Group, Modality: carelogic.Video,
		Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC), Duration: time.Hour}
	for i := range carelogic.MaxParticipants + 1 {
		a.Participants = append(a.Participants, carelogic.Participant{ClientID: "c-" + strconv.Itoa(i), Status: carelogic.StatusError})
	}
	err := carelogic.WriteJSON(&bytes.Buffer{}, []carelogic.Appointment{a})
	want := `carelogic: JSON schedule: appointments[0] (id "a-1"): participants: 1001, over the limit of 1000 (carelogic.MaxParticipants)`
	if !errors.Is(err, carelogic.ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("WriteJSON of too many participants: %v, want %s", err, want)
	}
	err = carelogic.WriteJSON(&bytes.Buffer{}, make([]carelogic.Appointment, carelogic.MaxAppointments+1))
	want = "carelogic: JSON schedule: 100001 appointments, over the limit of 100000 (carelogic.MaxAppointments)"
	if !errors.Is(err, carelogic.ErrLimit) || err == nil || err.Error() != want {
		t.Errorf("WriteJSON of too many appointments: %v, want %s", err, want)
	}
}
