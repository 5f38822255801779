package mllp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// The MLLP framing bytes: a frame is startBlock, the payload, endBlock and carriageReturn.
const (
	startBlock     = 0x0b
	endBlock       = 0x1c
	carriageReturn = 0x0d
)

// framing holds the two bytes that may never appear in a payload.
const framing = "\x0b\x1c"

// readBufferSize is the size of a Reader's read buffer, the most it reads from the connection at once.
const readBufferSize = 64 << 10

// errAbandoned is the ErrFrame of a frame cut by a start byte: the sender gave up on it and began another.
var errAbandoned = fmt.Errorf("%w: a start byte (0x0B) inside a frame: the frame begun is abandoned", ErrFrame)

// Reader reads MLLP frames from a stream. Bytes outside a frame (before a start byte) are skipped and counted,
// never kept; a payload is kept up to the Reader's limit and no further, so that a Reader holds at most that many
// bytes of a frame whatever the peer sends.
type Reader struct {
	br      *bufio.Reader
	limit   int
	skipped int64
}

// NewReader returns a Reader reading from r that keeps at most limit bytes of a payload; zero or less means
// siu.MaxMessageBytes.
func NewReader(r io.Reader, limit int) *Reader {
	if limit <= 0 {
		limit = siu.MaxMessageBytes
	}
	return &Reader{br: bufio.NewReaderSize(r, readBufferSize), limit: limit}
}

// Skipped returns how many bytes outside a frame the Reader has skipped so far.
func (r *Reader) Skipped() int64 { return r.skipped }

// ReadFrame returns the payload of the next frame, without its framing bytes, in a new slice the caller may keep.
// Bytes before the frame's start byte are skipped (see Skipped).
//
// The payload is non-nil whenever the frame was read to its end, even when ReadFrame also returns an error
// refusing it, so that a receiver can answer it:
//
//   - a payload over the limit is read to its end without being kept: ReadFrame returns its first limit bytes and
//     an error wrapping siu.ErrLimit;
//   - an end byte 0x1C not followed by 0x0D gives the payload and an error wrapping ErrFrame; the byte after 0x1C
//     is left to the next call (it may start the next frame).
//
// When no payload comes back the frame never ended: io.EOF at the end of the stream between frames,
// io.ErrUnexpectedEOF (wrapped) when the stream ends inside a frame, an error wrapping ErrFrame when a start byte
// begins a new frame inside this one (the next call reads the new frame), or the stream's own error, such as a
// timeout.
func (r *Reader) ReadFrame() ([]byte, error) {
	if err := r.seekStart(); err != nil {
		return nil, err
	}
	return r.readPayload()
}

// peek returns the bytes buffered, reading more when there are none.
func (r *Reader) peek() ([]byte, error) {
	if _, err := r.br.Peek(1); err != nil {
		return nil, err
	}
	return r.br.Peek(r.br.Buffered())
}

// seekStart skips to just after the next start byte.
func (r *Reader) seekStart() error {
	for {
		data, err := r.peek()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(data, startBlock); i >= 0 {
			r.skipped += int64(i)
			_, _ = r.br.Discard(i + 1)
			return nil
		}
		r.skipped += int64(len(data))
		_, _ = r.br.Discard(len(data))
	}
}

// readPayload reads a frame's payload and end, the start byte read.
func (r *Reader) readPayload() ([]byte, error) {
	buf := []byte{}
	size := 0 // the payload's whole size, kept or not
	for {
		data, err := r.peek()
		if err != nil {
			return nil, cutShort(size, err)
		}
		i := bytes.IndexAny(data, framing)
		chunk := data
		if i >= 0 {
			chunk = data[:i]
		}
		buf = r.keep(buf, chunk)
		size += len(chunk)
		if i < 0 {
			_, _ = r.br.Discard(len(data))
			continue
		}
		_, _ = r.br.Discard(i)
		if data[i] == startBlock {
			return nil, errAbandoned
		}
		_, _ = r.br.Discard(1) // the end byte
		next, err := r.br.Peek(1)
		if err != nil {
			return nil, cutShort(size+1, err)
		}
		if next[0] != carriageReturn {
			return buf, fmt.Errorf("%w: end byte (0x1C) not followed by a carriage return (0x0D)", ErrFrame)
		}
		_, _ = r.br.Discard(1)
		if size > r.limit {
			return buf, fmt.Errorf("mllp: frame of %d bytes, over the limit of %d: %w", size, r.limit, siu.ErrLimit)
		}
		return buf, nil
	}
}

// keep appends what of chunk fits within the limit to buf, growing it at most to the limit.
func (r *Reader) keep(buf, chunk []byte) []byte {
	chunk = chunk[:min(len(chunk), r.limit-len(buf))]
	if len(chunk) == 0 {
		return buf
	}
	if need := len(buf) + len(chunk); need > cap(buf) {
		grown := make([]byte, len(buf), min(max(2*cap(buf), need, 512), r.limit))
		copy(grown, buf)
		buf = grown
	}
	return append(buf, chunk...)
}

// cutShort is the error of a frame that the stream ended or failed in, after size bytes.
func cutShort(size int, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("mllp: frame cut short after %s bytes: %w", strconv.Itoa(size), err)
}

// WriteFrame writes payload to w as one MLLP frame, in one Write. A payload holding a framing byte (0x0B or 0x1C),
// which would end the frame early on the other side, is refused with an error wrapping ErrFrame.
func WriteFrame(w io.Writer, payload []byte) error {
	if bytes.ContainsAny(payload, framing) {
		return fmt.Errorf("%w: the payload holds a framing byte (0x0B or 0x1C)", ErrFrame)
	}
	frame := make([]byte, 0, len(payload)+3)
	frame = append(frame, startBlock)
	frame = append(frame, payload...)
	frame = append(frame, endBlock, carriageReturn)
	if _, err := w.Write(frame); err != nil {
		return fmt.Errorf("mllp: writing a frame: %w", err)
	}
	return nil
}
