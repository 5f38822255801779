package siu

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleER7 = "MSH|^~\\&|App^1.2^ISO|Fac|||20240101120000+0000||SIU^S12^SIU_S12|CTRL1|P|2.5.1\r" +
	"SCH|PL^NS|FL-1~FL-2|||||A&B^Text\r" +
	"PID|1||ID1^^^AUTH^MR~ID2^^^SSA^SS||Doe^Jane||||||||home\\T\\x^NET\\S\\y\r" +
	"PID|2\r" +
	"ZXY|1|z\r"

func TestParseAccessors(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(sampleER7))
	if err != nil {
		t.Fatal(err)
	}
	msh, sch, pid := m.Segment("MSH"), m.Segment("SCH"), m.Segment("PID")
	tests := []struct {
		name                  string
		seg                   *Segment
		field, rep, comp, sub int
		want                  string
	}{
		{"MSH-1 is the field separator", msh, 1, 1, 1, 1, "|"},
		{"MSH-2 is the encoding characters, unsplit and unescaped", msh, 2, 1, 1, 1, `^~\&`},
		{"MSH-2 has no second component", msh, 2, 1, 2, 1, ""},
		{"MSH-3.1", msh, 3, 1, 1, 1, "App"},
		{"MSH-3.2", msh, 3, 1, 2, 1, "1.2"},
		{"MSH-9.2 trigger", msh, 9, 1, 2, 1, "S12"},
		{"MSH-10", msh, 10, 1, 1, 1, "CTRL1"},
		{"MSH-12", msh, 12, 1, 1, 1, "2.5.1"},
		{"field past the end", msh, 40, 1, 1, 1, ""},
		{"SCH-1.2", sch, 1, 1, 2, 1, "NS"},
		{"SCH-2 first repetition", sch, 2, 1, 1, 1, "FL-1"},
		{"SCH-2 second repetition", sch, 2, 2, 1, 1, "FL-2"},
		{"SCH-2 third repetition absent", sch, 2, 3, 1, 1, ""},
		{"SCH-7.1.1 subcomponent", sch, 7, 1, 1, 1, "A"},
		{"SCH-7.1.2 subcomponent", sch, 7, 1, 1, 2, "B"},
		{"SCH-7.2", sch, 7, 1, 2, 1, "Text"},
		{"PID-3 rep 2 comp 4", pid, 3, 2, 4, 1, "SSA"},
		{"PID-5.2", pid, 5, 1, 2, 1, "Jane"},
		{"escapes decoded per component", pid, 13, 1, 1, 1, "home&x"},
		{"escaped component separator is data", pid, 13, 1, 2, 1, "NET^y"},
		{"zero field", pid, 0, 1, 1, 1, ""},
		{"negative component", pid, 3, 1, -1, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.seg.Get(tt.field, tt.rep, tt.comp, tt.sub); got != tt.want {
				t.Errorf("Get(%d, %d, %d, %d) = %q, want %q", tt.field, tt.rep, tt.comp, tt.sub, got, tt.want)
			}
		})
	}
}

func TestSegmentMethods(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(sampleER7))
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		IDs                       []string
		PIDs                      []string
		MSHLen, SCHLen            int
		Reps2, Reps3, RepsMissing int
		RawSCH2, Field10, Comp3   string
		MissingSegment            bool
		String                    string
	}
	ids := func(segs []*Segment) []string {
		var out []string
		for _, s := range segs {
			out = append(out, s.ID()+":"+s.Field(1))
		}
		return out
	}
	sch, msh := m.Segment("SCH"), m.Segment("MSH")
	got := summary{
		IDs:            ids(m.Segments()),
		PIDs:           ids(m.Segments("PID", "ZXY")),
		MSHLen:         msh.Len(),
		SCHLen:         sch.Len(),
		Reps2:          sch.Repetitions(2),
		Reps3:          m.Segment("PID").Repetitions(3),
		RepsMissing:    sch.Repetitions(3),
		RawSCH2:        sch.Raw(2),
		Field10:        msh.Field(10),
		Comp3:          msh.Component(3, 3),
		MissingSegment: m.Segment("AIS") == nil,
		String:         m.String(),
	}
	want := summary{
		IDs:            []string{"MSH:|", "SCH:PL", "PID:1", "PID:2", "ZXY:1"},
		PIDs:           []string{"PID:1", "PID:2", "ZXY:1"},
		MSHLen:         12,
		SCHLen:         7,
		Reps2:          2,
		Reps3:          2,
		RepsMissing:    0,
		RawSCH2:        "FL-1~FL-2",
		Field10:        "CTRL1",
		Comp3:          "ISO",
		MissingSegment: true,
		String:         sampleER7,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestParseLineEndings checks that every segment terminator, framing and blank lines give the same message.
func TestParseLineEndings(t *testing.T) {
	t.Parallel()
	want, err := Parse([]byte(sampleER7))
	if err != nil {
		t.Fatal(err)
	}
	lf := strings.ReplaceAll(sampleER7, "\r", "\n")
	crlf := strings.ReplaceAll(sampleER7, "\r", "\r\n")
	for name, in := range map[string]string{
		"LF":                  lf,
		"CRLF":                crlf,
		"no final terminator": strings.TrimSuffix(sampleER7, "\r"),
		"trailing blank line": crlf + "\r\n",
		"blank lines between": strings.ReplaceAll(lf, "\n", "\n\n  \n"),
		"MLLP frame":          "\x0b" + sampleER7 + "\x1c\r",
		"byte order mark":     "\ufeff" + lf,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.String(), got.String()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if want.hash() != got.hash() {
				t.Error("hash differs")
			}
		})
	}
}

func TestParseDelimiters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want delimiters
		// field is SCH-1 component 2, to show the declared delimiters are the ones used.
		field string
	}{
		{"standard", "MSH|^~\\&|\rSCH|a^b\\T\\c", delimiters{'|', '^', '~', '\\', '&'}, "b&c"},
		{"no escape character (v2.3 ^~&)", "MSH|^~&|\rSCH|a^b\\T\\c", delimiters{'|', '^', '~', 0, '&'}, `b\T\c`},
		{"truncation character (v2.7)", "MSH|^~\\&#|\rSCH|a^b#", delimiters{'|', '^', '~', '\\', '&'}, "b#"},
		{"unusual delimiters", "MSH*:!/%*\rSCH*a:b/S/", delimiters{'*', ':', '!', '/', '%'}, "b:"},
		{"MSH-2 ends the segment", "MSH|^~\\&\rSCH|a^b", delimiters{'|', '^', '~', '\\', '&'}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, m.d, cmp.AllowUnexported(delimiters{})); diff != "" {
				t.Errorf("delimiters mismatch (-want +got):\n%s", diff)
			}
			if got := m.Segment("SCH").Component(1, 2); got != tt.field {
				t.Errorf("SCH-1.2 = %q, want %q", got, tt.field)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Error
	}{
		{"empty", "", Error{Err: ErrSyntax, Reason: "no segments: empty message"}},
		{"only blank lines", "\r\n\r\n  \n", Error{Err: ErrSyntax, Reason: "no segments: empty message"}},
		{"no MSH", "PID|1||X\rSCH|1", Error{Position: 1, Err: ErrSyntax, Reason: "message does not start with an MSH segment"}},
		{"truncated MSH", "MSH", Error{Segment: "MSH", Position: 1, Field: 1, Err: ErrSyntax, Reason: "truncated MSH segment: no field separator"}},
		{"alphanumeric field separator", "MSHA^~\\&", Error{Segment: "MSH", Position: 1, Field: 1, Err: ErrSyntax,
			Reason: "field separator must be a printable, non-alphanumeric character"}},
		{"MSH-2 too short", "MSH|^~|", Error{Segment: "MSH", Position: 1, Field: 2, Err: ErrSyntax,
			Reason: "encoding characters: got 2 characters, want 3 to 5"}},
		{"MSH-2 empty", "MSH||a", Error{Segment: "MSH", Position: 1, Field: 2, Err: ErrSyntax,
			Reason: "encoding characters: got 0 characters, want 3 to 5"}},
		{"MSH-2 too long", "MSH|^~\\&#!|", Error{Segment: "MSH", Position: 1, Field: 2, Err: ErrSyntax,
			Reason: "encoding characters: got 6 characters, want 3 to 5"}},
		{"MSH-2 repeats a delimiter", "MSH|^^\\&|", Error{Segment: "MSH", Position: 1, Field: 2, Err: ErrSyntax,
			Reason: "encoding characters must be distinct, printable, non-alphanumeric and differ from the field separator"}},
		{"MSH-2 alphanumeric", "MSH|^~\\A|", Error{Segment: "MSH", Position: 1, Field: 2, Err: ErrSyntax,
			Reason: "encoding characters must be distinct, printable, non-alphanumeric and differ from the field separator"}},
		{"truncated segment id", "MSH|^~\\&|\rSC", Error{Position: 2, Err: ErrSyntax,
			Reason: "malformed segment: want a 3-character segment id followed by the field separator"}},
		{"lower-case segment id", "MSH|^~\\&|\rsch|1", Error{Position: 2, Err: ErrSyntax,
			Reason: "malformed segment: want a 3-character segment id followed by the field separator"}},
		{"segment id without field separator", "MSH|^~\\&|\rSCHEDULE", Error{Position: 2, Err: ErrSyntax,
			Reason: "malformed segment: want a 3-character segment id followed by the field separator"}},
		{"two messages", "MSH|^~\\&|\rSCH|1\rMSH|^~\\&|", Error{Segment: "MSH", Position: 3, Err: ErrSyntax,
			Reason: "second MSH segment: the data holds several messages; read it with a Reader"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tt.in))
			if m != nil {
				t.Errorf("Parse returned a message with error %v", err)
			}
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not wrap ErrSyntax", err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpErrors); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// cmpErrors compares error values by identity, which is what a sentinel is.
var cmpErrors = cmp.Comparer(func(a, b error) bool { return a == b })

func TestNilSegment(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(sampleER7))
	if err != nil {
		t.Fatal(err)
	}
	s := m.Segment("AIL")
	got := []any{s.ID(), s.Len(), s.Raw(1), s.Repetitions(1), s.Get(1, 1, 1, 1), s.Component(3, 2), s.Field(1)}
	want := []any{"", 0, "", 0, "", "", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestNilMessage(t *testing.T) {
	t.Parallel()
	var m *Message
	if m.Segments() != nil || m.Segment("MSH") != nil || m.String() != "" {
		t.Error("a nil *Message is not empty")
	}
}
