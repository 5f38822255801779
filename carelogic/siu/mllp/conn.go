package mllp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/redact"
)

// serving is the connections of one Serve call.
type serving struct {
	mu    sync.Mutex
	conns map[*conn]struct{}
	wg    sync.WaitGroup
}

func (sv *serving) add(c *conn) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	sv.conns[c] = struct{}{}
	sv.wg.Add(1)
}

func (sv *serving) remove(c *conn) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	delete(sv.conns, c)
	sv.wg.Done()
}

// conn is one connection being served.
type conn struct {
	nc      net.Conn
	mu      sync.Mutex
	closing bool // shutting down: no further read may start
}

// longAgo is a deadline in the past, which makes a blocked read return at once.
var longAgo = time.Unix(1, 0)

// setReadDeadline sets the deadline of the next read to d from now (none when d <= 0) and reports whether the
// connection may read, false once it is shutting down.
func (c *conn) setReadDeadline(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	_ = c.nc.SetReadDeadline(t)
	return true
}

// shutdown stops the connection from reading: a read in progress returns, and no other starts. A message being
// handled is unaffected, and its acknowledgement is still written.
func (c *conn) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	_ = c.nc.SetReadDeadline(longAgo)
}

func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// serveConn reads the frames of one connection, handles and answers each in turn, until the peer disconnects,
// a timeout or a broken frame ends the connection, or the server shuts down.
func (s *Server) serveConn(ctx context.Context, sv *serving, c *conn) {
	log := s.log().With("remote", c.nc.RemoteAddr().String())
	defer func() {
		_ = c.nc.Close()
		s.open.Add(-1)
		sv.remove(c)
	}()
	log.Debug("mllp: connection opened")
	r := NewReader(c.nc, s.maxMessageBytes())
	for {
		if !c.setReadDeadline(s.idleTimeout()) {
			log.Debug("mllp: connection closed by shutdown")
			return
		}
		err := s.count(r, log, r.seekStart)
		if err != nil {
			switch {
			case err == io.EOF:
				log.Debug("mllp: connection closed by the peer")
			case c.isClosing():
				log.Debug("mllp: connection closed by shutdown")
			case isTimeout(err):
				log.Debug("mllp: idle connection closed")
			default:
				log.Info("mllp: connection failed", "error", err.Error())
			}
			return
		}
		if !c.setReadDeadline(s.readTimeout()) {
			s.dropped.Add(1)
			log.Info("mllp: frame dropped: shutting down")
			return
		}
		var payload []byte
		err = s.count(r, log, func() (err error) {
			payload, err = r.readPayload()
			return err
		})
		if payload == nil {
			s.dropped.Add(1)
			if errors.Is(err, errAbandoned) {
				log.Warn("mllp: frame dropped", "error", err.Error())
				continue
			}
			if c.isClosing() {
				log.Info("mllp: frame dropped: shutting down")
			} else {
				log.Warn("mllp: frame dropped; connection closed", "error", err.Error())
			}
			return
		}
		if !s.answer(ctx, c, log, payload, err) {
			return
		}
	}
}

// count runs a read of r and counts the bytes it skipped.
func (s *Server) count(r *Reader, log *slog.Logger, read func() error) error {
	before := r.Skipped()
	err := read()
	if n := r.Skipped() - before; n > 0 {
		s.skipped.Add(n)
		log.Warn("mllp: bytes outside a frame skipped", "bytes", n)
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// answer handles one frame that ended and writes its acknowledgement. It reports whether the connection may go
// on.
func (s *Server) answer(ctx context.Context, c *conn, log *slog.Logger, payload []byte, frameErr error) bool {
	h, _ := readHeader(payload)
	o := s.handle(ctx, h, payload, frameErr)
	attrs := []any{"control_id", redact.ID(h.controlID), "code", string(o.code)}
	if h.trigger != "" {
		attrs = append(attrs, "event", h.trigger)
	}
	switch o.code {
	case ApplicationAccept:
		s.accepted.Add(1)
		log.Debug("mllp: message accepted", attrs...)
	case ApplicationError:
		s.errored.Add(1)
		log.Warn("mllp: message not applied: the handler failed", attrs...)
	default:
		s.rejected.Add(1)
		log.Warn("mllp: message rejected", append(attrs, "reason", o.reason)...)
	}
	ack := buildAck(h, o.code, o.reason, o.errCode, o.errText, time.Now(), newControlID())
	if d := s.readTimeout(); d > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(d))
	}
	if err := WriteFrame(c.nc, ack); err != nil {
		log.Info("mllp: acknowledgement not delivered; connection closed", append(attrs, "error", err.Error())...)
		return false
	}
	return true
}

// outcome is the answer to one frame.
type outcome struct {
	code    Code
	reason  string // MSA-3; our own words or an error text that quotes no value
	errCode int    // ERR-3, HL7 table 0357
	errText string
}

// handle decides the answer to a frame: refused by the Reader, not a message, or the Handler's verdict.
func (s *Server) handle(ctx context.Context, h header, payload []byte, frameErr error) outcome {
	reject := func(err error) outcome {
		code, text := errorCode(err, h)
		reason := "message rejected"
		var se *siu.Error
		if errors.As(err, &se) || errors.Is(err, ErrFrame) || errors.Is(err, siu.ErrLimit) {
			// Texts of this package and of siu, which name positions and counts, never values.
			reason = err.Error()
		}
		return outcome{code: ApplicationReject, reason: reason, errCode: code, errText: text}
	}
	if frameErr != nil {
		return reject(frameErr)
	}
	m, err := siu.Parse(payload)
	if err != nil {
		return reject(err)
	}
	err = s.Handler.HandleMessage(ctx, m, payload)
	var se *siu.Error
	switch {
	case err == nil:
		return outcome{code: ApplicationAccept}
	case errors.As(err, &se):
		return reject(se)
	case errors.Is(err, ErrReject):
		code, text := errorCode(err, h)
		return outcome{code: ApplicationReject, reason: "message rejected by the receiver", errCode: code, errText: text}
	}
	return outcome{code: ApplicationError, reason: "message not applied: the receiver could not record it; send it again",
		errCode: errApplicationInternal, errText: errApplicationInternalTx}
}
