package oncalltest

import (
	"github.com/oncallsync/oncall-go/oncall"
)

// The methods in this file read the server's state, for assertions. Those returning the client's types return
// exactly what the client would decode from the server's answers, so a test can compare them with what its code
// read or wrote using cmp.Diff.

// Appointments returns every appointment, ordered by id, as the client's type.
func (s *Server) Appointments() []oncall.Appointment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]oncall.Appointment, 0, len(s.st.appointments))
	for _, id := range sortedKeys(s.st.appointments) {
		out = append(out, s.clientAppointment(s.st.appointments[id]))
	}
	return out
}

// Appointment returns one appointment as the client's type, and whether it exists.
func (s *Server) Appointment(id oncall.AppointmentID) (oncall.Appointment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.appointments[id]
	if a == nil {
		return oncall.Appointment{}, false
	}
	return s.clientAppointment(a), true
}

// AppointmentRecords returns every appointment, ordered by id, as the server stores it.
func (s *Server) AppointmentRecords() []Appointment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Appointment, 0, len(s.st.appointments))
	for _, id := range sortedKeys(s.st.appointments) {
		out = append(out, s.st.appointments[id].clone())
	}
	return out
}

// AppointmentRecord returns one appointment as the server stores it, and whether it exists.
func (s *Server) AppointmentRecord(id oncall.AppointmentID) (Appointment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.appointments[id]
	if a == nil {
		return Appointment{}, false
	}
	return a.clone(), true
}

// Contacts returns every roster contact, ordered by id, as the client's type.
func (s *Server) Contacts() []oncall.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]oncall.Contact, 0, len(s.st.contacts))
	for _, id := range sortedKeys(s.st.contacts) {
		out = append(out, s.clientContact(s.st.contacts[id]))
	}
	return out
}

// clientAppointment converts a stored appointment to the client's type, as the client would decode it.
func (s *Server) clientAppointment(a *Appointment) oncall.Appointment {
	out := oncall.Appointment{
		ID:           a.ID,
		URL:          s.resourceURL(kindAppointments, int64(a.ID)),
		Title:        a.Title,
		DateTime:     a.DateTime,
		Duration:     a.Duration,
		Type:         a.Type,
		Status:       statusOf(a),
		Cancelled:    a.Cancelled,
		Division:     a.Division,
		Provider:     a.Provider,
		Participants: make([]oncall.Participant, 0, len(a.Participants)),
		Metadata:     make(oncall.Metadata, len(a.Metadata)),
	}
	if u := s.cancellationURL(a); u != nil {
		out.Cancellation = *u
	}
	for i := range a.Participants {
		out.Participants = append(out.Participants, s.clientParticipant(a.ID, &a.Participants[i]))
	}
	for k, v := range a.Metadata {
		out.Metadata[k] = v
	}
	return out
}

// clientParticipant converts a stored participant to the client's type. Its Status is empty unless the
// participant extension is on, since only then is it rendered.
func (s *Server) clientParticipant(appt oncall.AppointmentID, p *Participant) oncall.Participant {
	fee, _ := oncall.ParseDecimal(feeOf(p)) // a stored fee is always a valid decimal
	out := oncall.Participant{
		ID:          p.ID,
		URL:         s.resourceURL(kindParticipants, int64(p.ID)),
		Appointment: appt,
		Name:        p.Name,
		FirstName:   p.FirstName,
		LastName:    p.LastName,
		Email:       p.Email,
		Fee:         fee,
		Cancelled:   p.Cancelled,
		UserID:      p.UserID,
	}
	if s.extension {
		out.Status = p.Status
	}
	return out
}

func (s *Server) clientContact(c *Contact) oncall.Contact {
	out := oncall.Contact{
		ID:                c.ID,
		URL:               s.resourceURL(kindContacts, int64(c.ID)),
		Name:              c.Name,
		Email:             c.Email,
		Phone:             c.Phone,
		Sex:               c.Sex,
		DateOfBirth:       c.DateOfBirth,
		CustomFieldNames:  make(map[string]string, len(s.st.customFields)),
		CustomFieldValues: make(map[string]any, len(c.CustomFieldValues)),
		AppointmentsURL:   s.resourceURL(kindContacts, int64(c.ID)) + "appointments/",
	}
	for k, v := range s.st.customFields {
		out.CustomFieldNames[k] = v
	}
	for k, v := range c.CustomFieldValues {
		out.CustomFieldValues[k] = v
	}
	return out
}
