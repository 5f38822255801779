package siu

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"strings"
)

// delimiters are the separators a message declares in MSH-1 and MSH-2. escape is 0 when MSH-2 declares none
// (some v2.3 senders write "^~&"), and then no escape sequence is decoded.
type delimiters struct {
	field, component, repetition, escape, subcomponent byte
}

// Message is one parsed HL7 v2 message in ER7 (pipe and hat) encoding. Its segments keep their fields as sent;
// the accessors of Segment split and unescape them on demand.
type Message struct {
	d        delimiters
	segments []*Segment
}

// Segment is one segment of a Message. Field, component, repetition and subcomponent numbers are HL7's: they
// start at 1, and for MSH field 1 is the field separator itself and field 2 the encoding characters, so that
// MSH-9 is the message type as in the standard.
//
// The methods of a nil *Segment return "" or 0, so that m.Segment("AIL").Component(3, 2) needs no check for a
// missing segment.
type Segment struct {
	id   string
	pos  int
	line string // the segment as sent
	// seps holds the index in line of the segment's first field separators, at most indexedFields of them: field
	// n, when n ≤ len(seps), runs from just after seps[n-1] to the next separator (or the end of line). A field
	// further on is found by scanning on from the last, so that a segment of a million empty fields costs no
	// more memory than a real one, whose fields are all indexed.
	seps []int32
	d    *delimiters
}

// indexedFields is how many fields of a segment are indexed, more than any standard SIU segment has (PID has 40).
const indexedFields = 64

// Parse parses one ER7-encoded message. Segments may end with CR (the standard), LF or CRLF; blank lines, a
// UTF-8 byte order mark and MLLP framing bytes (0x0B before, 0x1C 0x0D after) are ignored. The delimiters are
// those declared in MSH-1 and MSH-2. Data holding more than one MSH is refused: read streams with a Reader.
//
// A message over MaxSegmentBytes, MaxMessageSegments or MaxMessageBytes is refused with an *Error wrapping
// ErrLimit, as a Reader refuses it. Any other error is an *Error wrapping ErrSyntax. Errors name the segment
// position and never quote the data.
func Parse(data []byte) (*Message, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var (
		lines []string
		size  sizeCheck
	)
	for line := range segmentLines(data) {
		if size.segments == 0 && !bytes.HasPrefix(line, []byte("MSH")) {
			return nil, errNoMSH()
		}
		if size.add(line, len(line)) {
			lines = append(lines, string(line))
		}
	}
	if err := size.err(); err != nil {
		return nil, err
	}
	return parseLines(lines)
}

// segmentLines yields the non-blank segment lines of data, splitting on CR, LF and the MLLP framing bytes,
// which never occur inside HL7 data.
func segmentLines(data []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(data) > 0 {
			i := indexSegmentEnd(data)
			var line []byte
			if i < 0 {
				line, data = data, nil
			} else {
				line, data = data[:i], data[i+1:]
			}
			if isBlank(line) {
				continue
			}
			if !yield(line) {
				return
			}
		}
	}
}

// indexSegmentEnd returns the index of the first CR, LF or MLLP framing byte in data, or -1.
func indexSegmentEnd(data []byte) int {
	for i, c := range data {
		if c == '\r' || c == '\n' || c == 0x0b || c == 0x1c {
			return i
		}
	}
	return -1
}

func isBlank(line []byte) bool { return len(bytes.Trim(line, " \t")) == 0 }

func errNoMSH() *Error {
	return &Error{Position: 1, Err: ErrSyntax, Reason: "message does not start with an MSH segment"}
}

func parseLines(lines []string) (*Message, error) {
	if len(lines) == 0 {
		return nil, &Error{Err: ErrSyntax, Reason: "no segments: empty message"}
	}
	if !strings.HasPrefix(lines[0], "MSH") {
		return nil, errNoMSH()
	}
	d, err := parseDelimiters(lines[0])
	if err != nil {
		return nil, err
	}
	m := &Message{d: d}
	for i, line := range lines {
		pos := i + 1
		if len(line) < 3 || !isSegmentID(line[:3]) || (len(line) > 3 && line[3] != d.field) {
			return nil, &Error{Position: pos, Err: ErrSyntax,
				Reason: "malformed segment: want a 3-character segment id followed by the field separator"}
		}
		id := line[:3]
		if id == "MSH" && pos > 1 {
			return nil, &Error{Segment: id, Position: pos, Err: ErrSyntax,
				Reason: "second MSH segment: the data holds several messages; read it with a Reader"}
		}
		m.segments = append(m.segments, &Segment{id: id, pos: pos, line: line, seps: separators(line, d.field), d: &m.d})
	}
	return m, nil
}

// separators returns the index in line of its first indexedFields separators.
func separators(line string, sep byte) []int32 {
	seps := make([]int32, 0, min(strings.Count(line, string(sep)), indexedFields))
	for i := 0; len(seps) < cap(seps); {
		j := strings.IndexByte(line[i:], sep)
		seps = append(seps, int32(i+j))
		i += j + 1
	}
	return seps
}

// parseDelimiters reads MSH-1 and MSH-2. MSH-2 normally holds four characters (component, repetition, escape,
// subcomponent) and, from v2.7, a fifth (truncation) that is not a delimiter; three characters are read as
// component, repetition and subcomponent with no escape character, as some v2.3 senders write "^~&".
func parseDelimiters(msh string) (delimiters, error) {
	bad := func(field int, reason string) error {
		return &Error{Segment: "MSH", Position: 1, Field: field, Err: ErrSyntax, Reason: reason}
	}
	if len(msh) < 4 {
		return delimiters{}, bad(1, "truncated MSH segment: no field separator")
	}
	d := delimiters{field: msh[3]}
	if !isDelimiter(d.field) {
		return delimiters{}, bad(1, "field separator must be a printable, non-alphanumeric character")
	}
	enc := msh[4:]
	if i := strings.IndexByte(enc, d.field); i >= 0 {
		enc = enc[:i]
	}
	switch len(enc) {
	case 3:
		d.component, d.repetition, d.subcomponent = enc[0], enc[1], enc[2]
	case 4, 5:
		d.component, d.repetition, d.escape, d.subcomponent = enc[0], enc[1], enc[2], enc[3]
	default:
		return delimiters{}, bad(2, fmt.Sprintf("encoding characters: got %d characters, want 3 to 5", len(enc)))
	}
	var seen [256]bool
	seen[d.field] = true
	for _, c := range []byte(enc[:min(len(enc), 4)]) {
		if !isDelimiter(c) || seen[c] {
			return delimiters{}, bad(2, "encoding characters must be distinct, printable, non-alphanumeric and differ from the field separator")
		}
		seen[c] = true
	}
	return d, nil
}

func isDelimiter(c byte) bool {
	return c > ' ' && c < 0x7f && !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z')
}

// isSegmentID reports whether s is a segment id: an upper-case letter then two upper-case letters or digits.
func isSegmentID(s string) bool {
	if len(s) != 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < 3; i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Segments returns the message's segments whose id is one of ids, in message order; with no ids, all of them.
// Walking several ids at once keeps their order, e.g. Segments("PID", "RGS") to find the patient groups.
func (m *Message) Segments(ids ...string) []*Segment {
	if m == nil {
		return nil
	}
	var out []*Segment
	for _, s := range m.segments {
		if len(ids) == 0 || containsString(ids, s.id) {
			out = append(out, s)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Segment returns the first segment with the given id, or nil.
func (m *Message) Segment(id string) *Segment {
	if m == nil {
		return nil
	}
	for _, s := range m.segments {
		if s.id == id {
			return s
		}
	}
	return nil
}

// String returns the message in canonical ER7: its segments as sent, each ended by CR.
func (m *Message) String() string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, s := range m.segments {
		b.WriteString(s.line)
		b.WriteByte('\r')
	}
	return b.String()
}

// hash identifies the message's content independently of its segment terminators and framing: the SHA-256 of
// String, computed through a buffer of at most 64 KiB rather than a copy of a message of up to MaxMessageBytes.
func (m *Message) hash() string {
	size := 0
	for _, s := range m.segments {
		size += len(s.line) + 1
	}
	h := sha256.New()
	buf := make([]byte, 0, max(1, min(size, 64<<10)))
	add := func(text string) {
		for len(text) > 0 {
			if len(buf) == cap(buf) {
				h.Write(buf)
				buf = buf[:0]
			}
			n := min(cap(buf)-len(buf), len(text))
			buf = append(buf, text[:n]...)
			text = text[n:]
		}
	}
	for _, s := range m.segments {
		add(s.line)
		add("\r")
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// ID returns the segment id, e.g. "PID".
func (s *Segment) ID() string {
	if s == nil {
		return ""
	}
	return s.id
}

// Len returns the number of the segment's last field (0 for a segment with no fields).
func (s *Segment) Len() int {
	if s == nil {
		return 0
	}
	n := len(s.seps)
	if n == indexedFields {
		n = strings.Count(s.line, string(s.d.field))
	}
	if s.id == "MSH" {
		n++ // MSH-1 is the first field separator itself
	}
	return n
}

// Raw returns field n as sent, escape sequences and separators included, or "" when the segment has no field n.
func (s *Segment) Raw(n int) string {
	if s == nil || n < 1 {
		return ""
	}
	// Field n follows the segment's n-th field separator; in MSH, whose first separator is MSH-1 itself, MSH-n
	// follows the (n-1)-th.
	if s.id == "MSH" {
		if n == 1 {
			return string(s.d.field)
		}
		n--
	}
	switch {
	case n < len(s.seps):
		return s.line[s.seps[n-1]+1 : s.seps[n]]
	case n > len(s.seps) && len(s.seps) < indexedFields:
		return ""
	}
	// The last indexed field, or one past it: scan on from the last indexed separator.
	return nth(s.line[s.seps[len(s.seps)-1]+1:], s.d.field, n-len(s.seps)+1)
}

// Repetitions returns how many repetitions field n holds: 0 when it is empty or absent.
func (s *Segment) Repetitions(n int) int {
	f := s.Raw(n)
	switch {
	case f == "":
		return 0
	case s.isHeaderField(n):
		return 1
	}
	return strings.Count(f, string(s.d.repetition)) + 1
}

// Get returns the text of one subcomponent, with escape sequences decoded: field, repetition, component and
// subcomponent are HL7's 1-based numbers. A position the segment does not hold gives "". The HL7 null value
// `""` is returned as sent.
func (s *Segment) Get(field, rep, comp, sub int) string {
	if s == nil || field < 1 || rep < 1 || comp < 1 || sub < 1 {
		return ""
	}
	f := s.Raw(field)
	if s.isHeaderField(field) {
		// MSH-1 and MSH-2 hold the delimiters themselves and are never split.
		if rep == 1 && comp == 1 && sub == 1 {
			return f
		}
		return ""
	}
	f = nth(f, s.d.repetition, rep)
	f = nth(f, s.d.component, comp)
	f = nth(f, s.d.subcomponent, sub)
	return s.d.unescape(f)
}

// Component returns component comp of the first repetition of field, with escape sequences decoded; for a
// component made of subcomponents it is the first subcomponent.
func (s *Segment) Component(field, comp int) string { return s.Get(field, 1, comp, 1) }

// Field returns the first component of the first repetition of field n, with escape sequences decoded: the
// whole value of a field of a simple type.
func (s *Segment) Field(n int) string { return s.Get(n, 1, 1, 1) }

// repetitions yields the repetitions of field n as sent, for callers that visit them all: indexing each with
// Get would rescan the field every time, and a slice of them would cost 16 bytes a repetition.
func (s *Segment) repetitions(n int) iter.Seq[string] {
	f := s.Raw(n)
	if f == "" || s.isHeaderField(n) {
		return func(func(string) bool) {}
	}
	return strings.SplitSeq(f, string(s.d.repetition))
}

// part returns component comp, subcomponent sub of one repetition returned by repetitions, unescaped.
func (s *Segment) part(rep string, comp, sub int) string {
	if comp < 1 || sub < 1 {
		return ""
	}
	return s.d.unescape(nth(nth(rep, s.d.component, comp), s.d.subcomponent, sub))
}

func (s *Segment) isHeaderField(n int) bool { return s.id == "MSH" && (n == 1 || n == 2) }

// nth returns the i-th (1-based) part of s split on sep, or "".
func nth(s string, sep byte, i int) string {
	for ; i > 1; i-- {
		j := strings.IndexByte(s, sep)
		if j < 0 {
			return ""
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, sep); j >= 0 {
		return s[:j]
	}
	return s
}
