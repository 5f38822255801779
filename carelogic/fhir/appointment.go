package fhir

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
)

// maxMinutes is the longest minutesDuration that fits a time.Duration.
const maxMinutes = math.MaxInt64 / int64(time.Minute)

// mapper turns one decoded Appointment resource into a carelogic.Appointment.
type mapper struct {
	r   *appointment
	res *resolver
	o   *options
}

// decodeAppointment decodes and maps one Appointment resource; idx holds the enclosing Bundle's resources, or is
// nil.
func decodeAppointment(data []byte, idx *index, o *options) (carelogic.Appointment, error) {
	var r appointment
	if err := json.Unmarshal(data, &r); err != nil {
		return carelogic.Appointment{}, jsonError("Appointment", r.ID, err)
	}
	m := &mapper{r: &r, res: &resolver{bundle: idx}, o: o}
	if err := m.readContained(); err != nil {
		return carelogic.Appointment{}, err
	}
	return m.appointment()
}

func (m *mapper) fail(field, format string, args ...any) *DecodeError {
	return newError("Appointment", m.r.ID, field, nil, format, args...)
}

// readContained indexes the contained Patient, Practitioner and PractitionerRole resources by their local id.
func (m *mapper) readContained() error {
	for i, raw := range m.r.Contained {
		field := fmt.Sprintf("contained[%d]", i)
		var h header
		if err := json.Unmarshal(raw, &h); err != nil {
			de := jsonError("Appointment", m.r.ID, err)
			de.Field = joinField(field, de.Field)
			return de
		}
		switch h.ResourceType {
		case "Patient", "Practitioner", "PractitionerRole":
		default:
			continue
		}
		p, de := decodePerson(raw, h.ResourceType)
		if de != nil {
			de.Resource, de.Field = "Appointment", joinField(field, de.Field)
			de.setID(m.r.ID)
			return de
		}
		if p.ID == "" {
			continue
		}
		if m.res.contained == nil {
			m.res.contained = make(map[string]*person)
		}
		if m.res.contained[p.ID] == nil {
			m.res.contained[p.ID] = p
		}
	}
	return nil
}

func (m *mapper) appointment() (carelogic.Appointment, error) {
	r := m.r
	if r.Status == "" {
		return carelogic.Appointment{}, m.fail("status", "missing (it is required)")
	}
	base, ok := appointmentStatus(r)
	if !ok {
		return carelogic.Appointment{}, m.fail("status", "not an R4 Appointment status code")
	}
	a := carelogic.Appointment{
		ID:       m.appointmentID(),
		Source:   m.o.source,
		Modality: modality(r, m.o),
		Activity: activity(r),
		Comments: r.Comment,
		Deleted:  r.Status == "entered-in-error",
	}
	a.SeriesID = m.seriesID(a.ID)
	var err error
	if a.Start, a.Duration, err = m.times(); err != nil {
		return carelogic.Appointment{}, err
	}
	if r.Meta != nil && r.Meta.LastUpdated != "" {
		t, ok := parseInstant(r.Meta.LastUpdated)
		if !ok {
			return carelogic.Appointment{}, m.fail("meta.lastUpdated", "not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)")
		}
		a.UpdatedAt = t
	}
	if a.Participants, err = m.patients(base); err != nil {
		return carelogic.Appointment{}, err
	}
	a.ProviderID = m.provider()
	a.Kind = carelogic.Individual
	if len(a.Participants) > 1 || m.subjectIsGroup() {
		a.Kind = carelogic.Group
	}
	return a, nil
}

// appointmentID picks the appointment's ID: the identifier with the caller's system, then the filler (FILL)
// identifier, then the resource id.
func (m *mapper) appointmentID() string {
	if sys := m.o.idSystem; sys != "" {
		for _, id := range m.r.Identifier {
			if id.System == sys && id.Value != "" {
				return id.Value
			}
		}
	}
	for _, id := range m.r.Identifier {
		if id.Value != "" && isFillerIdentifier(id) {
			return id.Value
		}
	}
	return m.r.ID
}

// isFillerIdentifier reports whether id is typed as the filler (scheduling system's) number, v2-0203 FILL, as
// HL7 v2 converters write SCH-2. A coding without a system is accepted too.
func isFillerIdentifier(id identifier) bool {
	if id.Type == nil {
		return false
	}
	for _, c := range id.Type.Coding {
		if c.Code == "FILL" && (c.System == "" || c.System == systemV2IdentifierType) {
			return true
		}
	}
	return false
}

// times returns the start and duration. The duration is end - start where both are given, even when
// minutesDuration disagrees (converters are known to get the unit of minutesDuration wrong); minutesDuration is
// used only when there is no end.
func (m *mapper) times() (time.Time, time.Duration, error) {
	r := m.r
	var start, end time.Time
	var ok bool
	if r.Start != "" {
		if start, ok = parseInstant(r.Start); !ok {
			return time.Time{}, 0, m.fail("start", "not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)")
		}
	}
	if r.End != "" {
		if end, ok = parseInstant(r.End); !ok {
			return time.Time{}, 0, m.fail("end", "not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)")
		}
	}
	switch {
	case !start.IsZero() && !end.IsZero():
		if end.Before(start) {
			return time.Time{}, 0, m.fail("end", "before start")
		}
		return start, end.Sub(start), nil
	case r.MinutesDuration != nil:
		n := *r.MinutesDuration
		if n <= 0 || n > maxMinutes {
			return time.Time{}, 0, m.fail("minutesDuration", "must be a positive whole number of minutes, at most %d", maxMinutes)
		}
		return start, time.Duration(n) * time.Minute, nil
	}
	return start, 0, nil
}

// parseInstant parses a FHIR instant: a date and time to the second with a zone offset or Z, optional fraction.
// The offset is kept as written, in a zone of its own (UTC for Z and +00:00), so that the result does not depend on
// the machine's local time zone; compare results with time.Time.Equal.
func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	_, off := t.Zone()
	if off == 0 {
		return t.UTC(), true
	}
	return t.In(time.FixedZone("", off)), true
}

// activity returns the first text found in serviceType, appointmentType, serviceCategory, then description.
func activity(r *appointment) string {
	for i := range r.ServiceType {
		if s := conceptText(r.ServiceType[i].concept()); s != "" {
			return s
		}
	}
	if s := conceptText(r.AppointmentType); s != "" {
		return s
	}
	for i := range r.ServiceCategory {
		if s := conceptText(&r.ServiceCategory[i]); s != "" {
			return s
		}
	}
	return strings.TrimSpace(r.Description)
}

// conceptText returns a CodeableConcept's text, or else the display of its first coding that has one. A bare code
// is not a title, so it is not used.
func conceptText(cc *codeableConcept) string {
	if cc == nil {
		return ""
	}
	if s := strings.TrimSpace(cc.Text); s != "" {
		return s
	}
	for _, c := range cc.Coding {
		if s := strings.TrimSpace(c.Display); s != "" {
			return s
		}
	}
	return ""
}

// seriesID returns the id of the originating appointment of a recurring series (R5 originatingAppointment,
// native or cross-version extension), or the appointment's own resource id when it carries the recurrenceTemplate
// itself (it is the originating appointment), or "". self is the fallback when the resource has no id.
func (m *mapper) seriesID(self string) string {
	r := m.r
	ref := r.OriginatingAppointment
	if ext := findExtension(r.Extension, extOriginatingAppointment); ref == nil && ext != nil {
		ref = ext.ValueReference
	}
	if ref != nil {
		if typ, id := parseReference(ref.Reference); typ == "Appointment" {
			return id
		}
		if ref.Identifier != nil && ref.Identifier.Value != "" {
			return ref.Identifier.Value
		}
	}
	if !isNull(r.RecurrenceTemplate) || findExtension(r.Extension, extRecurrenceTemplate) != nil {
		if r.ID != "" {
			return r.ID
		}
		return self
	}
	return ""
}

// subjectIsGroup reports whether the R5 subject (native or cross-version extension) is a Group, which makes the
// appointment a group session even while it has a single client.
func (m *mapper) subjectIsGroup() bool {
	ref := m.r.Subject
	if ext := findExtension(m.r.Extension, extSubject); ref == nil && ext != nil {
		ref = ext.ValueReference
	}
	if ref == nil {
		return false
	}
	if typ, _ := parseReference(ref.Reference); typ != "" {
		return typ == "Group"
	}
	return typeName(ref.Type) == "Group"
}
