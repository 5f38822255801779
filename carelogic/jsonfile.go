package carelogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file reads and writes the JSON schedule format described in the package documentation.

// ReadJSON reads a schedule in the JSON schedule format (see the package documentation) and returns its
// appointments in file order.
//
// It is strict, so that a typo in a hand-written file is an error rather than a silently different schedule:
// unknown and repeated fields are rejected, and every appointment must pass Validate. It reports every problem it
// finds, one line per appointment, naming the appointment's index and id and the field at fault but never a
// client's name or email. The error wraps each appointment's *ValidationError (and so
// ErrUnsupportedModality where that was a problem) for errors.Is and errors.As.
//
// It returns no appointments when there is any error: a syncer given part of a schedule could cancel the rest.
// It reads r to the end; wrap r in an io.LimitReader to bound what it may read.
func ReadJSON(r io.Reader) ([]Appointment, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("carelogic: reading JSON schedule: %w", err)
	}
	// Editors on Windows like to start a UTF-8 file with a byte order mark, which JSON does not allow.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(jsonErrorPrefix + `empty input, want an object with an "appointments" array`)
	}
	if err := checkSyntax(data); err != nil {
		return nil, err
	}

	fields, ok := objectFields(data)
	if !ok {
		return nil, errors.New(jsonErrorPrefix + `want an object with an "appointments" array`)
	}
	var list json.RawMessage
	for i, f := range fields {
		switch {
		case f.name != "appointments":
			return nil, errors.New(jsonErrorPrefix + unknownField(f.name, i))
		case list != nil:
			return nil, errors.New(jsonErrorPrefix + `"appointments" given twice`)
		}
		list = f.value
	}
	if list == nil {
		return nil, errors.New(jsonErrorPrefix + `"appointments" missing`)
	}
	var raws []json.RawMessage
	if isNull(list) || json.Unmarshal(list, &raws) != nil {
		return nil, errors.New(jsonErrorPrefix + `"appointments" must be an array`)
	}

	appts := make([]Appointment, len(raws))
	var bad []*entryError
	firstByKey := make(map[string]int, len(raws))
	for i, raw := range raws {
		a, problems, err := decodeAppointment(raw)
		appts[i] = a
		if a.ID != "" {
			if j, dup := firstByKey[a.Key()]; dup {
				problems = append(problems, fmt.Sprintf("id: same as appointments[%d]", j))
			} else {
				firstByKey[a.Key()] = i
			}
		}
		if len(problems) > 0 {
			bad = append(bad, &entryError{index: i, verr: &ValidationError{ID: a.ID, Problems: problems, err: err}})
		}
	}
	if len(bad) > 0 {
		return nil, &scheduleError{entries: bad}
	}
	return appts, nil
}

// WriteJSON writes appts to w in the JSON schedule format (see the package documentation), indented for people
// to read, with empty optional fields left out. ReadJSON reads back what it writes as the same appointments.
//
// It refuses, writing nothing, any appointment that ReadJSON would refuse or read differently: one that fails
// Validate, repeats another's Source and ID, lasts a duration that is not a whole number of minutes, starts
// outside the years 0000 to 9999, or has a custom status that differs from one of CareLogic's only in case. The
// error is shaped like ReadJSON's.
func WriteJSON(w io.Writer, appts []Appointment) error {
	out := jsonScheduleOut{Appointments: make([]jsonAppointmentOut, 0, len(appts))}
	var bad []*entryError
	firstByKey := make(map[string]int, len(appts))
	for i := range appts {
		a := &appts[i]
		var problems []string
		var wrapped error
		var ve *ValidationError
		if err := a.Validate(); errors.As(err, &ve) {
			problems = append(problems, ve.Problems...)
			wrapped = ve.err
		}
		if j, dup := firstByKey[a.Key()]; dup && a.ID != "" {
			problems = append(problems, fmt.Sprintf("id: same as appointments[%d]", j))
		} else if !dup {
			firstByKey[a.Key()] = i
		}
		if a.Duration > 0 && a.Duration%time.Minute != 0 {
			problems = append(problems, fmt.Sprintf("duration: %v is not a whole number of minutes", a.Duration))
		}
		if !a.Start.IsZero() && !writableTime(a.Start) {
			problems = append(problems, "start: year outside 0000 to 9999")
		}
		if !a.UpdatedAt.IsZero() && !writableTime(a.UpdatedAt) {
			problems = append(problems, "updated_at: year outside 0000 to 9999")
		}
		for j, p := range a.Participants {
			if p.Status.IsCustom() && canonicalStatus(p.Status) != p.Status {
				problems = append(problems, fmt.Sprintf("participants[%d].status: custom status %q would read back as %q", j, p.Status, canonicalStatus(p.Status)))
			}
		}
		if len(problems) > 0 {
			bad = append(bad, &entryError{index: i, verr: &ValidationError{ID: a.ID, Problems: problems, err: wrapped}})
			continue
		}
		out.Appointments = append(out.Appointments, toJSON(a))
	}
	if len(bad) > 0 {
		return &scheduleError{entries: bad}
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep "&" and "<" in activities and comments readable
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("carelogic: encoding JSON schedule: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("carelogic: writing JSON schedule: %w", err)
	}
	return nil
}

const jsonErrorPrefix = "carelogic: JSON schedule: "

// A badly broken file could have thousands of problems; the error text lists this many and counts the rest,
// while Unwrap still gives every one.
const (
	maxErrorLines    = 50 // appointments listed in a scheduleError's text
	maxErrorProblems = 20 // problems listed in one entryError's text
)

// scheduleError is the error ReadJSON and WriteJSON return for invalid appointments: one line per appointment.
type scheduleError struct{ entries []*entryError }

func (e *scheduleError) Error() string {
	var b strings.Builder
	for i, entry := range e.entries {
		if i == maxErrorLines {
			fmt.Fprintf(&b, "\n%sand %d more invalid appointments", jsonErrorPrefix, len(e.entries)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(entry.Error())
	}
	return b.String()
}

func (e *scheduleError) Unwrap() []error {
	errs := make([]error, len(e.entries))
	for i, entry := range e.entries {
		errs[i] = entry
	}
	return errs
}

// entryError places one appointment's ValidationError in the file.
type entryError struct {
	index int
	verr  *ValidationError
}

func (e *entryError) Error() string {
	where := fmt.Sprintf("appointments[%d]", e.index)
	if e.verr.ID != "" {
		where += fmt.Sprintf(" (id %q)", e.verr.ID)
	}
	problems := e.verr.Problems
	more := ""
	if len(problems) > maxErrorProblems {
		more = fmt.Sprintf("; and %d more problems", len(problems)-maxErrorProblems)
		problems = problems[:maxErrorProblems]
	}
	return jsonErrorPrefix + where + ": " + strings.Join(problems, "; ") + more
}

func (e *entryError) Unwrap() error { return e.verr }

// checkSyntax reports whether data is exactly one JSON value, giving the line and column of the first error.
func checkSyntax(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	err := dec.Decode(&v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// The decoder's message quotes at most one character of the input, which identifies no one. Its
		// Offset counts the offending byte, so the position is the byte before.
		return fmt.Errorf(jsonErrorPrefix+"not valid JSON at %s: %w", position(data, syn.Offset-1), err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New(jsonErrorPrefix + "not valid JSON: input ends in the middle of a value")
	case err != nil:
		return fmt.Errorf(jsonErrorPrefix+"not valid JSON: %w", err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		for end < int64(len(data)) && strings.IndexByte(" \t\r\n", data[end]) >= 0 {
			end++
		}
		return fmt.Errorf(jsonErrorPrefix+"unexpected data after the schedule at %s", position(data, end))
	}
	return nil
}

// position describes a byte offset into data as a line and column, both counted from 1.
func position(data []byte, offset int64) string {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// jsonField is one member of a JSON object, in the order written.
type jsonField struct {
	name  string
	value json.RawMessage
}

// objectFields returns the members of the JSON object in raw, in order and with any repeats, which
// encoding/json would hide; ok is false when raw is not an object. raw must be valid JSON.
func objectFields(raw []byte) (fields []jsonField, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, false
		}
		fields = append(fields, jsonField{name: name, value: value})
	}
	return fields, true
}

// plainName matches field names that are safe to quote in an error: a misspelt field name is worth showing, but
// a "name" that is really a pasted email address or a person's name is not.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func unknownField(name string, index int) string {
	if plainName.MatchString(name) {
		msg := fmt.Sprintf("unknown field %q", name)
		if name == "duration" {
			msg += ` (the length is "duration_minutes")`
		}
		return msg
	}
	return fmt.Sprintf("unknown field (field %d of the object)", index+1)
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// fieldReader decodes the members of one object, collecting a problem for each that is wrong. Null is taken as
// absent, as generated JSON often writes it.
type fieldReader struct {
	path     string // "" or "participants[2]."
	problems []string
	failed   map[string]bool // fields that were present but could not be read
}

func (r *fieldReader) fail(field, problem string) {
	r.problems = append(r.problems, r.path+field+": "+problem)
	if r.failed == nil {
		r.failed = make(map[string]bool)
	}
	r.failed[field] = true
}

func (r *fieldReader) readString(field string, raw json.RawMessage, dst *string) {
	if !isNull(raw) && json.Unmarshal(raw, dst) != nil {
		r.fail(field, "must be a string")
	}
}

func (r *fieldReader) readBool(field string, raw json.RawMessage, dst *bool) {
	if !isNull(raw) && json.Unmarshal(raw, dst) != nil {
		r.fail(field, "must be true or false")
	}
}

func (r *fieldReader) readTime(field string, raw json.RawMessage, dst *time.Time) {
	var s string
	if isNull(raw) {
		return
	}
	if json.Unmarshal(raw, &s) != nil {
		r.fail(field, "must be a string holding an RFC 3339 time")
		return
	}
	t, ok := parseTime(s)
	if !ok {
		r.fail(field, `must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"`)
		return
	}
	*dst = t
}

// rfc3339 is the shape of an RFC 3339 date-time. time.Parse alone also takes one-digit hours and other near misses.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$`)

// parseTime parses an RFC 3339 time, keeping its offset as a fixed zone (UTC for Z or +00:00). time.Parse would
// choose the machine's local zone when the offset matches it, which would make the result depend on where the
// program runs.
func parseTime(s string) (time.Time, bool) {
	if !rfc3339.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	if _, offset := t.Zone(); offset != 0 {
		return t.In(time.FixedZone("", offset)), true
	}
	return t.UTC(), true
}

// wireTime returns t as WriteJSON writes it: in its own zone, or in UTC where that zone's offset is not a whole
// number of minutes (as for some historical local mean times), which RFC 3339 cannot express.
func wireTime(t time.Time) time.Time {
	if _, offset := t.Zone(); offset%60 != 0 {
		return t.UTC()
	}
	return t
}

func formatTime(t time.Time) string { return wireTime(t).Format(time.RFC3339Nano) }

// writableTime reports whether t's year, as written, has the four digits RFC 3339 allows.
func writableTime(t time.Time) bool {
	y := wireTime(t).Year()
	return y >= 0 && y <= 9999
}

// decodeAppointment reads one appointment. It returns the problems found, including Validate's, and the error
// Validate's result wraps, if any.
func decodeAppointment(raw json.RawMessage) (Appointment, []string, error) {
	var a Appointment
	fields, ok := objectFields(raw)
	if !ok {
		return a, []string{"must be an object"}, nil
	}
	r := fieldReader{}
	seen := map[string]bool{}
	var durationSeen bool
	var participantsFailed []bool
	for i, f := range fields {
		if seen[f.name] {
			// Only known names get here (unknown ones are never marked seen), so the name is safe to quote.
			r.problems = append(r.problems, fmt.Sprintf("%s: given twice", f.name))
			continue
		}
		switch f.name {
		case "id", "source", "series_id", "kind", "modality", "provider_id", "start", "duration_minutes",
			"activity", "participants", "comments", "oncall_url", "deleted", "updated_at":
			seen[f.name] = true
		}
		switch f.name {
		case "id":
			r.readString(f.name, f.value, &a.ID)
		case "source":
			r.readString(f.name, f.value, &a.Source)
		case "series_id":
			r.readString(f.name, f.value, &a.SeriesID)
		case "kind":
			var s string
			r.readString(f.name, f.value, &s)
			a.Kind = canonicalKind(s)
		case "modality":
			var s string
			r.readString(f.name, f.value, &s)
			a.Modality = canonicalModality(s)
		case "provider_id":
			r.readString(f.name, f.value, &a.ProviderID)
		case "start":
			r.readTime(f.name, f.value, &a.Start)
		case "duration_minutes":
			durationSeen = !isNull(f.value)
			if durationSeen {
				d, problem := parseMinutes(f.value)
				if problem != "" {
					r.fail(f.name, problem)
				}
				a.Duration = d
			}
		case "activity":
			r.readString(f.name, f.value, &a.Activity)
		case "participants":
			a.Participants, participantsFailed = r.readParticipants(f.value)
		case "comments":
			r.readString(f.name, f.value, &a.Comments)
		case "oncall_url":
			r.readString(f.name, f.value, &a.OnCallURL)
		case "deleted":
			r.readBool(f.name, f.value, &a.Deleted)
		case "updated_at":
			r.readTime(f.name, f.value, &a.UpdatedAt)
		default:
			r.problems = append(r.problems, unknownField(f.name, i))
		}
	}
	if !durationSeen {
		r.fail("duration_minutes", "missing")
	}

	// Validate the rest. A field already reported gets a stand-in that Validate accepts, so that it is not
	// reported twice in other words.
	v := a.Clone()
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
		r.problems = append(r.problems, ve.Problems...)
		wrapped = ve.err
	}
	return a, r.problems, wrapped
}

// readParticipants reads the participants array. failed[i] is true where participant i's client id could not be read,
// so that the caller can keep Validate from reporting it again.
func (r *fieldReader) readParticipants(raw json.RawMessage) ([]Participant, []bool) {
	if isNull(raw) {
		return nil, nil
	}
	var raws []json.RawMessage
	if json.Unmarshal(raw, &raws) != nil {
		r.fail("participants", "must be an array")
		return nil, nil
	}
	ps := make([]Participant, len(raws))
	failed := make([]bool, len(raws))
	for i, raw := range raws {
		pr := fieldReader{path: r.path + fmt.Sprintf("participants[%d].", i)}
		fields, ok := objectFields(raw)
		if !ok {
			r.problems = append(r.problems, fmt.Sprintf("%sparticipants[%d]: must be an object", r.path, i))
			failed[i] = true
			continue
		}
		seen := map[string]bool{}
		for j, f := range fields {
			if seen[f.name] {
				pr.problems = append(pr.problems, pr.path+f.name+": given twice")
				continue
			}
			switch f.name {
			case "client_id", "name", "email", "status":
				seen[f.name] = true
			}
			switch f.name {
			case "client_id":
				pr.readString(f.name, f.value, &ps[i].ClientID)
			case "name":
				pr.readString(f.name, f.value, &ps[i].Name)
			case "email":
				pr.readString(f.name, f.value, &ps[i].Email)
			case "status":
				var s string
				pr.readString(f.name, f.value, &s)
				ps[i].Status = canonicalStatus(Status(s))
			default:
				pr.problems = append(pr.problems, strings.TrimSuffix(pr.path, ".")+": "+unknownField(f.name, j))
			}
		}
		r.problems = append(r.problems, pr.problems...)
		failed[i] = pr.failed["client_id"]
	}
	return ps, failed
}

// parseMinutes reads duration_minutes: a JSON integer, positive, small enough to be a time.Duration.
func parseMinutes(raw json.RawMessage) (time.Duration, string) {
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

// The shapes WriteJSON encodes, in the field order of the documented format.
type (
	jsonScheduleOut struct {
		Appointments []jsonAppointmentOut `json:"appointments"`
	}
	jsonAppointmentOut struct {
		ID              string               `json:"id"`
		Source          string               `json:"source,omitempty"`
		SeriesID        string               `json:"series_id,omitempty"`
		Kind            Kind                 `json:"kind"`
		Modality        Modality             `json:"modality"`
		ProviderID      string               `json:"provider_id,omitempty"`
		Start           string               `json:"start"`
		DurationMinutes int64                `json:"duration_minutes"`
		Activity        string               `json:"activity,omitempty"`
		Participants    []jsonParticipantOut `json:"participants"`
		Comments        string               `json:"comments,omitempty"`
		OnCallURL       string               `json:"oncall_url,omitempty"`
		Deleted         bool                 `json:"deleted,omitempty"`
		UpdatedAt       string               `json:"updated_at,omitempty"`
	}
	jsonParticipantOut struct {
		ClientID string `json:"client_id"`
		Name     string `json:"name,omitempty"`
		Email    string `json:"email,omitempty"`
		Status   Status `json:"status,omitempty"`
	}
)

func toJSON(a *Appointment) jsonAppointmentOut {
	out := jsonAppointmentOut{
		ID:              a.ID,
		Source:          a.Source,
		SeriesID:        a.SeriesID,
		Kind:            a.Kind,
		Modality:        a.Modality,
		ProviderID:      a.ProviderID,
		Start:           formatTime(a.Start),
		DurationMinutes: int64(a.Duration / time.Minute),
		Activity:        a.Activity,
		Participants:    make([]jsonParticipantOut, len(a.Participants)),
		Comments:        a.Comments,
		OnCallURL:       a.OnCallURL,
		Deleted:         a.Deleted,
	}
	if !a.UpdatedAt.IsZero() {
		out.UpdatedAt = formatTime(a.UpdatedAt)
	}
	for i, p := range a.Participants {
		out.Participants[i] = jsonParticipantOut(p)
	}
	return out
}
