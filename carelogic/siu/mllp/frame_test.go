package mllp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/memtest"
)

// result is one ReadFrame call, for comparison: the payload (Nil when none came back) and the class of error.
type result struct {
	Payload string
	Nil     bool
	Err     string
}

func classify(err error) string {
	switch {
	case err == nil:
		return ""
	case err == io.EOF:
		return "EOF"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "UnexpectedEOF"
	case errors.Is(err, ErrFrame):
		return "ErrFrame"
	case errors.Is(err, siu.ErrLimit):
		return "ErrLimit"
	}
	return "other: " + err.Error()
}

// readAll reads frames until io.EOF (or a stream error) and returns every result, io.EOF included.
func readAll(t *testing.T, r *Reader) []result {
	t.Helper()
	var out []result
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("ReadFrame never reached the end of the stream")
		}
		p, err := r.ReadFrame()
		out = append(out, result{Payload: string(p), Nil: p == nil, Err: classify(err)})
		if err != nil && !isFrameError(err) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return out
		}
	}
}

// isFrameError reports whether err refuses one frame and leaves the stream readable.
func isFrameError(err error) bool {
	return errors.Is(err, ErrFrame) || errors.Is(err, siu.ErrLimit)
}

func TestReadFrame(t *testing.T) {
	eof := result{Nil: true, Err: "EOF"}
	tests := []struct {
		name    string
		in      string
		limit   int
		want    []result
		skipped int64
	}{
		{"one frame", "\x0bMSH|a\x1c\r", 0, []result{{Payload: "MSH|a"}, eof}, 0},
		{"two frames", "\x0bA\x1c\r\x0bB\x1c\r", 0, []result{{Payload: "A"}, {Payload: "B"}, eof}, 0},
		{"garbage before", "xx\r\n\x0bA\x1c\r", 0, []result{{Payload: "A"}, eof}, 4},
		{"garbage between", "\x0bA\x1c\rjunk\x0bB\x1c\r", 0, []result{{Payload: "A"}, {Payload: "B"}, eof}, 4},
		{"garbage after", "\x0bA\x1c\rjunk", 0, []result{{Payload: "A"}, eof}, 4},
		{"only garbage", "abc\x1c\r", 0, []result{eof}, 5},
		{"empty stream", "", 0, []result{eof}, 0},
		{"empty frame", "\x0b\x1c\r", 0, []result{{}, eof}, 0},
		{"half a frame", "\x0bMSH|a", 0, []result{{Nil: true, Err: "UnexpectedEOF"}, eof}, 0},
		{"end byte then the end", "\x0bA\x1c", 0, []result{{Nil: true, Err: "UnexpectedEOF"}, eof}, 0},
		{"no CR, next frame", "\x0bA\x1c\x0bB\x1c\r", 0,
			[]result{{Payload: "A", Err: "ErrFrame"}, {Payload: "B"}, eof}, 0},
		{"no CR, garbage", "\x0bA\x1cX\x0bB\x1c\r", 0,
			[]result{{Payload: "A", Err: "ErrFrame"}, {Payload: "B"}, eof}, 1},
		{"start byte inside a frame", "\x0bA\x0bB\x1c\r", 0,
			[]result{{Nil: true, Err: "ErrFrame"}, {Payload: "B"}, eof}, 0},
		{"over the limit", "\x0b123456789\x1c\r\x0bok\x1c\r", 4,
			[]result{{Payload: "1234", Err: "ErrLimit"}, {Payload: "ok"}, eof}, 0},
		{"at the limit", "\x0b1234\x1c\r", 4, []result{{Payload: "1234"}, eof}, 0},
		{"CR and LF inside", "\x0bMSH|a\rPID|b\n\x1c\r", 0, []result{{Payload: "MSH|a\rPID|b\n"}, eof}, 0},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"data+err": iotest.DataErrReader,
	}
	for _, tt := range tests {
		for rname, wrap := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				r := NewReader(wrap(strings.NewReader(tt.in)), tt.limit)
				got := readAll(t, r)
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("frames (-want +got):\n%s", d)
				}
				if r.Skipped() != tt.skipped {
					t.Errorf("Skipped() = %d, want %d", r.Skipped(), tt.skipped)
				}
			})
		}
	}
}

func TestReadFrameStreamError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("\x0bMSH|"), iotest.ErrReader(boom)), 0)
	p, err := r.ReadFrame()
	if p != nil || !errors.Is(err, boom) {
		t.Errorf("ReadFrame() = %q, %v; want nil and an error wrapping the stream's", p, err)
	}
}

// filler is an endless stream of one byte, which costs no memory however much is read.
type filler struct {
	n int64
	b byte
}

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), f.n))
	for i := range p[:k] {
		p[i] = f.b
	}
	f.n -= int64(k)
	return k, nil
}

// oversizeFrame is a frame of about size bytes whose MSH is readable: MSH, then a note of size bytes.
func oversizeFrame(msh string, size int64) io.Reader {
	return io.MultiReader(strings.NewReader("\x0b"+msh+"\rNTE|1||"), &filler{n: size, b: 'x'}, strings.NewReader("\r\x1c\r"))
}

// TestReadFrameOversizeMemory reads a 32 MiB frame through a Reader limited to 64 KiB: the frame is refused and
// the Reader's memory stays near its limit, never near the frame's size.
func TestReadFrameOversizeMemory(t *testing.T) {
	const limit = 64 << 10
	var (
		p   []byte
		err error
	)
	memtest.Check(t, "32 MiB frame, 64 KiB limit", 2<<20, func() {
		r := NewReader(oversizeFrame("MSH|^~\\&|A|B|C|D|20250101||SIU^S12|BIG-1|P|2.5.1", 32<<20), limit)
		p, err = r.ReadFrame()
	})
	if !errors.Is(err, siu.ErrLimit) || len(p) != limit || cap(p) > limit {
		t.Errorf("ReadFrame() = %d bytes (cap %d), %v; want the first %d bytes and an error wrapping siu.ErrLimit",
			len(p), cap(p), err, limit)
	}
	if !bytes.HasPrefix(p, []byte("MSH|")) {
		t.Errorf("payload starts %q, want the frame's start", p[:min(len(p), 10)])
	}
}

func TestWriteFrame(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFrame(&b, []byte("MSH|a\r")); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff("\x0bMSH|a\r\x1c\r", b.String()); d != "" {
		t.Errorf("frame (-want +got):\n%s", d)
	}
	for _, bad := range []string{"MSH|\x0b", "MSH|\x1c"} {
		b.Reset()
		if err := WriteFrame(&b, []byte(bad)); !errors.Is(err, ErrFrame) || b.Len() != 0 {
			t.Errorf("WriteFrame(%q) wrote %q, %v; want nothing and ErrFrame", bad, b.String(), err)
		}
	}
}
