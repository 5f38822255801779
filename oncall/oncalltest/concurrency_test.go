package oncalltest_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	w := newWorld(t, oncalltest.WithWebhookURL(rcv.URL), oncalltest.WithUndocumentedParticipantAPI())
	client := w.client(t)
	const workers, each = 12, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				a, err := client.Appointments.Create(t.Context(), w.params(fmt.Sprintf("E%d-%d", g, i)))
				if err != nil {
					errs <- err
					continue
				}
				if _, err := client.Participants.SetStatus(t.Context(), a.Participants[0].ID, oncall.ParticipantNoShow); err != nil {
					errs <- err
				}
				for _, err := range client.Appointments.All(t.Context(), &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: 100}}) {
					if err != nil {
						errs <- err
						break
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, a := range w.srv.Appointments() {
		id, _ := a.Metadata.String("emr_id")
		if seen[id] {
			t.Errorf("emr_id %s stored twice", id)
		}
		seen[id] = true
		if a.Participants[0].Status != oncall.ParticipantNoShow {
			t.Errorf("appointment %d: participant status %q", a.ID, a.Participants[0].Status)
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d appointments stored, want %d", len(seen), workers*each)
	}
	if n := w.srv.RequestCount("POST", "/appointments/"); n != workers*each {
		t.Errorf("%d POSTs, want %d", n, workers*each)
	}
	waitWebhooks(t, w.srv)
	if n := len(rcv.received()); n != 2*workers*each {
		t.Errorf("%d webhooks received, want %d", n, 2*workers*each)
	}
}

// TestCloseLeavesNoGoroutines runs a server through requests, faults and webhooks, closes it, and checks that the
// number of goroutines comes back to where it was. It does not run in parallel, so that other tests do not move
// the count.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		rcv := newReceiver(t, 500)
		defer rcv.Close()
		srv := oncalltest.NewServer(oncalltest.WithWebhookURL(rcv.URL), oncalltest.WithWebhookRetry(5, 50*time.Millisecond))
		defer srv.Close()
		div := srv.AddDivision("Downtown Clinic")
		prov := srv.AddProvider("Dr. Jane Smith", "jane@example.com", div)
		w := &world{srv: srv, div: div, prov: prov}
		client := w.client(t)
		if err := srv.InjectNext(oncalltest.FaultDrop, 1, oncalltest.Match{Method: "GET"}); err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST"}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			_, _ = client.Appointments.Create(t.Context(), w.params(fmt.Sprint("E", i)))
		}
		for _, err := range client.Appointments.All(t.Context(), nil) {
			if err != nil {
				t.Fatal(err)
			}
		}
		// A request still delayed when the server closes.
		if err := srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultLatency}, Latency: time.Hour}); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = client.Divisions.Get(context.Background(), div) }()
		for srv.FaultCounts()[oncalltest.FaultLatency] == 0 {
			time.Sleep(time.Millisecond)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		now := runtime.NumGoroutine()
		if now <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, now, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
