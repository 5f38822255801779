package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
)

// e2eNow is the present of every end-to-end test: a fixed time, so that the demo schedule and the fake server's
// ids are the same on every run.
var e2eNow = time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)

// fastRetry keeps the client's retries quick, so that the suite stays fast under injected faults.
var fastRetry = oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// harness is an EHR in memory and a fake OnCall seeded as a clinic's account would be: a division for new
// appointments and one provider per EHR staff id.
type harness struct {
	t      testing.TB
	srv    *oncalltest.Server
	client *oncall.Client
	policy syncer.Policy
	window syncer.Window
	mem    *carelogic.Memory
}

// harnessConfig changes how newHarness sets things up.
type harnessConfig struct {
	server []oncalltest.Option
	client []oncall.Option
}

func newHarness(t testing.TB, appts []carelogic.Appointment, cfg ...harnessConfig) *harness {
	t.Helper()
	var c harnessConfig
	for _, x := range cfg {
		c.server = append(c.server, x.server...)
		c.client = append(c.client, x.client...)
	}
	srv := oncalltest.NewServer(c.server...)
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Test clinic")
	p := syncer.DefaultPolicy(div)
	p.Now = e2eNow
	p.Providers = map[string]oncall.ProviderID{}
	staff := map[string]bool{"staff-101": true, "staff-102": true, "staff-103": true, "staff-104": true, "staff-105": true}
	for _, a := range appts {
		if a.ProviderID != "" {
			staff[a.ProviderID] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(staff)) {
		p.Providers[id] = srv.AddProvider("Provider "+id, id+"@clinic.example.org", div)
	}
	opts := append([]oncall.Option{oncall.WithRetryPolicy(fastRetry), oncall.WithRateLimit(oncall.NoRateLimit, 1)}, c.client...)
	client, err := srv.Client(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{
		t: t, srv: srv, client: client, policy: p,
		window: syncer.Window{From: e2eNow.AddDate(0, 0, -30), To: e2eNow.AddDate(0, 0, 120)},
		mem:    carelogic.NewMemory(appts...),
	}
}

func (h *harness) runner() *syncer.Runner { return &syncer.Runner{Client: h.client, Concurrency: 4} }

// sync runs one sync and fails the test on an error.
func (h *harness) sync(r *syncer.Runner) *syncer.Report {
	h.t.Helper()
	rep, err := r.Sync(context.Background(), h.mem, h.window, h.policy)
	checkSyncError(h.t, rep, err)
	return rep
}

// finished returns Sync's or Apply's results with an *syncer.IncompleteError taken as a run that finished: the
// report says what it left undone, and the tests check that.
func finished(rep *syncer.Report, err error) (*syncer.Report, error) {
	if errors.Is(err, syncer.ErrIncomplete) {
		return rep, nil
	}
	return rep, err
}

// checkSyncError fails the test unless Sync's error is nil or an *syncer.IncompleteError, and checks that it
// agrees with the report: an IncompleteError exactly when the report needs attention, with the report's counts.
func checkSyncError(t testing.TB, rep *syncer.Report, err error) {
	t.Helper()
	var ie *syncer.IncompleteError
	if err != nil && !errors.As(err, &ie) {
		t.Fatalf("Sync: %v", err)
	}
	if (ie != nil) != rep.NeedsAttention() {
		t.Fatalf("Sync returned %v, but the report's NeedsAttention is %v:\n%s", err, rep.NeedsAttention(), rep)
	}
	if ie == nil {
		return
	}
	attention := 0
	for _, s := range rep.Skipped {
		if s.Attention {
			attention++
		}
	}
	want := syncer.IncompleteError{Failed: len(rep.FailedActions()) - sum(rep.Ignored), Ignored: sum(rep.Ignored),
		Attention: attention, Review: len(rep.Review), Warnings: len(rep.Warnings)}
	if diff := cmp.Diff(want, *ie); diff != "" {
		t.Errorf("IncompleteError (-from the report +returned):\n%s", diff)
	}
}

// edit replaces the EHR's appointments with edited copies, as staff editing in the EHR would.
func (h *harness) edit(f func([]carelogic.Appointment) []carelogic.Appointment) []carelogic.Appointment {
	out := f(h.mem.All())
	for _, a := range out {
		h.mem.Put(a)
	}
	return out
}

// ehr returns what the runner reads from the EHR: the appointments in the window.
func (h *harness) ehr() []carelogic.Appointment {
	var out []carelogic.Appointment
	for a, err := range h.mem.Appointments(context.Background(), h.window.From, h.window.To) {
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// checkState compares the server's appointments with the oracle's.
func (h *harness) checkState(o *oracle, when string) {
	h.t.Helper()
	if diff := cmp.Diff(o.views(), serverViews(h.t, h.srv.Appointments())); diff != "" {
		h.t.Errorf("%s: OnCall state differs from the expected (-want +got):\n%s", when, diff)
	}
	checkNoDuplicates(h.t, h.srv.Appointments(), when)
}

// checkNoDuplicates checks the OnCall-side invariant: no two live appointments carry the same EHR key.
func checkNoDuplicates(t testing.TB, appts []oncall.Appointment, when string) {
	t.Helper()
	live := map[string][]oncall.AppointmentID{}
	for _, a := range appts {
		if k := emrKey(a.Metadata); k != "" && !a.Cancelled {
			live[k] = append(live[k], a.ID)
		}
	}
	for k, ids := range live {
		if len(ids) > 1 {
			t.Errorf("%s: EHR key %s has %d live OnCall appointments %v, want 1", when, k, len(ids), ids)
		}
	}
}

func emrKey(md oncall.Metadata) string {
	id, _ := md.String("emr_id")
	if id == "" {
		return ""
	}
	if src, _ := md.String("emr_source"); src != "" {
		return src + "/" + id
	}
	return id
}

// ocView is what the end-to-end tests compare of an OnCall appointment: everything the sync decides, without the
// ids and URLs the server assigns, and with the roster's client ids but not its email hashes.
type ocView struct {
	EMRID, Source, Series string
	Superseded            bool
	Title                 string
	Type                  oncall.AppointmentType
	DateTime              time.Time
	Duration              int
	Division              oncall.DivisionID
	Provider              oncall.ProviderID
	Status                oncall.AppointmentStatus
	Cancelled             bool
	// Roster is the client ids the emr_clients metadata records, sorted.
	Roster []string
	// Participants are sorted by email.
	Participants []participantView
}

type participantView struct {
	Name, Email string
	Cancelled   bool
	Status      oncall.ParticipantStatus
}

// serverViews groups the server's appointments by EHR key, each key's in order of id.
func serverViews(t testing.TB, appts []oncall.Appointment) map[string][]ocView {
	t.Helper()
	slices.SortFunc(appts, func(a, b oncall.Appointment) int { return int(a.ID - b.ID) })
	out := map[string][]ocView{}
	for _, a := range appts {
		k := emrKey(a.Metadata)
		if k == "" {
			t.Errorf("OnCall appointment %d has no EHR key in its metadata", a.ID)
			continue
		}
		v := ocView{
			Title: a.Title, Type: a.Type, DateTime: a.DateTime, Duration: a.Duration, Division: a.Division,
			Provider: a.Provider, Status: a.Status, Cancelled: a.Cancelled,
		}
		v.EMRID, _ = a.Metadata.String("emr_id")
		v.Source, _ = a.Metadata.String("emr_source")
		v.Series, _ = a.Metadata.String("emr_series_id")
		v.Superseded, _ = a.Metadata["emr_superseded"].(bool)
		roster, _ := a.Metadata.String("emr_clients")
		for entry := range strings.SplitSeq(roster, ",") {
			if id, _, ok := strings.Cut(entry, "="); ok {
				v.Roster = append(v.Roster, id)
			}
		}
		slices.Sort(v.Roster)
		for _, p := range a.Participants {
			v.Participants = append(v.Participants, participantView{Name: p.Name, Email: p.Email, Cancelled: p.Cancelled, Status: p.Status})
		}
		sortParticipants(v.Participants)
		out[k] = append(out[k], v)
	}
	return out
}

func sortParticipants(ps []participantView) {
	slices.SortFunc(ps, func(a, b participantView) int { return strings.Compare(a.Email, b.Email) })
}

// oracle derives the OnCall appointments a sync should leave from the EHR appointments it was given, pass after
// pass, by the rules the package documents, without any of the package's own code:
//
//   - an EHR appointment gets an OnCall appointment when none carries its key, unless it is deleted, over, has an
//     unmapped provider, or has no client left to invite (one that is not DNS, CBT, CBC or Error);
//   - title is the activity, type "inperson" for in person and "online" otherwise, datetime the start, duration
//     in whole minutes, provider the mapped staff id; metadata carries emr_id, emr_source, emr_series_id and the
//     roster of client ids;
//   - on the documented API, a 1:1's DNS, CBT and CBC give the appointment the status "No show", or cancel it as
//     "Provider cancelled" or "Patient cancelled"; a group client's CBT and CBC withdraw their participant
//     (cancelled), and their DNS shows nowhere. With the participant extension, DNS, CBT and CBC set "No Show",
//     "Cancelled by Provider" and "Cancelled by Client" on the participant (the last two cancelling them too).
//     Either way a client's first such status is final;
//   - Error removes a group's participant and cancels a 1:1; a client gone from a group is removed, a new one is
//     invited, and a client removed or never invited is not brought back;
//   - an EHR deletion cancels (OnCall records a coordinator's cancellation); a 1:1 whose client changed is
//     cancelled and marked emr_superseded, and a new one is created for the new client; a cancelled or closed
//     appointment is left alone.
type oracle struct {
	policy syncer.Policy
	byKey  map[string][]*modelAppt
}

type modelAppt struct {
	ocView
	parts   []modelParticipant
	removed map[string]bool // clients the sync will not put (back) on the appointment
}

type modelParticipant struct {
	client string
	// final is set once the client's DNS, CBT or CBC has reached OnCall (or been recorded, for a group's DNS).
	final bool
	participantView
}

var statusInOnCall = map[carelogic.Status]oncall.ParticipantStatus{
	carelogic.StatusDNS: "No Show",
	carelogic.StatusCBT: "Cancelled by Provider",
	carelogic.StatusCBC: "Cancelled by Client",
}

// oneToOneStatus is a 1:1's appointment status for its client's DNS, CBT or CBC on the documented API.
var oneToOneStatus = map[carelogic.Status]oncall.AppointmentStatus{
	carelogic.StatusDNS: "No show",
	carelogic.StatusCBT: "Provider cancelled",
	carelogic.StatusCBC: "Patient cancelled",
}

func oracleInvites(s carelogic.Status) bool {
	return s != carelogic.StatusError && statusInOnCall[s] == ""
}

func newOracle(p syncer.Policy) *oracle { return &oracle{policy: p, byKey: map[string][]*modelAppt{}} }

// current returns the appointment the key syncs with: the newest not superseded.
func (o *oracle) current(key string) *modelAppt {
	list := o.byKey[key]
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].Superseded {
			return list[i]
		}
	}
	return nil
}

// cancel cancels m as the sync's token (a coordinator's) does.
func cancel(m *modelAppt) { m.Cancelled, m.Status = true, "Coordinator cancelled" }

func (o *oracle) sync(ehr []carelogic.Appointment) {
	for _, a := range ehr {
		cur := o.current(a.Key())
		switch {
		case cur == nil:
			o.create(a)
		case cur.Cancelled || cur.Status != "Incomplete":
		case a.Deleted:
			cancel(cur)
		case a.Kind == carelogic.Individual && a.Participants[0].Status == carelogic.StatusError:
			if !cur.parts[0].final {
				cancel(cur)
			}
		case a.Kind == carelogic.Individual && cur.parts[0].client != a.Participants[0].ClientID:
			cancel(cur)
			cur.Superseded = true
			o.create(a)
		default:
			o.update(cur, a)
		}
	}
}

func (o *oracle) create(a carelogic.Appointment) {
	provider, mapped := o.policy.Providers[a.ProviderID]
	if a.Deleted || !a.Start.Add(a.Duration).After(o.policy.Now) || !mapped {
		return
	}
	m := &modelAppt{removed: map[string]bool{}}
	m.EMRID, m.Source, m.Series, m.Division, m.Provider, m.Status = a.ID, a.Source, a.SeriesID, o.policy.Division, provider, "Incomplete"
	o.setFields(m, a)
	for _, c := range a.Participants {
		if oracleInvites(c.Status) {
			m.parts = append(m.parts, modelParticipant{client: c.ClientID, participantView: participantView{Name: c.Name, Email: c.Email}})
		} else {
			m.removed[c.ClientID] = true
		}
	}
	if len(m.parts) == 0 {
		return
	}
	o.byKey[a.Key()] = append(o.byKey[a.Key()], m)
}

func (o *oracle) update(m *modelAppt, a carelogic.Appointment) {
	o.setFields(m, a)
	if p, ok := o.policy.Providers[a.ProviderID]; ok {
		m.Provider = p
	}
	extension := o.policy.UndocumentedParticipantAPI
	var kept []modelParticipant
	for _, p := range m.parts {
		c := a.Participant(p.client)
		if c == nil || c.Status == carelogic.StatusError && !p.final {
			m.removed[p.client] = true
			continue
		}
		p.Email = c.Email
		if s := statusInOnCall[c.Status]; s != "" && !p.final {
			p.final = true
			switch {
			case extension:
				p.Status, p.Cancelled = s, c.Status != carelogic.StatusDNS
			case a.Kind == carelogic.Individual:
				m.Status, m.Cancelled = oneToOneStatus[c.Status], c.Status != carelogic.StatusDNS
			default:
				p.Cancelled = c.Status != carelogic.StatusDNS
			}
		}
		kept = append(kept, p)
	}
	for _, c := range a.Participants {
		on := slices.ContainsFunc(kept, func(p modelParticipant) bool { return p.client == c.ClientID })
		if !on && !m.removed[c.ClientID] && oracleInvites(c.Status) {
			kept = append(kept, modelParticipant{client: c.ClientID, participantView: participantView{Name: c.Name, Email: c.Email}})
		}
	}
	m.parts = kept
}

func (o *oracle) setFields(m *modelAppt, a carelogic.Appointment) {
	m.Title = a.Activity
	if strings.TrimSpace(m.Title) == "" {
		m.Title = "Appointment"
	}
	m.Type = "online"
	if a.Modality == carelogic.InPerson {
		m.Type = "inperson"
	}
	m.DateTime = a.Start.UTC()
	m.Duration = int((a.Duration + time.Minute - 1) / time.Minute)
	m.Roster = nil
	for _, c := range a.Participants {
		m.Roster = append(m.Roster, c.ClientID)
	}
	slices.Sort(m.Roster)
}

func (o *oracle) views() map[string][]ocView {
	out := map[string][]ocView{}
	for k, list := range o.byKey {
		for _, m := range list {
			v := m.ocView
			v.Participants = nil
			for _, p := range m.parts {
				v.Participants = append(v.Participants, p.participantView)
			}
			sortParticipants(v.Participants)
			out[k] = append(out[k], v)
		}
	}
	return out
}

// failuresHaveReasons checks that every action not applied says why.
func failuresHaveReasons(t testing.TB, rep *syncer.Report, when string) {
	t.Helper()
	for _, a := range rep.Actions {
		if a.Outcome != syncer.OutcomeApplied && a.Error == "" {
			t.Errorf("%s: %s is %s without a reason", when, a.Action, a.Outcome)
		}
		if a.Outcome == syncer.OutcomeAmbiguous {
			t.Errorf("%s: %s left ambiguous", when, a.Action)
		}
	}
}

// TestEndToEndDemo syncs the demo schedule, its edits, and then nothing, on OnCall's documented API (the fake's
// default) and with the participant extension (both the fake's and the policy's), comparing OnCall's state with
// the oracle's after each sync. On the documented API not one request goes to the extension's endpoints.
func TestEndToEndDemo(t *testing.T) {
	t.Parallel()
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			var cfg harnessConfig
			if extension {
				cfg.server = []oncalltest.Option{oncalltest.WithUndocumentedParticipantAPI()}
			}
			h := newHarness(t, carelogic.DemoSchedule(e2eNow), cfg)
			h.policy.UndocumentedParticipantAPI = extension
			o := newOracle(h.policy)
			r := h.runner()

			o.sync(h.ehr())
			rep := h.sync(r)
			if len(rep.FailedActions()) > 0 {
				t.Fatalf("first sync failed:\n%s", rep)
			}
			h.checkState(o, "after the first sync")

			edited := h.edit(carelogic.DemoEdits)
			o.sync(edited)
			rep = h.sync(r)
			if len(rep.FailedActions()) > 0 {
				t.Fatalf("second sync failed:\n%s", rep)
			}
			if diff := cmp.Diff(rep.Planned, rep.Applied); diff != "" {
				t.Errorf("second sync: applied differs from planned (-planned +applied):\n%s", diff)
			}
			// Every kind of change the demo's edits make reaches OnCall.
			kinds := []syncer.ActionKind{syncer.ActionCreate, syncer.ActionUpdate, syncer.ActionCancel, syncer.ActionRecreate}
			if extension {
				kinds = append(kinds, syncer.ActionSetStatus, syncer.ActionAddParticipant, syncer.ActionRemoveParticipant, syncer.ActionUpdateParticipant)
			}
			for _, k := range kinds {
				if rep.Applied[k] == 0 {
					t.Errorf("second sync applied no %s: %v", k, rep.Applied)
				}
			}
			h.checkState(o, "after the edits")

			rep = h.sync(r)
			if len(rep.Actions) != 0 {
				t.Errorf("third sync: want no action, got:\n%s", rep)
			}
			h.checkState(o, "after the third sync")
			if n := undocumentedRequests(h.srv); n > 0 && !extension {
				t.Errorf("%d requests to the participant extension's endpoints on the documented API", n)
			}
		})
	}
}

// undocumentedRequests counts the requests the server logged to the participant extension's endpoints.
func undocumentedRequests(srv *oncalltest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Undocumented {
			n++
		}
	}
	return n
}

// converge syncs until a pass plans nothing, at most passes times, checking after each pass that no EHR key has
// two live OnCall appointments and that every failure is reported with its reason. A pass whose listing fails
// (Sync's error) counts as a pass. It returns how many actions failed or needed a look-up, over all passes.
func (h *harness) converge(r *syncer.Runner, passes int, when string) int {
	h.t.Helper()
	troubled := 0
	for pass := 1; pass <= passes; pass++ {
		before := h.srv.FaultCounts()
		rep, err := r.Sync(context.Background(), h.mem, h.window, h.policy)
		checkNoDuplicates(h.t, h.srv.Appointments(), fmt.Sprintf("%s, pass %d", when, pass))
		if errors.Is(err, syncer.ErrIncomplete) {
			checkSyncError(h.t, rep, err)
			err = nil
		}
		if err != nil {
			if !errors.Is(err, oncall.ErrServer) && !errors.Is(err, oncall.ErrRateLimited) && !isRequestError(err) {
				h.t.Fatalf("%s, pass %d: Sync: %v", when, pass, err)
			}
			troubled++
			continue
		}
		failuresHaveReasons(h.t, rep, fmt.Sprintf("%s, pass %d", when, pass))
		if n := len(rep.FailedActions()); n > 0 && maps.Equal(before, h.srv.FaultCounts()) {
			h.t.Errorf("%s, pass %d: %d actions failed with no fault injected:\n%s", when, pass, n, rep)
		}
		for _, a := range rep.Actions {
			if a.Outcome != syncer.OutcomeApplied || a.Note != "" {
				troubled++
			}
		}
		if len(rep.Actions) == 0 {
			return troubled
		}
	}
	h.t.Fatalf("%s: not converged after %d passes", when, passes)
	return troubled
}

func isRequestError(err error) bool {
	var re *oncall.RequestError
	return errors.As(err, &re)
}

func TestEndToEndUnderFaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		seed        uint64
		concurrency int
	}{{1, 1}, {2, 1}, {3, 4}, {4, 4}, {5, 8}} {
		t.Run(fmt.Sprintf("seed %d concurrency %d", tt.seed, tt.concurrency), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, carelogic.DemoSchedule(e2eNow))
			if err := h.srv.SetFaults(oncalltest.Faults{Seed: tt.seed, Rate: 0.2, Kinds: oncalltest.FaultKinds(), Latency: time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			r := &syncer.Runner{Client: h.client, Concurrency: tt.concurrency}
			o := newOracle(h.policy)
			o.sync(h.ehr())
			troubled := h.converge(r, 5, "first schedule")

			o.sync(h.edit(carelogic.DemoEdits))
			// A storm of 429s on updates, beyond what the client retries.
			if err := h.srv.InjectNext(oncalltest.FaultRateLimit, fastRetry.MaxRetries+2, oncalltest.Match{Method: "PATCH"}); err != nil {
				t.Fatal(err)
			}
			troubled += h.converge(r, 5, "edited schedule")
			if troubled == 0 {
				t.Errorf("the faults %v made no action fail or need a look-up: the test tests nothing", h.srv.FaultCounts())
			}

			h.srv.ClearFaults()
			h.checkState(o, "converged")
			if rep := h.sync(r); len(rep.Actions) != 0 {
				t.Errorf("after converging: want no action, got:\n%s", rep)
			}
		})
	}
}

// TestEndToEndOnCallToEHR: a patient cancels a synced 1:1 in OnCall, and the EHR gets CBC, by a direct call and
// through the webhook handler. The reason the patient gave does not reach the EHR: OnCall's documented API has
// none (the fake, like OnCall's own app, shows only an opaque cancellation URL), and that URL is not written to
// the EHR's comments.
func TestEndToEndOnCallToEHR(t *testing.T) {
	t.Parallel()
	const reason = "Feeling unwell"
	ctx := context.Background()
	setup := func(t *testing.T) (*harness, oncall.AppointmentID, string) {
		h := newHarness(t, carelogic.DemoSchedule(e2eNow))
		h.sync(h.runner())
		for _, a := range h.srv.Appointments() {
			if id, _ := a.Metadata.String("emr_id"); id == "appt-101" {
				return h, a.ID, id
			}
		}
		t.Fatal("appt-101 was not synced")
		return nil, 0, ""
	}
	// want is the EHR appointment with CBC, and its comments as they were.
	want := func(h *harness, id string) carelogic.Appointment {
		a, err := h.mem.Appointment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		a.Participants[0].Status = carelogic.StatusCBC
		return a
	}

	t.Run("direct", func(t *testing.T) {
		t.Parallel()
		h, ocID, ehrID := setup(t)
		wantAppt := want(h, ehrID)
		if err := h.srv.CancelAsPatient(ocID, reason); err != nil {
			t.Fatal(err)
		}
		x := syncer.EHRApplier{Adapter: h.mem}
		for round := 1; round <= 2; round++ {
			oc, err := h.client.Appointments.Get(ctx, ocID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := x.HandleAppointment(ctx, oc)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			var kinds []syncer.EHRActionKind
			for _, r := range res {
				if r.Outcome != syncer.OutcomeApplied {
					t.Errorf("round %d: %s %s: %s", round, r.Kind, r.Outcome, r.Error)
				}
				kinds = append(kinds, r.Kind)
			}
			wantKinds := []syncer.EHRActionKind{syncer.EHRSetStatus}
			if round == 2 {
				wantKinds = nil // idempotent: nothing left to do
			}
			if diff := cmp.Diff(wantKinds, kinds); diff != "" {
				t.Errorf("round %d: actions (-want +got):\n%s", round, diff)
			}
			got, err := h.mem.Appointment(ctx, ehrID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantAppt, got); diff != "" {
				t.Errorf("round %d: EHR appointment (-want +got):\n%s", round, diff)
			}
		}
		// The forward direction leaves the cancelled appointment alone.
		if rep := h.sync(h.runner()); len(rep.Actions) != 0 {
			t.Errorf("forward sync after the patient cancelled: want no action, got:\n%s", rep)
		}
	})

	t.Run("webhook", func(t *testing.T) {
		t.Parallel()
		h, ocID, ehrID := setup(t)
		wantAppt := want(h, ehrID)
		x := syncer.EHRApplier{Adapter: h.mem}
		handler, err := webhook.NewHandler(h.client, func(ctx context.Context, d webhook.Delivery) error {
			if d.Appointment == nil {
				return nil
			}
			_, err := x.HandleAppointment(ctx, d.Appointment)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(handler)
		t.Cleanup(hs.Close)
		h.srv.SetWebhookURL(hs.URL)
		if err := h.srv.CancelAsPatient(ocID, reason); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := h.srv.WaitWebhooks(wctx); err != nil {
			t.Fatal(err)
		}
		deliveries := h.srv.WebhookDeliveries()
		if len(deliveries) == 0 {
			t.Fatal("no webhook delivered")
		}
		for _, d := range deliveries {
			if !d.Delivered || d.StatusCode != http.StatusOK {
				t.Errorf("webhook delivery %s %s: delivered %v, answered %d", d.Event, d.URL, d.Delivered, d.StatusCode)
			}
		}
		got, err := h.mem.Appointment(ctx, ehrID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantAppt, got); diff != "" {
			t.Errorf("EHR appointment after the webhook (-want +got):\n%s", diff)
		}
	})
}
