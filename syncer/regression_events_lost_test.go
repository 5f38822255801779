package syncer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/syncer"
)

// flakyLedger fails its next Get calls while failGets > 0 (a disk hiccup, a bbolt timeout).
type flakyLedger struct {
	*syncer.MemoryLedger
	failGets atomic.Int32
}

func (l *flakyLedger) Get(ctx context.Context, key string) (syncer.LedgerEntry, bool, error) {
	if l.failGets.Add(-1) >= 0 {
		return syncer.LedgerEntry{}, false, errors.New("transient ledger error")
	}
	return l.MemoryLedger.Get(ctx, key)
}

// Regression (found by review): a changes pass whose ledger read fails returns no report; runChanges has already removed the changes
// from the queue and neither retries them nor asks for a reconcile: the EHR edit never reaches OnCall until the
// next scheduled reconcile (never, with ReconcileEvery < 0).
func TestRegressionEventsLoopDropsChangesOnLedgerError(t *testing.T) {
	h := newHarness(t, testSchedule(2))
	fl := &flakyLedger{MemoryLedger: syncer.NewMemoryLedger()}
	lh := startLoop(t, h, fl)
	if p := lh.next(syncer.PassReconcile); p.Err != nil {
		t.Fatal(p.Err)
	}
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Start = appts[0].Start.Add(time.Hour)
		return appts[:1]
	})
	fl.failGets.Store(1)
	lh.loop.Notify(changesOf(edited...)...)
	p := lh.next(syncer.PassChanges)
	t.Logf("pass: report=%v err=%v", p.Report != nil, p.Err)
	select {
	case p := <-lh.passes:
		t.Logf("next pass %s err=%v", p.Kind, p.Err)
	case <-time.After(5 * time.Second):
		t.Logf("no pass within 5 s; loop stats %+v", lh.loop.Stats())
	}
	for _, m := range h.srv.Appointments() {
		if id, _ := m.Metadata.String(syncer.KeyEMRID); id == "r-000" && !m.DateTime.Equal(edited[0].Start) {
			t.Errorf("LOST UPDATE: OnCall still has r-000 at %v, EHR says %v", m.DateTime, edited[0].Start)
		}
	}
}
