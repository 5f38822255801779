package carelogic

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// MaxGroupParticipants is the most clients a group appointment may hold, not counting those marked StatusError
// (OnCall removes them, so a full group can swap a client: Error the old one, add the new). It is OnCall Health's
// limit, and the CareLogic integration documents the same ("Groups, with up to 25 participants").
const MaxGroupParticipants = 25

// Kind says whether an appointment is a 1:1 (one client) or a group session (one or more clients).
type Kind string

const (
	// Individual is a 1:1 appointment: exactly one client.
	Individual Kind = "individual"
	// Group is a group session: one client or more, at most MaxGroupParticipants of them not marked Error, each
	// with their own status.
	Group Kind = "group"
)

// Modality is how an appointment takes place. OnCall can host Video and InPerson appointments for a CareLogic
// integration; any other value is kept as the EHR sent it and reported by Validate rather than guessed.
type Modality string

const (
	// Video is a virtual appointment (OnCall type "online").
	Video Modality = "video"
	// InPerson is an appointment at the clinic (OnCall type "inperson").
	InPerson Modality = "in-person"
)

// Status is one client's status on one appointment occurrence. CareLogic keeps statuses per participant, so in a
// group one client can be DNS while the session goes on for the others.
//
// The six named statuses are CareLogic's; any other value is an agency-defined custom status (for example
// "Checked-in") and is kept by name.
type Status string

const (
	// StatusScheduled is a booked appointment with no outcome yet. The zero Status means the same.
	StatusScheduled Status = "Scheduled"
	// StatusKept means the client attended.
	StatusKept Status = "Kept"
	// StatusDNS means the client did not show ("No Show" in the CareLogic integration's wording of OnCall).
	StatusDNS Status = "DNS"
	// StatusCBT means the appointment was cancelled by the therapist or provider ("Cancelled by Provider").
	StatusCBT Status = "CBT"
	// StatusCBC means the appointment was cancelled by the client ("Cancelled by Client").
	StatusCBC Status = "CBC"
	// StatusError means the client was put on the appointment in error; OnCall removes the participant.
	StatusError Status = "Error"
)

// IsCustom reports whether s is an agency-defined status rather than one of CareLogic's six.
func (s Status) IsCustom() bool {
	switch s {
	case "", StatusScheduled, StatusKept, StatusDNS, StatusCBT, StatusCBC, StatusError:
		return false
	}
	return true
}

// Participant is one client on an appointment occurrence.
type Participant struct {
	// ClientID is the EHR's identifier of the client; it is stable across appointments and email changes.
	ClientID string `json:"client_id"`
	// Name is the client's display name. It is PHI: never log it.
	Name string `json:"name,omitempty"`
	// Email is the client's primary email address, which OnCall uses to invite them. It is PHI: never log it.
	Email string `json:"email,omitempty"`
	// Status is this client's status on this occurrence; empty means StatusScheduled.
	Status Status `json:"status,omitempty"`
}

// Appointment is one occurrence of an EHR appointment: a 1:1 or a group session at one start time. A recurring
// series is a set of occurrences sharing a SeriesID, each with its own ID and statuses.
type Appointment struct {
	// ID is the EHR's identifier of this occurrence (for HL7 v2 the filler appointment id, SCH-2).
	ID string `json:"id"`
	// Source names the system or feed the appointment came from, so that ids from two EHRs cannot collide.
	Source string `json:"source,omitempty"`
	// SeriesID links the occurrences of a recurring series; empty for a one-off appointment.
	SeriesID string `json:"series_id,omitempty"`
	// Kind is Individual or Group.
	Kind Kind `json:"kind"`
	// Modality is Video or InPerson, or another value that Validate reports.
	Modality Modality `json:"modality"`
	// ProviderID is the EHR's staff id of the provider (CareLogic Staff ID).
	ProviderID string `json:"provider_id,omitempty"`
	// Start is when the occurrence begins.
	Start time.Time `json:"start"`
	// Duration is how long it lasts.
	Duration time.Duration `json:"duration"`
	// Activity is the CareLogic activity, shown as the appointment's title in OnCall.
	Activity string `json:"activity,omitempty"`
	// Participants are the clients, each with their own status.
	Participants []Participant `json:"participants"`
	// Comments is the appointment's free-text comments field, where a client's cancellation reason is written.
	Comments string `json:"comments,omitempty"`
	// OnCallURL is the URL of the matching OnCall appointment, where the EHR stores it.
	OnCallURL string `json:"oncall_url,omitempty"`
	// Deleted marks an occurrence removed from the EHR (for example an HL7 S17 deletion).
	Deleted bool `json:"deleted,omitempty"`
	// UpdatedAt is when the EHR last changed the occurrence, where the source says; it orders competing snapshots.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Key returns the appointment's identity across sources: Source and ID joined by a slash, or ID alone when
// Source is empty.
func (a *Appointment) Key() string {
	if a.Source == "" {
		return a.ID
	}
	return a.Source + "/" + a.ID
}

// End returns Start plus Duration.
func (a *Appointment) End() time.Time { return a.Start.Add(a.Duration) }

// Participant returns the participant with the given client id, or nil.
func (a *Appointment) Participant(clientID string) *Participant {
	for i := range a.Participants {
		if a.Participants[i].ClientID == clientID {
			return &a.Participants[i]
		}
	}
	return nil
}

// Clone returns a deep copy of a, so that a caller can change it without changing the original.
func (a Appointment) Clone() Appointment {
	a.Participants = slices.Clone(a.Participants)
	return a
}

// ErrUnsupportedModality is wrapped by the error Validate returns for a modality OnCall cannot host.
var ErrUnsupportedModality = errors.New("modality not supported by OnCall")

// ValidationError lists what is wrong with an appointment. Its text names the appointment by its id where the id
// looks like one (see internal/redact: letters, digits and punctuation, with a digit), and otherwise by the id's
// length; it names fields and positions, never a value: not a client's name, email or id, nor the kind, modality
// or status given.
type ValidationError struct {
	// ID is the appointment's id, as given.
	ID string
	// Problems are short descriptions of each problem, e.g.
	// "participants: group has 26 clients not marked Error, at most 25". There are at most MaxErrors of them and
	// then one counting the rest.
	Problems []string
	err      error
}

func (e *ValidationError) Error() string {
	return "carelogic: invalid appointment " + redact.ID(e.ID) + ": " + strings.Join(e.Problems, "; ")
}

// Unwrap returns ErrUnsupportedModality when the modality was one of the problems (and, from WriteJSON, an error
// matching ErrLimit too when the appointment lists more than MaxParticipants clients).
func (e *ValidationError) Unwrap() error { return e.err }

// Validate reports every problem that would stop the appointment from being synced: a missing id, start or
// duration; a 1:1 without exactly one client; a group with none, or with more than MaxGroupParticipants not
// marked Error; a client without an id, or listed twice; and a modality OnCall cannot host (wrapping
// ErrUnsupportedModality). It returns nil or a *ValidationError, which keeps the first MaxErrors problems.
func (a *Appointment) Validate() error {
	var p problems
	var wrapped error
	if a.ID == "" {
		p.add("id: missing")
	}
	if a.Start.IsZero() {
		p.add("start: missing")
	}
	switch {
	case a.Duration == 0:
		p.add("duration: missing")
	case a.Duration < 0:
		p.add("duration: negative, must be positive")
	}
	n := len(a.Participants)
	switch a.Kind {
	case Individual:
		if n != 1 {
			p.add(fmt.Sprintf("participants: 1:1 has %d clients, must have exactly 1", n))
		}
	case Group:
		if n == 0 {
			p.add("participants: group has no clients")
		}
		if active := n - countStatus(a.Participants, StatusError); active > MaxGroupParticipants {
			p.add(fmt.Sprintf("participants: group has %d clients not marked Error, at most %d", active, MaxGroupParticipants))
		}
	default:
		p.add(fmt.Sprintf("kind: %s, must be %q or %q", redact.Value(string(a.Kind)), Individual, Group))
	}
	for i, c := range a.Participants {
		j, dup := firstWithClient(a.Participants, i)
		switch {
		case c.ClientID == "":
			p.add(fmt.Sprintf("participants[%d]: client id missing", i))
		case dup:
			p.add(fmt.Sprintf("participants[%d]: client id listed twice, as participants[%d]", i, j))
		}
	}
	switch a.Modality {
	case Video, InPerson:
	default:
		p.add(fmt.Sprintf("modality: %s: %v", modalityText(a.Modality), ErrUnsupportedModality))
		wrapped = ErrUnsupportedModality
	}
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{ID: a.ID, Problems: p.done(), err: wrapped}
}

// firstWithClient returns the first participant before i with participant i's client id. A scan rather than a
// map, so that Validate allocates nothing for a valid appointment (it runs on every appointment of every plan):
// groups hold tens of clients, and an input past MaxParticipants is refused before it gets here.
func firstWithClient(ps []Participant, i int) (int, bool) {
	for j := range i {
		if ps[j].ClientID == ps[i].ClientID {
			return j, true
		}
	}
	return 0, false
}

// modalityText shows a modality in an error: one of OnCall's other appointment types as it is, since those are
// words of the API rather than of a patient's record, and anything else by its length only.
func modalityText(m Modality) string {
	switch m {
	case "phone", "message", "online", "inperson":
		return strconv.Quote(string(m))
	}
	return redact.Value(string(m))
}

// problems collects the problems of one appointment, keeping the first MaxErrors and counting the rest.
type problems struct {
	list []string
	more int
}

func (p *problems) add(problem string) {
	if !p.full() {
		p.list = append(p.list, problem)
	}
}

// full reports whether there is no more room, counting one more problem when there is none: a caller that has a
// problem to describe checks it first, so that a file of a million problems is not described a million times.
func (p *problems) full() bool {
	if len(p.list) < MaxErrors {
		return false
	}
	p.more++
	return true
}

// done returns the problems, with a last one counting those left out.
func (p *problems) done() []string {
	if p.more > 0 {
		return append(p.list, fmt.Sprintf("and %d more problems", p.more))
	}
	return p.list
}

// countStatus returns how many of ps have status st.
func countStatus(ps []Participant, st Status) int {
	n := 0
	for _, p := range ps {
		if p.Status == st {
			n++
		}
	}
	return n
}
