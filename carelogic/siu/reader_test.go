package siu

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAll reads every message of a stream, recording each as its MSH-10 or as the error's text.
func readAll(t *testing.T, r io.Reader) []string {
	t.Helper()
	rd := NewReader(r)
	var got []string
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("Reader does not stop")
		}
		m, err := rd.Read()
		if err == io.EOF {
			return got
		}
		if err != nil {
			got = append(got, "error: "+err.Error())
			var e *Error
			if !errors.As(err, &e) {
				return got
			}
			continue
		}
		got = append(got, m.Segment("MSH").Field(10))
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	msg := func(id string) string { return "MSH|^~\\&|A|B|||20240101||SIU^S12|" + id + "|P|2.5\rSCH||1\r" }
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"one", msg("1"), []string{"1"}},
		{"CR", msg("1") + msg("2") + msg("3"), []string{"1", "2", "3"}},
		{"LF", strings.ReplaceAll(msg("1")+msg("2"), "\r", "\n"), []string{"1", "2"}},
		{"CRLF with blank lines", strings.ReplaceAll(msg("1")+"\r"+msg("2")+"\r\r", "\r", "\r\n"), []string{"1", "2"}},
		{"MLLP", "\x0b" + msg("1") + "\x1c\r\x0b" + msg("2") + "\x1c\r", []string{"1", "2"}},
		{"batch envelope", "FHS|^~\\&\rBHS|^~\\&\r" + msg("1") + msg("2") + "BTS|2\rFTS|1\r", []string{"1", "2"}},
		{"byte order mark", "\ufeff" + msg("1"), []string{"1"}},
		{"bad message in the middle", msg("1") + "MSH|^^\\&|\rSCH|1\r" + msg("3"), []string{
			"1",
			"error: siu: message 2: MSH-2 (segment 1): encoding characters must be distinct, printable, non-alphanumeric and differ from the field separator",
			"3",
		}},
		{"garbage before the first MSH", "hello\r" + msg("1"), []string{
			"error: siu: message 1: segment 1: message does not start with an MSH segment",
			"1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, readAll(t, strings.NewReader(tt.in))); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReaderTestdata(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"recurring.hl7":  {"REC0001", "REC0002", "REC0003"},
		"mllp.hl7":       {"MLLP001", "MLLP002"},
		"group.hl7":      {"GRP0001"},
		"v23-cancel.hl7": {"V23-0015"},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, readAll(t, bytes.NewReader(b))); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReaderStreamErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	rd := NewReader(failingReader{boom})
	for i := range 2 {
		if _, err := rd.Read(); !errors.Is(err, boom) {
			t.Errorf("Read %d: error = %v, want %v", i+1, err, boom)
		}
	}
}
