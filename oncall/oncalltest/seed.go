package oncalltest

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"fmt"
	"math"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// AddDivision adds a division and returns its id.
func (s *Server) AddDivision(name string) oncall.DivisionID {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := oncall.DivisionID(s.st.nextDivision)
	s.st.nextDivision++
	s.st.divisions[id] = &division{id: id, name: name}
	return id
}

// AddProvider adds a provider, a member of the given divisions, and returns its id. A division id the server does
// not know is kept as given, so that a test can hold a provider whose division has gone.
func (s *Server) AddProvider(name, email string, divisions ...oncall.DivisionID) oncall.ProviderID {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := oncall.ProviderID(s.st.nextProvider)
	s.st.nextProvider++
	s.st.providers[id] = &provider{id: id, name: name, email: email, divisions: append([]oncall.DivisionID(nil), divisions...)}
	return id
}

// AddCustomField defines a roster custom field, shown in every contact's custom_field_names, and returns its id
// as the key custom_field_values uses (e.g. "301").
func (s *Server) AddCustomField(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprint(s.st.nextCustomField)
	s.st.nextCustomField++
	s.st.customFields[id] = name
	return id
}

// SetTokenProvider makes the server's token belong to a provider, whom a new appointment without a provider
// defaults to and whose cancellations have the status "Provider cancelled". By default (and after
// SetTokenProvider(0)) the token is a coordinator's: creating an appointment requires a provider, and a
// cancellation has the status "Coordinator cancelled".
func (s *Server) SetTokenProvider(id oncall.ProviderID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != 0 && s.st.providers[id] == nil {
		return fmt.Errorf("oncalltest: SetTokenProvider: no provider %d", id)
	}
	s.st.tokenProvider = id
	return nil
}

// AddContact adds a roster contact and returns its id. The division, and the provider if set, must exist, and
// custom field keys must be defined with AddCustomField.
func (s *Server) AddContact(c Contact) (oncall.ContactID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.divisions[c.Division] == nil {
		return 0, fmt.Errorf("oncalltest: AddContact: no division %d", c.Division)
	}
	if c.Provider != 0 && s.st.providers[c.Provider] == nil {
		return 0, fmt.Errorf("oncalltest: AddContact: no provider %d", c.Provider)
	}
	c = c.clone()
	for k, v := range c.CustomFieldValues {
		if _, ok := s.st.customFields[k]; !ok {
			return 0, fmt.Errorf("oncalltest: AddContact: unknown custom field %s", redact.ID(k))
		}
		switch n := v.(type) {
		case nil, string, bool, float64:
		case int:
			c.CustomFieldValues[k] = float64(n)
		case int64:
			c.CustomFieldValues[k] = float64(n)
		default:
			return 0, fmt.Errorf("oncalltest: AddContact: custom field %s: a %T; want a string, number, bool or nil", redact.ID(k), v)
		}
	}
	if c.Sex == "" {
		c.Sex = "Unknown"
	}
	c.ID = oncall.ContactID(s.st.nextContact)
	s.st.nextContact++
	s.st.contacts[c.ID] = &c
	return c.ID, nil
}

// AddAppointment stores an appointment as if it already existed in OnCall, without sending a webhook, and returns
// its id. Zero ids (of the appointment and its participants) are assigned; others must be free. The division, and
// the provider if set, must exist; fees must be decimals with at most two decimal places; metadata values must be
// strings, integers, booleans or nil. Nothing else is checked against the API's rules, so a test can hold a state
// the API would refuse to create (an unknown type, 30 participants).
func (s *Server) AddAppointment(a Appointment) (oncall.AppointmentID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prepare(a, 0)
	if err != nil {
		return 0, fmt.Errorf("oncalltest: AddAppointment: %w", err)
	}
	s.storeAppointment(p)
	return p.ID, nil
}

// prepare checks and normalises an appointment to be stored, assigning ids. replacing is the id of the
// appointment it replaces (its own ids are then not taken), or 0.
func (s *Server) prepare(in Appointment, replacing oncall.AppointmentID) (*Appointment, error) {
	a := in.clone()
	if a.ID < 0 {
		return nil, fmt.Errorf("appointment id %d is negative", a.ID)
	}
	if a.ID != 0 && a.ID != replacing && s.st.appointments[a.ID] != nil {
		return nil, fmt.Errorf("appointment id %d is taken", a.ID)
	}
	if s.st.divisions[a.Division] == nil {
		return nil, fmt.Errorf("appointment %d: no division %d", a.ID, a.Division)
	}
	if a.Provider != 0 && s.st.providers[a.Provider] == nil {
		return nil, fmt.Errorf("appointment %d: no provider %d", a.ID, a.Provider)
	}
	if !a.DateTime.IsZero() {
		a.DateTime = a.DateTime.UTC().Truncate(time.Microsecond)
	}
	if a.Status == "" {
		a.Status = oncall.StatusIncomplete
	}
	seen := map[oncall.ParticipantID]bool{}
	for i := range a.Participants {
		p := &a.Participants[i]
		if p.ID < 0 {
			return nil, fmt.Errorf("appointment %d: participant id %d is negative", a.ID, p.ID)
		}
		if p.ID != 0 {
			owner, taken := s.st.participantOf[p.ID]
			if seen[p.ID] || (taken && (replacing == 0 || owner != replacing)) {
				return nil, fmt.Errorf("appointment %d: participant id %d is taken", a.ID, p.ID)
			}
			seen[p.ID] = true
		}
		if p.Fee != "" {
			fee, msg := normalizeFee(p.Fee)
			if msg != "" {
				return nil, fmt.Errorf("appointment %d: participant %d: fee: %s", a.ID, i, msg)
			}
			p.Fee = fee
		}
		switch {
		case p.Name == "" && (p.FirstName != "" || p.LastName != ""):
			p.Name = joinName(p.FirstName, p.LastName)
		case p.Name != "" && p.FirstName == "" && p.LastName == "":
			p.FirstName, p.LastName = splitName(p.Name)
		}
		if cancelsParticipant(p.Status) {
			p.Cancelled = true
		}
	}
	for k, v := range a.Metadata {
		nv, err := metadataSeedValue(v)
		if err != nil {
			return nil, fmt.Errorf("appointment %d: metadata %s: %w", a.ID, redact.Name(k), err)
		}
		a.Metadata[k] = nv
	}
	// Ids are assigned last, once nothing can fail, so that a refused seed uses none up.
	if a.ID == 0 {
		a.ID = s.st.newAppointmentID()
	}
	for i := range a.Participants {
		if a.Participants[i].ID == 0 {
			a.Participants[i].ID = s.st.newParticipantID(seen)
		}
	}
	return &a, nil
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// metadataSeedValue stores integers as int64, as values read from requests are.
func metadataSeedValue(v any) (any, error) {
	switch n := v.(type) {
	case nil, string, bool, int64:
		return v, nil
	case int:
		return int64(n), nil
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	}
	return nil, fmt.Errorf("a %T; want a string, an integer, a bool or nil", v)
}
