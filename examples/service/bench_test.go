package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// startService runs the service on the in-memory fake in this process, its store in dir, until the test or
// benchmark ends, and returns its MLLP address, the fake and the service.
func startService(b testing.TB, rate float64, debounce time.Duration, dir string) (string, *oncalltest.Server, *service) {
	b.Helper()
	srv := oncalltest.NewServer()
	b.Cleanup(srv.Close)
	client, err := srv.Client(oncall.WithRateLimit(rate, 1))
	if err != nil {
		b.Fatal(err)
	}
	div := srv.AddDivision("Bench clinic")
	p := servicePolicy(div)
	p.DefaultProvider = srv.AddProvider("Bench provider", "provider@clinic.example.org", div)
	addrs := make(chan net.Addr, 1)
	s := &service{client: client, policy: p, dataDir: dir, mllpAddr: "127.0.0.1:0", httpAddr: "127.0.0.1:0",
		webhookPath: "/oncall/webhook", debounce: debounce, reconcileEvery: -1,
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), ready: func(m, _ net.Addr) { addrs <- m }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	select {
	case a := <-addrs:
		return a.String(), srv, s
	case err := <-done:
		b.Fatal(err)
	}
	return "", nil, nil
}

// sendAll sends msgs over conns connections, each message once, and fails on anything but AA.
func sendAll(b *testing.B, addr string, conns int, msgs [][]byte) {
	b.Helper()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			c, err := mllp.Dial(context.Background(), addr)
			if err != nil {
				b.Error(err)
				return
			}
			defer c.Close()
			for i := w; i < len(msgs); i += conns {
				ack, err := c.Send(context.Background(), msgs[i])
				if err != nil || ack.Code != mllp.ApplicationAccept {
					b.Errorf("message %d: %v %v", i, ack, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkReceiver measures the messages a second the service's MLLP receiver acknowledges from 4 connections:
// each new booking parsed, stored durably (a bbolt commit, synced to disk), applied and acknowledged, against a
// baseline in the same run that parses and acknowledges without storing ("parse-only").
//
//	go test -run '^$' -bench BenchmarkReceiver -benchtime=2000x -count=5 ./examples/service/
func BenchmarkReceiver(b *testing.B) {
	b.Run("store=bolt", func(b *testing.B) {
		addr, _, _ := startService(b, 1000, time.Hour, b.TempDir()) // the loop waits: only the receiver is measured
		msgs := make([][]byte, b.N)
		now := time.Now()
		for i := range msgs {
			msgs[i] = siuMessage(i, 0, "S12", now.Add(time.Duration(i)*time.Millisecond))
		}
		b.ResetTimer()
		sendAll(b, addr, 4, msgs)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("parse-only", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		feed := siu.NewFeed()
		srv := &mllp.Server{Handler: mllp.HandlerFunc(func(_ context.Context, m *siu.Message, _ []byte) error {
			_, err := feed.Apply(m)
			return err
		})}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, ln) }()
		defer func() { cancel(); <-done }()
		msgs := make([][]byte, b.N)
		now := time.Now()
		for i := range msgs {
			msgs[i] = siuMessage(i, 0, "S12", now.Add(time.Duration(i)*time.Millisecond))
		}
		b.ResetTimer()
		sendAll(b, ln.Addr().String(), 4, msgs)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

var emrIDInBody = regexp.MustCompile(`"emr_id":"(A-\d+)`)

// BenchmarkAckToWrite measures how long after its ACK a booking reaches OnCall (its POST), with the client
// limited to 10 requests a second and bookings arriving at 4 a second (below the limit, as a clinic's day is):
// the debounce (1 s, the default) plus the queue. It reports the median and the 99th percentile.
//
//	go test -run '^$' -bench BenchmarkAckToWrite -benchtime=1x -count=3 ./examples/service/
func BenchmarkAckToWrite(b *testing.B) {
	const n, perSecond = 60, 4
	var lat []time.Duration
	for b.Loop() {
		addr, srv, _ := startService(b, 10, 0, b.TempDir())
		c, err := mllp.Dial(context.Background(), addr)
		if err != nil {
			b.Fatal(err)
		}
		acked := map[string]time.Time{}
		tick := time.NewTicker(time.Second / perSecond)
		now := time.Now()
		for i := range n {
			<-tick.C
			ack, err := c.Send(context.Background(), siuMessage(i, 0, "S12", now.Add(time.Duration(i)*time.Millisecond)))
			if err != nil || ack.Code != mllp.ApplicationAccept {
				b.Fatalf("message %d: %v %v", i, ack, err)
			}
			acked[fmt.Sprintf("A-%d", i)] = time.Now()
		}
		tick.Stop()
		c.Close()
		written := map[string]time.Time{}
		deadline := time.Now().Add(time.Minute)
		for len(written) < n && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			for _, r := range srv.Requests() {
				if r.Method == "POST" && r.Status == 201 {
					if m := emrIDInBody.FindSubmatch(r.Body); m != nil {
						written[string(m[1])] = r.Time
					}
				}
			}
		}
		if len(written) < n {
			b.Fatalf("%d of %d bookings reached OnCall within a minute", len(written), n)
		}
		for id, at := range acked {
			lat = append(lat, written[id].Sub(at))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
}
