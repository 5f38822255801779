package carelogic

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// Memory is an EHR held in memory: an Adapter that also implements AppointmentWriter, StatusWriter and URLStore.
// It is what tests and demos sync against in place of a real CareLogic, and a reference for what an adapter must
// do. A test plays the EHR's staff through Put and Delete, and the syncer writes back through the optional
// interfaces.
//
// Appointments are keyed by ID, so one Memory holds one EHR's appointments. Put and NewMemory store what they are
// given, invalid appointments included, so that a test can feed a syncer bad EHR data; CreateAppointment and
// UpdateAppointment validate, as a real EHR would refuse a malformed booking. Memory stores and returns copies, so
// no caller can change its state except through its methods.
//
// A Memory is safe for concurrent use. The zero value is an empty EHR, ready to use.
type Memory struct {
	mu     sync.RWMutex
	appts  map[string]Appointment // by ID
	lastID int                    // the number in the last id CreateAppointment assigned
}

// Compile-time checks that Memory offers every interface the syncer may look for.
var (
	_ Adapter           = (*Memory)(nil)
	_ AppointmentWriter = (*Memory)(nil)
	_ StatusWriter      = (*Memory)(nil)
	_ URLStore          = (*Memory)(nil)
)

// CreatedIDPrefix is how ids that Memory.CreateAppointment assigns begin: "oncall-1", "oncall-2", and so on, in
// order of creation, skipping any id already in use. The prefix marks appointments that were booked in OnCall
// and written back to the EHR.
const CreatedIDPrefix = "oncall-"

// NewMemory returns a Memory holding copies of appts. A later appointment with the same ID as an earlier one
// replaces it, as Put does.
func NewMemory(appts ...Appointment) *Memory {
	m := &Memory{appts: make(map[string]Appointment, len(appts))}
	for _, a := range appts {
		m.appts[a.ID] = a.Clone()
	}
	return m
}

// Put stores a copy of a, replacing any appointment with the same ID: it is how a test makes an edit in the EHR.
// It does not validate a. To model an HL7-style deletion that the syncer should see, Put the appointment with
// Deleted set; to make it vanish, use Delete.
func (m *Memory) Put(a Appointment) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.appts == nil {
		m.appts = make(map[string]Appointment)
	}
	m.appts[a.ID] = a.Clone()
}

// Delete removes the appointment with the given id, as if it had never been booked. It returns an error wrapping
// ErrNotFound when there is none.
func (m *Memory) Delete(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.appts[id]; !ok {
		return appointmentNotFound(id)
	}
	delete(m.appts, id)
	return nil
}

// All returns copies of every stored appointment, ordered by Start and then by Key.
func (m *Memory) All() []Appointment {
	m.mu.RLock()
	out := make([]Appointment, 0, len(m.appts))
	for _, a := range m.appts {
		out = append(out, a.Clone())
	}
	m.mu.RUnlock()
	slices.SortFunc(out, compareStartKey)
	return out
}

// Appointments yields copies of the stored appointments that start in [from, to), deleted ones included, ordered
// by Start and then by Key. It takes a snapshot when iteration begins, so the loop body may call Memory's other
// methods. If ctx is done, it yields ctx.Err() once and stops.
func (m *Memory) Appointments(ctx context.Context, from, to time.Time) iter.Seq2[Appointment, error] {
	return func(yield func(Appointment, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(Appointment{}, err)
			return
		}
		m.mu.RLock()
		var snap []Appointment
		for _, a := range m.appts {
			if !a.Start.Before(from) && a.Start.Before(to) {
				snap = append(snap, a.Clone())
			}
		}
		m.mu.RUnlock()
		slices.SortFunc(snap, compareStartKey)
		for _, a := range snap {
			if err := ctx.Err(); err != nil {
				yield(Appointment{}, err)
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// Appointment returns a copy of the appointment with the given id, or an error wrapping ErrNotFound.
func (m *Memory) Appointment(ctx context.Context, id string) (Appointment, error) {
	if err := ctx.Err(); err != nil {
		return Appointment{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.appts[id]
	if !ok {
		return Appointment{}, appointmentNotFound(id)
	}
	return a.Clone(), nil
}

// CreateAppointment stores a copy of a under a new id (see CreatedIDPrefix), ignoring a.ID, and returns the
// stored appointment. When the appointment is invalid it stores nothing and returns Validate's error, which names
// the id the appointment would have had.
func (m *Memory) CreateAppointment(ctx context.Context, a Appointment) (Appointment, error) {
	if err := ctx.Err(); err != nil {
		return Appointment{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	id := m.lastID
	for {
		id++
		if _, taken := m.appts[CreatedIDPrefix+strconv.Itoa(id)]; !taken {
			break
		}
	}
	a = a.Clone()
	a.ID = CreatedIDPrefix + strconv.Itoa(id)
	if err := a.Validate(); err != nil {
		return Appointment{}, err
	}
	if m.appts == nil {
		m.appts = make(map[string]Appointment)
	}
	m.lastID = id
	m.appts[a.ID] = a
	return a.Clone(), nil
}

// UpdateAppointment replaces the appointment with id a.ID by a copy of a. It returns an error wrapping
// ErrNotFound when there is no such appointment, and Validate's error, changing nothing, when a is invalid.
func (m *Memory) UpdateAppointment(ctx context.Context, a Appointment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.appts[a.ID]; !ok {
		return appointmentNotFound(a.ID)
	}
	m.appts[a.ID] = a.Clone()
	return nil
}

// SetParticipantStatus sets the status of one client on one appointment. It returns an error wrapping
// ErrNotFound when the appointment does not exist or the client is not on it. Any status is accepted, custom
// ones included, because CareLogic lets staff change a status as often as they like.
func (m *Memory) SetParticipantStatus(ctx context.Context, appointmentID, clientID string, s Status) error {
	return m.edit(ctx, appointmentID, func(a *Appointment) error {
		p := a.Participant(clientID)
		if p == nil {
			return &notFoundError{msg: "carelogic: client " + redact.ID(clientID) + " is not on appointment " + redact.ID(appointmentID)}
		}
		p.Status = s
		return nil
	})
}

// AddComment appends text to the appointment's comments, on a new line when there are comments already. Empty
// text changes nothing. It returns an error wrapping ErrNotFound when the appointment does not exist.
func (m *Memory) AddComment(ctx context.Context, appointmentID, text string) error {
	return m.edit(ctx, appointmentID, func(a *Appointment) error {
		switch {
		case text == "":
		case a.Comments == "":
			a.Comments = text
		default:
			a.Comments += "\n" + text
		}
		return nil
	})
}

// SetOnCallURL stores url on the appointment with the given id, replacing any URL stored before. It returns an
// error wrapping ErrNotFound when the appointment does not exist.
func (m *Memory) SetOnCallURL(ctx context.Context, appointmentID, url string) error {
	return m.edit(ctx, appointmentID, func(a *Appointment) error {
		a.OnCallURL = url
		return nil
	})
}

// edit applies change to a copy of the stored appointment with the given id, under the lock, and stores the copy
// only when change succeeds, so that a failed edit changes nothing.
func (m *Memory) edit(ctx context.Context, id string, change func(*Appointment) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.appts[id]
	if !ok {
		return appointmentNotFound(id)
	}
	a = a.Clone() // the stored value shares its participants with a
	if err := change(&a); err != nil {
		return err
	}
	m.appts[id] = a
	return nil
}

// compareStartKey orders appointments by start time and then by key, the deterministic order Memory and the demo
// schedule use.
func compareStartKey(a, b Appointment) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.Key(), b.Key())
}

// notFoundError is a not-found error whose text says what was missing, by ids where they look like ids (see
// internal/redact), while errors.Is still matches ErrNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

func appointmentNotFound(id string) error {
	return &notFoundError{msg: "carelogic: appointment " + redact.ID(id) + " not found"}
}
