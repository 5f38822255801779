package oncalltest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

var participantStatuses = []string{
	string(oncall.ParticipantNoShow), string(oncall.ParticipantCancelledByProvider),
	string(oncall.ParticipantCancelledByClient),
}

// participantInput is the participant fields a request sets.
type participantInput struct {
	name, firstName, lastName, email, fee *string
	cancelled                             *bool
	status                                *oncall.ParticipantStatus // "" clears it
}

// readParticipantInput reads the writable participant fields present in obj. "status" is one only under the
// participant extension; otherwise it is ignored, as Django REST Framework ignores a field a serializer lacks.
func (s *Server) readParticipantInput(obj map[string]json.RawMessage, fe fieldErrors) participantInput {
	s.dropIgnored(obj, "participant.")
	var in participantInput
	str := func(field string, dst **string, parse func(json.RawMessage) (string, string)) {
		if raw, ok := obj[field]; ok {
			if v, msg := parse(raw); msg != "" {
				fe.add(field, msg)
			} else {
				*dst = &v
			}
		}
	}
	name := func(raw json.RawMessage) (string, string) { return parseString(raw, false, 255) }
	optionalName := func(raw json.RawMessage) (string, string) { return parseString(raw, true, 150) }
	str("name", &in.name, name)
	str("first_name", &in.firstName, optionalName)
	str("last_name", &in.lastName, optionalName)
	str("email", &in.email, parseEmail)
	str("fee", &in.fee, parseFee)
	if raw, ok := obj["cancelled"]; ok {
		if v, msg := parseBool(raw); msg != "" {
			fe.add("cancelled", msg)
		} else {
			in.cancelled = &v
		}
	}
	if raw, ok := obj["status"]; ok && s.extension {
		st := oncall.ParticipantStatus("")
		if !isNull(raw) {
			v, msg := parseChoice(raw, participantStatuses)
			if msg != "" {
				fe.add("status", msg)
			}
			st = oncall.ParticipantStatus(v)
		}
		in.status = &st
	}
	return in
}

// requireIdentity checks what a new participant must have: an email, and a name or first and last names.
func (in *participantInput) requireIdentity(fe fieldErrors) {
	if in.email == nil && fe["email"] == nil {
		fe.add("email", msgRequired)
	}
	hasParts := in.firstName != nil && *in.firstName != "" && in.lastName != nil && *in.lastName != ""
	if in.name == nil && !hasParts && fe["name"] == nil {
		fe.add("name", msgRequired)
	}
}

// apply sets the fields of in on p. A new name gives new first and last names unless those are set too (the
// current name sent again leaves them as they are); first and last names alone give the name. A fee equal to the
// current one leaves it as stored. A "Cancelled by ..." status cancels the participant, and "cancelled": false
// without a status clears such a status, which (without the extension) a client cannot see.
func (in *participantInput) apply(p *Participant) {
	switch {
	case in.name != nil:
		if *in.name != p.Name {
			p.Name = *in.name
			p.FirstName, p.LastName = splitName(p.Name)
		}
	case in.firstName != nil || in.lastName != nil:
		first, last := p.FirstName, p.LastName
		if in.firstName != nil {
			first = *in.firstName
		}
		if in.lastName != nil {
			last = *in.lastName
		}
		p.Name = strings.TrimSpace(first + " " + last)
	}
	if in.firstName != nil {
		p.FirstName = *in.firstName
	}
	if in.lastName != nil {
		p.LastName = *in.lastName
	}
	if in.email != nil {
		p.Email = *in.email
	}
	if in.fee != nil && *in.fee != feeOf(p) {
		p.Fee = *in.fee
	}
	if in.cancelled != nil {
		p.Cancelled = *in.cancelled
	}
	if in.status != nil {
		p.Status = *in.status
	} else if in.cancelled != nil && !*in.cancelled && cancelsParticipant(p.Status) {
		p.Status = ""
	}
	if cancelsParticipant(p.Status) {
		p.Cancelled = true
	}
}

func cancelsParticipant(st oncall.ParticipantStatus) bool {
	return st == oncall.ParticipantCancelledByProvider || st == oncall.ParticipantCancelledByClient
}

// participantRef is a participant and the appointment it belongs to.
type participantRef struct {
	appt *Appointment
	i    int
}

func (r participantRef) p() *Participant { return &r.appt.Participants[r.i] }

func (s *Server) findParticipant(id oncall.ParticipantID) (participantRef, bool) {
	aid, ok := s.st.participantOf[id]
	if !ok {
		return participantRef{}, false
	}
	a := s.st.appointments[aid]
	i := a.participant(id)
	return participantRef{a, i}, i >= 0
}

func (s *Server) listParticipants(c *call) *response {
	var only oncall.AppointmentID
	if v, ok := c.r.URL.Query()[participantAppointmentFilter]; ok && len(v) > 0 && v[0] != "" {
		id, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || id <= 0 {
			return fieldErrorResponse(fieldErrors{participantAppointmentFilter: []string{
				"Select a valid choice. That choice is not one of the available choices."}})
		}
		only = oncall.AppointmentID(id)
	}
	var refs []participantRef
	for _, pid := range sortedKeys(s.st.participantOf) {
		if ref, ok := s.findParticipant(pid); ok && (only == 0 || ref.appt.ID == only) {
			refs = append(refs, ref)
		}
	}
	return listPage(s, c.r, len(refs), func(i int) participantJSON {
		return s.renderParticipant(refs[i].appt.ID, refs[i].p(), false)
	})
}

// participantAppointmentFilter is the query parameter that lists one appointment's participants.
const participantAppointmentFilter = "appointment"

func (s *Server) getParticipant(c *call) *response {
	ref, ok := s.findParticipant(oncall.ParticipantID(c.id))
	if !ok {
		return notFound()
	}
	return jsonResponse(http.StatusOK, s.renderParticipant(ref.appt.ID, ref.p(), false))
}

func (s *Server) createParticipant(c *call) *response {
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	fe := fieldErrors{}
	var appt *Appointment
	if raw, ok := obj["appointment"]; !ok {
		fe.add("appointment", msgRequired)
	} else if id, msg := s.parseHyperlink(raw, kindAppointments); msg != "" {
		fe.add("appointment", msg)
	} else if appt = s.st.appointments[oncall.AppointmentID(id)]; appt == nil {
		fe.add("appointment", msgNoSuchObject)
	}
	in := s.readParticipantInput(obj, fe)
	in.requireIdentity(fe)
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	if len(appt.Participants) >= oncall.MaxParticipants {
		return errorResponse(http.StatusBadRequest, msgMaxParticipants)
	}
	p := Participant{ID: s.st.newParticipantID(nil)}
	in.apply(&p)
	next := appt.clone()
	next.Participants = append(next.Participants, p)
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, next.ID)
	resp := jsonResponse(http.StatusCreated, s.renderParticipant(next.ID, &p, false))
	resp.header.Set("Location", s.resourceURL(kindParticipants, int64(p.ID)))
	resp.committed = true
	return resp
}

func (s *Server) patchParticipant(c *call) *response {
	ref, ok := s.findParticipant(oncall.ParticipantID(c.id))
	if !ok {
		return notFound()
	}
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	fe := fieldErrors{}
	if raw, ok := obj["appointment"]; ok {
		if id, msg := s.parseHyperlink(raw, kindAppointments); msg != "" {
			fe.add("appointment", msg)
		} else if oncall.AppointmentID(id) != ref.appt.ID {
			fe.add("appointment", "A participant cannot be moved to another appointment.")
		}
	}
	in := s.readParticipantInput(obj, fe)
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	next := ref.appt.clone()
	p := &next.Participants[ref.i]
	in.apply(p)
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, next.ID)
	resp := jsonResponse(http.StatusOK, s.renderParticipant(next.ID, p, false))
	resp.committed = true
	return resp
}

func (s *Server) deleteParticipant(c *call) *response {
	ref, ok := s.findParticipant(oncall.ParticipantID(c.id))
	if !ok {
		return notFound()
	}
	next := ref.appt.clone()
	next.Participants = slices.Delete(next.Participants, ref.i, ref.i+1)
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, next.ID)
	resp := newResponse(http.StatusNoContent, "", nil)
	resp.committed = true
	return resp
}
