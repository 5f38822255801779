// Package mllp receives and sends HL7 v2 messages over MLLP, the Minimal Lower Layer Protocol that EHRs and
// interface engines use to push SIU (and other) messages over TCP. Server is the receiver: it reads each message,
// hands it to a Handler (which records it durably and applies it to a siu.Feed) and answers an HL7
// acknowledgement. Conn is the sender.
//
// # Framing
//
// A frame is the start byte 0x0B, the message (ER7, segments ended by CR), then the end bytes 0x1C 0x0D; HL7 data
// never holds 0x0B or 0x1C. The framing is read strictly, and what breaks it costs one frame, never the
// connection:
//
//   - bytes before a start byte (garbage before or between frames) are skipped and counted (Stats.SkippedBytes);
//   - a frame whose 0x1C is not followed by 0x0D is refused (AR); the byte after it is read as the start of what
//     follows. A sender that ends frames with a bare 0x1C is misconfigured, and a receiver that guessed where its
//     frames end would mistake the next frame's start for the end of this one; an AR tells its operator;
//   - a start byte inside a frame abandons the frame begun (dropped, without an answer) and starts a new one, as
//     a sender does that gave up on a frame and sent it again;
//   - a payload over MaxMessageBytes is read to its end without being kept and refused (AR).
//
// Reader and WriteFrame are the framing on its own, for other uses of MLLP.
//
// # Acknowledgements
//
// Every frame read to its end gets exactly one acknowledgement, in HL7's original mode: an ACK message whose MSH
// swaps the sending and receiving application and facility (MSH-3/4 and MSH-5/6) of the message, with MSH-9
// ACK^<trigger>^ACK, a fresh control id in MSH-10, and the message's processing id and version (MSH-11, MSH-12),
// written with the message's own delimiters. Its MSA segment gives the code in MSA-1 and the message's control id
// (MSH-10) in MSA-2:
//
//	AA  the Handler returned nil: the message is recorded and the sender may forget it.
//	AE  the Handler failed (storage down, say): the message was understood but not taken; the sender should
//	    send it again.
//	AR  the message is refused for good: not an HL7 v2 message, over the size limit, badly framed, or refused by
//	    the Handler (an error wrapping ErrReject or holding a *siu.Error); the same bytes sent again would fare
//	    the same.
//
// AE and AR give a short reason in MSA-3 and, from HL7 v2.5 on, an ERR segment with an HL7 table 0357 code in
// ERR-3. The reason is never a value from the message (no names, emails or phone numbers): it is this package's
// own words or a *siu.Error's text, which names segments, fields and counts only. A frame whose MSH cannot be read
// at all (garbage between 0x0B and 0x1C) is still answered AR, with an empty MSA-2 and default delimiters, so that
// a sender waiting for an answer gets one and stops resending.
//
// The Server answers AA only after the Handler returned nil, so a crash before that loses nothing: the sender
// gets no answer and sends the message again. It also means a message may arrive twice (an ACK lost on the way
// back), which is harmless to a siu.Feed: it converges to the same state whatever the order of the messages and
// however often each arrives. Messages of one connection are read, handled and answered one at a time, in order;
// connections are served concurrently.
//
// # Limits
//
//	MaxMessageBytes   siu.MaxMessageBytes (4 MiB)   bytes of one frame's payload
//	MaxConns          64                            connections open at once; more are closed at once
//	IdleTimeout       5 minutes                     waiting for a frame to start
//	ReadTimeout       30 seconds                    reading a frame once started, and writing its ACK
//	ShutdownTimeout   10 seconds                    grace for the messages being handled at shutdown
//
// A connection holds at most MaxMessageBytes of a frame, and a few times that while its message is parsed and
// handled, so the memory a Server needs is bounded by MaxConns times a small multiple of MaxMessageBytes.
//
// # Shutdown
//
// Serve returns when its ctx ends, after draining: it stops accepting, closes the connections that are waiting
// for a frame or reading one (a frame not read whole is dropped unanswered: nothing was taken, so the sender's
// resend is harmless), and lets every message already read finish its Handler and get its acknowledgement. After
// ShutdownTimeout the Handlers' contexts are cancelled, their connections closed, and Serve returns
// ErrShutdownTimeout.
//
// # Logging
//
// A Server logs through its Logger, silent when nil: connections, codes, counts, message control ids (through the
// module's redaction rule) and the package's own error texts; never message content, nor a Handler's error text.
package mllp
