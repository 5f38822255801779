package siu

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// seeds returns this package's own samples (testdata/*.hl7: a 1:1 booking, a group, a cancellation, a deletion,
// a batch, MLLP framing, escapes), each also with LF ends, a few edge cases, and the shared SIU samples when they
// are there. The targets never skip: on a clone without the shared folder they fuzz from the package's own seeds.
func seeds(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) < 6 {
		f.Fatalf("found %d seed files in testdata, want the package's own samples", len(files))
	}
	if dir, ok := fixtures.Lookup(f, "fixtures", "ehr", "hl7v2-siu"); ok {
		for _, name := range fixtureNames {
			files = append(files, filepath.Join(dir, name))
		}
	}
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b, bytes.ReplaceAll(b, []byte("\r"), []byte("\n")))
	}
	return append(out,
		[]byte(sampleER7),
		[]byte(message("S15", "BOOKED", "pat")),
		[]byte("MSH|^~&|\rSCH||1"),
		[]byte("MSH|^~\\&|\rPID|\\X41\\\\"),
		[]byte(""),
	)
}

func addSeeds(f *testing.F) {
	f.Helper()
	for _, b := range seeds(f) {
		f.Add(b)
	}
}

// maxFuzzInput caps the input the targets read whole, so that one run stays well under 100 ms: FuzzParse visits
// every field, and the Reader target expands its input.
const maxFuzzInput = 64 << 10

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			data = data[:maxFuzzInput]
		}
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
				// The first fields, past the indexed ones, and the ones around the end.
				for field := -1; field <= s.Len()+1; field++ {
					if field == indexedFields+4 && s.Len() > indexedFields+8 {
						field = s.Len() - 2
					}
					_ = s.Raw(field)
					for r := 0; r <= min(s.Repetitions(field), 3)+1; r++ {
						for c := 0; c <= 3; c++ {
							_ = s.Get(field, r, c, 1)
							_ = s.Get(field, r, c, 2)
						}
					}
				}
				// The last field is the text after the last separator, however many fields come before it.
				if n := s.Len(); n > 1 || n == 1 && s.ID() != "MSH" {
					if got, want := s.Raw(n), s.line[strings.LastIndexByte(s.line, s.d.field)+1:]; got != want {
						t.Fatalf("%s-%d = %q, want %q", s.ID(), n, got, want)
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
		if len(data) > maxFuzzInput {
			data = data[:maxFuzzInput]
		}
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

// FuzzReader reads streams through a Reader and Feed.ApplyReader. To reach the limits from small inputs, the
// stream is the input's first half followed by its second half repeated count times (at most 6,000 times and
// MaxSegmentBytes plus 64 KiB in all), so that a few bytes can make a segment over its limit, or a message of
// thousands of segments. MaxMessageBytes, which only a larger stream passes, is left to the unit tests.
func FuzzReader(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b, uint16(1))
		f.Add(b, uint16(3))
	}
	f.Add([]byte("MSH|^~\\&|\rNTE|\r"), uint16(6000))
	f.Add([]byte("MSH|^~\\&|\rSCH|yyyyyyyyyyyyyyyy"), uint16(6000))
	f.Add([]byte(withID("R-1")), uint16(2))
	f.Fuzz(func(t *testing.T, data []byte, count uint16) {
		if len(data) > maxFuzzInput {
			data = data[:maxFuzzInput]
		}
		stream := expand(data, int(count))
		n := 0
		rd := NewReader(bytes.NewReader(stream))
		for reads := 0; ; reads++ {
			if reads > len(stream)+1 {
				t.Fatal("Reader returned more messages than the stream has bytes")
			}
			m, err := rd.Read()
			if err == io.EOF {
				break
			}
			n++
			if err != nil {
				if !isMessageError(err) {
					t.Fatalf("Reader failed on an in-memory stream: %v", err)
				}
				continue
			}
			checkWithinLimits(t, m)
			if _, err := Parse([]byte(m.String())); err != nil {
				t.Fatalf("Parse refuses a message the Reader returned: %v", err)
			}
		}
		if n != rd.n {
			t.Fatalf("Reader counted %d messages, returned %d", rd.n, n)
		}
		// A single message with no batch segment reads the same with Parse and with a Reader.
		if m, err := Parse(stream); err == nil && !hasBatchSegment(m) {
			rd := NewReader(bytes.NewReader(stream))
			got, err := rd.Read()
			if err != nil || got.String() != m.String() {
				t.Fatalf("Reader gives %q, %v for a message Parse reads", got, err)
			}
			if _, err := rd.Read(); err != io.EOF {
				t.Fatalf("Reader gives %v after the one message Parse reads, want io.EOF", err)
			}
		}
		err := NewFeed().ApplyReader(bytes.NewReader(stream))
		if err != nil {
			if lines := strings.Count(err.Error(), "\n") + 1; lines > MaxErrors+1 {
				t.Fatalf("ApplyReader's error has %d lines, want at most %d", lines, MaxErrors+1)
			}
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrMissingField) && !errors.Is(err, ErrInvalidField) &&
				!errors.Is(err, ErrUnsupportedEvent) && !errors.Is(err, ErrLimit) {
				t.Fatalf("ApplyReader's error %v wraps no sentinel", err)
			}
		}
	})
}

// expand returns the first half of data followed by its second half repeated count times, cut short of
// MaxSegmentBytes plus 64 KiB.
func expand(data []byte, count int) []byte {
	head, tail := data[:len(data)/2], data[len(data)/2:]
	if len(tail) == 0 {
		return data
	}
	count = min(count, 6000, (MaxSegmentBytes+64<<10-len(head))/len(tail))
	out := make([]byte, 0, len(head)+count*len(tail))
	out = append(out, head...)
	for range count {
		out = append(out, tail...)
	}
	return out
}

func checkWithinLimits(t *testing.T, m *Message) {
	t.Helper()
	if len(m.segments) > MaxMessageSegments {
		t.Fatalf("message of %d segments", len(m.segments))
	}
	size := 0
	for _, s := range m.segments {
		if len(s.line) > MaxSegmentBytes {
			t.Fatalf("segment of %d bytes", len(s.line))
		}
		size += len(s.line)
	}
	if size > MaxMessageBytes {
		t.Fatalf("message of %d bytes", size)
	}
}

func hasBatchSegment(m *Message) bool {
	for _, s := range m.segments {
		if isBatchSegment([]byte(s.line)) {
			return true
		}
	}
	return false
}
