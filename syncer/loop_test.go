package syncer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// loopHarness runs a Loop over h until the test ends, and hands each pass to the test.
type loopHarness struct {
	*harness
	loop   *syncer.Loop
	passes chan syncer.Pass
	done   chan error
}

func startLoop(t *testing.T, h *harness, ledger syncer.Ledger, configure ...func(*syncer.Loop)) *loopHarness {
	t.Helper()
	lh := &loopHarness{harness: h, passes: make(chan syncer.Pass, 16), done: make(chan error, 1)}
	lh.loop = &syncer.Loop{
		Runner: h.runner(), EHR: h.mem, Ledger: ledger, Policy: h.policy,
		Window:   func(time.Time) syncer.Window { return h.window },
		Debounce: 20 * time.Millisecond, ReconcileEvery: -1,
		OnPass: func(p syncer.Pass) { lh.passes <- p },
	}
	for _, f := range configure {
		f(lh.loop)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { lh.done <- lh.loop.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-lh.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return lh
}

// next waits for the loop's next pass, which must be of kind.
func (lh *loopHarness) next(kind syncer.PassKind) syncer.Pass {
	lh.t.Helper()
	select {
	case p := <-lh.passes:
		if p.Kind != kind {
			lh.t.Fatalf("pass %s (%v), want %s\n%s", p.Kind, p.Err, kind, p.Report)
		}
		return p
	case <-time.After(30 * time.Second):
		lh.t.Fatalf("no %s pass within 30 s", kind)
	}
	return syncer.Pass{}
}

// TestLoop: the loop reconciles at start, syncs notified EHR changes without listing, undoes a change made directly
// in OnCall that a webhook reports, and goes on after a pass whose writes failed (issue 14).
func TestLoop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, append(testSchedule(20), testGroup("g-1", 500, 503)))
	o := newOracle(h.policy)
	o.sync(h.ehr())
	lh := startLoop(t, h, syncer.NewMemoryLedger())
	if p := lh.next(syncer.PassReconcile); p.Err != nil {
		t.Fatalf("first reconcile: %v\n%s", p.Err, p.Report)
	}
	h.checkState(o, "after the first reconcile")

	// EHR changes, notified twice each (an HL7 burst): one pass, no listing.
	h.srv.ResetRequests()
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		var out []carelogic.Appointment
		for _, a := range appts {
			switch a.ID {
			case "r-002":
				a.Start = a.Start.Add(time.Hour)
			case "g-1":
				a.Participants[1].Status = carelogic.StatusCBC
			default:
				continue
			}
			out = append(out, a)
		}
		return out
	})
	o.sync(h.ehr())
	lh.loop.Notify(changesOf(edited...)...)
	lh.loop.Notify(changesOf(edited...)...)
	p := lh.next(syncer.PassChanges)
	if p.Err != nil || p.Items != 2 {
		t.Fatalf("changes pass: %d items, %v; want 2, nil\n%s", p.Items, p.Err, p.Report)
	}
	if n := requestCounts(h.srv)["GET /appointments/"]; n != 0 {
		t.Errorf("the changes pass listed %d pages, want none", n)
	}
	h.checkState(o, "after the changes pass")

	// A change made directly in OnCall, reported by a webhook: undone, as the EHR is the system of record.
	found := false
	for _, m := range h.srv.Appointments() {
		if id, _ := m.Metadata.String(syncer.KeyEMRID); id == "r-005" {
			if err := h.srv.UpdateAsUser(m.ID, func(a *oncalltest.Appointment) { a.Title = "Edited in OnCall" }); err != nil {
				t.Fatal(err)
			}
			got, err := h.client.Appointments.Get(t.Context(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			lh.loop.NotifyOnCall(got)
			found = true
		}
	}
	if !found {
		t.Fatal("no OnCall appointment for r-005")
	}
	if p := lh.next(syncer.PassOnCall); p.Err != nil || p.Report.Applied[syncer.ActionUpdate] != 1 {
		t.Fatalf("oncall pass: %v, applied %v; want the title put back\n%s", p.Err, p.Report.Applied, p.Report)
	}
	h.checkState(o, "after the webhook pass")

	// Every write fails for a pass: the loop reports it and goes on; the change is synced when notified again.
	if err := h.srv.InjectNext(oncalltest.FaultInternalError, 100, oncalltest.Match{Method: "PATCH"}); err != nil {
		t.Fatal(err)
	}
	edited = h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		for _, a := range appts {
			if a.ID == "r-007" {
				a.Activity = "Family Therapy"
				return []carelogic.Appointment{a}
			}
		}
		return nil
	})
	o.sync(h.ehr())
	lh.loop.Notify(changesOf(edited...)...)
	if p := lh.next(syncer.PassChanges); !errors.Is(p.Err, syncer.ErrIncomplete) || p.Report.Failed[syncer.ActionUpdate] != 1 {
		t.Fatalf("failing pass: %v, failed %v; want an incomplete run with the update failed", p.Err, p.Report.Failed)
	}
	h.srv.ClearFaults()
	lh.loop.Notify(changesOf(edited...)...)
	if p := lh.next(syncer.PassChanges); p.Err != nil {
		t.Fatalf("pass after the faults: %v\n%s", p.Err, p.Report)
	}
	h.checkState(o, "after the faults")

	stats := lh.loop.Stats()
	want := map[syncer.PassKind]int{syncer.PassReconcile: 1, syncer.PassChanges: 3, syncer.PassOnCall: 1}
	if diff := cmp.Diff(want, stats.Passes); diff != "" {
		t.Errorf("passes (-want +got):\n%s", diff)
	}
	if stats.Failed != 1 || stats.Queued != 0 || !stats.LastReconcileOK || stats.LastReconcile.IsZero() {
		t.Errorf("stats %+v: want 1 failed, none queued, a reconcile done", stats)
	}
}

// TestLoopAsksForReconcile: a pass that meets a create whose outcome is unknown has the loop reconcile at once.
func TestLoopAsksForReconcile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(3))
	ledger := syncer.NewMemoryLedger()
	lh := startLoop(t, h, ledger)
	lh.next(syncer.PassReconcile)
	fresh := testSchedule(4)[3]
	h.mem.Put(fresh)
	if err := ledger.Put(t.Context(), syncer.LedgerEntry{Key: fresh.Key(), Pending: true}); err != nil {
		t.Fatal(err)
	}
	lh.loop.Notify(syncer.ChangeOf(&fresh))
	if p := lh.next(syncer.PassChanges); !p.Report.Reconcile {
		t.Fatalf("pass of a pending create: Reconcile not set\n%s", p.Report)
	}
	lh.next(syncer.PassReconcile)
	checkNoDuplicates(t, h.srv.Appointments(), "after the reconcile")
	if e, ok, _ := ledger.Get(t.Context(), fresh.Key()); !ok || e.Pending || e.Appointment == 0 {
		t.Errorf("entry after the reconcile: %+v", e)
	}
}

// TestLoopRequiresFields: Run refuses a loop without its runner, EHR or ledger, at once.
func TestLoopRequiresFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	for name, l := range map[string]*syncer.Loop{
		"runner": {EHR: h.mem, Ledger: syncer.NewMemoryLedger()},
		"ehr":    {Runner: h.runner(), Ledger: syncer.NewMemoryLedger()},
		"ledger": {Runner: h.runner(), EHR: h.mem},
	} {
		if err := l.Run(t.Context()); err == nil {
			t.Errorf("%s missing: Run returned nil", name)
		}
	}
}

// TestLoopDebouncePerKey: a change is synced Debounce after the last news of it, however often another appointment
// keeps changing; the other is synced once it is quiet (or MaxDelay after its first change).
func TestLoopDebouncePerKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(3))
	lh := startLoop(t, h, syncer.NewMemoryLedger())
	lh.next(syncer.PassReconcile)
	appts := h.mem.All()
	busy, quiet := syncer.ChangeOf(&appts[0]), syncer.ChangeOf(&appts[1])
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				lh.loop.Notify(busy)
			}
		}
	}()
	lh.loop.Notify(quiet)
	p := lh.next(syncer.PassChanges)
	close(stop)
	<-stopped
	if p.Items != 1 {
		t.Errorf("first pass took %d changes, want the quiet one alone", p.Items)
	}
	if p := lh.next(syncer.PassChanges); p.Items != 1 {
		t.Errorf("second pass took %d changes, want the busy one", p.Items)
	}
}

// TestLoopReverse: a patient's cancellation in OnCall, reported by a webhook, reaches the EHR (CBC) through
// Loop.Reverse, and the forward sync that follows leaves OnCall as it is.
func TestLoopReverse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(3))
	lh := startLoop(t, h, syncer.NewMemoryLedger(), func(l *syncer.Loop) { l.Reverse = &syncer.EHRApplier{Adapter: h.mem} })
	lh.next(syncer.PassReconcile)
	if err := lh.loop.Run(t.Context()); err == nil {
		t.Error("a second Run of a running loop returned nil")
	}
	target := h.mem.All()[1]
	var id oncall.AppointmentID
	for _, m := range h.srv.Appointments() {
		if emr, _ := m.Metadata.String(syncer.KeyEMRID); emr == target.ID {
			id = m.ID
		}
	}
	if err := h.srv.CancelAsPatient(id, "feeling better"); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.Appointments.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.ResetRequests()
	lh.loop.NotifyOnCall(got)
	p := lh.next(syncer.PassOnCall)
	if p.Err != nil || len(p.Report.Actions) != 0 {
		t.Fatalf("oncall pass: %v, actions %v; want none forward", p.Err, p.Report.Actions)
	}
	if len(p.EHR) != 1 || p.EHR[0].Outcome != syncer.OutcomeApplied {
		t.Fatalf("EHR results %+v: want the CBC applied", p.EHR)
	}
	a, err := h.mem.Appointment(t.Context(), target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := a.Participants[0].Status; s != carelogic.StatusCBC {
		t.Errorf("EHR status %q after the patient cancelled, want CBC", s)
	}
	if writes := requestCounts(h.srv)["PATCH /appointments/{id}/"]; writes != 0 {
		t.Errorf("%d writes to OnCall after its own cancellation, want none", writes)
	}
}

// TestLoopRetriesFailedChange: a change whose write failed (a 500) is tried again on its own, without another
// notification.
func TestLoopRetriesFailedChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(3))
	o := newOracle(h.policy)
	lh := startLoop(t, h, syncer.NewMemoryLedger())
	lh.next(syncer.PassReconcile)
	if err := h.srv.InjectNext(oncalltest.FaultInternalError, 1, oncalltest.Match{Method: "PATCH"}); err != nil {
		t.Fatal(err)
	}
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Activity = "Family Therapy"
		return appts[:1]
	})
	o.sync(h.ehr())
	lh.loop.Notify(changesOf(edited...)...)
	if p := lh.next(syncer.PassChanges); p.Report.Failed[syncer.ActionUpdate] != 1 {
		t.Fatalf("first pass: failed %v, want the update failed", p.Report.Failed)
	}
	if p := lh.next(syncer.PassChanges); p.Err != nil || p.Report.Applied[syncer.ActionUpdate] != 1 {
		t.Fatalf("retry: %v, applied %v; want the update applied", p.Err, p.Report.Applied)
	}
	h.checkState(o, "after the retry")
}
