package carelogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// This file reads the JSON schedule format described in the package documentation.

// ReadJSON reads a schedule in the JSON schedule format (see the package documentation) and returns its
// appointments in file order.
//
// It is strict, so that a typo in a hand-written file is an error rather than a silently different schedule:
// unknown and repeated fields are rejected, and every appointment must pass Validate. It reports every problem it
// finds, one line per appointment, naming the appointment's index and id and the field at fault but never a value
// from the input (see ValidationError). The error wraps each appointment's *ValidationError (and so
// ErrUnsupportedModality where that was a problem) for errors.Is and errors.As; it keeps the first MaxErrors
// invalid appointments and counts the rest.
//
// It returns no appointments when there is any error: a syncer given part of a schedule could cancel the rest.
//
// It reads at most MaxSourceBytes from r, and refuses a schedule over that or over any other limit (more than
// MaxAppointments appointments, MaxParticipants participants in one appointment, MaxJSONElements array elements,
// or nesting deeper than MaxJSONDepth) before decoding it, with an error wrapping ErrLimit. It so takes, whatever
// r holds, a few times MaxSourceBytes of memory at most: the input, and the appointments it decodes.
func ReadJSON(r io.Reader) ([]Appointment, error) {
	data, err := sourcefile.ReadAll(r)
	var limit *sourcefile.LimitError
	switch {
	case errors.As(err, &limit):
		return nil, fmt.Errorf(jsonErrorPrefix+"%w", err)
	case err != nil:
		return nil, fmt.Errorf("carelogic: reading JSON schedule: %w", err)
	}
	return decodeSchedule(data)
}

// scheduleShape is what a schedule is checked against before it is decoded.
var scheduleShape = sourcefile.Shape{
	Depth:    sourcefile.Limit{Max: MaxJSONDepth, Name: "carelogic.MaxJSONDepth"},
	Elements: sourcefile.Limit{Max: MaxJSONElements, Name: "carelogic.MaxJSONElements"},
	Arrays: []sourcefile.ArrayLimit{
		{Member: "appointments", Things: "appointments", Limit: sourcefile.Limit{Max: MaxAppointments, Name: "carelogic.MaxAppointments"}},
		{Member: "participants", Things: "participants", Limit: sourcefile.Limit{Max: MaxParticipants, Name: "carelogic.MaxParticipants"}},
	},
}

// decodeSchedule decodes a whole schedule file, at most MaxSourceBytes.
func decodeSchedule(data []byte) ([]Appointment, error) {
	// Editors on Windows like to start a UTF-8 file with a byte order mark, which JSON does not allow.
	data = bytes.TrimPrefix(data, sourcefile.BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(jsonErrorPrefix + `empty input, want an object with an "appointments" array`)
	}
	if err := sourcefile.CheckJSON(data, scheduleShape); err != nil {
		return nil, fmt.Errorf(jsonErrorPrefix+"%w", err)
	}
	if !json.Valid(data) {
		return nil, syntaxError(data)
	}

	var list []byte
	var topErr string
	index := 0
	isObject := sourcefile.EachMember(data, func(name, value []byte) bool {
		switch {
		case string(name) != "appointments":
			topErr = unknownField(string(name), index, []string{"appointments"})
			return false
		case list != nil:
			topErr = `"appointments" given twice`
			return false
		}
		list = value
		index++
		return true
	})
	switch {
	case topErr != "":
		return nil, errors.New(jsonErrorPrefix + topErr)
	case !isObject:
		return nil, errors.New(jsonErrorPrefix + `want an object with an "appointments" array`)
	case list == nil:
		return nil, errors.New(jsonErrorPrefix + `"appointments" missing`)
	}
	raws, ok := sourcefile.Elements(list)
	if !ok {
		return nil, errors.New(jsonErrorPrefix + `"appointments" must be an array`)
	}

	d := &scheduleDecoder{}
	appts := make([]Appointment, len(raws))
	var bad invalidEntries
	firstByKey := make(map[string]int, len(raws))
	for i, raw := range raws {
		a, p, err := d.appointment(raw)
		if appts != nil {
			appts[i] = a
		}
		if a.ID != "" {
			if j, dup := firstByKey[a.Key()]; dup {
				p.add(fmt.Sprintf("id: same as appointments[%d]", j))
			} else {
				firstByKey[a.Key()] = i
			}
		}
		if len(p.list) > 0 {
			bad.add(i, &ValidationError{ID: a.ID, Problems: p.done(), err: err})
			appts = nil // none is returned now: let them go
		}
	}
	if err := bad.err(); err != nil {
		return nil, err
	}
	return appts, nil
}

// scheduleDecoder decodes the appointments of one schedule.
type scheduleDecoder struct {
	zones map[int]*time.Location // by offset in seconds, so that appointments share their zones
}

// The members of an appointment and of a participant.
var (
	appointmentFields = [...]string{"id", "source", "series_id", "kind", "modality", "provider_id", "start", "duration_minutes",
		"activity", "participants", "comments", "oncall_url", "deleted", "updated_at"}
	participantFields = [...]string{"client_id", "name", "email", "status"}
)

// fieldReader decodes the members of one object, collecting a problem for each that is wrong. Null is taken as
// absent, as generated JSON often writes it.
type fieldReader struct {
	d        *scheduleDecoder
	path     string // "" or "participants[2]."
	problems *problems
	failed   map[string]bool // fields that were present but could not be read
}

func (r *fieldReader) fail(field, problem string) {
	if !r.problems.full() {
		r.problems.add(r.path + field + ": " + problem)
	}
	if r.failed == nil {
		r.failed = make(map[string]bool)
	}
	r.failed[field] = true
}

func (r *fieldReader) readString(field string, raw []byte, dst *string) {
	if isNull(raw) {
		return
	}
	if s, ok := plainString(raw); ok {
		*dst = s
		return
	}
	if json.Unmarshal(raw, dst) != nil {
		r.fail(field, "must be a string")
	}
}

// plainString returns the text of the JSON string raw when it has no escapes and is valid UTF-8, the common case,
// which it reads as encoding/json would without the cost of a decoder; ok is false otherwise.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}

func (r *fieldReader) readBool(field string, raw []byte, dst *bool) {
	if !isNull(raw) && json.Unmarshal(raw, dst) != nil {
		r.fail(field, "must be true or false")
	}
}

func (r *fieldReader) readTime(field string, raw []byte, dst *time.Time) {
	var s string
	if isNull(raw) {
		return
	}
	if plain, ok := plainString(raw); ok {
		s = plain
	} else if json.Unmarshal(raw, &s) != nil {
		r.fail(field, "must be a string holding an RFC 3339 time")
		return
	}
	t, ok := r.d.parseTime(s)
	if !ok {
		r.fail(field, `must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`)
		return
	}
	*dst = t
}

func isNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// rfc3339 is the shape of an RFC 3339 date-time. time.Parse alone also takes one-digit hours and other near misses.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$`)

// parseTime parses an RFC 3339 time, keeping its offset as a fixed zone (UTC for Z or +00:00). time.Parse would
// choose the machine's local zone when the offset matches it, which would make the result depend on where the
// program runs.
func (d *scheduleDecoder) parseTime(s string) (time.Time, bool) {
	if !rfc3339.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	_, offset := t.Zone()
	if offset == 0 {
		return t.UTC(), true
	}
	zone := d.zones[offset]
	if zone == nil {
		zone = time.FixedZone("", offset)
		if d.zones == nil {
			d.zones = make(map[int]*time.Location)
		}
		d.zones[offset] = zone
	}
	return t.In(zone), true
}

// appointment reads one appointment. It returns the problems found, including Validate's, and the error
// Validate's result wraps, if any.
func (d *scheduleDecoder) appointment(raw []byte) (Appointment, *problems, error) {
	var a Appointment
	p := &problems{}
	r := fieldReader{d: d, problems: p}
	var seen [len(appointmentFields)]bool
	var durationSeen bool
	var participantsFailed []bool
	index := 0
	isObject := sourcefile.EachMember(raw, func(nameBytes, value []byte) bool {
		i := index
		index++
		field := fieldIndex(nameBytes, appointmentFields[:])
		if field < 0 {
			if !p.full() {
				p.add(unknownField(string(nameBytes), i, appointmentFields[:]))
			}
			return true
		}
		name := appointmentFields[field]
		if seen[field] {
			if !p.full() {
				p.add(name + ": given twice")
			}
			return true
		}
		seen[field] = true
		switch name {
		case "id":
			r.readString(name, value, &a.ID)
		case "source":
			r.readString(name, value, &a.Source)
		case "series_id":
			r.readString(name, value, &a.SeriesID)
		case "kind":
			var s string
			r.readString(name, value, &s)
			a.Kind = canonicalKind(s)
		case "modality":
			var s string
			r.readString(name, value, &s)
			a.Modality = canonicalModality(s)
		case "provider_id":
			r.readString(name, value, &a.ProviderID)
		case "start":
			r.readTime(name, value, &a.Start)
		case "duration_minutes":
			durationSeen = !isNull(value)
			if durationSeen {
				dur, problem := parseMinutes(value)
				if problem != "" {
					r.fail(name, problem)
				}
				a.Duration = dur
			}
		case "activity":
			r.readString(name, value, &a.Activity)
		case "participants":
			a.Participants, participantsFailed = r.readParticipants(value)
		case "comments":
			r.readString(name, value, &a.Comments)
		case "oncall_url":
			r.readString(name, value, &a.OnCallURL)
		case "deleted":
			r.readBool(name, value, &a.Deleted)
		case "updated_at":
			r.readTime(name, value, &a.UpdatedAt)
		}
		return true
	})
	if !isObject {
		return Appointment{}, &problems{list: []string{"must be an object"}}, nil
	}
	if !durationSeen {
		r.fail("duration_minutes", "missing")
	}

	// Validate the rest. A field already reported gets a stand-in that Validate accepts, so that it is not
	// reported twice in other words.
	v := a
	if len(r.failed) > 0 || slices.Contains(participantsFailed, true) {
		v = a.Clone()
	}
	if r.failed["id"] {
		v.ID = "-"
	}
	if r.failed["start"] {
		v.Start = time.Unix(0, 0)
	}
	if r.failed["duration_minutes"] {
		v.Duration = time.Minute
	}
	if r.failed["kind"] {
		v.Kind = Group
	}
	if r.failed["modality"] {
		v.Modality = Video
	}
	if r.failed["participants"] {
		v.Participants = []Participant{{ClientID: "\x00"}}
	}
	for i, failed := range participantsFailed {
		if failed {
			v.Participants[i].ClientID = "\x00" + strconv.Itoa(i)
		}
	}
	var wrapped error
	var ve *ValidationError
	if err := v.Validate(); errors.As(err, &ve) {
		for _, problem := range ve.Problems {
			p.add(problem)
		}
		wrapped = ve.err
	}
	return a, p, wrapped
}

// fieldIndex returns the index of name in fields, or -1.
func fieldIndex(name []byte, fields []string) int {
	for i, f := range fields {
		if string(name) == f {
			return i
		}
	}
	return -1
}

// readParticipants reads the participants array. failed[i] is true where participant i's client id could not be read,
// so that the caller can keep Validate from reporting it again.
func (r *fieldReader) readParticipants(raw []byte) ([]Participant, []bool) {
	if isNull(raw) {
		return nil, nil
	}
	raws, ok := sourcefile.Elements(raw)
	if !ok {
		r.fail("participants", "must be an array")
		return nil, nil
	}
	ps := make([]Participant, len(raws))
	failed := make([]bool, len(raws))
	for i, raw := range raws {
		pr := fieldReader{d: r.d, path: r.path + "participants[" + strconv.Itoa(i) + "].", problems: r.problems}
		var seen [len(participantFields)]bool
		index := 0
		isObject := sourcefile.EachMember(raw, func(nameBytes, value []byte) bool {
			j := index
			index++
			field := fieldIndex(nameBytes, participantFields[:])
			if field < 0 {
				if !r.problems.full() {
					r.problems.add(strings.TrimSuffix(pr.path, ".") + ": " + unknownField(string(nameBytes), j, participantFields[:]))
				}
				return true
			}
			name := participantFields[field]
			if seen[field] {
				if !r.problems.full() {
					r.problems.add(pr.path + name + ": given twice")
				}
				return true
			}
			seen[field] = true
			switch name {
			case "client_id":
				pr.readString(name, value, &ps[i].ClientID)
			case "name":
				pr.readString(name, value, &ps[i].Name)
			case "email":
				pr.readString(name, value, &ps[i].Email)
			case "status":
				var s string
				pr.readString(name, value, &s)
				ps[i].Status = canonicalStatus(Status(s))
			}
			return true
		})
		if !isObject {
			r.problems.add(fmt.Sprintf("%sparticipants[%d]: must be an object", r.path, i))
			failed[i] = true
			continue
		}
		failed[i] = pr.failed["client_id"]
	}
	return ps, failed
}

// parseMinutes reads duration_minutes: a JSON integer, positive, small enough to be a time.Duration.
func parseMinutes(raw []byte) (time.Duration, string) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, "must be a number of minutes"
	}
	n, err := strconv.ParseInt(s, 10, 64)
	var numErr *strconv.NumError
	switch {
	case errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange):
		return 0, "too large"
	case err != nil:
		return 0, "must be a whole number of minutes, without a fraction or exponent"
	case n <= 0:
		return 0, "must be positive"
	case n > math.MaxInt64/int64(time.Minute):
		return 0, "too large"
	}
	return time.Duration(n) * time.Minute, ""
}

// canonicalKind returns Individual or Group for any casing of them, and s unchanged otherwise, for Validate to
// report.
func canonicalKind(s string) Kind {
	for _, k := range []Kind{Individual, Group} {
		if strings.EqualFold(s, string(k)) {
			return k
		}
	}
	return Kind(s)
}

// canonicalModality returns Video or InPerson for any casing of them, and s unchanged otherwise.
func canonicalModality(s string) Modality {
	for _, m := range []Modality{Video, InPerson} {
		if strings.EqualFold(s, string(m)) {
			return m
		}
	}
	return Modality(s)
}

// canonicalStatus returns CareLogic's spelling of a named status given in any casing, and a custom status
// unchanged.
func canonicalStatus(s Status) Status {
	for _, named := range []Status{StatusScheduled, StatusKept, StatusDNS, StatusCBT, StatusCBC, StatusError} {
		if strings.EqualFold(string(s), string(named)) {
			return named
		}
	}
	return s
}
