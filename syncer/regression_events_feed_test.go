package syncer_test

import (
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): with the default source (MSH-3@MSH-4), two facilities whose filler ids overlap share a bare id. Every
// change names the EHR appointment by its bare id (ChangeOf, and runOnCall's KeyEMRID), which the Feed refuses as
// ambiguous: SyncChanges never synced them; only the hourly reconcile did. Changes are now read by key where the
// adapter can (carelogic.KeyReader, which siu.Feed implements).
func TestRegressionEventsFeedSharedID(t *testing.T) {
	h := newHarness(t, nil)
	feed := siu.NewFeed()
	msg := func(facility string) string {
		return strings.Join([]string{
			"MSH|^~\\&|CareLogic|" + facility + "|OnCallSync|OnCall|20300303083000+0000||SIU^S12^SIU_S12|BOOK-1|P|2.5.1",
			"SCH||E-2001^CLINIC|||||COUNSEL^Counselling session^L||||||||||||||||||Booked",
			"TQ1|||||||203003061500+0000|203003061550+0000",
			"PID|1||C-3003^^^CLINIC^MR||Tremblay^Louis||||||||^NET^Internet^louis.t@example.com",
			"RGS|1",
			"AIP|1||staff-101^Nguyen^Thi",
		}, "\r")
	}
	var changes []syncer.Change
	for _, f := range []string{"Eastside", "Westside"} {
		m, err := siu.Parse([]byte(msg(f)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := siu.Convert(m)
		if err != nil {
			t.Fatal(err)
		}
		feed.ApplySnapshot(s)
		changes = append(changes, syncer.ChangeOf(&s.Appointment))
	}
	t.Logf("changes: %+v", changes)
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	if _, err := r.Reconcile(t.Context(), siu.NewFeed(), ledger, h.window, h.policy); err != nil {
		t.Fatal(err)
	}
	rep, err := r.SyncChanges(t.Context(), feed, ledger, changes, h.policy)
	t.Logf("SyncChanges: %v\n%s", err, rep)
	if n := len(h.srv.Appointments()); n != 2 {
		t.Errorf("%d OnCall appointments after SyncChanges of two new bookings, want 2", n)
	}
}
