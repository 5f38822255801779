package mllp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/memtest"
	"github.com/oncallsync/oncall-go/internal/phitest"
)

// hang bounds every wait of these tests, so that a bug fails a test instead of hanging it. No test asserts a time.
const hang = 20 * time.Second

// message returns testdata/booking.hl7 with id as its control id (MSH-10) and in its filler appointment id, so
// that each id is an occurrence of its own.
func message(t testing.TB, id string) []byte {
	t.Helper()
	s := strings.NewReplacer("|BOOK-1|", "|"+id+"|", "E-2001^", "E-"+id+"^").Replace(string(readTestdata(t, "booking.hl7")))
	return []byte(s)
}

func frame(msg []byte) string { return "\x0b" + string(msg) + "\x1c\r" }

// serve runs srv on a loopback listener until the test ends or stop is called; stop returns Serve's error.
func serve(t *testing.T, srv *Server) (addr string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var (
		once   sync.Once
		result error
	)
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(hang):
				t.Fatal("Serve did not return after its ctx ended")
			}
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return ln.Addr().String(), stop
}

// recorder is a Handler that records the control ids it is given and returns err.
type recorder struct {
	mu   sync.Mutex
	ids  []string
	raws [][]byte
	msgs []string
	err  error
}

func (r *recorder) HandleMessage(_ context.Context, m *siu.Message, raw []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, m.Segment("MSH").Field(10))
	r.raws = append(r.raws, raw)
	r.msgs = append(r.msgs, m.String())
	return r.err
}

func (r *recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// dialRaw opens a plain TCP connection to addr, with a deadline that keeps a broken test from hanging.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(hang))
	t.Cleanup(func() { _ = nc.Close() })
	return nc
}

func dial(t *testing.T, addr string) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	c, err := Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func send(t *testing.T, c *Conn, msg []byte) Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	ack, err := c.Send(ctx, msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return ack
}

// waitFor polls cond until it holds, failing the test after hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestServerAcceptsMessage(t *testing.T) {
	rec := &recorder{}
	srv := &Server{Handler: rec}
	addr, stop := serve(t, srv)
	msg := message(t, "M1")
	ack := send(t, dial(t, addr), msg)
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M1"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
	if err := stop(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	// The handler got the message once, parsed, and its bytes as sent.
	if d := cmp.Diff([]string{"M1"}, rec.ids); d != "" {
		t.Errorf("handled (-want +got):\n%s", d)
	}
	if d := cmp.Diff([][]byte{msg}, rec.raws); d != "" {
		t.Errorf("raw (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{string(msg)}, rec.msgs); d != "" {
		t.Errorf("parsed message (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Stats{Accepted: 1}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

func TestServerInOrder(t *testing.T) {
	rec := &recorder{}
	addr, stop := serve(t, &Server{Handler: rec})
	c := dial(t, addr)
	var want, acked []string
	for i := range 20 {
		id := fmt.Sprintf("M%02d", i)
		want = append(want, id)
		ack := send(t, c, message(t, id))
		if ack.Code != ApplicationAccept {
			t.Errorf("%s: %s %q", id, ack.Code, ack.Text)
		}
		acked = append(acked, ack.ControlID)
	}
	_ = stop()
	if d := cmp.Diff(want, acked); d != "" {
		t.Errorf("acknowledged (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, rec.calls()); d != "" {
		t.Errorf("handled (-want +got):\n%s", d)
	}
}

func TestServerConcurrentConns(t *testing.T) {
	const conns, each = 8, 10
	feed := siu.NewFeed()
	var (
		mu      sync.Mutex
		handled = map[string][]string{} // by connection, from the id's prefix
	)
	srv := &Server{Handler: HandlerFunc(func(_ context.Context, m *siu.Message, _ []byte) error {
		id := m.Segment("MSH").Field(10)
		mu.Lock()
		handled[id[:2]] = append(handled[id[:2]], id)
		mu.Unlock()
		_, err := feed.Apply(m)
		return err
	})}
	addr, stop := serve(t, srv)
	want := map[string][]string{}
	for i := range conns {
		for j := range each {
			key := fmt.Sprintf("C%d", i)
			want[key] = append(want[key], fmt.Sprintf("C%d-%d", i, j))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, conns*each)
	for i := range conns {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range want[fmt.Sprintf("C%d", i)] {
				ctx, cancel := context.WithTimeout(context.Background(), hang)
				ack, err := c.Send(ctx, message(t, id))
				cancel()
				if err == nil && (ack.Code != ApplicationAccept || ack.ControlID != id) {
					err = fmt.Errorf("%s: got %+v", id, ack)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_ = stop()
	// Each connection's messages were handled in the order sent.
	if d := cmp.Diff(want, handled); d != "" {
		t.Errorf("handled by connection (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Stats{Accepted: conns * each}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
	if feed.Len() != conns*each {
		t.Errorf("feed holds %d occurrences, want %d", feed.Len(), conns*each)
	}
}

// plantedMessage is a valid S12 carrying planted patient data in PID, NTE and AIP.
func plantedMessage(id string, sch string) string {
	return strings.Join([]string{
		"MSH|^~\\&|App|Fac|Recv|RFac|20240101120000+0000||SIU^S12^SIU_S12|" + id + "|P|2.5.1",
		sch,
		"TQ1|||||||202401021000+0000|202401021100+0000",
		"NTE|1||Call Jane Roe at (416) 555-0199",
		"PID|1||P-1||Roe^Jane||||||||^NET^Internet^jane.roe@example.org~(416) 555-0199^PRN^PH|+1 212 555 1542",
		"AIP|1||S-1^Quincy^Zebulon",
	}, "\r") + "\r"
}

// TestServerAnswers checks the answer to each kind of failure, over TCP: its code, control id and text, its
// HL7 error code, the counters, and that neither the ACK nor the log repeats any planted patient data.
func TestServerAnswers(t *testing.T) {
	const goodSCH = "SCH||F-1|||||INTAKE^Intake^L||60|min|||||||||||||||Booked"
	noFillerID := plantedMessage("P-3", "SCH||||||INTAKE^Intake^L||60|min|||||||||||||||Booked")
	_, convertErr := siu.Decode([]byte(noFillerID))
	badSegment := "MSH|^~\\&|App|Fac|||20240101||SIU^S12|P-4|P|2.5.1\rJane Roe|(416) 555-0199\r"
	_, badSegmentErr := siu.Parse([]byte(badSegment))
	garbage := "Jane Roe jane.roe@example.org (416) 555-0199"
	_, garbageErr := siu.Parse([]byte(garbage))
	phiErr := errors.New("insert failed for Jane Roe <jane.roe@example.org> (416) 555-0199")

	tests := []struct {
		name      string
		payload   string
		handler   error // what the handler returns; it is applied to a Feed when nil
		want      Ack
		wantERR   string // ERR-3.1
		wantStats Stats
	}{
		{"handler error: AE", plantedMessage("P-1", goodSCH), phiErr,
			Ack{Code: ApplicationError, ControlID: "P-1", Text: "message not applied: the receiver could not record it; send it again"},
			"207", Stats{Errored: 1}},
		{"handler rejects: AR", plantedMessage("P-2", goodSCH), fmt.Errorf("%w: %w", ErrReject, phiErr),
			Ack{Code: ApplicationReject, ControlID: "P-2", Text: "message rejected by the receiver"},
			"207", Stats{Rejected: 1}},
		{"feed cannot convert: AR with the siu error", noFillerID, nil,
			Ack{Code: ApplicationReject, ControlID: "P-3", Text: convertErr.Error()},
			"101", Stats{Rejected: 1}},
		{"unparseable: AR", badSegment, nil,
			Ack{Code: ApplicationReject, ControlID: "P-4", Text: badSegmentErr.Error()},
			"207", Stats{Rejected: 1}},
		{"no MSH at all: AR, no control id", garbage, nil,
			Ack{Code: ApplicationReject, Text: garbageErr.Error()},
			"207", Stats{Rejected: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if convertErr == nil || badSegmentErr == nil || garbageErr == nil {
				t.Fatal("a planted message that should fail did not")
			}
			var logs bytes.Buffer
			feed := siu.NewFeed()
			called := 0
			srv := &Server{
				Handler: HandlerFunc(func(_ context.Context, m *siu.Message, _ []byte) error {
					called++
					if tt.handler != nil {
						return tt.handler
					}
					_, err := feed.Apply(m)
					return err
				}),
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			}
			addr, stop := serve(t, srv)
			nc := dialRaw(t, addr)
			if _, err := io.WriteString(nc, frame([]byte(tt.payload))); err != nil {
				t.Fatal(err)
			}
			raw, err := NewReader(nc, 0).ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			_ = nc.Close()
			if err := stop(); err != nil {
				t.Errorf("Serve: %v", err)
			}
			ack, err := ParseAck(raw)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, ack); d != "" {
				t.Errorf("Ack (-want +got):\n%s", d)
			}
			m, err := siu.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Segment("ERR").Component(3, 1); got != tt.wantERR {
				t.Errorf("ERR-3.1 = %q, want %q", got, tt.wantERR)
			}
			if d := cmp.Diff(tt.wantStats, srv.Stats()); d != "" {
				t.Errorf("Stats (-want +got):\n%s", d)
			}
			if feed.Len() != 0 {
				t.Errorf("feed holds %d occurrences, want none", feed.Len())
			}
			phitest.Check(t, "ACK", []string{string(raw)}, "Zebulon")
			phitest.Check(t, "log", []string{logs.String()}, "Zebulon")
		})
	}
}

// TestServerFraming sends each broken stream over one connection and checks the answers, the calls to the
// handler and the counters: a broken frame costs itself, never the frames after it.
func TestServerFraming(t *testing.T) {
	m1, m2 := message(t, "M1"), message(t, "M2")
	big := append(bytes.TrimSuffix(slices.Clone(m1), []byte("\r")), []byte("\rNTE|1||"+strings.Repeat("x", 4096)+"\r")...)
	bigSize := len(big)
	tests := []struct {
		name      string
		stream    string
		limit     int
		want      []Ack
		handled   []string
		wantStats Stats
	}{
		{"garbage before a frame", "hello\r\n" + frame(m1),
			0, []Ack{{Code: "AA", ControlID: "M1"}}, []string{"M1"}, Stats{Accepted: 1, SkippedBytes: 7}},
		{"garbage between frames", frame(m1) + "xyz\x1c\r" + frame(m2),
			0, []Ack{{Code: "AA", ControlID: "M1"}, {Code: "AA", ControlID: "M2"}}, []string{"M1", "M2"},
			Stats{Accepted: 2, SkippedBytes: 5}},
		{"frame missing the 0x0D", "\x0b" + string(m1) + "\x1c" + frame(m2),
			0, []Ack{
				{Code: "AR", ControlID: "M1", Text: "mllp: malformed frame: end byte (0x1C) not followed by a carriage return (0x0D)"},
				{Code: "AA", ControlID: "M2"},
			}, []string{"M2"}, Stats{Accepted: 1, Rejected: 1}},
		{"frame of garbage", "\x0bnot HL7 at all\x1c\r" + frame(m2),
			0, []Ack{
				{Code: "AR", Text: "siu: segment 1: message does not start with an MSH segment"},
				{Code: "AA", ControlID: "M2"},
			}, []string{"M2"}, Stats{Accepted: 1, Rejected: 1}},
		{"empty frame", "\x0b\x1c\r" + frame(m2),
			0, []Ack{{Code: "AR", Text: "siu: no segments: empty message"}, {Code: "AA", ControlID: "M2"}},
			[]string{"M2"}, Stats{Accepted: 1, Rejected: 1}},
		{"a frame begun again", "\x0b" + string(m1[:40]) + frame(m2),
			0, []Ack{{Code: "AA", ControlID: "M2"}}, []string{"M2"}, Stats{Accepted: 1, Dropped: 1}},
		{"oversize frame", frame(big) + frame(m2),
			1024, []Ack{
				{Code: "AR", ControlID: "M1", Text: fmt.Sprintf("mllp: frame of %d bytes, over the limit of 1024: siu: input over a limit", bigSize)},
				{Code: "AA", ControlID: "M2"},
			}, []string{"M2"}, Stats{Accepted: 1, Rejected: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			srv := &Server{Handler: rec, MaxMessageBytes: tt.limit}
			addr, stop := serve(t, srv)
			nc := dialRaw(t, addr)
			if _, err := io.WriteString(nc, tt.stream); err != nil {
				t.Fatal(err)
			}
			r := NewReader(nc, 0)
			var got []Ack
			for range tt.want {
				p, err := r.ReadFrame()
				if err != nil {
					t.Fatalf("reading an ACK: %v", err)
				}
				ack, err := ParseAck(p)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ack)
			}
			_ = nc.Close()
			_ = stop()
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ACKs (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.handled, rec.calls()); d != "" {
				t.Errorf("handled (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantStats, srv.Stats()); d != "" {
				t.Errorf("Stats (-want +got):\n%s", d)
			}
		})
	}
}

// TestServerHalfFrameThenDisconnect: a peer that sends half a frame and disconnects costs that frame only; the
// handler is never called for it and the next connection is served.
func TestServerHalfFrameThenDisconnect(t *testing.T) {
	rec := &recorder{}
	srv := &Server{Handler: rec}
	addr, stop := serve(t, srv)
	nc := dialRaw(t, addr)
	if _, err := io.WriteString(nc, "\x0b"+string(message(t, "M1")[:50])); err != nil {
		t.Fatal(err)
	}
	_ = nc.Close()
	waitFor(t, "the half frame to be dropped", func() bool { return srv.Stats().Dropped == 1 })
	ack := send(t, dial(t, addr), message(t, "M2"))
	_ = stop()
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M2"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"M2"}, rec.calls()); d != "" {
		t.Errorf("handled (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Stats{Accepted: 1, Dropped: 1}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

// TestServerTimeouts: a peer that stalls mid-frame is dropped after ReadTimeout, and one that sends nothing
// after IdleTimeout; the server closes the connection, and the handler is never called.
func TestServerTimeouts(t *testing.T) {
	const short = 20 * time.Millisecond
	tests := []struct {
		name       string
		send       string
		idle, read time.Duration
		wantStats  Stats
	}{
		{"half a frame, then nothing", "\x0bMSH|^~\\&|App|Fac", hang, short, Stats{Dropped: 1}},
		{"a frame without its last byte", "\x0bMSH|^~\\&|App|Fac\r\x1c", hang, short, Stats{Dropped: 1}},
		{"nothing", "", short, hang, Stats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			srv := &Server{Handler: rec, ReadTimeout: tt.read, IdleTimeout: tt.idle}
			addr, stop := serve(t, srv)
			nc := dialRaw(t, addr)
			if _, err := io.WriteString(nc, tt.send); err != nil {
				t.Fatal(err)
			}
			// The server closes the connection: the read ends with io.EOF, not with this test's own deadline.
			if n, err := nc.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("Read = %d, %v; want the server to close the connection (io.EOF)", n, err)
			}
			waitFor(t, "the connection to close", func() bool { return srv.Stats().Conns == 0 })
			_ = stop()
			if d := cmp.Diff(tt.wantStats, srv.Stats()); d != "" {
				t.Errorf("Stats (-want +got):\n%s", d)
			}
			if got := rec.calls(); len(got) != 0 {
				t.Errorf("handler called for %v", got)
			}
		})
	}
}

// TestServerPeerGoneAfterFrame: a peer that disconnects right after sending a whole frame still has its message
// handled; writing the ACK fails quietly and the server goes on.
func TestServerPeerGoneAfterFrame(t *testing.T) {
	entered, gone := make(chan string, 1), make(chan struct{})
	srv := &Server{Handler: HandlerFunc(func(_ context.Context, m *siu.Message, _ []byte) error {
		if id := m.Segment("MSH").Field(10); id == "M1" {
			entered <- id
			<-gone
		}
		return nil
	})}
	addr, stop := serve(t, srv)
	nc := dialRaw(t, addr)
	if _, err := io.WriteString(nc, frame(message(t, "M1"))); err != nil {
		t.Fatal(err)
	}
	_ = nc.Close()
	select {
	case <-entered:
	case <-time.After(hang):
		t.Fatal("the handler was not called for a frame whose sender left")
	}
	close(gone)
	waitFor(t, "the connection to close", func() bool { return srv.Stats().Conns == 0 })
	ack := send(t, dial(t, addr), message(t, "M2"))
	if err := stop(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M2"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Stats{Accepted: 2}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

// TestServerOversizeFrameMemory sends a 32 MiB frame to a server limited to 64 KiB: it is refused with AR
// naming its control id, and the heap does not grow with the frame.
func TestServerOversizeFrameMemory(t *testing.T) {
	rec := &recorder{}
	srv := &Server{Handler: rec, MaxMessageBytes: 64 << 10}
	addr, stop := serve(t, srv)
	nc := dialRaw(t, addr)
	var (
		raw []byte
		err error
	)
	memtest.Check(t, "32 MiB frame over TCP, 64 KiB limit", 8<<20, func() {
		go func() {
			_, _ = io.Copy(nc, oversizeFrame("MSH|^~\\&|A|B|C|D|20250101||SIU^S12|BIG-1|P|2.5.1", 32<<20))
		}()
		raw, err = NewReader(nc, 0).ReadFrame()
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = stop()
	ack, err := ParseAck(raw)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Code != ApplicationReject || ack.ControlID != "BIG-1" || !strings.Contains(ack.Text, "over the limit of 65536") {
		t.Errorf("Ack = %+v, want AR for BIG-1 naming the limit", ack)
	}
	if got := rec.calls(); len(got) != 0 {
		t.Errorf("handler called for %v", got)
	}
}

// TestServerMaxConns: a connection over MaxConns is closed at once and counted; once a slot is free, a new
// connection is served.
func TestServerMaxConns(t *testing.T) {
	rec := &recorder{}
	srv := &Server{Handler: rec, MaxConns: 2}
	addr, stop := serve(t, srv)
	c1, c2 := dial(t, addr), dial(t, addr)
	// An answer on each proves that both hold a slot.
	send(t, c1, message(t, "M1"))
	send(t, c2, message(t, "M2"))
	over := dial(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	if ack, err := over.Send(ctx, message(t, "M3")); err == nil || ctx.Err() != nil {
		t.Errorf("Send over the limit = %+v, %v; want the connection closed by the server", ack, err)
	}
	_ = c1.Close()
	waitFor(t, "a slot to free", func() bool { return srv.Stats().Conns == 1 })
	ack := send(t, dial(t, addr), message(t, "M4"))
	_ = stop()
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M4"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"M1", "M2", "M4"}, rec.calls()); d != "" {
		t.Errorf("handled (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Stats{Accepted: 3, Refused: 1}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

// blocking is a Handler that reports each call on entered and returns when release is closed, or, when
// honourCtx, when its ctx ends.
type blocking struct {
	entered   chan string
	release   chan struct{}
	ctxErr    chan error
	honourCtx bool
}

func newBlocking(honourCtx bool) *blocking {
	return &blocking{entered: make(chan string, 10), release: make(chan struct{}), ctxErr: make(chan error, 10), honourCtx: honourCtx}
}

func (b *blocking) HandleMessage(ctx context.Context, m *siu.Message, _ []byte) error {
	b.entered <- m.Segment("MSH").Field(10)
	if b.honourCtx {
		select {
		case <-b.release:
		case <-ctx.Done():
			b.ctxErr <- ctx.Err()
			return ctx.Err()
		}
		return nil
	}
	<-b.release
	return nil
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hang):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// checkNoGoroutinesLeft waits for the goroutine count to come back to before.
func checkNoGoroutinesLeft(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

type sendResult struct {
	ack Ack
	err error
}

func sendAsync(c *Conn, msg []byte) <-chan sendResult {
	out := make(chan sendResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		ack, err := c.Send(ctx, msg)
		out <- sendResult{ack, err}
	}()
	return out
}

// TestServerAcksOnlyAfterHandler: no answer leaves the server while the handler runs; it comes once the handler
// returned nil.
func TestServerAcksOnlyAfterHandler(t *testing.T) {
	h := newBlocking(false)
	addr, _ := serve(t, &Server{Handler: h})
	nc := dialRaw(t, addr)
	if _, err := io.WriteString(nc, frame(message(t, "M1"))); err != nil {
		t.Fatal(err)
	}
	receive(t, h.entered, "the handler")
	// A server that answered before its handler returned would have answered by now; a pause cannot prove the
	// contrary, but this one catches the mistake.
	_ = nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := nc.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("Read while the handler runs = %d, %v; want nothing", n, err)
	}
	close(h.release)
	_ = nc.SetReadDeadline(time.Now().Add(hang))
	p, err := NewReader(nc, 0).ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	ack, err := ParseAck(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Ack{Code: ApplicationAccept, ControlID: "M1"}, ack); d != "" {
		t.Errorf("Ack (-want +got):\n%s", d)
	}
}

// TestServerShutdownDrains cancels Serve's ctx while a handler is blocked mid-message: Serve stops accepting and
// closes the idle connection at once, waits for the handler, writes its ACK, then returns nil, leaving no
// goroutine behind. Not parallel: it counts goroutines.
func TestServerShutdownDrains(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newBlocking(false)
	srv := &Server{Handler: h, ShutdownTimeout: time.Hour}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	busy, idle := dial(t, addr), dialRaw(t, addr)
	result := sendAsync(busy, message(t, "M1"))
	receive(t, h.entered, "the handler")
	waitFor(t, "both connections", func() bool { return srv.Stats().Conns == 2 })
	cancel()

	// The idle connection is closed by the server...
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: Read = %d, %v; want io.EOF", n, err)
	}
	// ...and nothing new is accepted...
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	})
	// ...but Serve waits for the handler.
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v while a handler was running", err)
	default:
	}
	close(h.release)
	r := receive(t, result, "the ACK")
	if r.err != nil || r.ack.Code != ApplicationAccept || r.ack.ControlID != "M1" {
		t.Errorf("Send = %+v, %v; want AA for M1", r.ack, r.err)
	}
	if err := receive(t, served, "Serve to return"); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	if d := cmp.Diff(Stats{Accepted: 1}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
	_ = busy.Close()
	_ = idle.Close()
	checkNoGoroutinesLeft(t, before)
}

// TestServerShutdownGraceExpires: a handler that outlasts ShutdownTimeout has its ctx cancelled and its
// connection closed without an answer, and Serve returns ErrShutdownTimeout. Not parallel: it counts goroutines.
func TestServerShutdownGraceExpires(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newBlocking(true)
	srv := &Server{Handler: h, ShutdownTimeout: 10 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	c := dial(t, ln.Addr().String())
	result := sendAsync(c, message(t, "M1"))
	receive(t, h.entered, "the handler")
	cancel()
	if err := receive(t, served, "Serve to return"); !errors.Is(err, ErrShutdownTimeout) {
		t.Errorf("Serve = %v, want ErrShutdownTimeout", err)
	}
	if err := receive(t, h.ctxErr, "the handler's ctx to end"); !errors.Is(err, context.Canceled) {
		t.Errorf("handler ctx: %v, want context.Canceled", err)
	}
	if r := receive(t, result, "Send to fail"); r.err == nil {
		t.Errorf("Send = %+v, want an error: the connection was closed without an answer", r.ack)
	}
	_ = c.Close()
	checkNoGoroutinesLeft(t, before)
	if d := cmp.Diff(Stats{Errored: 1}, srv.Stats()); d != "" {
		t.Errorf("Stats (-want +got):\n%s", d)
	}
}

// TestServeLeavesNoGoroutines runs a server through idle, half-sent, stalled and busy connections and checks
// that none of its goroutines is left once Serve returns. Not parallel: it counts goroutines.
func TestServeLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := &Server{Handler: &recorder{}}
	addr, stop := serve(t, srv)
	c := dial(t, addr)
	send(t, c, message(t, "M1"))
	idle := dialRaw(t, addr)
	half := dialRaw(t, addr)
	if _, err := io.WriteString(half, "\x0bMSH|^~\\&|"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three connections", func() bool { return srv.Stats().Conns == 3 })
	if err := stop(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	for _, nc := range []net.Conn{idle, half} {
		// Closed by the server: io.EOF, or a reset when it closed with bytes unread; not this test's deadline.
		if _, err := nc.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Errorf("Read after shutdown = %v, want the connection closed", err)
		}
		_ = nc.Close()
	}
	_ = c.Close()
	checkNoGoroutinesLeft(t, before)
}

func TestServeNilHandler(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Server{}).Serve(context.Background(), ln); err == nil {
		t.Error("Serve without a Handler = nil, want an error")
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener after Serve: %v, want it closed", err)
	}
}

func TestListenAndServe(t *testing.T) {
	srv := &Server{Handler: &recorder{}}
	if err := srv.ListenAndServe(context.Background(), "127.0.0.1:-1"); err == nil {
		t.Error("ListenAndServe on a bad address = nil, want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.ListenAndServe(ctx, "127.0.0.1:0"); err != nil {
		t.Errorf("ListenAndServe with ctx done = %v, want nil", err)
	}
}
