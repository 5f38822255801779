package siu

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxSegmentSize bounds one segment read from a stream, so that a stream with no segment terminator cannot
// exhaust memory.
const maxSegmentSize = 16 << 20

// Reader reads the messages of a stream or file that holds several, such as a day's interface log or an MLLP
// capture. A message starts at each segment that begins with MSH. Segments may end with CR, LF or CRLF; MLLP
// framing bytes and blank lines are ignored, and so are the batch envelope segments FHS, BHS, BTS and FTS.
type Reader struct {
	sc      *bufio.Scanner
	next    []byte // an MSH line read ahead while finishing the previous message
	n       int    // messages returned so far
	err     error  // sticky read error
	started bool
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxSegmentSize)
	sc.Split(scanSegments)
	return &Reader{sc: sc}
}

// Read returns the next message, or io.EOF after the last. A malformed message gives an *Error whose Message
// field is its position in the stream; the Reader then goes on with the next message. An error reading the
// underlying stream is returned by every later call.
func (r *Reader) Read() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	var lines []string
	if r.next != nil {
		lines = append(lines, string(r.next))
		r.next = nil
	}
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if isBlank(line) {
			continue
		}
		if !r.started {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
			r.started = true
		}
		if isBatchSegment(line) {
			if len(lines) > 0 {
				return r.parse(lines)
			}
			continue
		}
		if bytes.HasPrefix(line, []byte("MSH")) && len(lines) > 0 {
			r.next = bytes.Clone(line)
			return r.parse(lines)
		}
		lines = append(lines, string(line))
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			r.err = &Error{Message: r.n + 1, Err: ErrSyntax, Reason: "segment longer than 16 MiB"}
		} else {
			r.err = err
		}
		return nil, r.err
	}
	if len(lines) > 0 {
		return r.parse(lines)
	}
	r.err = io.EOF
	return nil, io.EOF
}

func (r *Reader) parse(lines []string) (*Message, error) {
	r.n++
	m, err := parseLines(lines)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Message = r.n
		}
		return nil, err
	}
	return m, nil
}

// isBatchSegment reports whether line is a file or batch header or trailer, which wrap messages in a batch file.
func isBatchSegment(line []byte) bool {
	if len(line) < 3 {
		return false
	}
	switch string(line[:3]) {
	case "FHS", "BHS", "BTS", "FTS":
		return len(line) == 3 || !isAlnum(line[3])
	}
	return false
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// scanSegments is a bufio.SplitFunc that splits on CR, LF and the MLLP framing bytes.
func scanSegments(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := indexSegmentEnd(data); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
