package oncalltest

import (
	"fmt"

	"github.com/oncallsync/oncall-go/oncall"
)

// The methods in this file change the server's state as people using OnCall's apps would, and send the webhook
// OnCall would send. They are for tests of the OnCall-to-EHR direction.

// BookAsUser creates an appointment as staff booking it in OnCall would, and sends appointment_created. The
// appointment is checked as AddAppointment checks it.
func (s *Server) BookAsUser(a Appointment) (oncall.AppointmentID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prepare(a, 0)
	if err != nil {
		return 0, fmt.Errorf("oncalltest: BookAsUser: %w", err)
	}
	s.storeAppointment(p)
	s.hooks.enqueue(eventCreated, p.ID)
	return p.ID, nil
}

// UpdateAsUser changes an appointment as staff editing it in OnCall would (a new time, a participant's email, a
// participant removed or added with ID zero), and sends appointment_updated. edit receives a copy of the stored
// appointment; the result is checked as AddAppointment checks a new one, and its ID must not change.
func (s *Server) UpdateAsUser(id oncall.AppointmentID, edit func(*Appointment)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.st.appointments[id]
	if cur == nil {
		return fmt.Errorf("oncalltest: UpdateAsUser: no appointment %d", id)
	}
	next := cur.clone()
	edit(&next)
	if next.ID != id {
		return fmt.Errorf("oncalltest: UpdateAsUser: appointment %d: the edit changed the id", id)
	}
	p, err := s.prepare(next, id)
	if err != nil {
		return fmt.Errorf("oncalltest: UpdateAsUser: %w", err)
	}
	s.storeAppointment(p)
	s.hooks.enqueue(eventUpdated, id)
	return nil
}

// CancelAsPatient cancels a 1:1 appointment as its patient would in OnCall's app, giving reason, and sends
// appointment_updated: the appointment becomes cancelled with the status "Patient cancelled" (its "cancellation"
// becomes non-null; the reason is kept in its AppointmentRecord), and its participant becomes cancelled with the
// status "Cancelled by Client" (rendered only under WithUndocumentedParticipantAPI). An appointment with more than
// one participant not yet cancelled is a group: use CancelParticipantAsPatient.
func (s *Server) CancelAsPatient(id oncall.AppointmentID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.st.appointments[id]
	switch {
	case cur == nil:
		return fmt.Errorf("oncalltest: CancelAsPatient: no appointment %d", id)
	case cur.Cancelled:
		return fmt.Errorf("oncalltest: CancelAsPatient: appointment %d is already cancelled", id)
	}
	if n := activeParticipants(cur); n > 1 {
		return fmt.Errorf("oncalltest: CancelAsPatient: appointment %d has %d participants not cancelled; "+
			"cancel one with CancelParticipantAsPatient", id, n)
	}
	next := cur.clone()
	for i := range next.Participants {
		if !next.Participants[i].Cancelled {
			next.Participants[i].Cancelled = true
			next.Participants[i].Status = oncall.ParticipantCancelledByClient
		}
	}
	next.Cancelled, next.Status, next.Cancellation = true, oncall.StatusPatientCancelled, reason
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, id)
	return nil
}

// CancelParticipantAsPatient withdraws one participant as that patient would in OnCall's app, and sends
// appointment_updated on their appointment: the participant becomes cancelled with the status "Cancelled by
// Client" (rendered only under WithUndocumentedParticipantAPI). If no participant is left who has not cancelled, the appointment is cancelled as CancelAsPatient does,
// with reason; otherwise the reason is not kept (OnCall carries it to the EHR for 1:1 appointments only).
func (s *Server) CancelParticipantAsPatient(id oncall.ParticipantID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.findParticipant(id)
	switch {
	case !ok:
		return fmt.Errorf("oncalltest: CancelParticipantAsPatient: no participant %d", id)
	case ref.p().Cancelled:
		return fmt.Errorf("oncalltest: CancelParticipantAsPatient: participant %d is already cancelled", id)
	}
	next := ref.appt.clone()
	p := &next.Participants[ref.i]
	p.Cancelled, p.Status = true, oncall.ParticipantCancelledByClient
	if activeParticipants(&next) == 0 && !next.Cancelled {
		next.Cancelled, next.Status, next.Cancellation = true, oncall.StatusPatientCancelled, reason
	}
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, next.ID)
	return nil
}

// CancelAsProvider cancels an appointment as its provider would in OnCall's app, and sends appointment_updated:
// the appointment becomes cancelled with the status "Provider cancelled"; its participants are left as they are.
func (s *Server) CancelAsProvider(id oncall.AppointmentID) error {
	return s.finish(id, "CancelAsProvider", func(a *Appointment) {
		a.Cancelled, a.Status = true, oncall.StatusProviderCancelled
	})
}

// Complete marks an appointment complete as a provider clicking "Complete" in OnCall would, and sends
// appointment_updated.
func (s *Server) Complete(id oncall.AppointmentID) error {
	return s.finish(id, "Complete", func(a *Appointment) { a.Status = oncall.StatusComplete })
}

// finish applies a change that ends an appointment which must not have ended yet.
func (s *Server) finish(id oncall.AppointmentID, op string, change func(*Appointment)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.st.appointments[id]
	switch {
	case cur == nil:
		return fmt.Errorf("oncalltest: %s: no appointment %d", op, id)
	case cur.past():
		return fmt.Errorf("oncalltest: %s: appointment %d is already %s", op, id, statusOf(cur))
	}
	next := cur.clone()
	change(&next)
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, id)
	return nil
}

func activeParticipants(a *Appointment) int {
	n := 0
	for _, p := range a.Participants {
		if !p.Cancelled {
			n++
		}
	}
	return n
}
