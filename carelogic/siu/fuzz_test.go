package siu

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// addSeeds adds the shared SIU samples (as they are and with CR ends) and this package's testdata files.
func addSeeds(f *testing.F) {
	f.Helper()
	dir := fixtures.Path(f, "fixtures", "ehr", "hl7v2-siu")
	for _, name := range fixtureNames {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(bytes.ReplaceAll(b, []byte("\n"), []byte("\r")))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(sampleER7))
	f.Add([]byte(message("S15", "BOOKED", "pat")))
	f.Add([]byte("MSH|^~&|\rSCH||1"))
	f.Add([]byte("MSH|^~\\&|\rPID|\\X41\\\\"))
	f.Add([]byte(""))
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err == nil {
			// What Parse accepts, it writes back in a form it reads the same way.
			again, err := Parse([]byte(m.String()))
			if err != nil {
				t.Fatalf("reparsing the canonical form: %v", err)
			}
			if again.String() != m.String() {
				t.Fatalf("canonical form changed on reparse:\n%q\n%q", m.String(), again.String())
			}
			for _, s := range m.Segments() {
				for field := -1; field <= s.Len()+1; field++ {
					_ = s.Raw(field)
					for r := 0; r <= min(s.Repetitions(field), 3)+1; r++ {
						for c := 0; c <= 3; c++ {
							_ = s.Get(field, r, c, 1)
							_ = s.Get(field, r, c, 2)
						}
					}
				}
			}
		}
		rd := NewReader(bytes.NewReader(data))
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("Reader returned more messages than the input has bytes")
			}
			if _, err := rd.Read(); err == io.EOF {
				break
			} else if err != nil && !isMessageError(err) {
				t.Fatalf("Reader failed on an in-memory stream: %v", err)
			}
		}
	})
}

func isMessageError(err error) bool {
	_, ok := err.(*Error)
	return ok
}

func FuzzAppointment(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			if !isMessageError(err) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		a := s.Appointment
		switch {
		case a.ID == "":
			t.Fatal("converted without an id")
		case a.Start.IsZero() || a.Duration <= 0:
			t.Fatalf("converted with start %v and duration %v", a.Start, a.Duration)
		case len(a.Participants) == 0:
			t.Fatal("converted without participants")
		case a.UpdatedAt.IsZero():
			t.Fatal("converted without an event time")
		}
		_ = a.Validate()
		feed := NewFeed()
		if !feed.ApplySnapshot(s) || feed.ApplySnapshot(s) {
			t.Fatal("applying a snapshot twice is not idempotent")
		}
	})
}
