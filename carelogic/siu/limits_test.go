package siu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic"
)

// withID returns the minimal valid message of snapshot_test.go with MSH-10 and the filler id SCH-2 set to id.
func withID(id string) string {
	return strings.NewReplacer("|C1|", "|"+id+"|", "|F-1|", "|"+id+"|").Replace(message("S12", "Booked", ""))
}

// readIDs reads a stream to its end, recording each message as its MSH-10 or its error's text. It fails t when
// the Reader does not end within max reads.
func readIDs(t *testing.T, r io.Reader, max int) []string {
	t.Helper()
	rd := NewReader(r)
	var got []string
	for range max {
		m, err := rd.Read()
		switch {
		case err == io.EOF:
			return got
		case err != nil:
			got = append(got, "error: "+err.Error())
		default:
			got = append(got, m.Segment("MSH").Field(10))
		}
	}
	t.Fatalf("Reader did not end after %d reads; first results: %q", max, got[:min(len(got), 3)])
	return nil
}

// TestReaderOversizedSegment is the report of issue 12: a segment over the limit made Read return the same
// error forever. The Reader must skip it and read the message after it.
func TestReaderOversizedSegment(t *testing.T) {
	t.Parallel()
	in := append([]byte("MSH|^~\\&|\rSCH|"), bytes.Repeat([]byte("y"), 17<<20)...)
	in = append(in, '\r')
	in = append(in, withID("GOOD-1")...)
	want := []string{
		"error: siu: message 1: SCH (segment 2): 17825796 bytes in one segment, over the limit of 1048576 (MaxSegmentBytes)",
		"GOOD-1",
	}
	if diff := cmp.Diff(want, readIDs(t, bytes.NewReader(in), 10)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}

	f := NewFeed()
	err := f.ApplyReader(bytes.NewReader(in))
	if !errors.Is(err, ErrLimit) || strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("ApplyReader error = %v, want one error wrapping ErrLimit", err)
	}
	if f.Len() != 1 {
		t.Errorf("ApplyReader kept %d appointments, want the good one", f.Len())
	}
}

// TestLimits checks each limit at its value and one past it, for Parse and for a Reader, which must agree, and
// that a Reader reads the good message after one over a limit.
func TestLimits(t *testing.T) {
	t.Parallel()
	base := withID("LIM-1")
	baseSegments := strings.Count(base, "\r")
	// nte returns an NTE segment of n bytes, terminator not counted.
	nte := func(n int) string { return "NTE|1||" + strings.Repeat("n", n-len("NTE|1||")) + "\r" }
	tests := []struct {
		name string
		in   string
		want string // the error's text for Parse, "" when the message is within the limits
	}{
		{"segment at the limit", base + nte(MaxSegmentBytes), ""},
		{"segment over the limit", base + nte(MaxSegmentBytes+1),
			"siu: NTE (segment 5): 1048577 bytes in one segment, over the limit of 1048576 (MaxSegmentBytes)"},
		{"segment with no id over the limit", base + strings.Repeat("x", MaxSegmentBytes+1) + "\r",
			"siu: segment 5: 1048577 bytes in one segment, over the limit of 1048576 (MaxSegmentBytes)"},
		{"MSH over the limit", "MSH|" + strings.Repeat("^", MaxSegmentBytes) + "\r",
			"siu: MSH (segment 1): 1048580 bytes in one segment, over the limit of 1048576 (MaxSegmentBytes)"},
		{"segments at the limit", base + strings.Repeat("NTE|1\r", MaxMessageSegments-baseSegments), ""},
		{"segments over the limit", base + strings.Repeat("NTE|1\r", MaxMessageSegments-baseSegments+1),
			"siu: 5001 segments, over the limit of 5000 (MaxMessageSegments)"},
		{"segments far over the limit", base + strings.Repeat("NTE|\r", 100_000),
			fmt.Sprintf("siu: %d segments, over the limit of 5000 (MaxMessageSegments)", 100_000+baseSegments)},
		{"bytes at the limit", base + strings.Repeat(nte(MaxSegmentBytes), 3) + nte(MaxMessageBytes-3*MaxSegmentBytes-len(base)+baseSegments), ""},
		{"bytes over the limit", base + strings.Repeat(nte(MaxSegmentBytes), 3) + nte(MaxMessageBytes-3*MaxSegmentBytes-len(base)+baseSegments+1),
			"siu: 4194305 bytes, over the limit of 4194304 (MaxMessageBytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.in))
			wantIDs := []string{"LIM-1", "NEXT-1"}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
			} else {
				if !errors.Is(err, ErrLimit) || !errors.Is(err, carelogic.ErrLimit) || err.Error() != tt.want {
					t.Fatalf("Parse error:\n got %v\nwant %s (wrapping ErrLimit)", err, tt.want)
				}
				wantIDs[0] = "error: " + strings.Replace(tt.want, "siu: ", "siu: message 1: ", 1)
			}
			got := readIDs(t, strings.NewReader(tt.in+withID("NEXT-1")), 10)
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("Reader mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReaderSkipsJunkWithoutMSH checks that a message that does not start with MSH is refused at once, however
// long, and the next one read.
func TestReaderSkipsJunkWithoutMSH(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("PID|1||X\r", 200_000) + withID("NEXT-1")
	want := []string{"error: siu: message 1: segment 1: message does not start with an MSH segment", "NEXT-1"}
	if diff := cmp.Diff(want, readIDs(t, strings.NewReader(in), 10)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestApplyReaderErrorCap checks that ApplyReader keeps MaxErrors errors and counts the others in one more.
func TestApplyReaderErrorCap(t *testing.T) {
	t.Parallel()
	bad := strings.ReplaceAll(withID("X"), "|X|", "||") // no filler id (nor MSH-10)
	var in strings.Builder
	in.WriteString(withID("FIRST-1"))
	for range MaxErrors + 150 {
		in.WriteString(bad)
	}
	in.WriteString(withID("LAST-1"))
	f := NewFeed()
	err := f.ApplyReader(strings.NewReader(in.String()))
	if f.Len() != 2 {
		t.Errorf("Feed holds %d appointments, want the first and the last", f.Len())
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 {
		t.Fatalf("error has %d lines, want %d", len(lines), MaxErrors+1)
	}
	if want := "siu: message 2: SCH-2.1 (segment 2): filler appointment id is missing"; lines[0] != want {
		t.Errorf("first line = %q, want %q", lines[0], want)
	}
	if want := "siu: and 150 more malformed messages, not listed: over the limit of 100 errors (MaxErrors)"; lines[MaxErrors] != want {
		t.Errorf("last line = %q, want %q", lines[MaxErrors], want)
	}
	if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrMissingField) {
		t.Errorf("error does not wrap ErrLimit and ErrMissingField")
	}
}

// stuckReader returns err forever, never a byte.
type stuckReader struct{ err error }

func (r stuckReader) Read([]byte) (int, error) { return 0, r.err }

// TestApplyReaderNoProgress checks that ApplyReader returns on a stream that fails without progress, even with
// an error ApplyReader would take for a malformed message (an *Error), or with no error at all.
func TestApplyReaderNoProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"an *Error", stuckReader{&Error{Err: ErrSyntax, Reason: "from the stream"}}, ErrSyntax},
		{"nothing", stuckReader{nil}, io.ErrNoProgress},
		{"an *Error after a message", io.MultiReader(strings.NewReader(withID("A-1")), stuckReader{&Error{Err: ErrSyntax}}), ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan error, 1)
			go func() { done <- NewFeed().ApplyReader(tt.r) }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error = %v, want the one error %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("ApplyReader did not return")
			}
		})
	}
}
