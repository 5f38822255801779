package siu

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/memtest"
)

// chunks is an io.Reader of the chunks next returns, made lazily so that a 50 MB input costs no 50 MB slice. It
// ends with the chunk that reaches size bytes, so that it never cuts a message in two.
type chunks struct {
	next func(i int) []byte
	i    int
	buf  []byte
	left int
}

func newChunks(size int, next func(i int) []byte) *chunks { return &chunks{next: next, left: size} }

func (c *chunks) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.left <= 0 {
			return 0, io.EOF
		}
		c.buf = c.next(c.i)
		c.i++
		c.left -= len(c.buf)
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// count returns how many chunks a chunks of size bytes holds.
func count(size int, next func(i int) []byte) int {
	n := 0
	for ; size > 0; n++ {
		size -= len(next(n))
	}
	return n
}

// repeated returns head, then unit repeated, as chunks of about 64 KiB.
func repeated(head, unit string) func(int) []byte {
	block := []byte(strings.Repeat(unit, max(1, (64<<10)/len(unit))))
	return func(i int) []byte {
		if i == 0 && head != "" {
			return []byte(head)
		}
		return block
	}
}

// hostileInput is one 50 MB input of the tests of issue 12.
type hostileInput struct {
	name string
	gen  func() io.Reader
	// bound is the peak heap allowed, and why.
	bound uint64
	why   string
	// apps is the number of appointments the Feed must hold at the end.
	apps int
	// want is what the error must wrap; nil for no error.
	want []error
}

// errTextBound bounds the text of ApplyReader's error: MaxErrors errors, the one counting the others and a
// stream error, each one line of our own words and numbers, well under 256 bytes.
const errTextBound = (MaxErrors + 2) * 256

// gcSlack is the garbage the heap may hold between collections, whatever the code under test keeps: with
// GOGC=100 the runtime lets the heap grow to twice its live size, and to at least 4 MiB, the test binary's own
// live heap counts towards that, and a reader that allocates fast (5.2M small messages) grows it further while a
// collection runs. Any cost that grew with the input's 50 MB would still pass the bounds by far.
const gcSlack = 12 << 20

// segmentBound is what a Reader costs on input that never fills a message: its 64 KiB buffer, one segment of
// MaxSegmentBytes (and its growth while appended) and the MSH segment read ahead.
const segmentBound = 4*MaxSegmentBytes + gcSlack

// messageBound is what a Reader and a conversion cost for one message at a time: its text, MaxMessageBytes at
// most, with its index of field separators (at most 256 bytes a segment), and the previous one's until it is
// collected, doubled as the heap grows to twice its live size.
const messageBound = 4*MaxMessageBytes + gcSlack

// appointmentBound is what a Feed holds for each appointment of the valid messages below: about 700 bytes of
// snapshot, strings and map entry, doubled as the map grows and the garbage waits for collection.
const appointmentBound = 2 << 10

func hostileInputs() []hostileInput {
	const size = memtest.HostileSize
	// valid returns message i of a stream of valid messages: MSH-10 and MSH-7 differ; SCH-2 does when distinct.
	valid := func(distinct bool) func(int) []byte {
		return func(i int) []byte {
			id := "F-1"
			if distinct {
				id = fmt.Sprintf("F-%d", i)
			}
			sent := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
			return fmt.Appendf(nil, "MSH|^~\\&|App|Fac|||%s+0000||SIU^S12|C%d|P|2.5.1\r"+
				"SCH||%s|||||INTAKE^Intake^L||||||||||||||||||Booked\r"+
				"TQ1|||||||202401021000+0000|202401021100+0000\r"+
				"PID|1||P-%d||Doe^Jane||||||||^NET^Internet^jane@example.org\r",
				sent.Format("20060102150405"), i, id, i)
		}
	}
	// atLimit returns a message of MaxMessageBytes, nearly all field separators, in segments of MaxSegmentBytes:
	// the most a message may hold, of the content most costly to parse.
	atLimit := func() []byte {
		nte := "NTE" + strings.Repeat("|", MaxSegmentBytes-3) + "\r"
		head := withID("BIG-1")
		return []byte(head + strings.Repeat(nte, 3) + "NTE" + strings.Repeat("|", MaxMessageBytes-3*MaxSegmentBytes-(len(head)-4)-3) + "\r")
	}
	distinct := count(size, valid(true))
	return []hostileInput{
		{
			name:  "one segment of 50 MB with no terminator",
			gen:   func() io.Reader { return newChunks(size, repeated("MSH|^~\\&|", "y")) },
			bound: segmentBound, why: "one segment, kept up to MaxSegmentBytes", want: []error{ErrLimit},
		},
		{
			name:  "5.2M lines of MSH",
			gen:   func() io.Reader { return newChunks(size, repeated("", "MSH|^~\\&|\n")) },
			bound: segmentBound, why: "5.2M messages of one short segment, one at a time; MaxErrors errors kept",
			want: []error{ErrMissingField, ErrLimit},
		},
		{
			name:  "one message of 10M tiny segments",
			gen:   func() io.Reader { return newChunks(size, repeated(withID("TINY-1"), "NTE|\r")) },
			bound: segmentBound, why: "MaxMessageSegments short segments kept, the rest skipped", want: []error{ErrLimit},
		},
		{
			name: "random bytes",
			gen: func() io.Reader {
				return io.LimitReader(rand.NewChaCha8([32]byte{12}), size)
			},
			bound: segmentBound, why: "junk that does not start with MSH is skipped, not kept", want: []error{ErrSyntax},
		},
		{
			name:  "one valid message repeated",
			gen:   func() io.Reader { return newChunks(size, valid(false)) },
			bound: messageBound, why: "one message at a time, one appointment kept", apps: 1,
		},
		{
			name: "messages of MaxMessageBytes of separators",
			gen: func() io.Reader {
				m := atLimit()
				return newChunks(size, func(int) []byte { return m })
			},
			bound: messageBound, why: "the most costly message the limits let through, one at a time", apps: 1,
		},
		{
			// The Feed keeps every appointment: its bound is what it holds, plus one message.
			name:  "valid messages of distinct appointments",
			gen:   func() io.Reader { return newChunks(size, valid(true)) },
			bound: messageBound + uint64(distinct)*appointmentBound, apps: distinct,
			why: fmt.Sprintf("the Feed's %d appointments, %d bytes each, and one message", distinct, appointmentBound),
		},
	}
}

// checkHostile checks what reading one hostile input gave: the error's text length and the appointments kept.
func checkHostile(t *testing.T, in hostileInput, f *Feed, err error, bound int) {
	t.Helper()
	text := ""
	if err != nil {
		text = err.Error()
	}
	t.Logf("%s: %d appointments, error of %d lines and %d bytes (bound %d); %s", in.name, f.Len(),
		strings.Count(text, "\n")+min(len(text), 1), len(text), bound, in.why)
	if len(text) > bound {
		t.Errorf("error text of %d bytes, want at most %d", len(text), bound)
	}
	if f.Len() != in.apps {
		t.Errorf("Feed holds %d appointments, want %d", f.Len(), in.apps)
	}
	if len(in.want) == 0 && err != nil {
		t.Errorf("error = %v, want none", err)
	}
	for _, want := range in.want {
		if !errors.Is(err, want) {
			t.Errorf("error = %v, want one wrapping %v", err, want)
		}
	}
}

func TestHostileApplyReader(t *testing.T) {
	memtest.Hostile(t)
	for _, in := range hostileInputs() {
		t.Run(in.name, func(t *testing.T) {
			var (
				f   *Feed
				err error
			)
			memtest.CheckRuns(t, in.name, in.bound, func() func() {
				r := in.gen()
				f = NewFeed()
				return func() { err = f.ApplyReader(r) }
			})
			checkHostile(t, in, f, err, errTextBound)
		})
	}
}

func TestHostileReadDir(t *testing.T) {
	memtest.Hostile(t)
	for _, in := range hostileInputs() {
		t.Run(in.name, func(t *testing.T) {
			dir := t.TempDir()
			// Named .hl7 so that the folder reads it even when it does not start with MSH.
			fh, err := os.Create(filepath.Join(dir, "hostile.hl7"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(fh, in.gen()); err != nil {
				t.Fatal(err)
			}
			if err := fh.Close(); err != nil {
				t.Fatal(err)
			}
			var f *Feed
			memtest.CheckRuns(t, in.name, in.bound, func() func() {
				f = nil
				return func() { f, err = ReadDir(dir) }
			})
			if f == nil {
				t.Fatalf("ReadDir returned no Feed: %v", err)
			}
			var serr *carelogic.SourceError
			if err != nil && !errors.As(err, &serr) {
				t.Errorf("error %v is not a *carelogic.SourceError", err)
			}
			// The SourceError shows at most a few lines of the file's error, each under 256 bytes with the path.
			checkHostile(t, in, f, err, errTextBound+len(dir)+256)
		})
	}
}
