package mllp

import "errors"

// Sentinel errors of this package; test for them with errors.Is. A frame over a size limit gives an error
// wrapping siu.ErrLimit instead.
var (
	// ErrFrame means bytes that break MLLP framing: an end byte 0x1C not followed by 0x0D, a start byte 0x0B
	// inside a frame, or a payload to send that holds one of them.
	ErrFrame = errors.New("mllp: malformed frame")
	// ErrReject, wrapped in an error a Handler returns, makes the Server answer AR (the message is refused for
	// good: sending it again will not help) rather than AE. A *siu.Error in the chain does the same.
	ErrReject = errors.New("mllp: message rejected")
	// ErrAck means the peer's answer is not a usable acknowledgement: no MSA segment, no acknowledgement code,
	// or the control id of another message.
	ErrAck = errors.New("mllp: bad acknowledgement")
	// ErrShutdownTimeout is returned by Server.Serve when messages were still being handled when the shutdown
	// grace ran out: their connections were closed without an answer, so their senders will send them again.
	ErrShutdownTimeout = errors.New("mllp: shutdown grace expired with messages in flight")
)
