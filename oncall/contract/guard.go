package contract

import (
	"context"
	"errors"
	"slices"

	"github.com/oncallsync/oncall-go/oncall"
)

// errNotOurs is the guard's refusal: a write that names an appointment this run did not create, or a participant
// not found on one.
var errNotOurs = errors.New("contract: refusing to write to a resource this run did not create")

// writer sends every write of a run, and only the writes its guard allows: to the appointments the run created
// and to the participants the API showed on them. Reads of those appointments go through it too, so that it
// learns who is on them.
type writer struct {
	c   *oncall.Client
	res *Result // Created is kept in step with ours
	// ours are the appointments this run created.
	ours map[oncall.AppointmentID]bool
	// participants maps each participant last seen on one of ours to its appointment.
	participants map[oncall.ParticipantID]oncall.AppointmentID
}

func newWriter(c *oncall.Client, res *Result) *writer {
	return &writer{c: c, res: res, ours: map[oncall.AppointmentID]bool{},
		participants: map[oncall.ParticipantID]oncall.AppointmentID{}}
}

// adopt makes a an appointment of this run's. Only an appointment the run created is adopted: the answer to its
// create, or one found by the run's own random id in its metadata.
func (w *writer) adopt(a *oncall.Appointment) {
	if a == nil || a.ID <= 0 || w.ours[a.ID] {
		return
	}
	w.ours[a.ID] = true
	w.res.Created = append(w.res.Created, a.ID)
	w.learn(a)
}

// learn records who is on a, one of ours, as the API just showed it; participants it no longer lists are forgotten.
func (w *writer) learn(a *oncall.Appointment) {
	if a == nil || !w.ours[a.ID] {
		return
	}
	for pid, aid := range w.participants {
		if aid == a.ID {
			delete(w.participants, pid)
		}
	}
	for _, p := range a.Participants {
		if p.ID > 0 {
			w.participants[p.ID] = a.ID
		}
	}
}

// onAppointment reports whether the participant was last seen on appointment id, one of ours.
func (w *writer) onAppointment(pid oncall.ParticipantID, id oncall.AppointmentID) bool {
	aid, ok := w.participants[pid]
	return ok && aid == id && w.ours[id]
}

// createAppointment creates the run's appointment and adopts it, even when the answer does not show every field.
func (w *writer) createAppointment(ctx context.Context, p *oncall.AppointmentCreateParams) (*oncall.Appointment, error) {
	a, err := w.c.Appointments.Create(ctx, p)
	w.adopt(a)
	return a, err
}

// get reads one of ours.
func (w *writer) get(ctx context.Context, id oncall.AppointmentID) (*oncall.Appointment, error) {
	if !w.ours[id] {
		return nil, errNotOurs
	}
	a, err := w.c.Appointments.Get(ctx, id)
	if err == nil && a.ID == id {
		w.learn(a)
	}
	return a, err
}

// update PATCHes one of ours. A participants list may name only participants last seen on it.
func (w *writer) update(ctx context.Context, id oncall.AppointmentID, p *oncall.AppointmentUpdateParams) (*oncall.Appointment, error) {
	if !w.ours[id] {
		return nil, errNotOurs
	}
	for _, e := range p.Participants {
		if e.URL == "" {
			continue
		}
		ref, err := w.c.ParseRef(e.URL)
		if err != nil || ref.Kind != "participants" || !w.onAppointment(oncall.ParticipantID(ref.ID), id) {
			return nil, errNotOurs
		}
	}
	a, err := w.c.Appointments.Update(ctx, id, p)
	if a != nil && a.ID == id {
		w.learn(a)
	}
	return a, err
}

// createParticipant adds a participant to one of ours with the undocumented POST /participants/. The new
// participant is not written to until a read of the appointment shows it there.
func (w *writer) createParticipant(ctx context.Context, id oncall.AppointmentID,
	p oncall.ParticipantParams) (*oncall.Participant, error) {
	if !w.ours[id] {
		return nil, errNotOurs
	}
	return w.c.Participants.Create(ctx, &oncall.ParticipantCreateParams{Appointment: id, ParticipantParams: p})
}

// setParticipantStatus sets the undocumented status of a participant last seen on one of ours.
func (w *writer) setParticipantStatus(ctx context.Context, id oncall.AppointmentID, pid oncall.ParticipantID,
	s oncall.ParticipantStatus) (*oncall.Participant, error) {
	if !w.onAppointment(pid, id) {
		return nil, errNotOurs
	}
	return w.c.Participants.SetStatus(ctx, pid, s)
}

// deleteParticipant removes, with the undocumented DELETE, a participant last seen on one of ours.
func (w *writer) deleteParticipant(ctx context.Context, id oncall.AppointmentID, pid oncall.ParticipantID) error {
	if !w.onAppointment(pid, id) {
		return errNotOurs
	}
	return w.c.Participants.Delete(ctx, pid)
}

// created returns the appointments of this run, in the order they were adopted.
func (w *writer) created() []oncall.AppointmentID { return slices.Clone(w.res.Created) }
