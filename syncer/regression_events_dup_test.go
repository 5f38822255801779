package syncer_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// liveFor counts the live, not superseded OnCall appointments carrying the EHR id.
func liveFor(h *harness, emrID string) int {
	n := 0
	for _, m := range h.srv.Appointments() {
		id, _ := m.Metadata.String(syncer.KeyEMRID)
		sup, _ := m.Metadata[syncer.KeyEMRSuperseded].(bool)
		if id == emrID && !m.Cancelled && !sup {
			n++
		}
	}
	return n
}

// Regression (found by review): a recreate (1:1 whose client changed) whose create fails ambiguously leaves the ledger pointing at the
// old, now superseded appointment, not Pending; the next SyncChanges of the key plans a plain create: duplicate.
func TestRegressionEventsRecreateAmbiguousThenSyncChangesDuplicates(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)

	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Participants[0] = testClient(99) // the 1:1's client changed: recreate
		return appts[:1]
	})
	// The create lands but its answer is lost, and the look-up listing fails (same outage).
	if err := h.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.InjectNext(oncalltest.FaultInternalError, 4, oncalltest.Match{Method: "GET", Route: "/appointments/"}); err != nil {
		t.Fatal(err)
	}
	rep, err := r.SyncChanges(t.Context(), h.mem, ledger, changesOf(edited...), h.policy)
	t.Logf("first SyncChanges: err=%v reconcile=%v\n%s", err, rep != nil && rep.Reconcile, rep)
	h.srv.ClearFaults()
	for _, e := range ledgerEntries(t, ledger) {
		t.Logf("ledger after first pass: %+v", e)
	}
	if n := liveFor(h, "r-000"); n != 1 {
		t.Fatalf("after first pass: %d live appointments for r-000, want 1 (the create landed)", n)
	}
	// The same change again (the Loop's retry 2 s later, or the next HL7 message for it).
	rep, err = r.SyncChanges(t.Context(), h.mem, ledger, changesOf(edited...), h.policy)
	t.Logf("second SyncChanges: err=%v\n%s", err, rep)
	if n := liveFor(h, "r-000"); n != 1 {
		t.Errorf("DUPLICATE: %d live OnCall appointments for r-000 after the second SyncChanges, want 1", n)
	}
}

// Regression (found by review): in a Loop, the same path: the recreate's pass asks for a reconcile, the reconcile fails (the listing is
// still down), and the change's retry 2 s later goes through the stale ledger: Run only holds changes back until
// the FIRST reconcile succeeds (rebuilt is never reset).
func TestRegressionEventsLoopRetryAfterFailedReconcileDuplicates(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	lh := startLoop(t, h, syncer.NewMemoryLedger())
	if p := lh.next(syncer.PassReconcile); p.Err != nil {
		t.Fatal(p.Err)
	}
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Participants[0] = testClient(99)
		return appts[:1]
	})
	h.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"})
	h.srv.InjectNext(oncalltest.FaultInternalError, 40, oncalltest.Match{Method: "GET", Route: "/appointments/"})
	lh.loop.Notify(changesOf(edited...)...)
	p := lh.next(syncer.PassChanges)
	t.Logf("changes pass: reconcile=%v err=%v", p.Report.Reconcile, p.Err)
	for i := 0; i < 4; i++ {
		p := <-lh.passes
		t.Logf("pass %s err=%v", p.Kind, p.Err)
		if p.Kind == syncer.PassChanges {
			break
		}
	}
	if n := liveFor(h, "r-000"); n != 1 {
		t.Errorf("DUPLICATE: %d live OnCall appointments for r-000, want 1", n)
	}
}

// Regression (found by review): the same through a full reconcile: ledgerEntries pairs the key with the old appointment as the listing
// (taken before the recreate) saw it, and drops the Pending mark because the key has an id; the next event for the
// key creates a third appointment, with no reconcile asked for in between.
func TestRegressionEventsReconcileRecreateAmbiguousThenSyncChangesDuplicates(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Participants[0] = testClient(99)
		return appts[:1]
	})
	injected := false
	r.Progress = func(p syncer.Progress) {
		if p.Listed > 0 && p.Done == 0 && !injected { // the reconcile's listing is done: the outage starts
			injected = true
			h.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"})
			h.srv.InjectNext(oncalltest.FaultInternalError, 4, oncalltest.Match{Method: "GET", Route: "/appointments/"})
		}
	}
	rep, err := r.Reconcile(t.Context(), h.mem, ledger, h.window, h.policy)
	r.Progress = nil
	h.srv.ClearFaults()
	t.Logf("reconcile: %v\n%s", err, rep)
	for _, e := range ledgerEntries(t, ledger) {
		t.Logf("ledger after the reconcile: %+v", e)
	}
	rep, err = r.SyncChanges(t.Context(), h.mem, ledger, changesOf(edited...), h.policy)
	t.Logf("SyncChanges: %v\n%s", err, rep)
	if n := liveFor(h, "r-000"); n != 1 {
		t.Errorf("DUPLICATE: %d live OnCall appointments for r-000, want 1", n)
	}
}
