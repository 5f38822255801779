package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// reverseFixture syncs a 1:1 (o1) and a group of four (g1) into a simulated OnCall and returns the EHR
// appointments, with the OnCall URL stored on each as the runner does, and their OnCall appointments.
func reverseFixture(t *testing.T) (ehr map[string]carelogic.Appointment, oc map[string]oncall.Appointment) {
	t.Helper()
	appts := []carelogic.Appointment{oneToOne("o1", days(1), client(1)), group("g1", days(2), clients(1, 4)...)}
	w := syncWorld(t, appts, testPolicy())
	ehr, oc = map[string]carelogic.Appointment{}, map[string]oncall.Appointment{}
	for _, a := range appts {
		m := cloneState([]oncall.Appointment{*w.live(a.Key())})[0]
		a.OnCallURL = m.URL
		ehr[a.ID], oc[a.ID] = a, m
	}
	return ehr, oc
}

// applyEHR applies EHR actions to a copy of an EHR appointment the way an adapter would.
func applyEHR(t *testing.T, a carelogic.Appointment, acts []EHRAction) carelogic.Appointment {
	t.Helper()
	a = a.Clone()
	for _, act := range acts {
		if act.Kind != EHRCreate && act.EHRID != a.ID {
			t.Errorf("%s names EHR appointment %q, want %q", act.Kind, act.EHRID, a.ID)
		}
		switch act.Kind {
		case EHRSetStatus:
			p := a.Participant(act.Client)
			if p == nil {
				t.Errorf("%s: no client %q", act.Kind, act.Client)
				continue
			}
			p.Status = act.Status
		case EHRComment:
			a.Comments = strings.TrimPrefix(a.Comments+"\n"+act.Comment, "\n")
		case EHRStoreURL:
			a.OnCallURL = act.URL
		case EHRUpdate:
			a = act.Appointment.Clone()
		case EHRCreate:
			a = act.Appointment.Clone()
			a.ID = "created-1"
		default:
			t.Errorf("unknown EHR action %q", act.Kind)
		}
	}
	return a
}

func TestPlanEHR(t *testing.T) {
	t.Parallel()
	ehr, oc := reverseFixture(t)
	o1, g1 := ehr["o1"], ehr["g1"]
	m1, mg := oc["o1"], oc["g1"]
	handMade := oncall.Appointment{ID: 500, URL: "https://api.oncallhealth.ca/appointments/500/", Title: "Consultation",
		DateTime: days(5), Duration: 30, Type: oncall.TypeOnline, Status: oncall.StatusIncomplete, Division: testDivision, Provider: provider1,
		Participants: []oncall.Participant{{ID: 501, Name: "Walk In", Email: "walkin@example.com"}}}
	withOC := func(m oncall.Appointment, f func(m *oncall.Appointment)) *oncall.Appointment {
		m = cloneState([]oncall.Appointment{m})[0]
		f(&m)
		return &m
	}
	withEHR := func(a carelogic.Appointment, f func(a *carelogic.Appointment)) *carelogic.Appointment {
		a = edit(a, f)
		return &a
	}
	patientCancelled := func(m *oncall.Appointment) {
		m.Cancelled, m.Status, m.Cancellation = true, oncall.StatusPatientCancelled, "Feeling unwell"
	}
	providerCancelled := func(m *oncall.Appointment) { m.Cancelled, m.Status = true, oncall.StatusProviderCancelled }
	setStatus := func(a carelogic.Appointment, m oncall.Appointment, client string, s carelogic.Status) EHRAction {
		return EHRAction{Kind: EHRSetStatus, EHRID: a.ID, OnCall: m.ID, Client: client, Status: s, Reason: "set in OnCall"}
	}
	gStatuses := func(statuses ...carelogic.Status) func(a *carelogic.Appointment) {
		return func(a *carelogic.Appointment) {
			for i, s := range statuses {
				a.Participants[i].Status = s
			}
		}
	}
	tests := []struct {
		name string
		oc   *oncall.Appointment
		ehr  *carelogic.Appointment
		p    ReversePolicy
		want []EHRAction
	}{{
		name: "in sync",
		oc:   &m1, ehr: &o1,
	}, {
		name: "patient cancels a 1:1 with a reason",
		oc:   withOC(m1, patientCancelled), ehr: &o1,
		want: []EHRAction{
			setStatus(o1, m1, "c1", carelogic.StatusCBC),
			{Kind: EHRComment, EHRID: "o1", OnCall: m1.ID, Comment: "Client cancelled in OnCall: Feeling unwell", Reason: "cancellation reason"},
		},
	}, {
		name: "patient cancels a 1:1 without a reason",
		oc:   withOC(m1, func(m *oncall.Appointment) { patientCancelled(m); m.Cancellation = "  " }), ehr: &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBC)},
	}, {
		// OnCall documents no reason; its "cancellation" is opaque, most likely a cancellation record's URL,
		// which is not a reason and must not reach the EHR's comments.
		name: "patient cancels a 1:1, the cancellation field a URL",
		oc: withOC(m1, func(m *oncall.Appointment) {
			patientCancelled(m)
			m.Cancellation = "https://api.oncallhealth.ca/appointment_cancellations/77/"
		}),
		ehr:  &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBC)},
	}, {
		name: "the reason is in the EHR comments already",
		oc:   withOC(m1, patientCancelled),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.Comments = "Called: Feeling unwell, will rebook" }),
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBC)},
	}, {
		name: "a group client cancels for themselves",
		oc: withOC(mg, func(m *oncall.Appointment) {
			m.Participants[1].Cancelled = true
			m.Cancellation = "ignored for groups"
		}),
		ehr:  &g1,
		want: []EHRAction{setStatus(g1, mg, "c2", carelogic.StatusCBC)},
	}, {
		name: "provider cancels a group",
		oc:   withOC(mg, providerCancelled),
		ehr:  &g1,
		want: []EHRAction{setStatus(g1, mg, "c1", carelogic.StatusCBT), setStatus(g1, mg, "c2", carelogic.StatusCBT),
			setStatus(g1, mg, "c3", carelogic.StatusCBT), setStatus(g1, mg, "c4", carelogic.StatusCBT)},
	}, {
		name: "staff cancel a 1:1",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Cancelled, m.Status = true, oncall.StatusStaffCancelled }),
		ehr:  &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBT)},
	}, {
		name: "coordinator cancels a 1:1",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Cancelled, m.Status = true, oncall.StatusCoordinatorCancelled }),
		ehr:  &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBT)},
	}, {
		name: "provider cancels while one group client had cancelled",
		oc: withOC(mg, func(m *oncall.Appointment) {
			providerCancelled(m)
			m.Participants[0].Cancelled = true
		}),
		ehr: &g1,
		want: []EHRAction{setStatus(g1, mg, "c1", carelogic.StatusCBC), setStatus(g1, mg, "c2", carelogic.StatusCBT),
			setStatus(g1, mg, "c3", carelogic.StatusCBT), setStatus(g1, mg, "c4", carelogic.StatusCBT)},
	}, {
		name: "appointment marked no show",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Status = oncall.StatusNoShow }),
		ehr:  &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusDNS)},
	}, {
		name: "no-show fee charged",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Status = oncall.StatusNoShowFeeCharged }),
		ehr:  &o1,
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusDNS)},
	}, {
		name: "a cancellation status on an appointment that is not cancelled",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Status = oncall.StatusPatientCancelled }),
		ehr:  &o1,
	}, {
		name: "completed in OnCall",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Status = oncall.StatusComplete }),
		ehr:  &o1,
	}, {
		name: "DNS, CBT, CBC and Error in the EHR are never overwritten",
		oc:   withOC(mg, providerCancelled),
		ehr:  withEHR(g1, gStatuses(carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC, carelogic.StatusError)),
	}, {
		// Kept is a recorded outcome (the client came), like the four hard statuses: OnCall does not overwrite it.
		// A custom status such as "Checked-in" comes before the outcome, so the cancellation applies to it.
		name: "custom and scheduled statuses are overwritten by a cancellation, Kept is not",
		oc:   withOC(mg, providerCancelled),
		ehr:  withEHR(g1, gStatuses(carelogic.StatusKept, "Checked-in", carelogic.StatusScheduled, carelogic.StatusDNS)),
		want: []EHRAction{setStatus(g1, mg, "c2", carelogic.StatusCBT), setStatus(g1, mg, "c3", carelogic.StatusCBT)},
	}, {
		// The sync wrote "Cancelled by Provider" from an EHR CBT that staff later put back to Scheduled: OnCall
		// still holds it (later changes do not sync), so the EHR is told so, as CBT, not as a client's CBC.
		name: "a provider cancellation maps back to CBT, never CBC",
		oc: withOC(m1, func(m *oncall.Appointment) {
			m.Participants[0].Status, m.Participants[0].Cancelled = oncall.ParticipantCancelledByProvider, true
		}),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.Participants[0].Status = carelogic.StatusScheduled }),
		want: []EHRAction{setStatus(o1, m1, "c1", carelogic.StatusCBT)},
	}, {
		// The participant's "status" is what the sync wrote from the EHR (DNS, later corrected to Kept): reading
		// it back would undo the correction.
		name: "participant status set by the sync is not read back",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.Participants[0].Status = oncall.ParticipantNoShow }),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.Participants[0].Status = carelogic.StatusKept }),
	}, {
		name: "URL stored when the EHR lacks it",
		oc:   &m1,
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.OnCallURL = "" }),
		want: []EHRAction{{Kind: EHRStoreURL, EHRID: "o1", OnCall: m1.ID, URL: m1.URL}},
	}, {
		name: "URL replaced when the EHR holds another",
		oc:   withOC(m1, patientCancelled),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.OnCallURL = "https://api.oncallhealth.ca/appointments/1/" }),
		want: []EHRAction{
			{Kind: EHRStoreURL, EHRID: "o1", OnCall: m1.ID, URL: m1.URL},
			setStatus(o1, m1, "c1", carelogic.StatusCBC),
			{Kind: EHRComment, EHRID: "o1", OnCall: m1.ID, Comment: "Client cancelled in OnCall: Feeling unwell", Reason: "cancellation reason"},
		},
	}, {
		name: "deleted in the EHR",
		oc:   withOC(m1, patientCancelled),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.Deleted = true }),
	}, {
		name: "rescheduled in OnCall without UpdateDetails",
		oc:   withOC(m1, func(m *oncall.Appointment) { m.DateTime = days(3) }),
		ehr:  &o1,
	}, {
		name: "rescheduled and retitled in OnCall with UpdateDetails",
		oc: withOC(m1, func(m *oncall.Appointment) {
			m.DateTime, m.Duration, m.Title, m.Provider = days(3).Add(time.Hour), 60, " Follow-up ", provider2
		}),
		ehr: &o1,
		p:   ReversePolicy{UpdateDetails: true, Staff: map[oncall.ProviderID]string{provider2: "staff-2"}},
		want: []EHRAction{{Kind: EHRUpdate, EHRID: "o1", OnCall: m1.ID, Reason: "rescheduled or retitled in OnCall",
			Appointment: withEHR(o1, func(a *carelogic.Appointment) {
				a.Start, a.Duration, a.Activity, a.ProviderID = days(3).Add(time.Hour), time.Hour, "Follow-up", "staff-2"
			})}},
	}, {
		name: "UpdateDetails with nothing changed",
		oc:   &m1, ehr: &o1,
		p: ReversePolicy{UpdateDetails: true, Staff: map[oncall.ProviderID]string{provider1: "staff-1"}},
	}, {
		name: "UpdateDetails leaves a cancelled appointment's details alone",
		oc:   withOC(m1, func(m *oncall.Appointment) { patientCancelled(m); m.DateTime = days(3) }),
		ehr:  &o1,
		p:    ReversePolicy{UpdateDetails: true},
		want: []EHRAction{
			setStatus(o1, m1, "c1", carelogic.StatusCBC),
			{Kind: EHRComment, EHRID: "o1", OnCall: m1.ID, Comment: "Client cancelled in OnCall: Feeling unwell", Reason: "cancellation reason"},
		},
	}, {
		name: "booked in OnCall with CreateInEHR",
		oc:   &handMade,
		p:    ReversePolicy{CreateInEHR: true, Source: "oncall", Staff: map[oncall.ProviderID]string{provider1: "staff-1"}},
		want: []EHRAction{{Kind: EHRCreate, OnCall: 500, URL: handMade.URL, Reason: "booked in OnCall", Appointment: &carelogic.Appointment{
			Source: "oncall", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-1", Start: days(5),
			Duration: 30 * time.Minute, Activity: "Consultation", OnCallURL: handMade.URL,
			Participants: []carelogic.Participant{{ClientID: "oncall-participant-501", Name: "Walk In", Email: "walkin@example.com"}},
		}}},
	}, {
		name: "booked in OnCall as a group, in person",
		oc: withOC(handMade, func(m *oncall.Appointment) {
			m.Type = oncall.TypeInPerson
			m.Participants = append(m.Participants, oncall.Participant{ID: 502, Name: "Plus One", Email: "plusone@example.com"})
		}),
		p: ReversePolicy{CreateInEHR: true},
		want: []EHRAction{{Kind: EHRCreate, OnCall: 500, URL: handMade.URL, Reason: "booked in OnCall", Appointment: &carelogic.Appointment{
			Kind: carelogic.Group, Modality: carelogic.InPerson, Start: days(5), Duration: 30 * time.Minute, Activity: "Consultation", OnCallURL: handMade.URL,
			Participants: []carelogic.Participant{{ClientID: "oncall-participant-501", Name: "Walk In", Email: "walkin@example.com"},
				{ClientID: "oncall-participant-502", Name: "Plus One", Email: "plusone@example.com"}},
		}}},
	}, {
		name: "booked in OnCall without CreateInEHR",
		oc:   &handMade,
	}, {
		name: "booked in OnCall and cancelled",
		oc:   withOC(handMade, func(m *oncall.Appointment) { m.Cancelled = true }),
		p:    ReversePolicy{CreateInEHR: true},
	}, {
		name: "booked in OnCall as a phone call",
		oc:   withOC(handMade, func(m *oncall.Appointment) { m.Type = oncall.TypePhone }),
		p:    ReversePolicy{CreateInEHR: true},
	}, {
		name: "EHR metadata but no EHR appointment",
		oc:   &m1,
		p:    ReversePolicy{CreateInEHR: true},
	}, {
		// A malformed EHR record must not panic the webhook handler.
		name: "EHR 1:1 without a client, OnCall appointment without a roster",
		oc:   withOC(m1, func(m *oncall.Appointment) { delete(m.Metadata, KeyEMRClients); providerCancelled(m) }),
		ehr:  withEHR(o1, func(a *carelogic.Appointment) { a.Participants = nil }),
	}, {
		name: "superseded by a recreate",
		oc:   withOC(m1, func(m *oncall.Appointment) { providerCancelled(m); m.Metadata[KeyEMRSuperseded] = true }),
		ehr:  &o1,
	}, {
		name: "no OnCall appointment",
		ehr:  &o1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PlanEHR(tt.oc, tt.ehr, tt.p)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("PlanEHR (-want +got):\n%s", diff)
			}
			if len(got) == 0 {
				return
			}
			// Idempotent: once the EHR holds the changes, nothing more is proposed.
			oc := tt.oc
			var ehr carelogic.Appointment
			if tt.ehr != nil {
				ehr = applyEHR(t, *tt.ehr, got)
			} else {
				ehr = applyEHR(t, carelogic.Appointment{}, got)
				// The runner writes the new EHR id into the OnCall appointment's metadata.
				oc = withOC(*oc, func(m *oncall.Appointment) { m.Metadata = baseMetadata(&ehr) })
			}
			if again := PlanEHR(oc, &ehr, tt.p); len(again) != 0 {
				t.Errorf("PlanEHR after applying its actions = %+v, want none", again)
			}
		})
	}
}

// TestPlanEHRForwardRoundTrip checks that the directions do not fight: what the reverse direction writes to
// the EHR, the forward plan does not write back to OnCall.
func TestPlanEHRForwardRoundTrip(t *testing.T) {
	t.Parallel()
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			p := testPolicy()
			p.UndocumentedParticipantAPI = extension
			appts := []carelogic.Appointment{oneToOne("o1", days(1), client(1)), group("g1", days(2), clients(1, 4)...)}
			w := syncWorld(t, appts, p)
			// A group client cancels in OnCall; the provider cancels the 1:1.
			w.live(key("g1")).Participants[2].Cancelled = true
			m1 := w.live(key("o1"))
			m1.Cancelled, m1.Status = true, oncall.StatusProviderCancelled
			for i, a := range appts {
				appts[i] = applyEHR(t, a, PlanEHR(w.live(a.Key()), &a, ReversePolicy{}))
			}
			if got := appts[1].Participant("c3").Status; got != carelogic.StatusCBC {
				t.Fatalf("g1 client c3 is %q in the EHR, want CBC", got)
			}
			if got := appts[0].Participants[0].Status; got != carelogic.StatusCBT {
				t.Fatalf("o1 client is %q in the EHR, want CBT", got)
			}
			// On the documented API OnCall already shows the cancellation the EHR now holds: nothing to send. With
			// the extension, the forward sync sets the participant status that mirrors the EHR's new CBC (and
			// records it in the roster), and nothing else.
			want := changeset(nil, nil, nil)
			if extension {
				want = changeset([]Action{{Kind: ActionSetStatus, Key: key("g1"), Appointment: w.appt(key("g1")), Participant: w.part(key("g1"), "client3@example.com"),
					Client: "c3", Status: oncall.ParticipantCancelledByClient, Reason: "marked CBC in the EHR"},
					recorded(w, "g1", marked(rosterOf(clients(1, 4)...), "c3:C"))}, nil, nil)
			}
			if diff := cmp.Diff(want, Plan(appts, w.state, testWindow(), p)); diff != "" {
				t.Errorf("forward plan after the reverse sync (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEHRApplierMemory runs HandleAppointment against the in-memory EHR.
func TestEHRApplierMemory(t *testing.T) {
	t.Parallel()
	ehr, oc := reverseFixture(t)
	o1 := ehr["o1"]
	o1.OnCallURL = ""
	mem := carelogic.NewMemory(o1, ehr["g1"])
	m1 := oc["o1"]
	m1.Cancelled, m1.Status, m1.Cancellation = true, oncall.StatusPatientCancelled, "Feeling unwell"
	x := &EHRApplier{Adapter: mem}
	ctx := t.Context()

	res, err := x.HandleAppointment(ctx, &m1)
	if err != nil {
		t.Fatal(err)
	}
	want := []EHRResult{
		{EHRAction: EHRAction{Kind: EHRStoreURL, EHRID: "o1", OnCall: m1.ID, URL: m1.URL}, Outcome: OutcomeApplied},
		{EHRAction: EHRAction{Kind: EHRSetStatus, EHRID: "o1", OnCall: m1.ID, Client: "c1", Status: carelogic.StatusCBC, Reason: "set in OnCall"}, Outcome: OutcomeApplied},
		{EHRAction: EHRAction{Kind: EHRComment, EHRID: "o1", OnCall: m1.ID, Comment: "Client cancelled in OnCall: Feeling unwell", Reason: "cancellation reason"}, Outcome: OutcomeApplied},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("HandleAppointment (-want +got):\n%s", diff)
	}
	got, err := mem.Appointment(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	wantAppt := edit(o1, func(a *carelogic.Appointment) {
		a.OnCallURL, a.Comments, a.Participants[0].Status = m1.URL, "Client cancelled in OnCall: Feeling unwell", carelogic.StatusCBC
	})
	if diff := cmp.Diff(wantAppt, got); diff != "" {
		t.Errorf("EHR appointment after HandleAppointment (-want +got):\n%s", diff)
	}
	// A repeated delivery changes nothing.
	res, err = x.HandleAppointment(ctx, &m1)
	if err != nil || len(res) != 0 {
		t.Errorf("HandleAppointment again = %+v, %v; want nothing", res, err)
	}
	if again, _ := mem.Appointment(ctx, "o1"); !cmp.Equal(wantAppt, again) {
		t.Errorf("a repeated delivery changed the EHR:\n%s", cmp.Diff(wantAppt, again))
	}
}

func TestEHRApplierCases(t *testing.T) {
	t.Parallel()
	ehr, oc := reverseFixture(t)
	mg := oc["g1"]
	mg.Participants[0].Cancelled = true
	cbc := EHRAction{Kind: EHRSetStatus, EHRID: "g1", OnCall: mg.ID, Client: "c1", Status: carelogic.StatusCBC, Reason: "set in OnCall"}
	handMade := oncall.Appointment{ID: 500, URL: "https://api.oncallhealth.ca/appointments/500/", Title: "Consultation", DateTime: days(5),
		Duration: 30, Type: oncall.TypeOnline, Participants: []oncall.Participant{{ID: 501, Name: "Walk In", Email: "walkin@example.com"}}}
	otherSource := cloneState([]oncall.Appointment{mg})[0]
	otherSource.Metadata[KeyEMRSource] = "another-ehr"
	unknown := cloneState([]oncall.Appointment{mg})[0]
	unknown.Metadata[KeyEMRID] = "nope"
	boom := errors.New("EHR down")
	rescheduled := cloneState([]oncall.Appointment{oc["o1"]})[0]
	rescheduled.DateTime = days(4)
	movedO1 := edit(ehr["o1"], func(a *carelogic.Appointment) { a.Start = days(4) })
	tests := []struct {
		name    string
		adapter func(mem *carelogic.Memory) carelogic.Adapter
		x       EHRApplier
		oc      oncall.Appointment
		want    []EHRResult
		wantErr string
		check   func(t *testing.T, mem *carelogic.Memory)
	}{{
		name: "group client cancels",
		oc:   mg,
		want: []EHRResult{{EHRAction: cbc, Outcome: OutcomeApplied}},
		check: func(t *testing.T, mem *carelogic.Memory) {
			a, _ := mem.Appointment(t.Context(), "g1")
			if s := a.Participant("c1").Status; s != carelogic.StatusCBC {
				t.Errorf("c1 status = %q, want CBC", s)
			}
		},
	}, {
		name: "dry run",
		x:    EHRApplier{DryRun: true},
		oc:   mg,
		want: []EHRResult{{EHRAction: cbc, Outcome: OutcomePlanned}},
		check: func(t *testing.T, mem *carelogic.Memory) {
			if a, _ := mem.Appointment(t.Context(), "g1"); !cmp.Equal(ehr["g1"], a) {
				t.Errorf("a dry run changed the EHR:\n%s", cmp.Diff(ehr["g1"], a))
			}
		},
	}, {
		name:    "adapter that cannot write",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return readOnly{mem} },
		oc:      mg,
		want:    []EHRResult{{EHRAction: cbc, Outcome: OutcomeNotRun, Error: "the EHR adapter cannot do this"}},
	}, {
		name:    "write that fails",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return failingWriter{mem, boom} },
		oc:      mg,
		want:    []EHRResult{{EHRAction: cbc, Outcome: OutcomeFailed, Error: "the EHR adapter failed (its error text is not shown, as it may hold patient data)"}},
		wantErr: fmt.Sprintf("syncer: ehr-set-status for OnCall appointment %d: EHR down", mg.ID),
	}, {
		name:    "read that fails",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return failingWriter{mem, boom} },
		oc:      withID(mg, "fail-1"),
		wantErr: `syncer: reading EHR appointment "fail-1": EHR down`,
	}, {
		name: "rescheduled in OnCall with UpdateDetails",
		x:    EHRApplier{Policy: ReversePolicy{UpdateDetails: true}},
		oc:   rescheduled,
		want: []EHRResult{{EHRAction: EHRAction{Kind: EHRUpdate, EHRID: "o1", OnCall: rescheduled.ID, Reason: "rescheduled or retitled in OnCall",
			Appointment: &movedO1}, Outcome: OutcomeApplied}},
		check: func(t *testing.T, mem *carelogic.Memory) {
			if a, _ := mem.Appointment(t.Context(), "o1"); !cmp.Equal(movedO1, a) {
				t.Errorf("EHR appointment after the reschedule (-want +got):\n%s", cmp.Diff(movedO1, a))
			}
		},
	}, {
		name:    "rescheduled in OnCall, on an adapter that cannot write appointments",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return readOnly{mem} },
		x:       EHRApplier{Policy: ReversePolicy{UpdateDetails: true}},
		oc:      rescheduled,
		want: []EHRResult{{EHRAction: EHRAction{Kind: EHRUpdate, EHRID: "o1", OnCall: rescheduled.ID, Reason: "rescheduled or retitled in OnCall",
			Appointment: &movedO1}, Outcome: OutcomeNotRun, Error: "the EHR adapter cannot do this"}},
	}, {
		name:    "URL on an adapter that cannot store it",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return readOnly{mem} },
		oc:      withURL(rescheduled, "https://api.oncallhealth.ca/appointments/777/"),
		want: []EHRResult{{EHRAction: EHRAction{Kind: EHRStoreURL, EHRID: "o1", OnCall: rescheduled.ID, URL: "https://api.oncallhealth.ca/appointments/777/"},
			Outcome: OutcomeNotRun, Error: "the EHR adapter cannot do this"}},
	}, {
		name:    "created on an adapter that cannot write appointments",
		adapter: func(mem *carelogic.Memory) carelogic.Adapter { return readOnly{mem} },
		x:       EHRApplier{Policy: ReversePolicy{CreateInEHR: true, Source: "oncall"}},
		oc:      handMade,
		want: []EHRResult{{EHRAction: EHRAction{Kind: EHRCreate, OnCall: 500, URL: handMade.URL, Reason: "booked in OnCall",
			Appointment: &carelogic.Appointment{Source: "oncall", Kind: carelogic.Individual, Modality: carelogic.Video, Start: days(5),
				Duration: 30 * time.Minute, Activity: "Consultation", OnCallURL: handMade.URL,
				Participants: []carelogic.Participant{{ClientID: "oncall-participant-501", Name: "Walk In", Email: "walkin@example.com"}}}},
			Outcome: OutcomeNotRun, Error: "the EHR adapter cannot do this"}},
	}, {
		name: "EHR appointment of another source",
		oc:   otherSource,
	}, {
		name: "EHR appointment not found",
		oc:   unknown,
	}, {
		// Without a Client the new EHR id could not be written back to OnCall, and every later delivery would
		// create another EHR appointment: the create is refused, and nothing is created.
		name: "created in the EHR without an OnCall client is refused",
		x:    EHRApplier{Policy: ReversePolicy{CreateInEHR: true, Source: "oncall"}},
		oc:   handMade,
		want: []EHRResult{{EHRAction: EHRAction{Kind: EHRCreate, OnCall: 500, URL: handMade.URL, Reason: "booked in OnCall",
			Appointment: &carelogic.Appointment{Source: "oncall", Kind: carelogic.Individual, Modality: carelogic.Video, Start: days(5),
				Duration: 30 * time.Minute, Activity: "Consultation", OnCallURL: handMade.URL,
				Participants: []carelogic.Participant{{ClientID: "oncall-participant-501", Name: "Walk In", Email: "walkin@example.com"}}}},
			Outcome: OutcomeFailed, Error: "CreateInEHR needs EHRApplier.Client, to record the new EHR id on the OnCall appointment"}},
		wantErr: "syncer: ehr-create for OnCall appointment 500: CreateInEHR needs EHRApplier.Client, to record the new EHR id on the OnCall appointment",
		check: func(t *testing.T, mem *carelogic.Memory) {
			if _, err := mem.Appointment(t.Context(), carelogic.CreatedIDPrefix+"1"); !errors.Is(err, carelogic.ErrNotFound) {
				t.Errorf("an EHR appointment was created anyway (err = %v)", err)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := carelogic.NewMemory(ehr["o1"], ehr["g1"])
			x := tt.x
			x.Adapter = mem
			if tt.adapter != nil {
				x.Adapter = tt.adapter(mem)
			}
			got, err := x.HandleAppointment(t.Context(), &tt.oc)
			if errText(err) != tt.wantErr {
				t.Errorf("HandleAppointment error = %v, want %q", err, tt.wantErr)
			}
			ignoreErr := cmpopts.IgnoreFields(EHRResult{}, "Err")
			if diff := cmp.Diff(tt.want, got, ignoreErr, cmp.Comparer(func(a, b []EHRResult) bool {
				return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b, ignoreErr)
			})); diff != "" {
				t.Errorf("HandleAppointment (-want +got):\n%s", diff)
			}
			for _, r := range got {
				if failed := r.Outcome == OutcomeFailed || r.Outcome == OutcomeNotRun; (r.Err != nil) != failed {
					t.Errorf("%s: Outcome %s with Err %v", r.Kind, r.Outcome, r.Err)
				}
			}
			if tt.check != nil {
				tt.check(t, mem)
			}
		})
	}
}

func withID(m oncall.Appointment, id string) oncall.Appointment {
	m = cloneState([]oncall.Appointment{m})[0]
	m.Metadata[KeyEMRID] = id
	return m
}

func withURL(m oncall.Appointment, url string) oncall.Appointment {
	m.URL = url
	return m
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// readOnly hides Memory's writer interfaces.
type readOnly struct{ carelogic.Adapter }

// failingWriter is an EHR whose status writes fail, and whose read of appointment "fail-1" fails.
type failingWriter struct {
	*carelogic.Memory
	err error
}

func (f failingWriter) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	if id == "fail-1" {
		return carelogic.Appointment{}, f.err
	}
	return f.Memory.Appointment(ctx, id)
}

func (f failingWriter) SetParticipantStatus(context.Context, string, string, carelogic.Status) error {
	return f.err
}

func TestEHRApplierSync(t *testing.T) {
	t.Parallel()
	ehr, oc := reverseFixture(t)
	mem := carelogic.NewMemory(ehr["o1"], ehr["g1"])
	m1, mg := oc["o1"], oc["g1"]
	m1.Status = oncall.StatusNoShow
	mg.Participants[3].Cancelled = true
	listing := func(err error) iter.Seq2[*oncall.Appointment, error] {
		return func(yield func(*oncall.Appointment, error) bool) {
			for _, m := range []*oncall.Appointment{&m1, &mg} {
				if !yield(m, nil) {
					return
				}
			}
			if err != nil {
				yield(nil, err)
			}
		}
	}
	x := &EHRApplier{Adapter: mem}
	res, err := x.Sync(t.Context(), listing(nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", r.Kind, r.EHRID, r.Client, r.Status, r.Outcome))
	}
	want := []string{"ehr-set-status o1 c1 DNS applied", "ehr-set-status g1 c4 CBC applied"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sync (-want +got):\n%s", diff)
	}
	// A listing that fails after the appointments: nothing left to do, and the listing's error.
	boom := errors.New("listing failed")
	res, err = x.Sync(t.Context(), listing(boom))
	if !errors.Is(err, boom) || len(res) != 0 {
		t.Errorf("Sync with a failing listing = %+v, %v; want no results and the listing's error", res, err)
	}
}

// TestEHRApplierEventOrder replays webhook deliveries repeated and out of order. OnCall changes step by step (a
// client cancels, then another, then the provider cancels the rest), each change sends an event, and each
// delivery is handled with a fresh read of the appointment, made at whatever point of the sequence it arrives.
// Whatever the order, the EHR ends as it would after handling the final state once.
func TestEHRApplierEventOrder(t *testing.T) {
	t.Parallel()
	ehr, oc := reverseFixture(t)
	states := []oncall.Appointment{oc["g1"]}
	next := func(f func(m *oncall.Appointment)) {
		m := cloneState(states[len(states)-1:])[0]
		f(&m)
		states = append(states, m)
	}
	next(func(m *oncall.Appointment) { m.Participants[1].Cancelled = true })
	next(func(m *oncall.Appointment) { m.Participants[3].Cancelled = true })
	next(func(m *oncall.Appointment) { m.Cancelled, m.Status = true, oncall.StatusProviderCancelled })
	final := &states[len(states)-1]

	want := carelogic.NewMemory(ehr["g1"])
	if _, err := (&EHRApplier{Adapter: want}).HandleAppointment(t.Context(), final); err != nil {
		t.Fatal(err)
	}
	wantAppt, _ := want.Appointment(t.Context(), "g1")
	if s := wantAppt.Participant("c2").Status; s != carelogic.StatusCBC {
		t.Fatalf("c2 = %q after the final state, want CBC", s)
	}

	r := rand.New(rand.NewPCG(7, 11))
	for run := range 100 {
		mem := carelogic.NewMemory(ehr["g1"])
		x := &EHRApplier{Adapter: mem}
		var pending []int // events sent, not yet delivered
		for step := 0; step < len(states) || len(pending) > 0; {
			// Either OnCall changes (sending an event, sometimes twice), or a pending event is delivered, in a
			// random order.
			if step < len(states) && (len(pending) == 0 || r.IntN(2) == 0) {
				pending = append(pending, step)
				if r.IntN(3) == 0 {
					pending = append(pending, step)
				}
				step++
				continue
			}
			i := r.IntN(len(pending))
			pending = slices.Delete(pending, i, i+1)
			current := states[step-1]
			if _, err := x.HandleAppointment(t.Context(), &current); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := mem.Appointment(t.Context(), "g1")
		if diff := cmp.Diff(wantAppt, got); diff != "" {
			t.Fatalf("run %d: EHR after the deliveries (-final state once +deliveries):\n%s", run, diff)
		}
	}
}
