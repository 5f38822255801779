package mllp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/redact"
)

// maxAckBytes bounds the acknowledgement frame a Conn reads: an ACK is a few hundred bytes.
const maxAckBytes = 1 << 20

// Conn is the sending side of an MLLP connection: it sends one message at a time and waits for its
// acknowledgement. It is safe for concurrent use; concurrent Sends take turns. Reconnecting, and sending again
// after AE or an error, is the caller's policy: a receiver built on siu.Feed takes a message sent twice as once.
type Conn struct {
	nc     net.Conn
	r      *Reader
	mu     sync.Mutex
	broken error // set once the connection's state is unknown; every later Send returns it
}

// Dial connects to an MLLP receiver at the TCP address addr. ctx bounds the connecting only.
func Dial(ctx context.Context, addr string) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mllp: %w", err)
	}
	return NewConn(nc), nil
}

// NewConn returns a Conn sending over nc, a connection made elsewhere (through TLS or a tunnel, say). The Conn
// owns nc from then on.
func NewConn(nc net.Conn) *Conn {
	return &Conn{nc: nc, r: NewReader(nc, maxAckBytes)}
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Send sends msg, an ER7 message, as one frame and returns the acknowledgement read back. An answer of AE or AR
// is not an error: it is in Ack.Code. The error is for what stops the exchange: ctx done (the error wraps
// ctx.Err()), the connection failing, an answer that is not an acknowledgement or acknowledges another message
// (ErrAck). After such an error the connection's state is unknown (an answer may still be on its way) and every
// later Send returns the same error: close the Conn and dial again.
//
// msg holding a framing byte (0x0B or 0x1C) is refused with an error wrapping ErrFrame, and the Conn stays usable.
// ctx's deadline, if any, bounds the whole exchange.
func (c *Conn) Send(ctx context.Context, msg []byte) (Ack, error) {
	if bytes.ContainsAny(msg, framing) {
		return Ack{}, fmt.Errorf("%w: the message holds a framing byte (0x0B or 0x1C)", ErrFrame)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return Ack{}, c.broken
	}
	if err := ctx.Err(); err != nil {
		return Ack{}, fmt.Errorf("mllp: send: %w", err)
	}
	ack, err := c.exchange(ctx, msg)
	if err != nil {
		c.broken = err
	}
	return ack, err
}

// exchange writes one frame and reads the answer, with the connection's deadline following ctx.
func (c *Conn) exchange(ctx context.Context, msg []byte) (Ack, error) {
	dl, _ := ctx.Deadline()
	if err := c.nc.SetDeadline(dl); err != nil {
		return Ack{}, fmt.Errorf("mllp: send: %w", err)
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = c.nc.SetDeadline(longAgo)
		close(interrupted)
	})
	defer func() {
		if !stop() {
			<-interrupted // so that it cannot touch the deadline of a later exchange
		}
	}()
	fail := func(err error) (Ack, error) {
		if ctx.Err() != nil {
			err = errors.Join(ctx.Err(), err)
		}
		return Ack{}, fmt.Errorf("mllp: send: %w", err)
	}
	if err := WriteFrame(c.nc, msg); err != nil {
		return fail(err)
	}
	payload, err := c.r.ReadFrame()
	if err != nil {
		return fail(err)
	}
	ack, err := ParseAck(payload)
	if err != nil {
		return Ack{}, err
	}
	// An empty MSA-2 is a receiver's answer to a message whose header it could not read.
	if want := controlID(msg); want != "" && ack.ControlID != "" && ack.ControlID != want {
		return ack, fmt.Errorf("%w: it answers control id %s, not %s", ErrAck, redact.ID(ack.ControlID), redact.ID(want))
	}
	return ack, nil
}

// controlID returns MSH-10 of msg, escape sequences decoded, as MSA-2 reads back.
func controlID(msg []byte) string {
	line := msg[:min(len(msg), maxHeaderBytes)]
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	m, err := siu.Parse(line)
	if err != nil {
		return ""
	}
	return m.Segment("MSH").Field(10)
}
