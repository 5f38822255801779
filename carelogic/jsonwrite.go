package carelogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/oncallsync/oncall-go/internal/sourcefile"
)

// This file writes the JSON schedule format described in the package documentation.

// WriteJSON writes appts to w in the JSON schedule format (see the package documentation), indented for people
// to read, with empty optional fields left out. ReadJSON reads back what it writes as the same appointments.
//
// It refuses, writing nothing, any appointment that ReadJSON would refuse or read differently: one that fails
// Validate, repeats another's Source and ID, lasts a duration that is not a whole number of minutes, starts
// outside the years 0000 to 9999, has a custom status that differs from one of CareLogic's only in case, or lists
// more than MaxParticipants clients. The error is shaped like ReadJSON's, and names fields and positions, never a
// value. It also refuses a schedule that passes ReadJSON's other limits (MaxAppointments, MaxJSONElements,
// MaxSourceBytes), with an error wrapping ErrLimit.
func WriteJSON(w io.Writer, appts []Appointment) error {
	elements := len(appts)
	for i := range appts {
		elements += len(appts[i].Participants)
	}
	switch {
	case len(appts) > MaxAppointments:
		return fmt.Errorf(jsonErrorPrefix+"%w", &sourcefile.LimitError{Count: int64(len(appts)), Things: "appointments",
			Limit: MaxAppointments, Name: "carelogic.MaxAppointments"})
	case elements > MaxJSONElements:
		return fmt.Errorf(jsonErrorPrefix+"%w", &sourcefile.LimitError{Count: int64(elements),
			Things: "appointments and participants, array elements", Limit: MaxJSONElements, Name: "carelogic.MaxJSONElements"})
	}
	out := jsonScheduleOut{Appointments: make([]jsonAppointmentOut, 0, len(appts))}
	var bad invalidEntries
	firstByKey := make(map[string]int, len(appts))
	for i := range appts {
		a := &appts[i]
		var p problems
		var wrapped error
		var ve *ValidationError
		if err := a.Validate(); errors.As(err, &ve) {
			for _, problem := range ve.Problems {
				p.add(problem)
			}
			wrapped = ve.err
		}
		if j, dup := firstByKey[a.Key()]; dup && a.ID != "" {
			p.add(fmt.Sprintf("id: same as appointments[%d]", j))
		} else if !dup {
			firstByKey[a.Key()] = i
		}
		if a.Duration > 0 && a.Duration%time.Minute != 0 {
			p.add("duration: not a whole number of minutes")
		}
		if !a.Start.IsZero() && !writableTime(a.Start) {
			p.add("start: year outside 0000 to 9999")
		}
		if !a.UpdatedAt.IsZero() && !writableTime(a.UpdatedAt) {
			p.add("updated_at: year outside 0000 to 9999")
		}
		if n := len(a.Participants); n > MaxParticipants {
			p.add(fmt.Sprintf("participants: %d, over the limit of %d (carelogic.MaxParticipants)", n, MaxParticipants))
			wrapped = errors.Join(wrapped, ErrLimit)
		}
		for j, c := range a.Participants {
			if canon := canonicalStatus(c.Status); c.Status.IsCustom() && canon != c.Status {
				p.add(fmt.Sprintf("participants[%d].status: a custom status that would read back as %q, differing from it only in case", j, canon))
			}
		}
		if len(p.list) > 0 {
			bad.add(i, &ValidationError{ID: a.ID, Problems: p.done(), err: wrapped})
			continue
		}
		out.Appointments = append(out.Appointments, toJSON(a))
	}
	if err := bad.err(); err != nil {
		return err
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep "&" and "<" in activities and comments readable
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("carelogic: encoding JSON schedule: %w", err)
	}
	if buf.Len() > MaxSourceBytes {
		return fmt.Errorf(jsonErrorPrefix+"%w", &sourcefile.LimitError{Count: int64(buf.Len()), Things: "bytes",
			Limit: MaxSourceBytes, Name: "carelogic.MaxSourceBytes"})
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("carelogic: writing JSON schedule: %w", err)
	}
	return nil
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
