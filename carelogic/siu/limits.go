package siu

import "strconv"

// The limits below bound what one message, and the errors of one stream, may cost, so that a damaged or hostile
// file (a segment with no terminator, millions of segments, junk) costs a few megabytes and gives an error rather
// than exhausting memory. Each is far above what a real SIU message holds. A message that passes one is refused
// whole, with an *Error wrapping ErrLimit that names the limit and the count, and a Reader skips the rest of it
// without keeping it and goes on with the next message.
//
// They are constants rather than options: no real feed comes near them, and fixed limits keep the memory a
// Reader needs a property of this package that its documentation can state, not of each caller's settings.
const (
	// MaxSegmentBytes bounds one segment, terminator not counted: 1 MiB. A real SIU segment is well under 64 KiB
	// (the longest are notes, NTE-3, and a patient's repeated identifiers and telecoms); 1 MiB leaves room for a
	// note pasted in whole while bounding what a segment with no terminator can cost.
	MaxSegmentBytes = 1 << 20
	// MaxMessageSegments bounds the segments of one message: 5,000. A group session of 25 clients, each with
	// PID, PV1, notes and resource segments, is a few hundred.
	MaxMessageSegments = 5000
	// MaxMessageBytes bounds one message, the sum of its segments' lengths (terminators, blank lines and framing
	// not counted): 4 MiB, some twenty times a large group message, so that no message costs more than a few
	// times this much memory to read and convert.
	MaxMessageBytes = 4 << 20
	// MaxErrors bounds the errors Feed.ApplyReader (and so ReadPath and ReadDir, for each file) keeps: the
	// first 100, then one error counting the rest, so that the text of a file of junk stays a few kilobytes.
	MaxErrors = 100
)

// Which limit a message passed.
const (
	overSegmentBytes = iota + 1
	overMessageSegments
	overMessageBytes
)

// sizeCheck measures one message against the limits as its segments are read. After the first limit passed it
// goes on counting, so that the error reports the whole message's size, but the caller stops keeping segments.
type sizeCheck struct {
	segments, bytes int
	over            int    // the first limit passed; 0 while within the limits
	segment         string // the id of the segment over MaxSegmentBytes, when it has one
	segmentPos      int
	segmentSize     int
}

// add counts a segment of size bytes whose text starts with head (at least its first three bytes, when it has
// them). It reports whether the message is still within the limits.
func (c *sizeCheck) add(head []byte, size int) bool {
	c.segments++
	c.bytes += size
	if c.over != 0 {
		return false
	}
	switch {
	case size > MaxSegmentBytes:
		c.over, c.segmentPos, c.segmentSize = overSegmentBytes, c.segments, size
		if len(head) >= 3 && isSegmentID(string(head[:3])) {
			c.segment = string(head[:3])
		}
	case c.segments > MaxMessageSegments:
		c.over = overMessageSegments
	case c.bytes > MaxMessageBytes:
		c.over = overMessageBytes
	default:
		return true
	}
	return false
}

// err returns the error for the first limit passed, or nil. It names the limit and counts, never the data.
func (c *sizeCheck) err() *Error {
	switch c.over {
	case overSegmentBytes:
		return &Error{Segment: c.segment, Position: c.segmentPos, Err: ErrLimit,
			Reason: overLimit(c.segmentSize, "bytes in one segment", MaxSegmentBytes, "MaxSegmentBytes")}
	case overMessageSegments:
		return &Error{Err: ErrLimit, Reason: overLimit(c.segments, "segments", MaxMessageSegments, "MaxMessageSegments")}
	case overMessageBytes:
		return &Error{Err: ErrLimit, Reason: overLimit(c.bytes, "bytes", MaxMessageBytes, "MaxMessageBytes")}
	}
	return nil
}

// overLimit says that count things pass the limit called name.
func overLimit(count int, things string, limit int, name string) string {
	return strconv.Itoa(count) + " " + things + ", over the limit of " + strconv.Itoa(limit) + " (" + name + ")"
}
