package oncalltest

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// Appointment is an appointment as the server stores it. It seeds the server (AddAppointment, BookAsUser), is
// changed by UpdateAsUser, and is what AppointmentRecord returns, with the fields the client's own type lacks
// (Cancellation). Values are copies: changing one does not change the server.
type Appointment struct {
	// ID is assigned by the server when zero.
	ID    oncall.AppointmentID
	Title string
	Type  oncall.AppointmentType
	// DateTime is the start, kept in UTC to the microsecond; zero for a message appointment.
	DateTime time.Time
	// Duration is in minutes.
	Duration int
	// Status is the completion status; empty means oncall.StatusIncomplete.
	Status    oncall.AppointmentStatus
	Cancelled bool
	// Cancellation is the reason a patient gave when cancelling ("" when none), kept by the server only. The API's
	// "cancellation" field is not this: it is opaque, the URL of a cancellation record once the appointment is
	// cancelled and null before (see the package documentation).
	Cancellation string
	Division     oncall.DivisionID
	// Provider is zero when the appointment has none.
	Provider     oncall.ProviderID
	Participants []Participant
	// Metadata values are string, int64, bool or nil (other integer types are stored as int64).
	Metadata map[string]any
}

// Participant is one person's place on an appointment, as the server stores it.
type Participant struct {
	// ID is assigned by the server when zero.
	ID oncall.ParticipantID
	// Name is the display name. FirstName and LastName are derived from it when empty (the first word, and the
	// rest); Name is derived from them when it is empty.
	Name      string
	FirstName string
	LastName  string
	Email     string
	// Fee is a decimal such as "10" or "10.5", stored with two decimal places ("10.50"); "" means "0.00".
	Fee       string
	Cancelled bool
	// Status is the participant's outcome ("No Show", "Cancelled by Provider", "Cancelled by Client"), or "". It
	// is part of the participant extension: the server keeps it (CancelAsPatient and CancelParticipantAsPatient set
	// it) but renders and writes it only under WithUndocumentedParticipantAPI. A "Cancelled by" status sets
	// Cancelled.
	Status oncall.ParticipantStatus
	// UserID is the OnCall user behind the participant, rendered as "user_id" when non-zero (OnCall sends it for
	// some participants only).
	UserID int64
}

// Contact is a roster contact as the server stores it.
type Contact struct {
	// ID is assigned by the server.
	ID          oncall.ContactID
	Name        string
	Email       string
	Phone       string
	Sex         string
	DateOfBirth string // YYYY-MM-DD
	Division    oncall.DivisionID
	Provider    oncall.ProviderID
	// CustomFieldValues maps custom field ids (see AddCustomField) to values: strings, numbers (float64),
	// booleans or nil.
	CustomFieldValues map[string]any
}

func (a *Appointment) clone() Appointment {
	out := *a
	out.Participants = slices.Clone(a.Participants)
	out.Metadata = maps.Clone(a.Metadata)
	return out
}

func (c *Contact) clone() Contact {
	out := *c
	out.CustomFieldValues = maps.Clone(c.CustomFieldValues)
	return out
}

// participant returns the index of the participant with the given id, or -1.
func (a *Appointment) participant(id oncall.ParticipantID) int {
	return slices.IndexFunc(a.Participants, func(p Participant) bool { return p.ID == id })
}

// past reports whether the appointment is over in OnCall's eyes: cancelled, or anything but incomplete.
func (a *Appointment) past() bool {
	return a.Cancelled || (a.Status != "" && a.Status != oncall.StatusIncomplete)
}

type division struct {
	id   oncall.DivisionID
	name string
}

type provider struct {
	id        oncall.ProviderID
	name      string
	email     string
	divisions []oncall.DivisionID
}

// store is the server's state; the Server's mutex guards it.
type store struct {
	divisions    map[oncall.DivisionID]*division
	providers    map[oncall.ProviderID]*provider
	contacts     map[oncall.ContactID]*Contact
	appointments map[oncall.AppointmentID]*Appointment
	// participantOf maps each participant to its appointment.
	participantOf map[oncall.ParticipantID]oncall.AppointmentID
	customFields  map[string]string // id -> name

	// The next ids. Each resource counts from its own starting point, so that an id of one kind passed where
	// another is expected finds nothing instead of the wrong resource.
	nextDivision, nextProvider, nextContact, nextAppointment, nextParticipant, nextCustomField int64

	// tokenProvider is the provider the token belongs to, or 0 for a coordinator's token.
	tokenProvider oncall.ProviderID
}

// First ids of each kind.
const (
	firstDivisionID    = 101
	firstProviderID    = 201
	firstCustomFieldID = 301
	firstAppointmentID = 1001
	firstParticipantID = 5001
	firstContactID     = 7001
)

func newStore() store {
	return store{
		divisions:       map[oncall.DivisionID]*division{},
		providers:       map[oncall.ProviderID]*provider{},
		contacts:        map[oncall.ContactID]*Contact{},
		appointments:    map[oncall.AppointmentID]*Appointment{},
		participantOf:   map[oncall.ParticipantID]oncall.AppointmentID{},
		customFields:    map[string]string{},
		nextDivision:    firstDivisionID,
		nextProvider:    firstProviderID,
		nextContact:     firstContactID,
		nextAppointment: firstAppointmentID,
		nextParticipant: firstParticipantID,
		nextCustomField: firstCustomFieldID,
	}
}

// sortedKeys returns a map's keys in ascending order: listings are ordered by id.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

func (st *store) newAppointmentID() oncall.AppointmentID {
	for st.appointments[oncall.AppointmentID(st.nextAppointment)] != nil {
		st.nextAppointment++
	}
	id := oncall.AppointmentID(st.nextAppointment)
	st.nextAppointment++
	return id
}

// newParticipantID returns an id neither in use nor in reserved (ids chosen by a seed being stored).
func (st *store) newParticipantID(reserved map[oncall.ParticipantID]bool) oncall.ParticipantID {
	for {
		id := oncall.ParticipantID(st.nextParticipant)
		st.nextParticipant++
		if _, taken := st.participantOf[id]; !taken && !reserved[id] {
			return id
		}
	}
}

// memberOf reports whether the provider belongs to the division.
func (st *store) memberOf(p oncall.ProviderID, d oncall.DivisionID) bool {
	pr := st.providers[p]
	return pr != nil && slices.Contains(pr.divisions, d)
}
