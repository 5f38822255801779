package oncall

import (
	"errors"
	"fmt"
	"io"
)

// Limits on what the client reads from a response. A response past one is a *DecodeError wrapping
// ErrResponseTooLarge, read no further and never decoded, so a broken or hostile server costs at most a small
// multiple of MaxResponseBytes of memory whatever it sends. (Listings are bounded in pages too: see WithMaxPages.)
const (
	// MaxResponseBytes bounds a successful response's body. A page of 1,000 group appointments with 25
	// participants each is about 6 MB of JSON.
	MaxResponseBytes = 16 << 20
	// MaxResponseValues bounds the JSON values in one response (objects, arrays, object members and array
	// elements), as decoding one can cost far more than its bytes: "{}" is 3 bytes of JSON and 176 bytes of
	// Appointment, and a metadata member of 6 bytes a map entry of about a hundred. A page of 100 group
	// appointments of 25 participants each is about 30,000 values; 300,000 holds a page of 1,000.
	MaxResponseValues = 300_000
	// MaxResponseDepth bounds how deeply a response's objects and arrays nest; an appointment nests three deep.
	MaxResponseDepth = 32
	// MaxErrorBytes bounds the body of an error response kept in APIError.Body; the rest is not read.
	MaxErrorBytes = 64 << 10
)

// ErrResponseTooLarge is wrapped by the *DecodeError of a response past one of the limits above.
var ErrResponseTooLarge = errors.New("response past the client's limits")

// readBody reads a response body of at most MaxResponseBytes, refusing a longer one from its Content-Length
// before reading anything.
func readBody(r io.Reader, contentLength int64) ([]byte, error) {
	if contentLength > MaxResponseBytes {
		return nil, fmt.Errorf("%w: body of %d bytes, at most %d", ErrResponseTooLarge, contentLength, MaxResponseBytes)
	}
	size := 512
	if contentLength > 0 {
		size = int(contentLength) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxResponseBytes {
			return nil, fmt.Errorf("%w: body over %d bytes", ErrResponseTooLarge, MaxResponseBytes)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkShape counts the values of a JSON text (each object and array, each object member by its colon, each
// array element after the first by its comma) and their nesting, without decoding it, and refuses one past
// MaxResponseValues or MaxResponseDepth. It does not validate the text: json.Unmarshal does, after.
func checkShape(b []byte) error {
	values, depth, inString := 0, 0, false
	var inArray [MaxResponseDepth + 1]bool // whether each open level is an array
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if values++; values > MaxResponseValues {
				return fmt.Errorf("%w: more than %d values", ErrResponseTooLarge, MaxResponseValues)
			}
			if depth++; depth > MaxResponseDepth {
				return fmt.Errorf("%w: nested more than %d deep", ErrResponseTooLarge, MaxResponseDepth)
			}
			inArray[depth] = c == '['
		case ':', ',':
			if c == ',' && (depth <= 0 || !inArray[depth]) {
				continue // between members, counted by their colons
			}
			if values++; values > MaxResponseValues {
				return fmt.Errorf("%w: more than %d values", ErrResponseTooLarge, MaxResponseValues)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
