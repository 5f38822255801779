package siu

import (
	"bufio"
	"bytes"
	"io"
)

// Reader reads the messages of a stream or file that holds several, such as a day's interface log or an MLLP
// capture. A message starts at each segment that begins with MSH. Segments may end with CR, LF or CRLF; MLLP
// framing bytes and blank lines are ignored, and so are the batch envelope segments FHS, BHS, BTS and FTS.
//
// A Reader keeps one message at a time, at most MaxMessageBytes of it, and never more than MaxSegmentBytes of a
// segment, so its memory is bounded whatever the stream holds: a message over a limit, and one that does not
// start with MSH, is skipped up to the next MSH segment without being kept.
type Reader struct {
	sc      segmentScanner
	next    []byte // an MSH segment read ahead while finishing the previous message, when hasNext
	nextLen int    // the length of that segment, more than len(next) when it passed MaxSegmentBytes
	hasNext bool
	n       int   // messages returned so far
	err     error // sticky: io.EOF, or the stream's error
	started bool

	// The message being read.
	lines []string
	size  sizeCheck
	bad   *Error // the message does not start with MSH: the rest of it is skipped
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{sc: segmentScanner{br: bufio.NewReaderSize(r, 64<<10)}}
}

// Read returns the next message, or io.EOF after the last. A malformed message gives an *Error whose Message
// field is its position in the stream; the Reader then goes on with the next message. A message over
// MaxSegmentBytes, MaxMessageSegments or MaxMessageBytes gives an *Error wrapping ErrLimit, and the Reader skips
// the rest of it and goes on too. An error reading the underlying stream is returned by every later call.
func (r *Reader) Read() (*Message, error) {
	if r.err != nil {
		return nil, r.err
	}
	clear(r.lines)
	r.lines, r.size, r.bad = r.lines[:0], sizeCheck{}, nil
	if r.hasNext {
		r.add(r.next, r.nextLen)
		r.hasNext = false
	}
	for {
		line, n, err := r.sc.scan()
		if err == io.EOF {
			r.err = io.EOF
			if r.size.segments > 0 {
				return r.finish()
			}
			return nil, io.EOF
		}
		if err != nil {
			r.err = err
			return nil, err
		}
		if !r.started {
			// A byte order mark starts the stream, as Parse takes it.
			if bom := []byte("\ufeff"); bytes.HasPrefix(line, bom) {
				line, n = line[len(bom):], n-len(bom)
			}
			r.started = true
		}
		if n == len(line) && isBlank(line) {
			continue
		}
		if isBatchSegment(line) {
			if r.size.segments > 0 {
				return r.finish()
			}
			continue
		}
		if r.size.segments > 0 && bytes.HasPrefix(line, []byte("MSH")) {
			r.next, r.nextLen, r.hasNext = append(r.next[:0], line...), n, true
			return r.finish()
		}
		r.add(line, n)
	}
}

// add adds a segment of n bytes, of which line holds the first MaxSegmentBytes, to the message being read,
// unless the message is refused already.
func (r *Reader) add(line []byte, n int) {
	within := r.size.add(line, n)
	if r.size.segments == 1 && !bytes.HasPrefix(line, []byte("MSH")) {
		// Parse refuses it at its first segment: refuse it now, rather than keep what follows.
		r.bad = errNoMSH()
	}
	if !within || r.bad != nil {
		clear(r.lines)
		r.lines = r.lines[:0]
		return
	}
	r.lines = append(r.lines, string(line))
}

// finish returns the message read, or the error that refused it.
func (r *Reader) finish() (*Message, error) {
	r.n++
	e := r.bad
	if e == nil {
		e = r.size.err()
	}
	if e == nil {
		m, err := parseLines(r.lines)
		if err == nil {
			return m, nil
		}
		if pe, ok := err.(*Error); ok {
			pe.Message = r.n
		}
		return nil, err
	}
	e.Message = r.n
	return nil, e
}

// segmentScanner splits a stream into segments on CR, LF and the MLLP framing bytes. Unlike a bufio.Scanner,
// it goes on after a segment over MaxSegmentBytes: it keeps the first MaxSegmentBytes of it, counts the rest
// without keeping it, and resumes at the next terminator.
type segmentScanner struct {
	br  *bufio.Reader
	buf []byte
}

// scan returns the next segment (at most its first MaxSegmentBytes bytes, valid until the next call) and its
// whole length. At the end of the stream it returns io.EOF; a stream error ends the segment being read.
func (s *segmentScanner) scan() (seg []byte, n int, err error) {
	s.buf = s.buf[:0]
	for {
		// Peek(1) fills the buffer when it is empty; bufio gives io.ErrNoProgress for a reader that returns
		// nothing forever.
		if _, err := s.br.Peek(1); err != nil {
			if err == io.EOF && n > 0 {
				return s.buf, n, nil
			}
			return nil, 0, err
		}
		data, _ := s.br.Peek(s.br.Buffered())
		chunk := data
		i := indexSegmentEnd(data)
		if i >= 0 {
			chunk = data[:i]
		}
		if room := MaxSegmentBytes - len(s.buf); room > 0 {
			s.buf = append(s.buf, chunk[:min(room, len(chunk))]...)
		}
		n += len(chunk)
		if i >= 0 {
			_, _ = s.br.Discard(i + 1)
			return s.buf, n, nil
		}
		_, _ = s.br.Discard(len(data))
	}
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
