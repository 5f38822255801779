package mllp

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// fuzzLimit is the frame limit of the targets, small enough that inputs pass it.
const fuzzLimit = 1 << 10

// addSeeds adds this package's own samples (testdata: messages, and a stream of frames with garbage and a half
// frame), each raw, framed, and with LF ends, then edge cases. The targets never need ../shared.
func addSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	if err != nil {
		f.Fatal(err)
	}
	streams, err := filepath.Glob(filepath.Join("testdata", "*.mllp"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, streams...)
	if len(files) < 3 {
		f.Fatalf("found %d seed files in testdata, want the package's own samples", len(files))
	}
	for _, name := range files {
		b := readTestdata(f, filepath.Base(name))
		f.Add(b)
		f.Add([]byte(frame(b)))
		f.Add(bytes.ReplaceAll(b, []byte("\r"), []byte("\n")))
	}
	for _, s := range []string{
		"", "\x0b", "\x1c\r", "\x0b\x1c\r", "\x0bA\x1c", "\x0bA\x1cX\x0bB\x1c\r", "\x0bA\x0bB\x1c\r",
		"\x0bMSH#$*!@#S$x#F#R#H#20240101##SIU$S12#C!S!1#P#2.6\r\x1c\r",
		"\x0bMSH|^~&|A|B|C|D|20240101||SIU^S15|X|T|2.3\r\x1c\r",
		"\x0bMSH|^~\\&|" + strings.Repeat("x", 2*fuzzLimit) + "\x1c\r",
	} {
		f.Add([]byte(s))
	}
}

// FuzzReadFrame reads every frame of an input, and answers each as the Server would. What a Reader returns stays
// within its limit and holds no framing byte; a frame read whole writes back and reads again the same; and the
// acknowledgement built for any frame is a valid HL7 message that reads back with the frame's control id and the
// reason given, however odd its header and delimiters.
func FuzzReadFrame(f *testing.F) {
	addSeeds(f)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const reason = "why | ^ ~ \\ & # $ \r\n end"
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), fuzzLimit)
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("more frames than the input has bytes")
			}
			p, err := r.ReadFrame()
			if err == io.EOF {
				break
			}
			if p == nil {
				continue
			}
			if len(p) > fuzzLimit || bytes.ContainsAny(p, framing) {
				t.Fatalf("payload of %d bytes (limit %d) holding framing bytes: %q", len(p), fuzzLimit, p)
			}
			if err == nil {
				var b bytes.Buffer
				if err := WriteFrame(&b, p); err != nil {
					t.Fatal(err)
				}
				again, err := NewReader(&b, fuzzLimit).ReadFrame()
				if err != nil || !bytes.Equal(again, p) {
					t.Fatalf("frame written back reads %q, %v; want %q", again, err, p)
				}
			}
			h, ok := readHeader(p)
			ack := buildAck(h, ApplicationReject, reason, errApplicationInternal, errApplicationInternalTx, now, "A1")
			got, err := ParseAck(ack)
			if err != nil {
				t.Fatalf("ACK %q does not parse: %v", ack, err)
			}
			want := Ack{Code: ApplicationReject, Text: expectedText(h, reason)}
			if ok && len(rawControlID(p)) <= maxEchoBytes {
				want.ControlID = controlID(p)
			}
			if got != want {
				t.Fatalf("ACK %q reads %+v, want %+v", ack, got, want)
			}
		}
	})
}

// rawControlID returns MSH-10 of the payload's first segment as sent.
func rawControlID(p []byte) string {
	line := p[:min(len(p), maxHeaderBytes)]
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	m, err := siu.Parse(line)
	if err != nil {
		return ""
	}
	return m.Segment("MSH").Raw(10)
}

// expectedText is reason as an acknowledgement under h carries it: control characters as spaces, and delimiters
// too when h has no escape character.
func expectedText(h header, reason string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < ' ' || r == 0x7f:
			return ' '
		case h.escapeChar == 0 && r < 0x80 && strings.IndexByte(string([]byte{h.field, h.component, h.repetition, h.subcompSep}), byte(r)) >= 0:
			return ' '
		}
		return r
	}, reason)
}

// FuzzParseAck reads any bytes as an acknowledgement: an error or an Ack with a code, never a panic.
func FuzzParseAck(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("MSH|^~\\&|R|H|S|F|20250101||ACK^S12^ACK|A1|P|2.5.1\rMSA|AR|M-1\rERR|||101^Required^HL70357|E\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		a, err := ParseAck(data)
		if err == nil && a.Code == "" {
			t.Fatal("an Ack without a code")
		}
		if err != nil && a != (Ack{}) {
			t.Fatalf("an error with an Ack: %+v", a)
		}
	})
}
