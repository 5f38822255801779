package syncer_test

import (
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): an OnCall pass (webhook) whose write fails is not retried (runOnCall ignores syncChanges' retry list and
// the failed actions) and asks for no reconcile: a change made directly in OnCall stays until the scheduled
// reconcile (never, with ReconcileEvery < 0).
func TestRegressionEventsOnCallPassNotRetried(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	lh := startLoop(t, h, syncer.NewMemoryLedger())
	lh.next(syncer.PassReconcile)
	m := h.srv.Appointments()[0]
	h.srv.UpdateAsUser(m.ID, func(a *oncalltest.Appointment) { a.Title = "Edited in OnCall" })
	got, _ := h.client.Appointments.Get(t.Context(), m.ID)
	h.srv.InjectNext(oncalltest.FaultInternalError, 1, oncalltest.Match{Method: "PATCH"})
	lh.loop.NotifyOnCall(got)
	p := lh.next(syncer.PassOnCall)
	t.Logf("oncall pass: %v", p.Err)
	select {
	case p := <-lh.passes:
		t.Logf("then a %s pass", p.Kind)
	case <-time.After(6 * time.Second):
	}
	if now, _ := h.srv.Appointment(m.ID); now.Title == "Edited in OnCall" {
		t.Errorf("the change made in OnCall was not undone; the failed OnCall pass was never retried (stats %+v)", lh.loop.Stats())
	}
}
