package carelogic

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// validOneToOne returns a 1:1 appointment that passes Validate; tests change one thing at a time.
func validOneToOne() Appointment {
	return Appointment{
		ID:         "a-1",
		Source:     "test",
		Kind:       Individual,
		Modality:   Video,
		ProviderID: "staff-101",
		Start:      time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC),
		Duration:   50 * time.Minute,
		Activity:   "Individual Therapy",
		Participants: []Participant{
			{ClientID: "c-1", Name: "Pat Phi-Name", Email: "pat.phi@example.com"},
		},
	}
}

// clients returns n distinct participants whose names and emails are recognisable, so that a test can check
// they never reach an error message.
func clients(n int) []Participant {
	ps := make([]Participant, n)
	for i := range ps {
		ps[i] = Participant{
			ClientID: fmt.Sprintf("c-%d", i+1),
			Name:     fmt.Sprintf("Secret Name %d", i+1),
			Email:    fmt.Sprintf("secret%d@example.org", i+1),
		}
	}
	return ps
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(a *Appointment)
		problems []string // nil: valid
		modality bool     // the error wraps ErrUnsupportedModality
	}{
		{name: "valid 1:1", edit: func(*Appointment) {}},
		{name: "valid in-person", edit: func(a *Appointment) { a.Modality = InPerson }},
		{
			name:     "1:1 with no clients",
			edit:     func(a *Appointment) { a.Participants = nil },
			problems: []string{"participants: 1:1 has 0 clients, must have exactly 1"},
		},
		{
			name:     "1:1 with two clients",
			edit:     func(a *Appointment) { a.Participants = clients(2) },
			problems: []string{"participants: 1:1 has 2 clients, must have exactly 1"},
		},
		{
			name:     "group with no clients",
			edit:     func(a *Appointment) { a.Kind, a.Participants = Group, nil },
			problems: []string{"participants: group has no clients"},
		},
		{name: "group with one client", edit: func(a *Appointment) { a.Kind = Group }},
		{
			name: "group with 25 clients",
			edit: func(a *Appointment) { a.Kind, a.Participants = Group, clients(MaxGroupParticipants) },
		},
		{
			name:     "group with 26 clients",
			edit:     func(a *Appointment) { a.Kind, a.Participants = Group, clients(MaxGroupParticipants+1) },
			problems: []string{"participants: group has 26 clients not marked Error, at most 25"},
		},
		{
			// A full group swapping a client: OnCall removes the one marked Error before the new one joins.
			name: "group with 26 clients, one marked Error",
			edit: func(a *Appointment) {
				a.Kind, a.Participants = Group, clients(MaxGroupParticipants+1)
				a.Participants[3].Status = StatusError
			},
		},
		{
			name: "group with 27 clients, one marked Error and one cancelled",
			edit: func(a *Appointment) {
				a.Kind, a.Participants = Group, clients(MaxGroupParticipants+2)
				a.Participants[3].Status = StatusError
				a.Participants[4].Status = StatusCBC // stays on the OnCall appointment, marked cancelled
			},
			problems: []string{"participants: group has 26 clients not marked Error, at most 25"},
		},
		{
			name:     "missing id",
			edit:     func(a *Appointment) { a.ID = "" },
			problems: []string{"id: missing"},
		},
		{
			name:     "missing start",
			edit:     func(a *Appointment) { a.Start = time.Time{} },
			problems: []string{"start: missing"},
		},
		{
			name:     "missing duration",
			edit:     func(a *Appointment) { a.Duration = 0 },
			problems: []string{"duration: missing"},
		},
		{
			name:     "negative duration",
			edit:     func(a *Appointment) { a.Duration = -time.Minute },
			problems: []string{"duration: negative, must be positive"},
		},
		{
			name:     "unknown kind",
			edit:     func(a *Appointment) { a.Kind = "couple" },
			problems: []string{`kind: (a value of 6 characters), must be "individual" or "group"`},
		},
		{
			// A shifted column: the kind is shown by its length only.
			name:     "a name where the kind belongs",
			edit:     func(a *Appointment) { a.Kind = "Jane Roe" },
			problems: []string{`kind: (a value of 8 characters), must be "individual" or "group"`},
		},
		{
			name: "duplicate client",
			edit: func(a *Appointment) {
				a.Kind = Group
				a.Participants = append(clients(2), Participant{ClientID: "c-1", Name: "Secret Twin", Email: "twin@example.org"})
			},
			problems: []string{`participants[2]: client id listed twice, as participants[0]`},
		},
		{
			name:     "client without id",
			edit:     func(a *Appointment) { a.Participants[0].ClientID = "" },
			problems: []string{"participants[0]: client id missing"},
		},
		{
			name:     "phone modality",
			edit:     func(a *Appointment) { a.Modality = "phone" },
			problems: []string{`modality: "phone": modality not supported by OnCall`},
			modality: true,
		},
		{
			name:     "an email where the modality belongs",
			edit:     func(a *Appointment) { a.Modality = "jane.roe@example.org" },
			problems: []string{`modality: (a value of 20 characters): modality not supported by OnCall`},
			modality: true,
		},
		{
			name:     "missing modality",
			edit:     func(a *Appointment) { a.Modality = "" },
			problems: []string{`modality: "": modality not supported by OnCall`},
			modality: true,
		},
		{
			name: "several problems at once",
			edit: func(a *Appointment) {
				a.ID = ""
				a.Start = time.Time{}
				a.Duration = 0
				a.Modality = "phone"
				a.Participants = append(clients(1), clients(1)...)
			},
			problems: []string{
				"id: missing",
				"start: missing",
				"duration: missing",
				"participants: 1:1 has 2 clients, must have exactly 1",
				`participants[1]: client id listed twice, as participants[0]`,
				`modality: "phone": modality not supported by OnCall`,
			},
			modality: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := validOneToOne()
			tt.edit(&a)
			err := a.Validate()
			if tt.problems == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			if ve.ID != a.ID {
				t.Errorf("ValidationError.ID = %q, want %q", ve.ID, a.ID)
			}
			if diff := cmp.Diff(tt.problems, ve.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrUnsupportedModality); got != tt.modality {
				t.Errorf("errors.Is(err, ErrUnsupportedModality) = %v, want %v", got, tt.modality)
			}
			for _, p := range tt.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error text %q does not list problem %q", err, p)
				}
			}
			for _, p := range a.Participants {
				for _, phi := range []string{p.Name, p.Email} {
					if phi != "" && strings.Contains(err.Error(), phi) {
						t.Errorf("error text %q contains a participant's name or email", err)
					}
				}
			}
		})
	}
}

func TestValidationErrorText(t *testing.T) {
	t.Parallel()
	a := validOneToOne()
	a.ID = "a-42"
	a.Modality = "phone"
	a.Duration = 0
	err := a.Validate()
	want := `carelogic: invalid appointment "a-42": duration: missing; modality: "phone": modality not supported by OnCall`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
}

// An id that does not look like one (a name, say) is shown by its length only.
func TestValidationErrorTextRedactsID(t *testing.T) {
	t.Parallel()
	a := validOneToOne()
	a.ID = "Jane Roe"
	a.Duration = 0
	err := a.Validate()
	want := `carelogic: invalid appointment (a value of 8 characters): duration: missing`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
}

// A group of a thousand clients without ids gives a thousand problems: the error keeps MaxErrors and counts the
// rest, so that its text stays bounded.
func TestValidateKeepsMaxErrorsProblems(t *testing.T) {
	t.Parallel()
	a := validOneToOne()
	a.Kind = Group
	a.Participants = make([]Participant, 1000)
	for i := range a.Participants {
		a.Participants[i].Status = StatusError
	}
	var ve *ValidationError
	if !errors.As(a.Validate(), &ve) {
		t.Fatal("Validate() = nil, want a *ValidationError")
	}
	if len(ve.Problems) != MaxErrors+1 || ve.Problems[MaxErrors] != "and 900 more problems" {
		t.Errorf("%d problems, the last %q; want %d and a count of the rest", len(ve.Problems), ve.Problems[len(ve.Problems)-1], MaxErrors+1)
	}
}

func TestStatusIsCustom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Status
		want bool
	}{
		{"", false},
		{StatusScheduled, false},
		{StatusKept, false},
		{StatusDNS, false},
		{StatusCBT, false},
		{StatusCBC, false},
		{StatusError, false},
		{"Checked-in", true},
		{"dns", true}, // statuses are CareLogic's names, compared exactly
		{"No Show", true},
	}
	for _, tt := range tests {
		if got := tt.s.IsCustom(); got != tt.want {
			t.Errorf("Status(%q).IsCustom() = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source, id, want string
	}{
		{"carelogic", "123", "carelogic/123"},
		{"", "123", "123"},
		{"siu-feed", "", "siu-feed/"},
	}
	for _, tt := range tests {
		a := Appointment{Source: tt.source, ID: tt.id}
		if got := a.Key(); got != tt.want {
			t.Errorf("Appointment{Source: %q, ID: %q}.Key() = %q, want %q", tt.source, tt.id, got, tt.want)
		}
	}
}

func TestEnd(t *testing.T) {
	t.Parallel()
	a := validOneToOne()
	if got, want := a.End(), time.Date(2030, 3, 4, 9, 50, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End() = %v, want %v", got, want)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	t.Parallel()
	orig := validOneToOne()
	orig.Kind = Group
	orig.Participants = clients(3)
	want := orig.Clone()

	c := orig.Clone()
	c.Participants[0].Status = StatusDNS
	c.Participants[1].Email = "changed@example.org"
	c.Participants = append(c.Participants, Participant{ClientID: "c-99"})
	c.ID = "other"

	if diff := cmp.Diff(want, orig); diff != "" {
		t.Errorf("changing a clone changed the original (-want +got):\n%s", diff)
	}

	// The other direction: the clone must not see later changes to the original either.
	c2 := orig.Clone()
	orig.Participants[2].Status = StatusKept
	if c2.Participants[2].Status != "" {
		t.Errorf("clone saw a change to the original's participants")
	}
}

func TestCloneNilParticipants(t *testing.T) {
	t.Parallel()
	a := Appointment{ID: "a"}
	if c := a.Clone(); c.Participants != nil {
		t.Errorf("Clone() of nil participants = %#v, want nil", c.Participants)
	}
}

func TestParticipantLookup(t *testing.T) {
	t.Parallel()
	a := validOneToOne()
	a.Kind = Group
	a.Participants = clients(3)

	p := a.Participant("c-2")
	if p == nil {
		t.Fatal(`Participant("c-2") = nil`)
	}
	if diff := cmp.Diff(a.Participants[1], *p); diff != "" {
		t.Errorf(`Participant("c-2") (-want +got):\n%s`, diff)
	}
	// The result points into the appointment, so a caller can set a status in place.
	p.Status = StatusCBC
	if got := a.Participants[1].Status; got != StatusCBC {
		t.Errorf("status through the returned pointer = %q, want %q", got, StatusCBC)
	}
	if p := a.Participant("c-404"); p != nil {
		t.Errorf(`Participant("c-404") = %+v, want nil`, p)
	}
	if p := a.Participant(""); p != nil {
		t.Errorf(`Participant("") = %+v, want nil`, p)
	}
}

// TestValidateAllocatesNothingWhenValid: the syncer validates every appointment of every plan, so a valid one
// must cost no allocation (a 25-client group included).
func TestValidateAllocatesNothingWhenValid(t *testing.T) {
	a := Appointment{ID: "g-1", Source: "s", Kind: Group, Modality: Video, Start: time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC), Duration: time.Hour}
	for i := range MaxGroupParticipants {
		a.Participants = append(a.Participants, Participant{ClientID: fmt.Sprintf("cl-%d", i)})
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = a.Validate() }); n != 0 {
		t.Errorf("Validate of a valid group: %v allocations, want 0", n)
	}
}
