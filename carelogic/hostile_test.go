package carelogic_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/memtest"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

// endless is a reader of schedule-looking bytes that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

const participantFields = `"client_id": "c-1", "name": "Secret Name", "email": "secret@example.com"`

// TestHostileReadJSON feeds ReadJSON, and ReadJSONPath from a file, 50 MB inputs of the shapes that cost a
// decoder most, and ReadJSON one that never ends, and bounds the peak heap of the call.
//
// The bound is 3 × MaxSourceBytes (192 MiB): ReadJSON copies the input it reads (at most MaxSourceBytes, and half
// as much again while its buffer last doubles when the reader's size is not known), a refused input costs
// nothing more than a scan, and an accepted one its decoded form (here a 50 MB string copied into the
// appointment) and the garbage the collector lets build up to the size of the live heap.
func TestHostileReadJSON(t *testing.T) {
	memtest.Hostile(t)
	size := memtest.HostileSize
	random := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	one := strings.Replace(carelogic.OkAppt, `"id": "a-1",`, `"id": "a-1", "comments": "`+strings.Repeat("x", size)+`",`, 1)
	type hostileInput struct {
		name  string
		input io.Reader
		file  []byte // the input as a file for ReadJSONPath, if it has an end
		limit bool   // the error wraps carelogic.ErrLimit
		ok    bool   // it reads
	}
	of := func(name string, data []byte, limit, ok bool) hostileInput {
		return hostileInput{name: name, input: bytes.NewReader(data), file: data, limit: limit, ok: ok}
	}
	tests := []hostileInput{
		of("a 50 MB string", []byte(carelogic.Schedule(one)), false, true),
		of("millions of tiny appointments", memtest.Repeated(size, `{"appointments": [`, `{}`, ",", `]}`), true, false),
		of("deeply nested arrays", memtest.Repeated(size, `{"appointments": `, `[`, "", ``), true, false),
		of("a million participants", memtest.Repeated(size, `{"appointments": [{"id": "a-1", "participants": [`, `{`+participantFields+`}`, ",", `]}]}`), true, false),
		of("millions of unknown fields", memtest.Repeated(size, `{"appointments": [{"id": "a-1", `, `"Jane Roe": 1`, ",", `}]}`), false, false),
		of("random bytes", random, false, false),
		{name: "an endless input", input: io.MultiReader(strings.NewReader(`{"appointments": [`), endless{}), limit: true},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var appts []carelogic.Appointment
			var err error
			memtest.Check(t, "ReadJSON: "+tt.name, 3*carelogic.MaxSourceBytes, func() {
				appts, err = carelogic.ReadJSON(tt.input)
			})
			t.Logf("ReadJSON: %s: error text %d bytes: %.300v", tt.name, len(sourcetest.ErrText(err)), err)
			sourcetest.CheckHostile(t, len(appts), err, tt.ok, tt.limit)
			if tt.file == nil {
				return
			}
			path := filepath.Join(dir, "hostile.json")
			if err := os.WriteFile(path, tt.file, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			memtest.Check(t, "ReadJSONPath: "+tt.name, 3*carelogic.MaxSourceBytes, func() {
				appts, err = carelogic.ReadJSONPath(path)
			})
			t.Logf("ReadJSONPath: %s: error text %d bytes", tt.name, len(sourcetest.ErrText(err)))
			sourcetest.CheckHostile(t, len(appts), err, tt.ok, tt.limit)
		})
	}
}

// TestHostileReadJSONUnderTheLimit reads the costliest schedules the limits let through: just under
// MaxSourceBytes, with MaxAppointments appointments and about MaxJSONElements participants between them, valid,
// so that every one is decoded and kept; and as many invalid ones, each with many problems.
//
// The bound is 6 × MaxSourceBytes (384 MiB): the copy of the input (64 MiB), the appointments decoded (about
// 1.5 times the input for this shape, where every participant is a 64-byte struct), and as much garbage again as
// the live heap before the collector runs.
func TestHostileReadJSONUnderTheLimit(t *testing.T) {
	memtest.Hostile(t)
	// build writes MaxAppointments appointments, each with a comment that brings the whole to just under the limit.
	build := func(appt func(i int, comment string) string) []byte {
		size := 0
		for i := range carelogic.MaxAppointments {
			size += len(appt(i, "")) + 1
		}
		comment := strings.Repeat("x", (carelogic.MaxSourceBytes-size-64)/carelogic.MaxAppointments)
		var b bytes.Buffer
		b.Grow(carelogic.MaxSourceBytes)
		b.WriteString(`{"appointments":[`)
		for i := range carelogic.MaxAppointments {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(appt(i, comment))
		}
		b.WriteString(`]}`)
		return b.Bytes()
	}
	participants := func(n int, extra string) string {
		ps := make([]string, n)
		for j := range ps {
			ps[j] = `{"client_id":"c-` + strconv.Itoa(j) + `","status":"Error"` + extra + `}`
		}
		return strings.Join(ps, ",")
	}
	perAppt := carelogic.MaxJSONElements/carelogic.MaxAppointments - 1 // participants, with the appointment itself
	valid := participants(perAppt-1, "") + `,{"client_id":"c-x"}`
	invalid := participants(perAppt/2, `,"Jane Roe":1,"emial":2`)
	tests := []struct {
		name  string
		input []byte
		ok    bool
	}{
		{
			name: "valid groups of many clients",
			input: build(func(i int, comment string) string {
				return `{"id":"a-` + strconv.Itoa(i) + `","kind":"group","modality":"video","start":"2030-03-04T09:00:00-05:00",` +
					`"duration_minutes":50,"comments":"` + comment + `","participants":[` + valid + `]}`
			}),
			ok: true,
		},
		{
			name: "invalid groups with many problems",
			input: build(func(i int, comment string) string {
				return `{"id":"a-` + strconv.Itoa(i) + `","kind":"group","modality":"Jane Roe","start":"x",` +
					`"duration_minutes":0,"comments":"` + comment + `","participants":[` + invalid + `]}`
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.input) > carelogic.MaxSourceBytes {
				t.Fatalf("the input is %d bytes, over the limit", len(tt.input))
			}
			var appts []carelogic.Appointment
			var err error
			memtest.Check(t, tt.name, 6*carelogic.MaxSourceBytes, func() {
				appts, err = carelogic.ReadJSON(bytes.NewReader(tt.input))
			})
			t.Logf("%s: %d bytes in, %d appointments, error text %d bytes", tt.name, len(tt.input), len(appts), len(sourcetest.ErrText(err)))
			if tt.ok != (err == nil) || tt.ok && len(appts) != carelogic.MaxAppointments {
				t.Errorf("ReadJSON: %d appointments, error %.300v", len(appts), err)
			}
			if n := len(sourcetest.ErrText(err)); n > sourcetest.MaxErrorText {
				t.Errorf("error text is %d bytes, want at most %d", n, sourcetest.MaxErrorText)
			}
		})
	}
}

// TestHostileReadJSONPath reads a file over MaxSourceBytes, refused from its size before it is read, and a folder
// whose files pass MaxSourceBytes together, of which the last is refused in the same way.
func TestHostileReadJSONPath(t *testing.T) {
	memtest.Hostile(t)
	dir := t.TempDir()
	sparse := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(`{"appointments": [` + carelogic.OkAppt + `]`); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil { // the rest is NUL bytes: not JSON, but never read
			t.Fatal(err)
		}
		return path
	}
	big := sparse("big.json", carelogic.MaxSourceBytes+1)
	var err error
	memtest.Check(t, "a file over the limit", 1<<20, func() {
		_, err = carelogic.ReadJSONPath(big)
	})
	t.Logf("error text %d bytes: %v", len(sourcetest.ErrText(err)), err)
	if !errors.Is(err, carelogic.ErrLimit) {
		t.Errorf("ReadJSONPath = %v, want an error wrapping ErrLimit", err)
	}

	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	half := []byte(carelogic.Schedule(carelogic.WithField("comments", `"`+strings.Repeat("x", carelogic.MaxSourceBytes/2)+`"`)))
	for _, name := range []string{"1.json", "2.json"} {
		data := bytes.Replace(half, []byte(`"a-1"`), []byte(`"`+name+`"`), 1)
		if err := os.WriteFile(filepath.Join(folder, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var appts []carelogic.Appointment
	memtest.Check(t, "a folder over the limit", 3*carelogic.MaxSourceBytes/2, func() {
		appts, err = carelogic.ReadJSONPath(folder)
	})
	t.Logf("%d appointments, error text %d bytes: %v", len(appts), len(sourcetest.ErrText(err)), err)
	if len(appts) != 1 || !errors.Is(err, carelogic.ErrLimit) {
		t.Errorf("ReadJSONPath = %d appointments, %v; want 1 and an error wrapping ErrLimit", len(appts), err)
	}
}
