package syncer_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): Sync writes each created appointment's OnCall URL to the EHR record (carelogic.URLStore); SyncChanges
// does not, so an appointment booked through an event gets its link on the EHR record only at the next reconcile.
func TestRegressionEventsSyncChangesStoresNoURL(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	fresh := testSchedule(2)[1]
	h.mem.Put(fresh)
	if _, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(fresh), h.policy)); err != nil {
		t.Fatal(err)
	}
	a, _ := h.mem.Appointment(t.Context(), fresh.ID)
	if a.OnCallURL == "" {
		t.Errorf("the EHR record of an appointment SyncChanges created has no OnCall URL (Sync stores it)")
	}
	h.reconcile(r, ledger)
	a, _ = h.mem.Appointment(t.Context(), fresh.ID)
	t.Logf("after a reconcile: URL %q", a.OnCallURL)
}
