package mllp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// Defaults of the Server's limits, used where its field is zero.
const (
	DefaultMaxConns        = 64
	DefaultIdleTimeout     = 5 * time.Minute
	DefaultReadTimeout     = 30 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
)

// Server receives HL7 v2 messages over MLLP, hands each to its Handler and answers an acknowledgement (see the
// package documentation for the rules). Only Handler must be set; a zero limit takes its default and a negative
// one means no limit (but for MaxMessageBytes). A Server may serve several listeners at once; its limits and Stats cover them all. It must
// not be copied after first use.
type Server struct {
	// Handler takes the messages. Required.
	Handler Handler
	// MaxMessageBytes bounds a frame's payload: zero or less means, and a larger value is lowered to,
	// siu.MaxMessageBytes, as siu.Parse refuses more anyway. A frame over it is read to its end without being kept, and refused (AR).
	MaxMessageBytes int
	// MaxConns bounds the connections open at once (DefaultMaxConns). A connection over the limit is closed as
	// soon as it is accepted, before anything is read from it, and counted in Stats.Refused: its sender sees the
	// connection fail at once and can try again later, rather than wait on a connection no one reads.
	MaxConns int
	// IdleTimeout is how long a connection may wait for the start of a frame (DefaultIdleTimeout) before it is
	// closed. Senders reconnect on their own; garbage sent between frames does not reset the timer.
	IdleTimeout time.Duration
	// ReadTimeout is how long a frame may take from its start byte to its end (DefaultReadTimeout), and how long
	// writing an acknowledgement may take. A peer that sends half a frame and stalls is cut off after it, its
	// frame dropped without an answer.
	ReadTimeout time.Duration
	// ShutdownTimeout is the grace Serve gives messages being handled when its ctx ends (DefaultShutdownTimeout).
	// When it runs out, the connections still handling a message are closed without an answer, the Handlers'
	// contexts cancelled, and Serve returns ErrShutdownTimeout.
	ShutdownTimeout time.Duration
	// Logger receives a line per connection and per message: ids (MSH-10, redacted by the module's one rule),
	// codes, counts and the package's own error texts, never message content nor a Handler's error text. Nil is
	// silent.
	Logger *slog.Logger

	open                                 atomic.Int64
	refused, accepted, errored, rejected atomic.Int64
	dropped, skipped                     atomic.Int64
}

// Stats are a Server's counters since it was created, for a service to expose. Every frame that starts counts in
// exactly one of Accepted, Errored, Rejected and Dropped; a message counts by the answer decided for it, whether or
// not the answer reached the peer.
type Stats struct {
	// Conns counts the connections open now.
	Conns int64
	// Refused counts the connections closed at once because MaxConns were open.
	Refused int64
	// Accepted counts the messages answered AA: the Handler returned nil.
	Accepted int64
	// Errored counts the messages answered AE: the Handler failed; their senders should send them again.
	Errored int64
	// Rejected counts the frames answered AR: not an HL7 v2 message, over MaxMessageBytes, badly ended, or
	// rejected by the Handler.
	Rejected int64
	// Dropped counts the frames given up without an answer, because they never ended: the peer disconnected
	// or stalled past ReadTimeout mid-frame, began another frame inside one, or the server shut down.
	Dropped int64
	// SkippedBytes counts the bytes received outside any frame, skipped.
	SkippedBytes int64
}

// Stats returns the Server's counters.
func (s *Server) Stats() Stats {
	return Stats{
		Conns:        s.open.Load(),
		Refused:      s.refused.Load(),
		Accepted:     s.accepted.Load(),
		Errored:      s.errored.Load(),
		Rejected:     s.rejected.Load(),
		Dropped:      s.dropped.Load(),
		SkippedBytes: s.skipped.Load(),
	}
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mllp: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln and serves each in its own goroutine until ctx ends, then shuts down and
// returns: it stops accepting and closes ln, closes the connections waiting for a frame or in the middle of one
// (a frame not yet read whole is dropped: nothing was taken, so its sender's resend is harmless), lets every
// message already read finish its Handler and get its acknowledgement written, and returns nil once every
// connection is closed. When ShutdownTimeout runs out first, it closes the connections still handling a message
// (their senders get no answer and send again), cancels the Handlers' contexts and returns an error wrapping ErrShutdownTimeout, without waiting for Handlers that ignore ctx.
//
// A temporary error accepting a connection (too many open files) is retried after a pause; any other ends Serve,
// which shuts down as above and returns it.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.Handler == nil {
		_ = ln.Close()
		return errors.New("mllp: Server.Handler is nil")
	}
	log := s.log()
	sv := &serving{conns: make(map[*conn]struct{})}
	// Handlers outlive ctx by the shutdown grace, and keep its values.
	hctx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()

	log.Info("mllp: serving", "addr", ln.Addr().String())
	var (
		acceptErr error
		pause     time.Duration
	)
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				log.Warn("mllp: accepting a connection failed; trying again", "error", err.Error(), "pause", pause)
				if !sleep(ctx, pause) {
					break
				}
				continue
			}
			acceptErr = fmt.Errorf("mllp: accepting a connection: %w", err)
			log.Error("mllp: accepting a connection failed; shutting down", "error", err.Error())
			break
		}
		pause = 0
		if !s.admit() {
			s.refused.Add(1)
			log.Warn("mllp: connection refused: too many open", "remote", nc.RemoteAddr().String(), "max_conns", s.maxConns())
			_ = nc.Close()
			continue
		}
		c := &conn{nc: nc}
		sv.add(c)
		go s.serveConn(hctx, sv, c)
	}
	_ = ln.Close()
	if err := s.drain(sv, cancelHandlers); err != nil {
		return errors.Join(acceptErr, err)
	}
	return acceptErr
}

// admit counts a connection opened, and reports whether it is within MaxConns; one over it is not counted.
func (s *Server) admit() bool {
	n := s.open.Add(1)
	if limit := s.maxConns(); limit > 0 && n > int64(limit) {
		s.open.Add(-1)
		return false
	}
	return true
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drain shuts down the connections of sv, waiting up to the shutdown grace for the messages being handled.
func (s *Server) drain(sv *serving, cancelHandlers context.CancelFunc) error {
	log := s.log()
	sv.mu.Lock()
	n := len(sv.conns)
	for c := range sv.conns {
		c.shutdown()
	}
	sv.mu.Unlock()
	log.Info("mllp: shutting down", "conns", n)

	done := make(chan struct{})
	go func() {
		sv.wg.Wait()
		close(done)
	}()
	var expired <-chan time.Time
	if grace := s.shutdownTimeout(); grace > 0 {
		t := time.NewTimer(grace)
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-done:
		cancelHandlers()
		log.Info("mllp: shut down")
		return nil
	case <-expired:
	}
	// Close first, so that a Handler that returns as its ctx ends gets no answer written: its sender learns
	// nothing and sends the message again, which is what an answer would have asked for.
	sv.mu.Lock()
	n = len(sv.conns)
	for c := range sv.conns {
		_ = c.nc.Close()
	}
	sv.mu.Unlock()
	cancelHandlers()
	log.Warn("mllp: shutdown grace expired: connections closed with messages in flight", "conns", n)
	return fmt.Errorf("%w: %d connections closed", ErrShutdownTimeout, n)
}

// newControlID returns a fresh control id (MSH-10) for an acknowledgement: 16 random hexadecimal digits after an
// A, within the 20 characters that HL7 v2.3 allows.
func newControlID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "A" + strings.ToUpper(hex.EncodeToString(b[:]))
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Server) maxMessageBytes() int {
	if s.MaxMessageBytes <= 0 || s.MaxMessageBytes > siu.MaxMessageBytes {
		return siu.MaxMessageBytes
	}
	return s.MaxMessageBytes
}

func (s *Server) maxConns() int              { return orDefault(s.MaxConns, DefaultMaxConns) }
func (s *Server) idleTimeout() time.Duration { return orDefault(s.IdleTimeout, DefaultIdleTimeout) }
func (s *Server) readTimeout() time.Duration { return orDefault(s.ReadTimeout, DefaultReadTimeout) }
func (s *Server) shutdownTimeout() time.Duration {
	return orDefault(s.ShutdownTimeout, DefaultShutdownTimeout)
}

// orDefault returns v, or def when v is zero; a negative v (no limit) is returned as is.
func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
