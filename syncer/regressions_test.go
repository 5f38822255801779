package syncer_test

// Regression tests for defects an adversarial review of the sync found: each sets up the situation the review
// reproduced and checks the outcome a clinic needs.

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// onlyAppointment returns the fake's one appointment, read through the API (metadata included).
func onlyAppointment(t *testing.T, h *harness) *oncall.Appointment {
	t.Helper()
	all := h.srv.Appointments()
	if len(all) != 1 {
		t.Fatalf("%d appointments in OnCall, want 1", len(all))
	}
	got, err := h.client.Appointments.Get(t.Context(), all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// writes returns the requests since the last ResetRequests that were not reads.
func writes(h *harness) []string {
	var out []string
	for _, r := range h.srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// reasons returns the report's skips as "client: reason", attention first marked with "!".
func reasons(rep *syncer.Report) []string {
	var out []string
	for _, s := range rep.Skipped {
		mark := ""
		if s.Attention {
			mark = "! "
		}
		out = append(out, mark+s.Client+": "+s.Reason)
	}
	return out
}

// A 1:1 whose email change OnCall ignored still pairs with its participant: a later CBC cancels the appointment
// instead of the run reading "in sync" with the patient still invited.
func TestRegressionIgnoredEmailThenCBC(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(1))
	h.sync(h.runner())
	h.srv.SetIgnoredFields("participants")
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Email = "new.address@example.org"
		return a
	})
	h.sync(h.runner())
	h.srv.SetIgnoredFields()
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Status = carelogic.StatusCBC
		return a
	})
	rep := h.sync(h.runner())
	if got := onlyAppointment(t, h); !got.Cancelled || got.Status != oncall.StatusPatientCancelled {
		t.Errorf("after CBC: cancelled=%v status %q, want cancelled by the patient:\n%s", got.Cancelled, got.Status, rep)
	}
}

// Staff correcting a 1:1 participant's email in OnCall: the client still pairs (a later CBC syncs), and the EHR's
// address is not pushed back over the correction.
func TestRegressionEmailEditedInOnCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(1))
	h.sync(h.runner())
	id := onlyAppointment(t, h).ID
	if err := h.srv.UpdateAsUser(id, func(a *oncalltest.Appointment) { a.Participants[0].Email = "corrected@example.org" }); err != nil {
		t.Fatal(err)
	}
	h.srv.ResetRequests()
	rep := h.sync(h.runner())
	if w := writes(h); len(w) != 0 {
		t.Errorf("the sync wrote %v, want nothing (the EHR's address is not pushed back):\n%s", w, rep)
	}
	want := []string{"cl-000: email changed in OnCall since the sync invited the client; the EHR's is not sent back over it"}
	if diff := cmp.Diff(want, reasons(rep)); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Status = carelogic.StatusCBC
		return a
	})
	rep = h.sync(h.runner())
	if got := onlyAppointment(t, h); !got.Cancelled || got.Participants[0].Email != "corrected@example.org" {
		t.Errorf("after CBC: cancelled=%v, email kept=%v; want cancelled with OnCall's address:\n%s", got.Cancelled,
			got.Participants[0].Email == "corrected@example.org", rep)
	}
}

// A client OnCall would refuse (no email, as FHIR sources often have) joining a group is reported on its own; the
// rest of the update (a new time, another client's withdrawal) goes through, on either API surface, and the next
// run writes nothing.
func TestRegressionInvalidClientDoesNotBlockGroup(t *testing.T) {
	t.Parallel()
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			appts := []carelogic.Appointment{testGroup("g-1", 1, 3)}
			h := newHarness(t, appts)
			if extension {
				h = extensionHarness(t, appts)
			}
			h.sync(h.runner())
			moved := h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
				a[0].Participants[0].Status = carelogic.StatusCBC
				a[0].Start = a[0].Start.Add(30 * 60e9)
				c := testClient(4)
				c.Email = ""
				a[0].Participants = append(a[0].Participants, c)
				return a
			})[0].Start
			want := []string{"! cl-004: not invited: invalid participant: email is missing or malformed; correct the client's details in the EHR"}
			for pass := 1; pass <= 2; pass++ {
				h.srv.ResetRequests()
				rep := h.sync(h.runner())
				if len(rep.FailedActions()) > 0 {
					t.Errorf("pass %d failed:\n%s", pass, rep)
				}
				if diff := cmp.Diff(want, reasons(rep)); diff != "" {
					t.Errorf("pass %d: skips (-want +got):\n%s", pass, diff)
				}
				if w := writes(h); pass == 2 && len(w) != 0 {
					t.Errorf("pass 2 wrote %v, want nothing", w)
				}
			}
			got := onlyAppointment(t, h)
			withdrawn := got.Participants[0].Cancelled || got.Participants[0].Status == oncall.ParticipantCancelledByClient
			if !got.DateTime.Equal(moved) || !withdrawn || len(got.Participants) != 3 {
				t.Errorf("OnCall has %v, client 1 withdrawn %v, %d participants; want %v, true, 3", got.DateTime, withdrawn, len(got.Participants), moved)
			}
		})
	}
}

// A group whose every client OnCall would refuse is not created, and says so as needing attention (not as the
// policy skip of a group whose clients have all cancelled); one with a valid client is created without the others.
func TestRegressionInvalidClientsOnCreate(t *testing.T) {
	t.Parallel()
	noEmail := func(n int) carelogic.Participant { c := testClient(n); c.Email = ""; return c }
	all := testGroup("g-all", 1, 0)
	all.Participants = []carelogic.Participant{noEmail(1), noEmail(2)}
	some := testGroup("g-some", 3, 3)
	some.Participants = append(some.Participants, noEmail(4))
	h := newHarness(t, []carelogic.Appointment{all, some})
	rep, err := h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
	if !errors.Is(err, syncer.ErrIncomplete) {
		t.Fatalf("Sync = %v, want ErrIncomplete", err)
	}
	want := []string{
		"! : not created: no client OnCall can invite (invalid participant: email is missing or malformed; correct the client's details in the EHR)",
		"! cl-004: not invited: invalid participant: email is missing or malformed; correct the client's details in the EHR",
	}
	if diff := cmp.Diff(want, reasons(rep)); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
	if appts := h.srv.Appointments(); len(appts) != 1 || len(appts[0].Participants) != 1 {
		t.Fatalf("OnCall has %d appointments, want g-some alone with its one valid client", len(appts))
	}
	// Once the EHR has the address, the client is invited.
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		for i := range a {
			if a[i].ID == "g-some" {
				a[i].Participants[1].Email = "client004@example.org"
			}
		}
		return a
	})
	h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
	if appts := h.srv.Appointments(); len(appts) != 1 || len(appts[0].Participants) != 2 {
		t.Errorf("after the EHR's correction: %d participants, want 2", len(appts[0].Participants))
	}
}

// A participants list whose PATCH fails with a 502 is not re-sent as it was built: a patient who cancelled in OnCall
// meanwhile stays cancelled.
func TestRegressionStaleListNotResent(t *testing.T) {
	t.Parallel()
	var srv *oncalltest.Server
	var patches atomic.Int32
	var victim atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPatch && patches.Add(1) == 1 {
			// The patient cancels in OnCall while the first PATCH is lost on its way back.
			if err := srv.CancelParticipantAsPatient(oncall.ParticipantID(victim.Load()), ""); err != nil {
				return nil, err
			}
			return &http.Response{StatusCode: http.StatusBadGateway, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	h := newHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)}, harnessConfig{client: []oncall.Option{oncall.WithHTTPClient(hc)}})
	srv = h.srv
	h.sync(h.runner())
	victim.Store(int64(onlyAppointment(t, h).Participants[2].ID))
	patches.Store(0)
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Status = carelogic.StatusCBC
		return a
	})
	rep := h.sync(h.runner())
	got := onlyAppointment(t, h)
	if !got.Participants[0].Cancelled || !got.Participants[2].Cancelled {
		t.Errorf("client 1 withdrawn %v, client 3 (cancelled in OnCall meanwhile) still cancelled %v; want both:\n%s",
			got.Participants[0].Cancelled, got.Participants[2].Cancelled, rep)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A participant status set by a run with the extension (or an earlier version) and no roster mark is final on the
// documented default too: a later CBC does not cancel the 1:1 over the no-show.
func TestRegressionStatusFinalWithoutMark(t *testing.T) {
	t.Parallel()
	h := extensionHarness(t, testSchedule(1))
	h.sync(h.runner())
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Status = carelogic.StatusDNS
		return a
	})
	h.sync(h.runner())
	// The roster as a version without marks wrote it.
	m := onlyAppointment(t, h)
	md := m.Metadata
	v, _ := md.String(syncer.KeyEMRClients)
	md[syncer.KeyEMRClients], _, _ = strings.Cut(v, ":")
	if _, err := h.client.Appointments.Update(t.Context(), m.ID, &oncall.AppointmentUpdateParams{Metadata: md}); err != nil {
		t.Fatal(err)
	}
	h.policy.UndocumentedParticipantAPI = false
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[0].Status = carelogic.StatusCBC
		return a
	})
	rep := h.sync(h.runner())
	if got := onlyAppointment(t, h); got.Cancelled {
		t.Errorf("cancelled (%q) over a no-show OnCall holds:\n%s", got.Status, rep)
	}
	want := []string{`cl-000: EHR status CBC not synced: OnCall already has "No Show", and later status changes do not sync`}
	if diff := cmp.Diff(want, reasons(rep)); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
}

// A group client's DNS recorded on the documented API (which cannot show it) is sent once the extension is on,
// and then nothing is reported.
func TestRegressionRecordedDNSSentWithExtension(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)}, harnessConfig{server: []oncalltest.Option{oncalltest.WithUndocumentedParticipantAPI()}})
	h.sync(h.runner())
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[1].Status = carelogic.StatusDNS
		return a
	})
	h.sync(h.runner())
	h.policy.UndocumentedParticipantAPI = true
	rep := h.sync(h.runner())
	if got := onlyAppointment(t, h).Participants[1].Status; got != oncall.ParticipantNoShow {
		t.Errorf("client 2's status %q, want %q:\n%s", got, oncall.ParticipantNoShow, rep)
	}
	h.srv.ResetRequests()
	rep = h.sync(h.runner())
	if w := writes(h); len(w) != 0 || len(rep.Skipped) != 0 {
		t.Errorf("the next run wrote %v and reported %v, want neither", w, reasons(rep))
	}
}

// A group client the sync withdrew for CBT flows back to the EHR as CBT, not CBC, when staff put the EHR back to
// Scheduled: the documented API does not say who cancelled, the roster does.
func TestRegressionReverseWithdrawnForCBT(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []carelogic.Appointment{testGroup("g-1", 1, 3)})
	h.sync(h.runner())
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[1].Status = carelogic.StatusCBT
		return a
	})
	h.sync(h.runner())
	ehr := h.edit(func(a []carelogic.Appointment) []carelogic.Appointment {
		a[0].Participants[1].Status = carelogic.StatusScheduled
		return a
	})[0]
	var got []string
	for _, act := range syncer.PlanEHR(onlyAppointment(t, h), &ehr, syncer.ReversePolicy{}) {
		got = append(got, fmt.Sprintf("%s %s %s", act.Kind, act.Client, act.Status))
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("%s cl-002 CBT", syncer.EHRSetStatus)}, got); diff != "" {
		t.Errorf("PlanEHR (-want +got):\n%s", diff)
	}
}

// A write OnCall did not fully apply is logged at warn level, where a service's alerting looks, not as applied.
func TestRegressionIgnoredWriteLoggedAsWarning(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(1))
	h.sync(h.runner())
	h.srv.SetIgnoredFields("title")
	h.edit(func(a []carelogic.Appointment) []carelogic.Appointment { a[0].Activity = "Family Therapy"; return a })
	var buf bytes.Buffer
	r := h.runner()
	r.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.sync(r)
	want := `level=WARN msg="oncall sync action not fully applied: OnCall ignored part of it" kind=update`
	if !strings.Contains(buf.String(), want) || strings.Contains(buf.String(), "action applied") {
		t.Errorf("log lacks %q, or says applied:\n%s", want, buf.String())
	}
}

// A future appointment cancelled in OnCall but still scheduled in the EHR needs a person: nobody has a room.
func TestRegressionCancelledInOnCallNeedsAttention(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(1))
	h.sync(h.runner())
	if err := h.srv.CancelAsPatient(onlyAppointment(t, h).ID, ""); err != nil {
		t.Fatal(err)
	}
	rep, err := h.runner().Sync(t.Context(), h.mem, h.window, h.policy)
	var ie *syncer.IncompleteError
	if !errors.As(err, &ie) || ie.Attention != 1 || !rep.NeedsAttention() {
		t.Errorf("Sync = %v, want an IncompleteError with one item needing attention:\n%s", err, rep)
	}
}
