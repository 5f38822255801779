package syncer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// The tests' world: one EHR source, one OnCall division, two mapped providers, and a fixed present.
var testNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

const (
	testSource   = "ehr"
	testDivision = oncall.DivisionID(7)
	// Staff ids map to OnCall providers: staff-1 to 11, staff-2 to 12; staff-9 is not mapped.
	provider1 = oncall.ProviderID(11)
	provider2 = oncall.ProviderID(12)
)

// days returns noon UTC n days after testNow's day (n may be negative).
func days(n int) time.Time { return testNow.AddDate(0, 0, n) }

func testPolicy() Policy {
	p := DefaultPolicy(testDivision)
	p.Providers = map[string]oncall.ProviderID{"staff-1": provider1, "staff-2": provider2}
	p.Now = testNow
	return p
}

func testWindow() Window { return Window{From: days(-7), To: days(60)} }

func client(n int) carelogic.Participant {
	return carelogic.Participant{ClientID: fmt.Sprintf("c%d", n), Name: fmt.Sprintf("Client %d", n), Email: fmt.Sprintf("client%d@example.com", n)}
}

func clients(first, last int) []carelogic.Participant {
	var out []carelogic.Participant
	for n := first; n <= last; n++ {
		out = append(out, client(n))
	}
	return out
}

func withStatus(p carelogic.Participant, s carelogic.Status) carelogic.Participant {
	p.Status = s
	return p
}

func withEmail(p carelogic.Participant, email string) carelogic.Participant {
	p.Email = email
	return p
}

// oneToOne is a 50-minute video 1:1 with staff-1.
func oneToOne(id string, start time.Time, c carelogic.Participant) carelogic.Appointment {
	return carelogic.Appointment{
		ID: id, Source: testSource, Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-1",
		Start: start, Duration: 50 * time.Minute, Activity: "Individual Therapy", Participants: []carelogic.Participant{c},
	}
}

// group is a 90-minute video group with staff-2.
func group(id string, start time.Time, cs ...carelogic.Participant) carelogic.Appointment {
	return carelogic.Appointment{
		ID: id, Source: testSource, Kind: carelogic.Group, Modality: carelogic.Video, ProviderID: "staff-2",
		Start: start, Duration: 90 * time.Minute, Activity: "Skills Group", Participants: slices.Clone(cs),
	}
}

func key(id string) string { return testSource + "/" + id }

// rosterOf is the KeyEMRClients value recording the participants with their current emails.
func rosterOf(ps ...carelogic.Participant) string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.ClientID] = emailHash(p.Email)
	}
	return rosterFrom(m).encode()
}

// invite is the participant a create or add sends for p.
func invite(ps ...carelogic.Participant) []oncall.ParticipantParams {
	var out []oncall.ParticipantParams
	for _, p := range ps {
		out = append(out, oncall.ParticipantParams{Name: p.Name, Email: p.Email})
	}
	return out
}

// createFor is the create a sync sends for a, inviting the given participants; all of a's participants are on
// the roster. It spells out the mapping the tests expect rather than calling the planner.
func createFor(a carelogic.Appointment, provider oncall.ProviderID, invited ...carelogic.Participant) *oncall.AppointmentCreateParams {
	typ := oncall.TypeOnline
	if a.Modality == carelogic.InPerson {
		typ = oncall.TypeInPerson
	}
	md := oncall.Metadata{KeyEMRID: a.ID, KeyEMRSource: a.Source, KeyEMRClients: rosterOf(a.Participants...)}
	if a.SeriesID != "" {
		md[KeyEMRSeries] = a.SeriesID
	}
	return &oncall.AppointmentCreateParams{
		Title: a.Activity, Type: typ, DateTime: a.Start, Duration: int(a.Duration / time.Minute), Division: testDivision,
		Provider: provider, Participants: invite(invited...), Metadata: md,
	}
}

// changeset builds an expected Changeset, with empty rather than nil lists as Plan returns them.
func changeset(actions []Action, skipped []Skip, review []Candidate) *Changeset {
	cs := &Changeset{Actions: actions, Skipped: skipped, Review: review}
	if cs.Actions == nil {
		cs.Actions = []Action{}
	}
	if cs.Skipped == nil {
		cs.Skipped = []Skip{}
	}
	if cs.Review == nil {
		cs.Review = []Candidate{}
	}
	return cs
}

// world is a simulated OnCall state with lookups by EHR key, for writing expected actions.
type world struct {
	t      testing.TB
	state  []oncall.Appointment
	nextID func() int64
}

// syncWorld plans ehr against an empty OnCall with p and applies the plan, failing the test unless the result
// plans empty.
func syncWorld(t testing.TB, ehr []carelogic.Appointment, p Policy) *world {
	t.Helper()
	w := &world{t: t, nextID: counter(100)}
	w.sync(ehr, testWindow(), p)
	return w
}

// sync plans, applies and plans again, failing the test unless the second plan is empty.
func (w *world) sync(ehr []carelogic.Appointment, win Window, p Policy) *Changeset {
	w.t.Helper()
	cs := Plan(ehr, w.state, win, p)
	w.state = applyToState(w.t, w.state, cs, w.nextID)
	if again := Plan(ehr, w.state, win, p); !again.Empty() {
		w.t.Fatalf("plan after applying is not empty:\n%s", actionLines(again))
	}
	return cs
}

// live returns the live (not superseded) OnCall appointment carrying key.
func (w *world) live(k string) *oncall.Appointment {
	w.t.Helper()
	for i := range w.state {
		m := &w.state[i]
		if appointmentKey(m.Metadata) == k && !superseded(m.Metadata) {
			return m
		}
	}
	w.t.Fatalf("no OnCall appointment for %s", k)
	return nil
}

func (w *world) appt(k string) oncall.AppointmentID { w.t.Helper(); return w.live(k).ID }

// part returns the id of the participant with the email on k's appointment.
func (w *world) part(k, email string) oncall.ParticipantID {
	w.t.Helper()
	m := w.live(k)
	for _, p := range m.Participants {
		if p.Email == email {
			return p.ID
		}
	}
	w.t.Fatalf("no participant %s on %s", email, k)
	return 0
}

// metadataWith returns k's metadata with the given changes.
func (w *world) metadataWith(k string, kv ...any) oncall.Metadata {
	w.t.Helper()
	md := oncall.Metadata{}
	for mk, v := range w.live(k).Metadata {
		md[mk] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		md[kv[i].(string)] = kv[i+1]
	}
	return md
}

// addCohost adds a participant directly in OnCall, as staff add a co-host or third party.
func (w *world) addCohost(k, name, email string) {
	w.t.Helper()
	m := w.live(k)
	m.Participants = append(m.Participants, newParticipant(w.nextID(), m.ID, oncall.ParticipantParams{Name: name, Email: email}))
}

// add puts an appointment made directly in OnCall into the state and returns its id.
func (w *world) add(m oncall.Appointment) oncall.AppointmentID {
	m.ID = oncall.AppointmentID(w.nextID())
	for i := range m.Participants {
		m.Participants[i].ID = oncall.ParticipantID(w.nextID())
		m.Participants[i].Appointment = m.ID
	}
	w.state = append(w.state, m)
	return m.ID
}

func actionLines(cs *Changeset) string {
	var b strings.Builder
	for _, a := range cs.Actions {
		b.WriteString("  " + a.String() + "\n")
	}
	for _, s := range cs.Skipped {
		fmt.Fprintf(&b, "  skip %s %s: %s\n", s.Key, s.Client, s.Reason)
	}
	return b.String()
}

func TestWindowContains(t *testing.T) {
	t.Parallel()
	from, to := days(0), days(7)
	tests := []struct {
		name string
		w    Window
		at   time.Time
		want bool
	}{
		{"start is inside", Window{from, to}, from, true},
		{"inside", Window{from, to}, days(3), true},
		{"end is outside", Window{from, to}, to, false},
		{"before", Window{from, to}, from.Add(-time.Second), false},
		{"zero window", Window{}, days(3), false},
		{"open end", Window{From: from}, days(3), false},
		{"open start", Window{To: to}, days(3), false},
	}
	for _, tt := range tests {
		if got := tt.w.contains(tt.at); got != tt.want {
			t.Errorf("%s: contains(%v) = %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
}

func TestPlanEmpty(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(changeset(nil, nil, nil), Plan(nil, nil, testWindow(), testPolicy())); diff != "" {
		t.Errorf("Plan(nil, nil) (-want +got):\n%s", diff)
	}
}

func TestPlanDoesNotChangeItsInputs(t *testing.T) {
	t.Parallel()
	ehr := []carelogic.Appointment{group("g1", days(1), clients(1, 3)...), oneToOne("o1", days(2), client(4))}
	w := syncWorld(t, ehr, testPolicy())
	w.addCohost(key("g1"), "Co Host", "cohost@example.net")
	edited := []carelogic.Appointment{group("g1", days(1), client(1), client(2), client(5)), oneToOne("o1", days(2), client(6))}
	ehrBefore := slices.Clone(edited)
	for i := range ehrBefore {
		ehrBefore[i] = ehrBefore[i].Clone()
	}
	stateBefore := cloneState(w.state)
	cs := Plan(edited, w.state, testWindow(), testPolicy())
	if cs.Empty() {
		t.Fatal("the edits planned no action")
	}
	if diff := cmp.Diff(ehrBefore, edited); diff != "" {
		t.Errorf("Plan changed the EHR appointments (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(stateBefore, w.state); diff != "" {
		t.Errorf("Plan changed the OnCall appointments (-before +after):\n%s", diff)
	}
	// Nor may a plan share maps with its inputs: a runner changing what it sends must not change the state.
	for _, a := range cs.Actions {
		if a.Update != nil && a.Update.Metadata != nil {
			a.Update.Metadata["probe"] = true
		}
	}
	if diff := cmp.Diff(stateBefore, w.state); diff != "" {
		t.Errorf("changing a planned update's metadata changed the OnCall state (-before +after):\n%s", diff)
	}
}

func TestChangesetHelpers(t *testing.T) {
	t.Parallel()
	cs := &Changeset{Actions: []Action{
		{Kind: ActionCreate, Key: "a"},
		{Kind: ActionRemoveParticipant, Key: "b", Appointment: 2},
		{Kind: ActionAddParticipant, Key: "b", Appointment: 2},
		{Kind: ActionUpdate, Key: "b", Appointment: 2},
		{Kind: ActionCancel, Key: "c", Appointment: 3},
		{Kind: ActionCreate, Key: "d"},
	}}
	if cs.Empty() {
		t.Error("Empty() = true for a changeset with actions")
	}
	if !(&Changeset{Skipped: []Skip{{Key: "x", Reason: "r"}}}).Empty() {
		t.Error("Empty() = false for a changeset with only skips")
	}
	wantCounts := map[ActionKind]int{ActionCreate: 2, ActionRemoveParticipant: 1, ActionAddParticipant: 1, ActionUpdate: 1, ActionCancel: 1}
	if diff := cmp.Diff(wantCounts, cs.Counts()); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	wantGroups := [][]Action{cs.Actions[0:1], cs.Actions[1:4], cs.Actions[4:5], cs.Actions[5:6]}
	if diff := cmp.Diff(wantGroups, cs.Groups()); diff != "" {
		t.Errorf("Groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ActionKind{ActionCancel, ActionCreate, ActionRemoveParticipant, ActionAddParticipant, ActionUpdate}, sortedKinds(cs.Counts())); diff != "" {
		t.Errorf("sortedKinds (-want +got):\n%s", diff)
	}
}

func TestActionString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    Action
		want string
	}{
		{Action{Kind: ActionCreate, Key: "ehr/1", Reason: "new in the EHR"}, "create ehr/1: new in the EHR"},
		{Action{Kind: ActionSetStatus, Key: "ehr/2", Appointment: 5, Participant: 9, Client: "c1", Status: oncall.ParticipantNoShow},
			"set-status ehr/2 (oncall 5) client c1 -> No Show"},
		{Action{Kind: ActionUpdate, Key: "ehr/3", Appointment: 6, Fields: []string{"title", "metadata"}, Reason: "changed in the EHR"},
			"update ehr/3 (oncall 6) [title, metadata]: changed in the EHR"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestChangesetJSONHasNoPHI checks that a changeset's JSON form, which goes into reports and logs, holds no
// patient name or email, though its actions carry them to the API.
func TestChangesetJSONHasNoPHI(t *testing.T) {
	t.Parallel()
	before := []carelogic.Appointment{group("g1", days(1), clients(1, 3)...), oneToOne("o1", days(2), client(4))}
	w := syncWorld(t, before, testPolicy())
	after := []carelogic.Appointment{
		group("g1", days(1), withEmail(client(1), "new1@example.com"), client(2), client(5)),
		oneToOne("o1", days(2), client(6)),
		oneToOne("o2", days(3), client(7)),
	}
	cs := Plan(after, w.state, testWindow(), testPolicy())
	if len(cs.Actions) < 3 || len(cs.Actions[0].Participants) < 3 {
		t.Fatalf("expected creates, a recreate and participant changes, got:\n%s", actionLines(cs))
	}
	b, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(clients(1, 7), withEmail(client(1), "new1@example.com")) {
		for _, phi := range []string{p.Name, p.Email} {
			if strings.Contains(string(b), phi) {
				t.Errorf("the changeset's JSON contains %q:\n%s", phi, b)
			}
		}
	}
	if !strings.Contains(string(b), `"client":"c5"`) {
		t.Errorf("the changeset's JSON does not name client c5:\n%s", b)
	}
}
