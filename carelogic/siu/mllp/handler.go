package mllp

import (
	"context"

	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// Handler takes the messages a Server receives. HandleMessage is where a receiver records a message durably and
// applies it (to a siu.Feed, say): the Server answers AA only after it returned nil, and a sender that gets AA
// forgets the message, so nothing may be lost once it returns nil.
//
// m is raw parsed with siu.Parse; raw is the frame's payload as received, in a slice the Handler may keep. ctx is
// cancelled when the Server's shutdown grace runs out (see Server.ShutdownTimeout), not when Serve's ctx ends: a
// message being handled at shutdown is allowed to finish.
//
// The error decides the answer:
//
//   - nil: AA, the message is taken;
//   - an error wrapping ErrReject, or holding a *siu.Error (as siu.Feed.Apply returns for a message it cannot
//     convert): AR, the message is refused for good and sending it again will not help. The ACK text is the
//     *siu.Error's text, which quotes no value, or "message rejected by the receiver";
//   - any other error (storage down, ctx done): AE, the message was not taken and should be sent again. The ACK
//     text says so in the Server's words.
//
// The error's own text is never sent nor logged by the Server, as it cannot vouch that it holds no patient data:
// log it in the Handler if needed. Calls for messages of one connection come one at a time, in order; calls for
// different connections run concurrently. A panic is not recovered.
type Handler interface {
	HandleMessage(ctx context.Context, m *siu.Message, raw []byte) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, m *siu.Message, raw []byte) error

// HandleMessage calls f.
func (f HandlerFunc) HandleMessage(ctx context.Context, m *siu.Message, raw []byte) error {
	return f(ctx, m, raw)
}
