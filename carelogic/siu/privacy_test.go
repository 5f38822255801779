package siu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/phitest"
)

// plantedMessage is a valid S12 that carries planted values where a message carries patient data: a name in
// PID-5 and in a note, an email and phone numbers in PID-13 and PID-14, a provider's name in AIP-3.
var plantedMessage = []string{
	"MSH|^~\\&|App|Fac|||20240101120000+0000||SIU^S12^SIU_S12|C1|P|2.5.1",
	"SCH||F-1|||||INTAKE^Intake^L||60|min|^^^202401021000+0000^202401021100+0000|||||DR1^Quincy^Zebulon||||||||||Booked",
	"TQ1|||||||202401021000+0000|202401021100+0000",
	"NTE|1||Call Jane Roe at (416) 555-0199",
	"PID|1||P-1||Roe^Jane||||||||^NET^Internet^jane.roe@example.org~(416) 555-0199^PRN^PH|+1 212 555 1542",
	"AIP|1||S-1^Quincy^Zebulon",
}

// plantedVariants returns malformed and odd variants of plantedMessage: every field of every segment replaced by
// every planted value, a planted value inserted before every field (shifting the columns after it, so that a
// name lands where a status, an id or a timestamp belongs) and every field deleted (shifting them back), and
// segments that are themselves planted values.
func plantedVariants() [][]string {
	var out [][]string
	with := func(i int, line string) []string {
		m := append([]string(nil), plantedMessage...)
		m[i] = line
		return m
	}
	for i, line := range plantedMessage {
		fields := strings.Split(line, "|")
		for f := 1; f <= len(fields)+1; f++ {
			for _, v := range phitest.All() {
				replaced := append([]string(nil), fields...)
				for len(replaced) <= f {
					replaced = append(replaced, "")
				}
				replaced[f] = v
				out = append(out, with(i, strings.Join(replaced, "|")))
				if f < len(fields) {
					inserted := append(append(append([]string(nil), fields[:f]...), v), fields[f:]...)
					out = append(out, with(i, strings.Join(inserted, "|")))
				}
			}
			if f < len(fields) {
				deleted := append(append([]string(nil), fields[:f]...), fields[f+1:]...)
				out = append(out, with(i, strings.Join(deleted, "|")))
			}
		}
		for _, v := range phitest.All() {
			out = append(out,
				with(i, v),          // a name as a whole segment
				with(i, v+"|1"),     // as a segment id
				with(i, line[:3]+v), // in place of the field separator
			)
		}
		// In a segment over the limit: one value a segment, as each variant costs a megabyte.
		v := phitest.All()[i%len(phitest.All())]
		out = append(out, with(i, line+"|"+strings.Repeat(v, MaxSegmentBytes/len(v)+1)))
	}
	for _, v := range phitest.All() {
		out = append(out,
			append([]string{v}, plantedMessage...),                    // before the MSH
			with(0, strings.Replace(plantedMessage[0], `^~\&`, v, 1)), // as the encoding characters
			with(0, strings.Replace(plantedMessage[0], "SIU^S12", "SIU^"+v, 1)),
			with(0, strings.Replace(plantedMessage[0], "SIU^S12", v+"^S12", 1)),
		)
	}
	return out
}

// TestErrorsHoldNoInputValues sweeps every error path of the package with planted values in the input and
// checks that no text written for an error (its text, %v, %+v and Debug log lines) repeats one.
func TestErrorsHoldNoInputValues(t *testing.T) {
	t.Parallel()
	variants := plantedVariants()
	seen := map[error]int{}
	check := func(label string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		for _, sentinel := range []error{ErrSyntax, ErrMissingField, ErrInvalidField, ErrUnsupportedEvent, ErrLimit, carelogic.ErrNotFound} {
			if errors.Is(err, sentinel) {
				seen[sentinel]++
			}
		}
		phitest.CheckValue(t, label, err)
	}

	var stream strings.Builder
	for _, v := range variants {
		data := strings.Join(v, "\r") + "\r"
		stream.WriteString(data)
		_, err := Parse([]byte(data))
		check("Parse", err)
		_, err = Decode([]byte(data))
		check("Decode", err)
		_, err = Decode([]byte(data), WithStatusFunc(func(_ *Message, s carelogic.Status) carelogic.Status { return s }))
		check("Decode with options", err)
	}

	// The same messages as one stream, through a Reader, ApplyReader (whose error keeps the first MaxErrors)
	// and ReadPath.
	rd := NewReader(strings.NewReader(stream.String()))
	for i := 0; ; i++ {
		_, err := rd.Read()
		if err != nil && !isMessageError(err) {
			break
		}
		check("Reader", err)
	}
	f := NewFeed()
	check("ApplyReader", f.ApplyReader(strings.NewReader(stream.String())))
	dir := t.TempDir()
	for i, v := range variants[:50] {
		name := filepath.Join(dir, "m"+strings.Repeat("x", i)+".hl7")
		if err := os.WriteFile(name, []byte(strings.Join(v, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := ReadPath(dir)
	check("ReadPath", err)

	// Lookups of planted ids, unknown and ambiguous.
	for _, v := range phitest.All() {
		_, err := NewFeed().Appointment(context.Background(), v)
		check("Appointment", err)
		twice := NewFeed()
		for _, source := range []string{"A", "B"} {
			m := strings.Replace(strings.Join(plantedMessage, "\r"), "|F-1|", "|"+v+"|", 1)
			s, err := Decode([]byte(m), WithSource(source))
			if err != nil {
				t.Fatal(err)
			}
			twice.ApplySnapshot(s)
		}
		_, err = twice.Appointment(context.Background(), v)
		if err == nil || errors.Is(err, carelogic.ErrNotFound) {
			t.Errorf("lookup of an id two sources share: error = %v, want ambiguous", err)
		}
		check("Appointment ambiguous", err)
	}

	t.Logf("%d variants; errors seen by sentinel: %v", len(variants), seen)
	for _, sentinel := range []error{ErrSyntax, ErrMissingField, ErrInvalidField, ErrUnsupportedEvent, ErrLimit, carelogic.ErrNotFound} {
		if seen[sentinel] == 0 {
			t.Errorf("no error wrapping %v was checked", sentinel)
		}
	}
}
