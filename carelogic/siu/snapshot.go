package siu

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
)

// Snapshot is one SIU message read as the full state of one appointment occurrence, with what a Feed needs to
// order it against other messages about the same occurrence.
type Snapshot struct {
	// Appointment is the occurrence as the message describes it.
	Appointment carelogic.Appointment
	// Event is the trigger event, from MSH-9.2.
	Event Event
	// FillerStatus is SCH-25.1 as sent (table 0278, e.g. "Booked"); it may disagree with Event, which wins for
	// S15, S16, S17 and S26.
	FillerStatus string
	// ControlID is MSH-10. Senders reuse it, so it identifies nothing on its own.
	ControlID string
	// Sequence is MSH-13, the sequence number; 0 when absent.
	Sequence int64
	// Hash is the hex SHA-256 of the message's segments joined by CR: equal for the same message whatever its
	// segment terminators or framing, so that a duplicate delivery can be recognised.
	Hash string
}

// Decode parses one ER7-encoded SIU message and converts it, as Parse (which refuses a message over the limits)
// and then Convert.
func Decode(data []byte, opts ...Option) (Snapshot, error) {
	m, err := Parse(data)
	if err != nil {
		return Snapshot{}, err
	}
	return Convert(m, opts...)
}

// Convert reads an SIU message (S12, S13, S14, S15, S16, S17 or S26) as a snapshot of one appointment
// occurrence. The package documentation lists which field fills which part of the appointment and how
// statuses are mapped. Errors are *Error values wrapping ErrMissingField, ErrInvalidField or
// ErrUnsupportedEvent; they name the segment and field, never a value.
func Convert(m *Message, opts ...Option) (Snapshot, error) {
	return newConfig(opts).convert(m)
}

func (c *config) convert(m *Message) (Snapshot, error) {
	if m == nil || len(m.segments) == 0 || m.segments[0].id != "MSH" {
		return Snapshot{}, &Error{Err: ErrSyntax, Reason: "no MSH segment"}
	}
	msh := m.segments[0]
	ev, err := event(msh)
	if err != nil {
		return Snapshot{}, err
	}
	sent, err := c.timestamp(msh, 7, 1, "event time")
	if err != nil {
		return Snapshot{}, err
	}
	if sent.IsZero() {
		return Snapshot{}, fieldError(msh, 7, 0, ErrMissingField, "message date/time is missing; it orders messages")
	}
	var seq int64
	if s := value(msh.Field(13)); s != "" {
		seq, err = strconv.ParseInt(s, 10, 64)
		if err != nil || seq < 0 {
			return Snapshot{}, fieldError(msh, 13, 0, ErrInvalidField, "sequence number is not a non-negative integer")
		}
	}
	sch := m.Segment("SCH")
	if sch == nil {
		return Snapshot{}, &Error{Segment: "SCH", Err: ErrMissingField, Reason: "SCH segment is missing"}
	}
	id := entityID(sch, 2)
	if id == "" {
		return Snapshot{}, fieldError(sch, 2, 1, ErrMissingField, "filler appointment id is missing")
	}
	series := entityID(sch, 24)
	if series == "" {
		series = entityID(sch, 23)
	}
	if occ := value(sch.Field(3)); occ != "" {
		if !allDigits(occ) {
			return Snapshot{}, fieldError(sch, 3, 0, ErrInvalidField, "occurrence number is not a number")
		}
		// SCH-2 names the repeating appointment and SCH-3 the occurrence: together they are the occurrence's id,
		// and the repeating appointment is its series unless SCH-24/SCH-23 name a parent.
		if series == "" {
			series = id
		}
		id += "#" + occ
	}
	start, dur, err := c.window(m, sch)
	if err != nil {
		return Snapshot{}, err
	}
	participants, err := patients(m)
	if err != nil {
		return Snapshot{}, err
	}
	filler := value(sch.Field(25))
	status, deleted := mapStatus(ev, filler, value(sch.Field(6)))
	if c.status != nil {
		status = c.status(m, status)
	}
	for i := range participants {
		participants[i].Status = status
	}
	kind := carelogic.Individual
	if len(participants) > 1 {
		kind = carelogic.Group
	}
	if c.kind != nil {
		kind = c.kind(m)
	}
	modality := carelogic.Video
	if c.modality != nil {
		modality = c.modality(m)
	}
	source := c.source
	if source == "" {
		source = defaultSource(msh)
	}
	snap := Snapshot{
		Appointment: carelogic.Appointment{
			ID:           id,
			Source:       source,
			SeriesID:     series,
			Kind:         kind,
			Modality:     modality,
			ProviderID:   provider(m, sch),
			Start:        start,
			Duration:     dur,
			Activity:     activity(m, sch),
			Participants: participants,
			Comments:     comments(m),
			Deleted:      deleted,
			UpdatedAt:    sent,
		},
		Event:        ev,
		FillerStatus: filler,
		ControlID:    value(msh.Field(10)),
		Sequence:     seq,
		Hash:         m.hash(),
	}
	snap.detach()
	return snap, nil
}

// detach copies the snapshot's strings, which are slices of the message's segments, so that a Feed holding many
// snapshots keeps their values and not every message they came from.
func (s *Snapshot) detach() {
	a := &s.Appointment
	strs := []*string{&a.ID, &a.Source, &a.SeriesID, &a.ProviderID, &a.Activity, &a.Comments, &s.FillerStatus, &s.ControlID}
	for _, p := range strs {
		*p = strings.Clone(*p)
	}
	for i := range a.Participants {
		p := &a.Participants[i]
		p.ClientID, p.Name, p.Email = strings.Clone(p.ClientID), strings.Clone(p.Name), strings.Clone(p.Email)
		p.Status = carelogic.Status(strings.Clone(string(p.Status)))
	}
}

// event reads MSH-9: message type SIU and a supported trigger event. SCH-6 is not used: senders fill it with
// "Add" on every event.
func event(msh *Segment) (Event, error) {
	typ, trig := value(msh.Component(9, 1)), value(msh.Component(9, 2))
	if typ == "" {
		return "", fieldError(msh, 9, 1, ErrMissingField, "message type is missing")
	}
	if !strings.EqualFold(typ, "SIU") {
		return "", fieldError(msh, 9, 1, ErrUnsupportedEvent, "message type %s is not SIU", code(typ))
	}
	ev := Event(strings.ToUpper(trig))
	if ev.rank() == 0 {
		if trig == "" {
			return "", fieldError(msh, 9, 2, ErrMissingField, "trigger event is missing")
		}
		return "", fieldError(msh, 9, 2, ErrUnsupportedEvent,
			"trigger event %s is not supported (want S12, S13, S14, S15, S16, S17 or S26)", code(trig))
	}
	return ev, nil
}

// code shows a coded value in an error: a message type of HL7 table 0076 as itself, anything else as redact.ID
// shows an id (a trigger event such as S18 is shown; a name in its place is not).
func code(s string) string {
	if isMessageType(s) {
		return strconv.Quote(s)
	}
	return redact.ID(s)
}

// isMessageType reports whether s is one of the message types of HL7 table 0076 a sender may send instead of SIU:
// our own words, safe to show.
func isMessageType(s string) bool {
	switch s {
	case "ACK", "ADR", "ADT", "BAR", "DFT", "MDM", "MFN", "OMG", "OML", "ORG", "ORL", "ORM", "ORU", "PPR", "QRY",
		"RAS", "RDE", "RGV", "SIU", "SQM", "SRM", "SRR", "VXU":
		return true
	}
	return false
}

// timestamp reads the timestamp in component comp of field; zero when empty.
func (c *config) timestamp(s *Segment, field, comp int, what string) (time.Time, error) {
	v := value(s.Get(field, 1, comp, 1))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := ParseTime(v, c.loc)
	if err != nil {
		e := fieldError(s, field, comp, ErrInvalidField, "%s: %v", what, err)
		if comp == 1 {
			e.Component = 0
		}
		return time.Time{}, e
	}
	return t, nil
}

// window returns the start and duration. Start and end come from TQ1-7/TQ1-8, or else from SCH-11.4/SCH-11.5
// (withdrawn in v2.7 but still sent); an end always wins over a duration field, which senders fill
// inconsistently. Only without an end is the duration read, from SCH-9/SCH-10, TQ1-13 or the first AIS-7/AIS-8.
func (c *config) window(m *Message, sch *Segment) (time.Time, time.Duration, error) {
	var start, end time.Time
	var err error
	tq1 := m.Segment("TQ1")
	endSeg, endField, endComp := sch, 11, 5
	if tq1 != nil && value(tq1.Field(7)) != "" {
		if start, err = c.timestamp(tq1, 7, 1, "start date/time"); err != nil {
			return time.Time{}, 0, err
		}
		endSeg, endField, endComp = tq1, 8, 1
	} else if start, err = c.timestamp(sch, 11, 4, "start date/time"); err != nil {
		return time.Time{}, 0, err
	}
	if start.IsZero() {
		return time.Time{}, 0, &Error{Segment: "TQ1", Field: 7, Err: ErrMissingField,
			Reason: "start date/time is missing (neither TQ1-7 nor SCH-11.4 is valued)"}
	}
	if end, err = c.timestamp(endSeg, endField, endComp, "end date/time"); err != nil {
		return time.Time{}, 0, err
	}
	if !end.IsZero() {
		var problem string
		switch d := end.Sub(start); {
		case d <= 0:
			problem = "end date/time is not after the start"
		case d > maxDuration:
			// SCH-11.5 can be the end of a whole repeating pattern rather than of one occurrence.
			problem = "end date/time is more than 31 days after the start"
		default:
			return start, d, nil
		}
		e := fieldError(endSeg, endField, endComp, ErrInvalidField, "%s", problem)
		if endComp == 1 {
			e.Component = 0
		}
		return time.Time{}, 0, e
	}
	type source struct {
		seg                  *Segment
		field, unitsField    int
		valueComp, unitsComp int
	}
	sources := []source{{sch, 9, 10, 1, 1}}
	if tq1 != nil {
		sources = append(sources, source{tq1, 13, 13, 1, 2})
	}
	if ais := m.Segment("AIS"); ais != nil {
		sources = append(sources, source{ais, 7, 8, 1, 1})
	}
	for _, s := range sources {
		v := value(s.seg.Component(s.field, s.valueComp))
		if v == "" {
			continue
		}
		d, err := parseDuration(v, value(s.seg.Component(s.unitsField, s.unitsComp)))
		if err != nil {
			field := s.field
			if errors.Is(err, errDurationUnits) {
				field = s.unitsField
			}
			return time.Time{}, 0, fieldError(s.seg, field, 0, ErrInvalidField, "%v", err)
		}
		return start, d, nil
	}
	return time.Time{}, 0, &Error{Segment: "TQ1", Field: 8, Err: ErrMissingField,
		Reason: "end date/time is missing and no duration is given (TQ1-8, SCH-11.5, SCH-9, TQ1-13, AIS-7)"}
}

// patients returns one participant per PID segment, in message order.
func patients(m *Message) ([]carelogic.Participant, error) {
	pids := m.Segments("PID")
	if len(pids) == 0 {
		return nil, &Error{Segment: "PID", Err: ErrMissingField, Reason: "no PID segment: the appointment has no client"}
	}
	out := make([]carelogic.Participant, 0, len(pids))
	for i, pid := range pids {
		id := value(pid.Get(3, 1, 1, 1))
		if id == "" {
			return nil, fieldError(pid, 3, 1, ErrMissingField, "patient identifier of patient %d is missing", i+1)
		}
		out = append(out, carelogic.Participant{ClientID: id, Name: personName(pid), Email: email(pid)})
	}
	return out, nil
}

// personName returns "given family" from the first repetition of PID-5 (XPN: family name in component 1, its
// surname in subcomponent 1; given name in component 2).
func personName(pid *Segment) string {
	family, given := value(pid.Get(5, 1, 1, 1)), value(pid.Get(5, 1, 2, 1))
	return strings.TrimSpace(given + " " + family)
}

// email returns the first email address among the patient's telecom fields: PID-13 (home), PID-40 (v2.7+
// telecommunication information), then PID-14 (business). An address is taken from XTN-4 (communication
// address) when it holds an @, or from XTN-1 when the repetition is marked as email (XTN-2 use code NET, or
// XTN-3 equipment type Internet or X.400) and it holds an @. A telephone number is never taken for an email.
func email(pid *Segment) string {
	for _, f := range []int{13, 40, 14} {
		for rep := range pid.repetitions(f) {
			if a := value(pid.part(rep, 4, 1)); isEmail(a) {
				return a
			}
			use, equip := strings.ToUpper(value(pid.part(rep, 2, 1))), strings.ToUpper(value(pid.part(rep, 3, 1)))
			if use == "NET" || equip == "INTERNET" || equip == "X.400" {
				if a := value(pid.part(rep, 1, 1)); isEmail(a) {
					return a
				}
			}
		}
	}
	return ""
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t")
}

// provider returns the personnel id of the first AIP (AIP-3.1) that has one, or else the filler contact
// person (SCH-16.1). SCH-20 (entered by) is not used: it names whoever keyed the booking, often a clerk.
func provider(m *Message, sch *Segment) string {
	for _, aip := range m.Segments("AIP") {
		if id := value(aip.Get(3, 1, 1, 1)); id != "" {
			return id
		}
	}
	return value(sch.Get(16, 1, 1, 1))
}

// activity returns the text of the first service (AIS-3.2, else its code AIS-3.1), or else of the appointment
// reason (SCH-7) or type (SCH-8), each text first and code second.
func activity(m *Message, sch *Segment) string {
	for _, ais := range m.Segments("AIS") {
		if t := codedText(ais, 3); t != "" {
			return t
		}
	}
	if t := codedText(sch, 7); t != "" {
		return t
	}
	return codedText(sch, 8)
}

func codedText(s *Segment, field int) string {
	if t := value(s.Component(field, 2)); t != "" {
		return t
	}
	return value(s.Component(field, 1))
}

// comments returns the notes attached to the appointment itself (NTE segments right after SCH and TQ1),
// NTE-3 of each, one line per repetition. Notes on patients and resources are not the appointment's comments.
func comments(m *Message) string {
	var lines []string
segments:
	for _, s := range m.segments[1:] {
		switch s.id {
		case "SCH", "TQ1":
		case "NTE":
			for rep := range s.repetitions(3) {
				if t := value(s.part(rep, 1, 1)); t != "" {
					lines = append(lines, t)
				}
			}
		default:
			break segments
		}
	}
	return strings.Join(lines, "\n")
}

// entityID returns an EI field as an id: the entity identifier, followed by "^" and the namespace id when
// there is one, as ER7 writes the two components.
func entityID(s *Segment, field int) string {
	id := value(s.Component(field, 1))
	if id == "" {
		return ""
	}
	if ns := value(s.Component(field, 2)); ns != "" {
		return id + "^" + ns
	}
	return id
}

// defaultSource names the sending application and facility, "MSH-3@MSH-4".
func defaultSource(msh *Segment) string {
	var parts []string
	for _, f := range []int{3, 4} {
		if v := codedHD(msh, f); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, "@")
}

// codedHD returns an HD field's namespace id, or its universal id when the namespace id is empty.
func codedHD(s *Segment, field int) string {
	if v := value(s.Component(field, 1)); v != "" {
		return v
	}
	return value(s.Component(field, 2))
}

// value trims a field value and reads the HL7 null `""` (present but null) as empty.
func value(s string) string {
	s = strings.TrimSpace(s)
	if s == `""` {
		return ""
	}
	return s
}
