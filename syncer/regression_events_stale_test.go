package syncer_test

import (
	"context"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): the OnCall pass plans against the webhook's copy and, with MaxListingAge, also builds the participants
// list from it, timing its age from the start of the pass, not from when the webhook read it. A patient's
// cancellation made in OnCall after the webhook's read is undone, however old the copy.
func TestRegressionEventsStaleWebhookCopyUndoesPatientCancellation(t *testing.T) {
	t.Run("default MaxListingAge", func(t *testing.T) { staleWebhook(t, 0) })
	t.Run("MaxListingAge<0 (fresh GET, as before the change)", func(t *testing.T) { staleWebhook(t, -1) })
}

func staleWebhook(t *testing.T, maxAge time.Duration) {
	h := newHarness(t, append(testSchedule(1), testGroup("g-1", 500, 503)))
	r := h.runner()
	r.MaxListingAge = maxAge
	lh := startLoopWith(t, h, syncer.NewMemoryLedger(), r)
	if p := lh.next(syncer.PassReconcile); p.Err != nil {
		t.Fatal(p.Err)
	}
	var g oncall.Appointment
	for _, m := range h.srv.Appointments() {
		if id, _ := m.Metadata.String(syncer.KeyEMRID); id == "g-1" {
			g = m
		}
	}
	// The webhook's read (say, queued behind a 10-minute reconcile of a large account).
	old, err := h.client.Appointments.Get(t.Context(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	// After that read, client 502 withdraws in OnCall's app.
	var p502 oncall.ParticipantID
	rec, _ := h.srv.Appointment(g.ID)
	for _, p := range rec.Participants {
		if p.Email == "client502@example.org" {
			p502 = p.ID
		}
	}
	if err := h.srv.CancelParticipantAsPatient(p502, "cannot make it"); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the EHR marks client 501 CBC: the plan changes who is on g-1.
	h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		for i := range appts {
			if appts[i].ID == "g-1" {
				appts[i].Participants[1].Status = carelogic.StatusCBC
				return appts[i : i+1]
			}
		}
		return nil
	})
	lh.loop.NotifyOnCall(old)
	p := lh.next(syncer.PassOnCall)
	t.Logf("oncall pass: err=%v\n%s", p.Err, p.Report)
	now, _ := h.srv.Appointment(g.ID)
	for _, p := range now.Participants {
		if p.ID == p502 && !p.Cancelled {
			t.Errorf("the patient's cancellation made in OnCall after the webhook's read was undone (participant %d live again)", p.ID)
		}
	}
}

func startLoopWith(t *testing.T, h *harness, ledger syncer.Ledger, r *syncer.Runner) *loopHarness {
	t.Helper()
	lh := &loopHarness{harness: h, passes: make(chan syncer.Pass, 16), done: make(chan error, 1)}
	lh.loop = &syncer.Loop{
		Runner: r, EHR: h.mem, Ledger: ledger, Policy: h.policy,
		Window:   func(time.Time) syncer.Window { return h.window },
		Debounce: 20 * time.Millisecond, ReconcileEvery: -1,
		OnPass: func(p syncer.Pass) { lh.passes <- p },
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { lh.done <- lh.loop.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-lh.done })
	return lh
}
