package syncer

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

// applyToState applies a changeset to an in-memory OnCall state the way the real API would, on its documented
// surface (an update's status, cancelled flag and participants list) and with the participant extension (see
// oncall/undocumented.go), and returns the new state; state itself is not changed. nextID hands out the ids of
// new appointments and participants.
//
// It is deliberately plain: each action does exactly one thing to the state. It reports as test errors what the
// real API would refuse (parameters the client would not send, an unknown id, a group past 25 participants) and
// what a well-formed plan never does (changing a cancelled appointment).
func applyToState(t testing.TB, state []oncall.Appointment, cs *Changeset, nextID func() int64) []oncall.Appointment {
	t.Helper()
	out := cloneState(state)
	find := func(a Action) *oncall.Appointment {
		for i := range out {
			if out[i].ID == a.Appointment {
				if out[i].Cancelled {
					t.Errorf("simulate %s: appointment %d is cancelled", a, a.Appointment)
				}
				return &out[i]
			}
		}
		t.Errorf("simulate %s: no appointment %d", a, a.Appointment)
		return nil
	}
	participant := func(m *oncall.Appointment, a Action) int {
		for i := range m.Participants {
			if m.Participants[i].ID == a.Participant {
				return i
			}
		}
		t.Errorf("simulate %s: no participant %d on appointment %d", a, a.Participant, m.ID)
		return -1
	}
	create := func(a Action) {
		if a.Create == nil {
			t.Errorf("simulate %s: no create parameters", a)
			return
		}
		if err := a.Create.Validate(); err != nil {
			t.Errorf("simulate %s: %v", a, err)
			return
		}
		id := oncall.AppointmentID(nextID())
		m := oncall.Appointment{
			ID:       id,
			URL:      fmt.Sprintf("https://api.oncallhealth.ca/appointments/%d/", id),
			Title:    a.Create.Title,
			DateTime: a.Create.DateTime,
			Duration: a.Create.Duration,
			Type:     a.Create.Type,
			Status:   oncall.StatusIncomplete,
			Division: a.Create.Division,
			Provider: a.Create.Provider,
			Metadata: maps.Clone(a.Create.Metadata),
		}
		for _, p := range a.Create.Participants {
			m.Participants = append(m.Participants, newParticipant(nextID(), id, p))
		}
		out = append(out, m)
	}
	update := func(m *oncall.Appointment, a Action, u *oncall.AppointmentUpdateParams) {
		if u == nil {
			t.Errorf("simulate %s: no update parameters", a)
			return
		}
		if u.Participants != nil {
			t.Errorf("simulate %s: a planned update carries a participants list; it is built when the update is sent", a)
		}
		sent := *u // as the runner sends it
		if len(a.Participants) > 0 {
			sent.Participants = a.ParticipantEntries(m.Participants)
		}
		if err := sent.Validate(); err != nil {
			t.Errorf("simulate %s: %v", a, err)
			return
		}
		if u.Title != nil {
			m.Title = *u.Title
		}
		if u.Type != nil {
			m.Type = *u.Type
		}
		if u.DateTime != nil {
			m.DateTime = *u.DateTime
		}
		if u.Duration != nil {
			m.Duration = *u.Duration
		}
		if u.Division != nil {
			m.Division = *u.Division
		}
		if u.Provider != nil {
			m.Provider = *u.Provider
		}
		if u.Status != nil {
			m.Status = *u.Status
		}
		if u.Cancelled != nil {
			m.Cancelled = *u.Cancelled
		}
		if u.Metadata != nil {
			m.Metadata = maps.Clone(u.Metadata)
		}
		if len(a.Participants) > 0 {
			var next []oncall.Participant
			for _, e := range sent.Participants {
				if e.URL == "" {
					p := newParticipant(nextID(), m.ID, oncall.ParticipantParams{Name: e.Name, Email: e.Email, Fee: e.Fee})
					p.Cancelled = e.Cancelled
					next = append(next, p)
					continue
				}
				i := slices.IndexFunc(m.Participants, func(p oncall.Participant) bool { return p.URL == e.URL })
				if i < 0 {
					t.Errorf("simulate %s: the list names participant %s, not on appointment %d", a, e.URL, m.ID)
					continue
				}
				p := m.Participants[i]
				p.Name, p.Email, p.Cancelled = e.Name, e.Email, e.Cancelled
				if !e.Fee.IsZero() {
					p.Fee = e.Fee
				}
				next = append(next, p)
			}
			m.Participants = next
		}
	}
	for _, a := range cs.Actions {
		if a.Kind == ActionCreate {
			create(a)
			continue
		}
		m := find(a)
		if m == nil {
			continue
		}
		if closedAppt(m) && (a.Kind != ActionUpdate || a.Update == nil || !onlyMetadata(a.Update)) {
			t.Errorf("simulate %s: appointment %d is closed (%s)", a, m.ID, m.Status)
		}
		switch a.Kind {
		case ActionUpdate:
			update(m, a, a.Update)
		case ActionCancel:
			if a.Update == nil || a.Update.Cancelled == nil || !*a.Update.Cancelled {
				t.Errorf("simulate %s: a cancellation that does not set cancelled", a)
			}
			update(m, a, a.Update)
		case ActionRecreate:
			update(m, a, a.Update)
			if !m.Cancelled || !superseded(m.Metadata) {
				t.Errorf("simulate %s: the old appointment was not cancelled and marked superseded", a)
			}
			create(a)
		case ActionSetStatus:
			if !a.Status.Known() {
				t.Errorf("simulate %s: unknown participant status %q", a, a.Status)
			}
			if i := participant(m, a); i >= 0 {
				m.Participants[i].Status = a.Status
			}
		case ActionAddParticipant:
			if a.Add == nil {
				t.Errorf("simulate %s: no participant parameters", a)
				continue
			}
			if len(m.Participants) >= oncall.MaxParticipants {
				t.Errorf("simulate %s: appointment %d already has %d participants", a, m.ID, len(m.Participants))
				continue
			}
			m.Participants = append(m.Participants, newParticipant(nextID(), m.ID, *a.Add))
		case ActionRemoveParticipant:
			if i := participant(m, a); i >= 0 {
				m.Participants = slices.Delete(m.Participants, i, i+1)
			}
		case ActionUpdateParticipant:
			u := a.ParticipantUpdate
			if u == nil {
				t.Errorf("simulate %s: no participant update parameters", a)
				continue
			}
			if err := u.Validate(); err != nil {
				t.Errorf("simulate %s: %v", a, err)
				continue
			}
			if i := participant(m, a); i >= 0 {
				p := &m.Participants[i]
				if u.Name != nil {
					p.Name = *u.Name
				}
				if u.Email != nil {
					p.Email = *u.Email
				}
				if u.Fee != nil {
					p.Fee = *u.Fee
				}
				if u.Cancelled != nil {
					p.Cancelled = *u.Cancelled
				}
				if u.Status != nil {
					p.Status = *u.Status
				}
			}
		default:
			t.Errorf("simulate: unknown action kind %q", a.Kind)
		}
	}
	return out
}

// closedAppt reports whether OnCall refuses changes to m other than its metadata: completed, charged, no-show.
func closedAppt(m *oncall.Appointment) bool {
	return m.Status != "" && m.Status != oncall.StatusIncomplete
}

func onlyMetadata(u *oncall.AppointmentUpdateParams) bool {
	return u.Title == nil && u.Type == nil && u.DateTime == nil && u.Duration == nil && u.Division == nil &&
		u.Provider == nil && u.Status == nil && u.Cancelled == nil && u.Participants == nil
}

func newParticipant(id int64, appt oncall.AppointmentID, p oncall.ParticipantParams) oncall.Participant {
	return oncall.Participant{
		ID:          oncall.ParticipantID(id),
		URL:         fmt.Sprintf("https://api.oncallhealth.ca/participants/%d/", id),
		Appointment: appt,
		Name:        p.Name,
		Email:       p.Email,
		Fee:         p.Fee,
	}
}

// cloneState deep-copies an OnCall state, so that a simulated change never reaches the caller's copy.
func cloneState(state []oncall.Appointment) []oncall.Appointment {
	out := slices.Clone(state)
	for i := range out {
		out[i].Participants = slices.Clone(out[i].Participants)
		out[i].Metadata = maps.Clone(out[i].Metadata)
	}
	return out
}

// counter returns a nextID that counts up from first.
func counter(first int64) func() int64 {
	n := first - 1
	return func() int64 { n++; return n }
}

func TestApplyToState(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	existing := []oncall.Appointment{{
		ID: 10, URL: "https://api.oncallhealth.ca/appointments/10/", Title: "Group", DateTime: at, Duration: 60,
		Type: oncall.TypeOnline, Status: oncall.StatusIncomplete, Division: 7, Provider: 11,
		Participants: []oncall.Participant{
			{ID: 11, Appointment: 10, Name: "A", Email: "a@example.com"},
			{ID: 12, Appointment: 10, Name: "B", Email: "b@example.com"},
			{ID: 13, Appointment: 10, Name: "C", Email: "c@example.com"},
		},
		Metadata: oncall.Metadata{KeyEMRID: "g1", "keep": "me"},
	}, {
		ID: 20, Title: "1:1", DateTime: at, Duration: 50, Type: oncall.TypeOnline, Division: 7, Provider: 11,
		Participants: []oncall.Participant{{ID: 21, Appointment: 20, Name: "D", Email: "d@example.com"}},
		Metadata:     oncall.Metadata{KeyEMRID: "o1"},
	}, {
		ID: 30, Title: "Gone", DateTime: at, Duration: 50, Type: oncall.TypeOnline, Division: 7, Provider: 11,
		Participants: []oncall.Participant{{ID: 31, Appointment: 30, Name: "E", Email: "e@example.com"}},
	}}
	before := cloneState(existing)
	newParams := &oncall.AppointmentCreateParams{
		Title: "New", Type: oncall.TypeInPerson, DateTime: at.Add(time.Hour), Duration: 30, Division: 7, Provider: 12,
		Participants: []oncall.ParticipantParams{{Name: "F", Email: "f@example.com", Fee: oncall.MustDecimal("10.00")}},
		Metadata:     oncall.Metadata{KeyEMRID: "n1"},
	}
	cs := &Changeset{Actions: []Action{
		{Kind: ActionCreate, Key: "n1", Create: newParams},
		{Kind: ActionRemoveParticipant, Key: "g1", Appointment: 10, Participant: 12},
		{Kind: ActionAddParticipant, Key: "g1", Appointment: 10, Add: &oncall.ParticipantParams{Name: "G", Email: "g@example.com"}},
		{Kind: ActionUpdateParticipant, Key: "g1", Appointment: 10, Participant: 13, ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr("c2@example.com")}},
		{Kind: ActionSetStatus, Key: "g1", Appointment: 10, Participant: 11, Status: oncall.ParticipantNoShow},
		{Kind: ActionUpdate, Key: "g1", Appointment: 10, Update: &oncall.AppointmentUpdateParams{Duration: oncall.Ptr(90), Metadata: oncall.Metadata{KeyEMRID: "g1"}}},
		{Kind: ActionRecreate, Key: "o1", Appointment: 20, Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: oncall.Metadata{KeyEMRID: "o1", KeyEMRSuperseded: true}},
			Create: &oncall.AppointmentCreateParams{Title: "1:1", Type: oncall.TypeOnline, DateTime: at, Duration: 50, Division: 7, Provider: 11,
				Participants: []oncall.ParticipantParams{{Name: "H", Email: "h@example.com"}}, Metadata: oncall.Metadata{KeyEMRID: "o1"}}},
		{Kind: ActionCancel, Key: "x", Appointment: 30, Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)}},
	}}
	got := applyToState(t, existing, cs, counter(100))

	want := []oncall.Appointment{{
		ID: 10, URL: "https://api.oncallhealth.ca/appointments/10/", Title: "Group", DateTime: at, Duration: 90,
		Type: oncall.TypeOnline, Status: oncall.StatusIncomplete, Division: 7, Provider: 11,
		Participants: []oncall.Participant{
			{ID: 11, Appointment: 10, Name: "A", Email: "a@example.com", Status: oncall.ParticipantNoShow},
			{ID: 13, Appointment: 10, Name: "C", Email: "c2@example.com"},
			{ID: 102, URL: "https://api.oncallhealth.ca/participants/102/", Appointment: 10, Name: "G", Email: "g@example.com"},
		},
		Metadata: oncall.Metadata{KeyEMRID: "g1"},
	}, {
		ID: 20, Title: "1:1", DateTime: at, Duration: 50, Type: oncall.TypeOnline, Division: 7, Provider: 11, Cancelled: true,
		Participants: []oncall.Participant{{ID: 21, Appointment: 20, Name: "D", Email: "d@example.com"}},
		Metadata:     oncall.Metadata{KeyEMRID: "o1", KeyEMRSuperseded: true},
	}, {
		ID: 30, Title: "Gone", DateTime: at, Duration: 50, Type: oncall.TypeOnline, Division: 7, Provider: 11, Cancelled: true,
		Participants: []oncall.Participant{{ID: 31, Appointment: 30, Name: "E", Email: "e@example.com"}},
	}, {
		ID: 100, URL: "https://api.oncallhealth.ca/appointments/100/", Title: "New", DateTime: at.Add(time.Hour), Duration: 30,
		Type: oncall.TypeInPerson, Status: oncall.StatusIncomplete, Division: 7, Provider: 12,
		Participants: []oncall.Participant{{ID: 101, URL: "https://api.oncallhealth.ca/participants/101/", Appointment: 100,
			Name: "F", Email: "f@example.com", Fee: oncall.MustDecimal("10")}},
		Metadata: oncall.Metadata{KeyEMRID: "n1"},
	}, {
		ID: 103, URL: "https://api.oncallhealth.ca/appointments/103/", Title: "1:1", DateTime: at, Duration: 50,
		Type: oncall.TypeOnline, Status: oncall.StatusIncomplete, Division: 7, Provider: 11,
		Participants: []oncall.Participant{{ID: 104, URL: "https://api.oncallhealth.ca/participants/104/", Appointment: 103, Name: "H", Email: "h@example.com"}},
		Metadata:     oncall.Metadata{KeyEMRID: "o1"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state after applying (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, existing); diff != "" {
		t.Errorf("applyToState changed its input (-before +after):\n%s", diff)
	}
}

// TestApplyToStateRefuses checks that the simulator reports what the real API would refuse, so that a plan that
// breaks the contract cannot pass the tests built on it.
func TestApplyToStateRefuses(t *testing.T) {
	t.Parallel()
	full := oncall.Appointment{ID: 1, Title: "Full", Type: oncall.TypeOnline, Duration: 60, Division: 7,
		DateTime: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
	for i := range oncall.MaxParticipants {
		full.Participants = append(full.Participants, oncall.Participant{ID: oncall.ParticipantID(100 + i), Email: fmt.Sprintf("p%d@example.com", i)})
	}
	cancelled := oncall.Appointment{ID: 2, Cancelled: true}
	tests := []struct {
		name string
		act  Action
	}{
		{"26th participant", Action{Kind: ActionAddParticipant, Key: "k", Appointment: 1, Add: &oncall.ParticipantParams{Name: "X", Email: "x@example.com"}}},
		{"unknown appointment", Action{Kind: ActionCancel, Key: "k", Appointment: 99}},
		{"unknown participant", Action{Kind: ActionRemoveParticipant, Key: "k", Appointment: 1, Participant: 99}},
		{"change to a cancelled appointment", Action{Kind: ActionUpdate, Key: "k", Appointment: 2, Update: &oncall.AppointmentUpdateParams{Title: oncall.Ptr("T")}}},
		{"empty update", Action{Kind: ActionUpdate, Key: "k", Appointment: 1, Update: &oncall.AppointmentUpdateParams{}}},
		{"invalid create", Action{Kind: ActionCreate, Key: "k", Create: &oncall.AppointmentCreateParams{Title: "T"}}},
		{"unknown status", Action{Kind: ActionSetStatus, Key: "k", Appointment: 1, Participant: 100, Status: "Maybe"}},
		{"recreate without superseding", Action{Kind: ActionRecreate, Key: "k", Appointment: 1, Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)},
			Create: &oncall.AppointmentCreateParams{Title: "T", Type: oncall.TypeOnline, DateTime: full.DateTime, Duration: 5, Division: 7,
				Participants: []oncall.ParticipantParams{{Name: "X", Email: "x@example.com"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			applyToState(rec, []oncall.Appointment{full, cancelled}, &Changeset{Actions: []Action{tt.act}}, counter(1000))
			if len(rec.errors) == 0 {
				t.Errorf("applyToState accepted %s", tt.act)
			}
		})
	}
}

// recorder is a testing.TB that records errors instead of failing, for testing test helpers.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}
