package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// childEnv, when set, makes the test binary run the service with the JSON array of arguments it holds, instead of
// the tests: TestServiceEndToEnd kills that process and starts it again.
const childEnv = "ONCALLGO_SERVICE_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := serve(ctx, a, os.Stderr, func(string) string { return "" })
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "service:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// siuMessage renders one SIU message about appointment n (its version v, sent at sent) for client n, planting
// patient-looking names and emails.
func siuMessage(n, v int, event string, sent time.Time) []byte {
	day := time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour) // inside the loop's reconcile window
	start := day.Add(9*time.Hour + time.Duration(n%400)*time.Hour + time.Duration(v)*15*time.Minute)
	status := "Booked"
	switch event {
	case "S15":
		status = "Cancelled"
	case "S17":
		status = "Deleted"
	}
	name := strings.Fields(phitest.Names[n%len(phitest.Names)])
	email := strings.Replace(phitest.Emails[n%len(phitest.Emails)], "@", fmt.Sprintf("+%d@", n), 1)
	segs := []string{
		fmt.Sprintf(`MSH|^~\&|CareLogic|Eastside|OnCallSync|OnCall|%s||SIU^%s^SIU_%s|C-%d-%d|P|2.5.1`, sent.Format("20060102150405.000-0700"), event, event, n, v),
		fmt.Sprintf("SCH|1|A-%d^CLINIC|||||COUNSEL^Counselling session^L||||||||||||||||||%s", n, status),
		fmt.Sprintf("TQ1|||||||%s|%s", start.Format("200601021504-0700"), start.Add(50*time.Minute).Format("200601021504-0700")),
		fmt.Sprintf("PID|1||P-%d^^^CLINIC^MR||%s^%s||||||||^NET^Internet^%s", n, name[len(name)-1], name[0], email),
		"RGS|1",
		"AIP|1||S-77^Nguyen^Thi",
	}
	return []byte(strings.Join(segs, "\r") + "\r")
}

// script is the messages of the test: a booking of each of appts appointments, then reschedules, cancellations
// and deletions of some, spread so that the four senders interleave messages about one appointment.
func script(appts int) [][]byte {
	base := time.Now().Add(-time.Hour)
	var out [][]byte
	t := 0
	next := func() time.Time { t++; return base.Add(time.Duration(t) * time.Second) }
	for n := range appts {
		out = append(out, siuMessage(n, 0, "S12", next()))
	}
	for n := range appts {
		switch {
		case n%5 == 0:
			out = append(out, siuMessage(n, 1, "S13", next()), siuMessage(n, 2, "S13", next()))
		case n%5 == 1:
			out = append(out, siuMessage(n, 1, "S13", next()), siuMessage(n, 1, "S15", next()))
		case n%5 == 2:
			out = append(out, siuMessage(n, 1, "S14", next()))
		case n%10 == 3:
			out = append(out, siuMessage(n, 0, "S17", next()))
		}
	}
	return out
}

// freeAddr returns a loopback address no one listens on, for the child to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// child is the service running in a process of its own.
type child struct {
	cmd *exec.Cmd
}

func startChild(t *testing.T, args []string, log *lockedWriter) *child {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	cmd.Stderr, cmd.Stdout = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return &child{cmd: cmd}
}

type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// health reads the child's /healthz, or returns false when it does not answer.
func health(httpAddr string) (status, bool) {
	resp, err := http.Get("http://" + httpAddr + "/healthz")
	if err != nil {
		return status{}, false
	}
	defer resp.Body.Close()
	var st status
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return status{}, false
	}
	return st, resp.StatusCode == http.StatusOK
}

// waitFor polls cond every 20 ms for up to limit.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServiceEndToEnd sends SIU messages over MLLP from four connections to the service running in a process of
// its own, against the fake OnCall API failing a fifth of its requests, and kills the service (SIGKILL) once half
// the messages are acknowledged, then starts it again. Every message is acknowledged AA in the end; the message
// store holds, for every appointment, the message that ranks highest among all those sent (so no acknowledged
// message was lost); and OnCall holds exactly what the messages describe, with no duplicate (issue 14).
func TestServiceEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service three times in processes of its own: not in -short")
	}
	const appts = 480
	msgs := script(appts)[:1000] // 1,000 messages: every booking, and most of the changes
	srv := oncalltest.NewServer()
	t.Cleanup(srv.Close)
	division := srv.AddDivision("Test clinic")
	provider := srv.AddProvider("Test provider", "provider@clinic.example.org", division)
	dir := t.TempDir()
	mllpAddr, httpAddr := freeAddr(t), freeAddr(t)
	srv.SetWebhookURL("http://" + httpAddr + "/oncall/webhook")
	args := []string{"-region", "ca", "-token", srv.Token(), "-base-url", srv.URL(), "-division", strconv.Itoa(int(division)),
		"-provider", strconv.Itoa(int(provider)), "-data", dir, "-mllp", mllpAddr, "-http", httpAddr,
		"-debounce", "20ms", "-rate", "2000"}
	var log lockedWriter
	c := startChild(t, args, &log)
	waitFor(t, "the first reconcile", 30*time.Second, func() bool { _, ok := health(httpAddr); return ok })
	srv.ResetRequests()
	// A fifth of the requests fail, every way the fake knows but 429: a 429 slows the whole client down by design
	// (oncall's tests cover it), which here would only stretch the run.
	var kinds []oncalltest.FaultKind
	for _, k := range oncalltest.FaultKinds() {
		if k != oncalltest.FaultRateLimit {
			kinds = append(kinds, k)
		}
	}
	if err := srv.SetFaults(oncalltest.Faults{Seed: 14, Rate: 0.2, Kinds: kinds, Latency: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}

	// Four senders, each resending a message until it is acknowledged AA, reconnecting after any failure.
	var acked atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	for w := range 4 {
		wg.Go(func() {
			var conn *mllp.Conn
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for i := w; i < len(msgs); i += 4 {
				for {
					if ctx.Err() != nil {
						errs <- ctx.Err()
						return
					}
					if conn == nil {
						var err error
						if conn, err = mllp.Dial(ctx, mllpAddr); err != nil {
							time.Sleep(20 * time.Millisecond)
							continue
						}
					}
					ack, err := conn.Send(ctx, msgs[i])
					if err != nil {
						conn.Close()
						conn = nil
						continue
					}
					if ack.Code == mllp.ApplicationReject {
						errs <- fmt.Errorf("message %d rejected: %s", i, ack.Text)
						return
					}
					if ack.Code == mllp.ApplicationAccept {
						acked.Add(1)
						break
					}
				}
			}
		})
	}
	waitFor(t, "half the messages acknowledged", 2*time.Minute, func() bool { return acked.Load() >= int64(len(msgs)/2) })
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	killedAt := acked.Load()
	t0 := time.Now()
	c = startChild(t, args, &log)
	wg.Wait()
	t.Logf("phase: senders done %v after the restart", time.Since(t0))
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Settled: no pass running, nothing queued (retries included), and no write to OnCall for a second. (Webhooks of the service's own writes may still
	// be coming: the fake retries those the handler's fetch limit turned away.)
	waitFor(t, "the service to settle", time.Minute, func() bool {
		st, ok := health(httpAddr)
		if !ok || st.Loop.Queued > 0 || st.Loop.Running != "" {
			return false
		}
		reqs := srv.Requests()
		for i := len(reqs) - 1; i >= 0; i-- {
			if reqs[i].Method != http.MethodGet {
				return time.Since(reqs[i].Time) > time.Second
			}
		}
		return false
	})
	t.Logf("phase: settled %v after the restart", time.Since(t0))
	calls, faulted := 0, 0
	routes := map[string]int{}
	for _, r := range srv.Requests() {
		calls++
		if r.Fault != "" {
			faulted++
		}
		routes[r.Method+" "+r.Route]++
	}
	t.Logf("calls by route: %v", routes)
	oracle := siu.NewFeed()
	changes := 0
	for _, m := range msgs {
		parsed, err := siu.Parse(m)
		if err != nil {
			t.Fatal(err)
		}
		if changed, err := oracle.Apply(parsed); err != nil {
			t.Fatal(err)
		} else if changed {
			changes++
		}
	}
	left := leftToSync(t, srv, oracle, division, provider)
	if left != 0 {
		t.Errorf("%d appointments differ from what the messages describe once the service settled", left)
	}
	// Faults aside (a fifth of requests fail and are sent again), about one call a change: no listing per change.
	// The figure varies with where the kill falls (the restart's reconcile lists, creates in flight are looked up).
	if answered := calls - faulted; float64(answered) > 1.3*float64(changes) {
		t.Errorf("%d answered calls for %d changes: more than 1.3 a change", answered, changes)
	}
	t.Logf("%d messages (%d changes in send order) about %d appointments, the service killed after %d were acknowledged; "+
		"%d calls after the first reconcile (%d faulted), %.2f a change, %.2f answered; %d appointments left",
		len(msgs), changes, appts, killedAt, calls, faulted, float64(calls)/float64(changes), float64(calls-faulted)/float64(changes), left)

	// A last start after a clean stop, faults off: it reads its store and reconciles; everything must still hold.
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("the service did not stop cleanly on SIGTERM: %v\n%s", err, tail(log.String()))
	}
	srv.ClearFaults()
	c = startChild(t, args, &log)
	waitFor(t, "the last reconcile", 30*time.Second, func() bool { _, ok := health(httpAddr); return ok })
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("the service did not stop cleanly: %v", err)
	}
	if n := leftToSync(t, srv, oracle, division, provider); n != 0 {
		t.Log(tail(log.String()))
		t.Errorf("%d appointments differ from what the messages describe after the last reconcile", n)
	}
	checkStore(t, dir, oracle)
	phitest.Check(t, "the service's log", []string{log.String()})
}

// leftToSync plans the messages' appointments (the oracle feed) against OnCall and returns how many appointments
// the plan would change; it fails the test on a duplicate in OnCall.
func leftToSync(t *testing.T, srv *oncalltest.Server, oracle *siu.Feed, division oncall.DivisionID, provider oncall.ProviderID) int {
	t.Helper()
	var ehr []carelogic.Appointment
	for a, err := range oracle.Appointments(t.Context(), time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		if err != nil {
			t.Fatal(err)
		}
		ehr = append(ehr, a)
	}
	existing := srv.Appointments()
	live := map[string]int{}
	for _, m := range existing {
		if k, _ := m.Metadata.String(syncer.KeyEMRID); k != "" && !m.Cancelled {
			live[k]++
			if live[k] > 1 {
				t.Errorf("EHR appointment %s has %d live appointments in OnCall", k, live[k])
			}
		}
	}
	p := servicePolicy(division)
	p.DefaultProvider = provider
	cs := syncer.Plan(ehr, existing, syncer.AllTime(), p)
	keys := map[string]bool{}
	for _, a := range cs.Actions {
		keys[a.Key] = true
	}
	return len(keys)
}

// checkStore reads the service's message store and compares, appointment by appointment, the message stored with
// the one that ranks highest among all sent: an acknowledged message that was lost would leave an older one.
func checkStore(t *testing.T, dir string, oracle *siu.Feed) {
	t.Helper()
	store, err := boltledger.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored := map[string]string{}
	for key, snap := range storedSnapshots(t, store) {
		stored[key] = snap.Hash
	}
	want := map[string]string{}
	for a, err := range oracle.Appointments(t.Context(), time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		if err != nil {
			t.Fatal(err)
		}
		s, _ := oracle.Snapshot(a.Key())
		want[a.Key()] = s.Hash
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored messages by appointment (-highest ranked sent +stored):\n%s", diff)
	}
}

func tail(s string) string { return s[max(0, len(s)-3000):] }

// TestServiceDamagedStore: a store file that is not a database is moved aside and a new one started; the service
// reconciles and takes messages as usual.
func TestServiceDamagedStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ledger.db"), bytes.Repeat([]byte("not a database "), 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, srv, s := startService(t, 1000, 10*time.Millisecond, dir)
	waitFor(t, "the first reconcile", 30*time.Second, func() bool { return s.status().Healthy })
	aside, err := filepath.Glob(filepath.Join(dir, "ledger.db.corrupt-*"))
	if err != nil || len(aside) != 1 {
		t.Fatalf("files moved aside: %v, %v; want one", aside, err)
	}
	c, err := mllp.Dial(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ack, err := c.Send(t.Context(), siuMessage(1, 0, "S12", time.Now()))
	if err != nil || ack.Code != mllp.ApplicationAccept {
		t.Fatalf("ACK %+v, %v; want AA", ack, err)
	}
	waitFor(t, "the booking in OnCall", 30*time.Second, func() bool { return len(srv.Appointments()) == 1 })
}

// storedSnapshots reads every message of the store, by key.
func storedSnapshots(t *testing.T, store *boltledger.Ledger) map[string]siu.Snapshot {
	t.Helper()
	out := map[string]siu.Snapshot{}
	for m, err := range store.Messages(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		snap, err := siu.Decode(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		out[m.Key] = snap
	}
	return out
}
