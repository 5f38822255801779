package mllp

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// TestSendHonoursContext: a Send whose ctx ends while it waits for the answer returns ctx's error, and the Conn,
// whose state is unknown from then on, refuses later Sends.
func TestSendHonoursContext(t *testing.T) {
	h := newBlocking(false)
	addr, _ := serve(t, &Server{Handler: h})
	c := dial(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(ctx, message(t, "M1"))
		done <- err
	}()
	receive(t, h.entered, "the handler")
	cancel()
	err := receive(t, done, "Send to return")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v, want an error wrapping context.Canceled", err)
	}
	close(h.release)
	if _, again := c.Send(context.Background(), message(t, "M2")); again == nil || again.Error() != err.Error() {
		t.Errorf("Send after a failed Send = %v, want the same error %v", again, err)
	}
}

// fakePeer answers every frame it reads on one connection with answer; with no answer, it closes the connection
// once it read a frame.
func fakePeer(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		r := NewReader(nc, 0)
		for {
			if _, err := r.ReadFrame(); err != nil || answer == "" {
				return
			}
			if _, err := io.WriteString(nc, answer); err != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func TestSendBadAnswers(t *testing.T) {
	const msh = "MSH|^~\\&|R|H|S|F|20250101||ACK^S12^ACK|A1|P|2.5.1\r"
	tests := []struct {
		name    string
		answer  string
		want    Ack
		wantErr error
	}{
		{"another message's control id", frame([]byte(msh + "MSA|AA|OTHER-9\r")), Ack{Code: "AA", ControlID: "OTHER-9"}, ErrAck},
		{"no MSA", frame([]byte(msh)), Ack{}, ErrAck},
		{"not HL7", frame([]byte("OK")), Ack{}, siu.ErrSyntax},
		{"empty control id is taken", frame([]byte(msh + "MSA|AR|\r")), Ack{Code: "AR"}, nil},
		{"closed without an answer", "", Ack{}, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, fakePeer(t, tt.answer))
			ctx, cancel := context.WithTimeout(context.Background(), hang)
			defer cancel()
			got, err := c.Send(ctx, message(t, "M1"))
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Send error = %v, want %v", err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Ack (-want +got):\n%s", d)
			}
		})
	}
}

// TestSendRefusesFramingBytes: a message holding a framing byte is refused before anything is written, and the
// Conn stays usable.
func TestSendRefusesFramingBytes(t *testing.T) {
	addr, _ := serve(t, &Server{Handler: &recorder{}})
	c := dial(t, addr)
	bad := append(message(t, "M1"), 0x1c)
	if _, err := c.Send(context.Background(), bad); !errors.Is(err, ErrFrame) {
		t.Errorf("Send = %v, want ErrFrame", err)
	}
	ack := send(t, c, message(t, "M2"))
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M2"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
}
