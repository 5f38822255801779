package syncer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// Regression (found by review): a webhook copy read before the sync's own write and handled after it. The EHR adds client 504 to the
// group; the changes pass invites them; then the OnCall pass plans against the older copy (no 504) and, with
// MaxListingAge, builds the list from that copy too.
func TestRegressionEventsStaleWebhookCopyAfterOwnWrite(t *testing.T) {
	for _, age := range []time.Duration{0, -1} {
		t.Run(map[time.Duration]string{0: "default", -1: "fresh GET"}[age], func(t *testing.T) {
			h := newHarness(t, append(testSchedule(1), testGroup("g-1", 500, 503)))
			r := h.runner()
			r.MaxListingAge = age
			lh := startLoopWith(t, h, syncer.NewMemoryLedger(), r)
			lh.next(syncer.PassReconcile)
			var gid oncall.AppointmentID
			for _, m := range h.srv.Appointments() {
				if id, _ := m.Metadata.String(syncer.KeyEMRID); id == "g-1" {
					gid = m.ID
				}
			}
			// Staff edit the title in OnCall; the webhook handler reads the appointment (C0).
			h.srv.UpdateAsUser(gid, func(a *oncalltest.Appointment) { a.Title = "Edited" })
			c0, err := h.client.Appointments.Get(t.Context(), gid)
			if err != nil {
				t.Fatal(err)
			}
			// The EHR adds client 504; the changes pass runs first.
			edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
				for i := range appts {
					if appts[i].ID == "g-1" {
						appts[i].Participants = append(appts[i].Participants, testClient(504))
						return appts[i : i+1]
					}
				}
				return nil
			})
			lh.loop.Notify(changesOf(edited...)...)
			lh.next(syncer.PassChanges)
			before, _ := h.srv.Appointment(gid)
			var id504 oncall.ParticipantID
			for _, pp := range before.Participants {
				if strings.EqualFold(pp.Email, "client504@example.org") {
					id504 = pp.ID
				}
			}
			lh.loop.NotifyOnCall(c0)
			p := lh.next(syncer.PassOnCall)
			t.Logf("oncall pass: %v\n%s", p.Err, p.Report)
			now, _ := h.srv.Appointment(gid)
			n := 0
			for _, pp := range now.Participants {
				if strings.EqualFold(pp.Email, "client504@example.org") && !pp.Cancelled {
					n++
					if pp.ID != id504 {
						t.Errorf("client 504 was invited anew: participant %d replaced by %d (a second invitation)", id504, pp.ID)
					}
				}
			}
			if n != 1 {
				t.Errorf("client 504 is on the group %d times, want 1", n)
			}
		})
	}
}
