package oncalltest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// This file is the server's JSON representation of each resource. It is written independently of the client's
// decoding, so that a mistake in one is not mirrored by the other.

// Resource kinds: the first element of a resource's path.
const (
	kindAppointments = "appointments"
	kindParticipants = "participants"
	kindProviders    = "providers"
	kindDivisions    = "divisions"
	kindContacts     = "contacts"
)

// resourceURL is a resource's URL on this server, with the trailing slash the API uses.
func (s *Server) resourceURL(kind string, id int64) string {
	return s.base + "/" + kind + "/" + strconv.FormatInt(id, 10) + "/"
}

func (s *Server) optionalURL(kind string, id int64) *string {
	if id == 0 {
		return nil
	}
	u := s.resourceURL(kind, id)
	return &u
}

type appointmentJSON struct {
	URL          string            `json:"url"`
	Title        string            `json:"title"`
	DateTime     *string           `json:"datetime"`
	Duration     int               `json:"duration"`
	Type         string            `json:"type"`
	Status       string            `json:"status"`
	Cancelled    bool              `json:"cancelled"`
	Cancellation *string           `json:"cancellation"`
	Division     string            `json:"division"`
	Provider     *string           `json:"provider"`
	Participants []participantJSON `json:"participants"`
	Metadata     map[string]any    `json:"metadata"`
}

type participantJSON struct {
	URL         string          `json:"url"`
	Appointment string          `json:"appointment"`
	Name        string          `json:"name"`
	FirstName   string          `json:"first_name"`
	LastName    string          `json:"last_name"`
	Email       string          `json:"email"`
	Fee         json.RawMessage `json:"fee"`
	Cancelled   bool            `json:"cancelled"`
	// Status is nil, leaving "status" out, unless the participant extension is on: the documented API has no
	// participant status. Under the extension it is a quoted status or null.
	Status *json.RawMessage `json:"status,omitempty"`
	UserID int64            `json:"user_id,omitempty"`
}

type providerJSON struct {
	URL         string   `json:"url"`
	FullName    string   `json:"full_name"`
	Email       string   `json:"email"`
	Memberships []string `json:"memberships"`
}

type divisionJSON struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

type contactJSON struct {
	URL               string            `json:"url"`
	Name              string            `json:"name"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Sex               string            `json:"sex"`
	DateOfBirth       *string           `json:"date_of_birth"`
	CustomFieldNames  map[string]string `json:"custom_field_names"`
	CustomFieldValues map[string]any    `json:"custom_field_values"`
	Appointments      string            `json:"appointments"`
}

// formatDateTime renders a time as Django REST Framework does for UTC: seconds, microseconds only when non-zero,
// and a Z.
func formatDateTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

func (s *Server) renderAppointment(a *Appointment) appointmentJSON {
	out := appointmentJSON{
		URL:          s.resourceURL(kindAppointments, int64(a.ID)),
		Title:        a.Title,
		Duration:     a.Duration,
		Type:         string(a.Type),
		Status:       string(statusOf(a)),
		Cancelled:    a.Cancelled,
		Division:     s.resourceURL(kindDivisions, int64(a.Division)),
		Provider:     s.optionalURL(kindProviders, int64(a.Provider)),
		Participants: make([]participantJSON, 0, len(a.Participants)),
		Metadata:     map[string]any{},
	}
	if !a.DateTime.IsZero() {
		dt := formatDateTime(a.DateTime)
		out.DateTime = &dt
	}
	out.Cancellation = s.cancellationURL(a)
	for i := range a.Participants {
		out.Participants = append(out.Participants, s.renderParticipant(a.ID, &a.Participants[i], true))
	}
	for k, v := range a.Metadata {
		out.Metadata[k] = v
	}
	return out
}

// kindCancellations is the first element of the path of the cancellation records that "cancellation" links to.
// The server does not serve them.
const kindCancellations = "appointment_cancellations"

// cancellationURL is the appointment's "cancellation": opaque, and null until the appointment is cancelled. OnCall
// documents no such field and its own app only tests it for null; it is most likely the URL of a cancellation
// record, so the server renders one, <base>/appointment_cancellations/<appointment id>/. The patient's reason
// (Appointment.Cancellation) is not rendered.
func (s *Server) cancellationURL(a *Appointment) *string {
	if !a.Cancelled {
		return nil
	}
	u := s.resourceURL(kindCancellations, int64(a.ID))
	return &u
}

func statusOf(a *Appointment) oncall.AppointmentStatus {
	if a.Status == "" {
		return oncall.StatusIncomplete
	}
	return a.Status
}

// renderParticipant renders a participant. Nested in an appointment its fee is a JSON number, as OnCall's
// published appointment payloads show ("fee": 10.0); on the participant resource it is a string ("10.00"), as a
// Django DecimalField renders by default and as OnCall's own apps read it.
func (s *Server) renderParticipant(appt oncall.AppointmentID, p *Participant, nested bool) participantJSON {
	fee := feeOf(p)
	raw := json.RawMessage(fee)
	if !nested {
		raw = json.RawMessage(strconv.Quote(fee))
	}
	out := participantJSON{
		URL:         s.resourceURL(kindParticipants, int64(p.ID)),
		Appointment: s.resourceURL(kindAppointments, int64(appt)),
		Name:        p.Name,
		FirstName:   p.FirstName,
		LastName:    p.LastName,
		Email:       p.Email,
		Fee:         raw,
		Cancelled:   p.Cancelled,
		UserID:      p.UserID,
	}
	if s.extension {
		st := json.RawMessage("null")
		if p.Status != "" {
			st = json.RawMessage(strconv.Quote(string(p.Status)))
		}
		out.Status = &st
	}
	return out
}

func feeOf(p *Participant) string {
	if p.Fee == "" {
		return "0.00"
	}
	return p.Fee
}

func (s *Server) renderProvider(p *provider) providerJSON {
	out := providerJSON{URL: s.resourceURL(kindProviders, int64(p.id)), FullName: p.name, Email: p.email,
		Memberships: make([]string, 0, len(p.divisions))}
	for _, d := range p.divisions {
		out.Memberships = append(out.Memberships, s.resourceURL(kindDivisions, int64(d)))
	}
	return out
}

func (s *Server) renderDivision(d *division) divisionJSON {
	return divisionJSON{URL: s.resourceURL(kindDivisions, int64(d.id)), Name: d.name}
}

func (s *Server) renderContact(c *Contact) contactJSON {
	out := contactJSON{
		URL:               s.resourceURL(kindContacts, int64(c.ID)),
		Name:              c.Name,
		Email:             c.Email,
		Phone:             c.Phone,
		Sex:               c.Sex,
		CustomFieldNames:  map[string]string{},
		CustomFieldValues: map[string]any{},
		Appointments:      s.resourceURL(kindContacts, int64(c.ID)) + "appointments/",
	}
	if c.DateOfBirth != "" {
		dob := c.DateOfBirth
		out.DateOfBirth = &dob
	}
	for id, name := range s.st.customFields {
		out.CustomFieldNames[id] = name
	}
	for k, v := range c.CustomFieldValues {
		out.CustomFieldValues[k] = v
	}
	return out
}

// splitName derives a first and last name from a display name: the first word, and the rest.
func splitName(name string) (first, last string) {
	f := strings.Fields(name)
	if len(f) == 0 {
		return "", ""
	}
	return f[0], strings.Join(f[1:], " ")
}
