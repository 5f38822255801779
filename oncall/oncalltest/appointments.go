package oncalltest

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

var (
	appointmentTypes = []string{
		string(oncall.TypeOnline), string(oncall.TypeInPerson), string(oncall.TypePhone), string(oncall.TypeMessage),
	}
	appointmentStatuses = []string{
		string(oncall.StatusIncomplete), string(oncall.StatusComplete), string(oncall.StatusChargeFailed),
		string(oncall.StatusCoordinatorCancelled), string(oncall.StatusProviderCancelled),
		string(oncall.StatusPatientCancelled), string(oncall.StatusStaffCancelled), string(oncall.StatusFeeWaived),
		string(oncall.StatusNoShow), string(oncall.StatusNoShowFeeCharged),
	}
)

// Limits the public documentation does not state; see the package documentation.
const maxTitleLen = 255

const (
	msgMaxParticipants  = "Maximum 25 participants per appointment."
	msgDatetimeRequired = `This field is required unless type is "message".`
	msgNotMember        = "The provider is not a member of this division."
	msgPastAppointment  = "This appointment has been cancelled or completed and can no longer be changed."
	msgNoSuchObject     = "Invalid hyperlink - Object does not exist."
)

func (s *Server) listAppointments(c *call) *response {
	appts := s.orderedAppointments(c.r.URL.Query().Get("ordering"), nil)
	return listPage(s, c.r, len(appts), func(i int) appointmentJSON { return s.renderAppointment(appts[i]) })
}

// orderedAppointments returns the appointments that keep passes (all if keep is nil), ordered as Django REST
// Framework's OrderingFilter would with the fields "id" and "datetime" (either may be prefixed with "-"; unknown
// fields are ignored), then by id. A missing datetime sorts last going up and first going down, as in PostgreSQL.
func (s *Server) orderedAppointments(ordering string, keep func(*Appointment) bool) []*Appointment {
	var out []*Appointment
	for _, id := range sortedKeys(s.st.appointments) {
		if a := s.st.appointments[id]; keep == nil || keep(a) {
			out = append(out, a)
		}
	}
	var terms []string
	for _, t := range strings.Split(ordering, ",") {
		switch t = strings.TrimSpace(t); strings.TrimPrefix(t, "-") {
		case "id", "datetime":
			terms = append(terms, t)
		}
	}
	slices.SortStableFunc(out, func(a, b *Appointment) int {
		for _, t := range terms {
			desc := strings.HasPrefix(t, "-")
			var c int
			if strings.TrimPrefix(t, "-") == "id" {
				c = cmp.Compare(a.ID, b.ID)
			} else {
				c = compareDateTimes(a.DateTime, b.DateTime)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// compareDateTimes orders times with the zero time (no datetime) after every other.
func compareDateTimes(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

func (s *Server) getAppointment(c *call) *response {
	a := s.st.appointments[oncall.AppointmentID(c.id)]
	if a == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, s.renderAppointment(a))
}

func (s *Server) createAppointment(c *call) *response {
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	s.dropIgnored(obj, "")
	fe := fieldErrors{}
	var a Appointment
	for _, f := range []string{"title", "type", "duration", "division", "participants"} {
		if _, ok := obj[f]; !ok {
			fe.add(f, msgRequired)
		}
	}
	s.readAppointmentFields(obj, &a, fe)
	typeOK := fe["type"] == nil
	if raw, ok := obj["datetime"]; (!ok || isNull(raw)) && typeOK && a.Type != oncall.TypeMessage {
		fe.add("datetime", msgDatetimeRequired)
	}
	if raw, ok := obj["provider"]; !ok || isNull(raw) {
		if s.st.tokenProvider != 0 {
			a.Provider = s.st.tokenProvider // OnCall: the provider "defaults to the requesting user"
		} else {
			fe.add("provider", msgRequired) // a coordinator's token must name one
		}
	}
	if raw, ok := obj["participants"]; ok {
		ps, perr := s.readParticipantList(raw)
		if perr != nil {
			fe["participants"] = perr
		}
		a.Participants = ps
	}
	s.checkMembership(&a, fe)
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	a.ID = s.st.newAppointmentID()
	switch {
	case a.Status != "":
	case a.Cancelled:
		a.Status = s.cancelStatus()
	default:
		a.Status = oncall.StatusIncomplete
	}
	for i := range a.Participants {
		a.Participants[i].ID = s.st.newParticipantID(nil)
	}
	s.storeAppointment(&a)
	s.hooks.enqueue(eventCreated, a.ID)
	resp := jsonResponse(http.StatusCreated, s.renderAppointment(&a))
	resp.header.Set("Location", s.resourceURL(kindAppointments, int64(a.ID)))
	resp.committed = true
	return resp
}

// readAppointmentFields reads the writable scalar fields present in obj into a, collecting errors in fe.
func (s *Server) readAppointmentFields(obj map[string]json.RawMessage, a *Appointment, fe fieldErrors) {
	if raw, ok := obj["title"]; ok {
		if v, msg := parseString(raw, false, maxTitleLen); msg != "" {
			fe.add("title", msg)
		} else {
			a.Title = v
		}
	}
	if raw, ok := obj["type"]; ok {
		if v, msg := parseChoice(raw, appointmentTypes); msg != "" {
			fe.add("type", msg)
		} else {
			a.Type = oncall.AppointmentType(v)
		}
	}
	if raw, ok := obj["datetime"]; ok {
		if t, null, msg := parseDateTime(raw); msg != "" {
			fe.add("datetime", msg)
		} else if null {
			a.DateTime = time.Time{}
		} else {
			a.DateTime = t
		}
	}
	if raw, ok := obj["duration"]; ok {
		if n, msg := parseInt(raw, 1, math.MaxInt32); msg != "" {
			fe.add("duration", msg)
		} else {
			a.Duration = int(n)
		}
	}
	s.readDivision(obj, fe, &a.Division)
	s.readProvider(obj, fe, &a.Provider)
	if raw, ok := obj["cancelled"]; ok {
		if v, msg := parseBool(raw); msg != "" {
			fe.add("cancelled", msg)
		} else {
			a.Cancelled = v
		}
	}
	if raw, ok := obj["status"]; ok {
		if v, msg := parseChoice(raw, appointmentStatuses); msg != "" {
			fe.add("status", msg)
		} else {
			a.Status = oncall.AppointmentStatus(v)
		}
	}
	if raw, ok := obj["metadata"]; ok {
		if m, msgs := parseMetadata(raw); msgs != nil {
			fe["metadata"] = msgs
		} else {
			a.Metadata = m
		}
	}
}

// checkMembership refuses a provider who is not a member of the appointment's division.
func (s *Server) checkMembership(a *Appointment, fe fieldErrors) {
	if fe["provider"] != nil || fe["division"] != nil || a.Provider == 0 || a.Division == 0 {
		return
	}
	if !s.st.memberOf(a.Provider, a.Division) {
		fe.add("provider", msgNotMember)
	}
}

func (s *Server) patchAppointment(c *call) *response {
	cur := s.st.appointments[oncall.AppointmentID(c.id)]
	if cur == nil {
		return notFound()
	}
	obj, errResp := decodeObject(c.body)
	if errResp != nil {
		return errResp
	}
	s.dropIgnored(obj, "")
	fe := fieldErrors{}
	next := cur.clone()
	s.readAppointmentFields(obj, &next, fe)
	if raw, ok := obj["participants"]; ok {
		if ps, perr := s.readParticipantReplacement(raw, cur); perr != nil {
			fe["participants"] = perr
		} else {
			next.Participants = ps
		}
	}
	if raw, ok := obj["provider"]; ok && isNull(raw) {
		next.Provider = 0
	}
	if fe["type"] == nil && fe["datetime"] == nil && next.Type != oncall.TypeMessage && next.DateTime.IsZero() {
		fe.add("datetime", msgDatetimeRequired)
	}
	if next.Provider != cur.Provider || next.Division != cur.Division {
		s.checkMembership(&next, fe)
	}
	if len(fe) > 0 {
		return fieldErrorResponse(fe)
	}
	if _, statusGiven := obj["status"]; next.Cancelled && !cur.Cancelled && !statusGiven {
		next.Status = s.cancelStatus()
	}
	if cur.past() && !sameExceptMetadata(cur, &next) {
		return messagesResponse(http.StatusBadRequest, msgPastAppointment)
	}
	// Ids are assigned once nothing can fail, so that a refused PATCH uses none up.
	for i := range next.Participants {
		if next.Participants[i].ID == 0 {
			next.Participants[i].ID = s.st.newParticipantID(nil)
		}
	}
	s.storeAppointment(&next)
	s.hooks.enqueue(eventUpdated, next.ID)
	resp := jsonResponse(http.StatusOK, s.renderAppointment(&next))
	resp.committed = true
	return resp
}

// cancelStatus is the status an appointment cancelled through the API gets: the token's user cancelled it.
func (s *Server) cancelStatus() oncall.AppointmentStatus {
	if s.st.tokenProvider != 0 {
		return oncall.StatusProviderCancelled
	}
	return oncall.StatusCoordinatorCancelled
}

// sameExceptMetadata reports whether a PATCH left every field but metadata as it was, participants included.
func sameExceptMetadata(a, b *Appointment) bool {
	return a.Title == b.Title && a.Type == b.Type && a.DateTime.Equal(b.DateTime) && a.Duration == b.Duration &&
		statusOf(a) == statusOf(b) && a.Cancelled == b.Cancelled && a.Division == b.Division &&
		a.Provider == b.Provider && slices.Equal(a.Participants, b.Participants)
}

// storeAppointment saves a (whose ids are set) and indexes its participants.
func (s *Server) storeAppointment(a *Appointment) {
	if old := s.st.appointments[a.ID]; old != nil {
		for _, p := range old.Participants {
			delete(s.st.participantOf, p.ID)
		}
	}
	s.st.appointments[a.ID] = a
	for _, p := range a.Participants {
		s.st.participantOf[p.ID] = a.ID
	}
}
