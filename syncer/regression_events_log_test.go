package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/syncer"
)

// reviewLeakyEHR fails its listing with a driver-style message quoting a patient's row, as syncer/redact.go says an
// adapter may.
type reviewLeakyEHR struct{ carelogic.Adapter }

func (reviewLeakyEHR) Appointments(context.Context, time.Time, time.Time) iter.Seq2[carelogic.Appointment, error] {
	return func(yield func(carelogic.Appointment, error) bool) {
		yield(carelogic.Appointment{}, errors.New(`pq: invalid row ("Tremblay, Louis", louis.t@example.com)`))
	}
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Regression (found by review): Loop.Logger is documented as "counts and ids only", but a failed reconcile logs Sync's error, which wraps
// the EHR adapter's text verbatim ("syncer: reading the EHR: %w").
func TestRegressionEventsLoopLogsAdapterErrorText(t *testing.T) {
	h := newHarness(t, testSchedule(1))
	var buf lockedBuf
	l := &syncer.Loop{Runner: h.runner(), EHR: reviewLeakyEHR{h.mem}, Ledger: syncer.NewMemoryLedger(), Policy: h.policy,
		ReconcileEvery: -1, Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_ = l.Run(ctx)
	if out := buf.String(); strings.Contains(out, "louis.t@example.com") {
		t.Errorf("the loop's log holds the patient's email:\n%s", out)
	}
}
