package syncer_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): the reconcile holds back a create because a look-alike was booked by hand in OnCall (the create hold);
// the ledger records nothing for the key, so the next HL7 message about the appointment (a resend, a status) makes
// SyncChanges create it: the patient gets a second invitation the hold was there to prevent.
func TestRegressionEventsCreateHoldBypassedBySyncChanges(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	a := h.mem.All()[0]
	if _, err := h.srv.BookAsUser(oncalltest.Appointment{
		Title: a.Activity, Type: oncall.TypeOnline, DateTime: a.Start, Duration: 50,
		Division: h.policy.Division, Provider: h.policy.Providers[a.ProviderID],
		Participants: []oncalltest.Participant{{Name: a.Participants[0].Name, Email: a.Participants[0].Email}},
	}); err != nil {
		t.Fatal(err)
	}
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	rep, err := finished(r.Reconcile(t.Context(), h.mem, ledger, h.window, h.policy))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reconcile: review=%d applied=%v", len(rep.Review), rep.Applied)
	if n := len(h.srv.Appointments()); n != 1 {
		t.Fatalf("reconcile: %d appointments, want the hand-made one only (held)", n)
	}
	rep, err = r.SyncChanges(t.Context(), h.mem, ledger, changesOf(a), h.policy)
	t.Logf("SyncChanges: %v\n%s", err, rep)
	if n := len(h.srv.Appointments()); n != 1 {
		t.Errorf("DUPLICATE: %d OnCall appointments for one EHR booking after SyncChanges; the reconcile had held the create for review", n)
	}
}
