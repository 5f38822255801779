package carelogic

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrNotFound is returned (possibly wrapped) by an Adapter when an appointment does not exist.
var ErrNotFound = errors.New("carelogic: appointment not found")

// Adapter is what an integration implements to let the syncer read appointments from its EHR. It is
// deliberately small; writing back to the EHR (the OnCall-to-EHR direction) is offered by the optional
// interfaces AppointmentWriter, StatusWriter and URLStore, which an adapter implements only where its EHR can.
//
// Implementations must be safe for concurrent use.
type Adapter interface {
	// Appointments yields the occurrences that start in [from, to), in any order. It yields an error at most
	// once, as the last element.
	Appointments(ctx context.Context, from, to time.Time) iter.Seq2[Appointment, error]
	// Appointment returns one occurrence by its id, or an error wrapping ErrNotFound.
	Appointment(ctx context.Context, id string) (Appointment, error)
}

// AppointmentWriter is implemented by adapters that can create and change EHR appointments, for deployments where
// OnCall is the system of record.
type AppointmentWriter interface {
	// CreateAppointment creates an appointment from a (whose ID is ignored) and returns it with the EHR's id.
	CreateAppointment(ctx context.Context, a Appointment) (Appointment, error)
	// UpdateAppointment replaces the appointment with id a.ID, or returns an error wrapping ErrNotFound.
	UpdateAppointment(ctx context.Context, a Appointment) error
}

// StatusWriter is implemented by adapters that can write a participant's status and a comment back to the EHR,
// for example CBC with the client's reason when a client cancels in OnCall.
type StatusWriter interface {
	// SetParticipantStatus sets one client's status on one occurrence.
	SetParticipantStatus(ctx context.Context, appointmentID, clientID string, s Status) error
	// AddComment appends text to the occurrence's comments.
	AddComment(ctx context.Context, appointmentID, text string) error
}

// KeyReader is implemented by adapters that can find an occurrence by its key (Appointment.Key: the source and the
// id), for EHR feeds where two sources may use the same id. The syncer reads a changed appointment through it when
// an adapter has it, and through Adapter.Appointment by id otherwise.
type KeyReader interface {
	// AppointmentByKey returns the occurrence with the given key, or an error wrapping ErrNotFound.
	AppointmentByKey(ctx context.Context, key string) (Appointment, error)
}

// URLStore is implemented by adapters whose EHR can keep the matching OnCall appointment's URL on its record,
// which makes later matching exact.
type URLStore interface {
	// SetOnCallURL stores url on the occurrence with the given id.
	SetOnCallURL(ctx context.Context, appointmentID, url string) error
}
