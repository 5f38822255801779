package oncall

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// ErrWriteIgnored is matched by a *WriteIgnoredError: a write succeeded, but its answer does not show a field as
// written.
var ErrWriteIgnored = errors.New("oncall: the server did not apply a written field")

// WriteIgnoredError is a write (a create or an update) that the server accepted, but whose answer does not show
// every field as it was sent. Django REST Framework, which OnCall's API is built on, answers 200 to a write that
// names a field it does not know or holds read-only, and drops the field: without this check such a write would
// pass for a success, and a sync would send it again every time.
//
// Its text names the request and the fields, never their values.
type WriteIgnoredError struct {
	Method string
	Path   string
	// Fields are the fields the answer does not show as sent, in the order they are checked, e.g. ["status"].
	Fields []string
}

func (e *WriteIgnoredError) Error() string {
	return fmt.Sprintf("oncall: %s %s: the server did not apply %s: its answer does not show %s as written",
		e.Method, redact.Path(e.Path), strings.Join(e.Fields, ", "), pluralIt(len(e.Fields)))
}

// Is matches ErrWriteIgnored.
func (e *WriteIgnoredError) Is(target error) bool { return target == ErrWriteIgnored }

func pluralIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// ignored returns a *WriteIgnoredError for fields, or nil when there are none.
func ignored(method, path string, fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	return &WriteIgnoredError{Method: method, Path: path, Fields: fields}
}

// verifyCreate returns the fields of p that the created appointment w does not show as sent. A field the answer
// leaves out altogether (provider, which OnCall's published payloads do not show) cannot be checked and is not
// reported.
func verifyCreate(p *AppointmentCreateParams, w *appointmentWire) []string {
	var out []string
	add := func(ok bool, field string) {
		if !ok {
			out = append(out, field)
		}
	}
	add(sameText(w.Title, p.Title), "title")
	add(w.Type == p.Type, "type")
	if !p.DateTime.IsZero() {
		add(w.DateTime.t.Equal(p.DateTime.Truncate(time.Second)), "datetime")
	}
	add(w.Duration == p.Duration, "duration")
	add(w.Division == p.Division, "division")
	if p.Provider > 0 && w.Provider.set {
		add(w.Provider.v == p.Provider, "provider")
	}
	add(sameInvitees(p.Participants, w.Participants), "participants")
	if len(p.Metadata) > 0 {
		add(sameMetadata(p.Metadata, w.Metadata), "metadata")
	}
	return out
}

// verifyUpdate returns the fields set in p that the answer w does not show as sent. Status is checked only when
// the answer carries it.
func verifyUpdate(p *AppointmentUpdateParams, w *appointmentWire) []string {
	var out []string
	add := func(ok bool, field string) {
		if !ok {
			out = append(out, field)
		}
	}
	if p.Title != nil {
		add(sameText(w.Title, *p.Title), "title")
	}
	if p.Type != nil {
		add(w.Type == *p.Type, "type")
	}
	if p.DateTime != nil {
		add(w.DateTime.t.Equal(p.DateTime.Truncate(time.Second)), "datetime")
	}
	if p.Duration != nil {
		add(w.Duration == *p.Duration, "duration")
	}
	if p.Division != nil {
		add(w.Division == *p.Division, "division")
	}
	if p.Provider != nil && w.Provider.set {
		add(w.Provider.v == *p.Provider, "provider")
	}
	if p.Status != nil && w.Status.set {
		add(w.Status.v == *p.Status, "status")
	}
	if p.Cancelled != nil {
		add(w.Cancelled == *p.Cancelled, "cancelled")
	}
	if p.Participants != nil {
		add(sameEntries(p.Participants, w.Participants), "participants")
	}
	if p.Metadata != nil {
		add(sameMetadata(p.Metadata, w.Metadata), "metadata")
	}
	return out
}

// verifyParticipant returns the fields of a participant write that the answer does not show: those of created
// (a create), or those set in upd.
func verifyParticipant(created *ParticipantParams, upd *ParticipantUpdateParams, got *Participant) []string {
	if created != nil {
		upd = &ParticipantUpdateParams{Name: &created.Name, Email: &created.Email}
		if !created.Fee.IsZero() {
			upd.Fee = &created.Fee
		}
	}
	var out []string
	add := func(ok bool, field string) {
		if !ok {
			out = append(out, field)
		}
	}
	if upd.Name != nil {
		add(sameName(got.Name, *upd.Name), "name")
	}
	if upd.Email != nil {
		add(sameEmail(got.Email, *upd.Email), "email")
	}
	if upd.Fee != nil {
		add(got.Fee.Equal(*upd.Fee), "fee")
	}
	if upd.Cancelled != nil {
		add(got.Cancelled == *upd.Cancelled, "cancelled")
	}
	if upd.Status != nil {
		add(got.Status == *upd.Status, "status")
	}
	return out
}

// sameInvitees reports whether the participants of a new appointment are those invited: as many, each invitee's
// email on a participant of its own with the invitee's name, and fee when one was sent.
func sameInvitees(sent []ParticipantParams, got []Participant) bool {
	if len(sent) != len(got) {
		return false
	}
	used := make([]bool, len(got))
	for _, s := range sent {
		j := matchEmail(got, used, s.Email)
		if j < 0 || !sameName(got[j].Name, s.Name) || (!s.Fee.IsZero() && !got[j].Fee.Equal(s.Fee)) {
			return false
		}
		used[j] = true
	}
	return true
}

// sameEntries reports whether an appointment's participants are the list an update sent: as many; each entry with
// a URL is that participant, with the entry's email, name, cancellation and fee (when sent); each entry without
// one is a participant of its own with the entry's email.
func sameEntries(sent []ParticipantEntry, got []Participant) bool {
	if len(sent) != len(got) {
		return false
	}
	used := make([]bool, len(got))
	check := func(e *ParticipantEntry, p *Participant) bool {
		return sameEmail(p.Email, e.Email) && sameName(p.Name, e.Name) && p.Cancelled == e.Cancelled &&
			(e.Fee.IsZero() || p.Fee.Equal(e.Fee))
	}
	for i := range sent {
		e := &sent[i]
		if e.URL == "" {
			continue
		}
		id := idFromURL(e.URL, kindParticipants)
		j := -1
		for k := range got {
			if !used[k] && idFromURL(got[k].URL, kindParticipants) == id && id != 0 {
				j = k
				break
			}
		}
		if j < 0 || !check(e, &got[j]) {
			return false
		}
		used[j] = true
	}
	for i := range sent {
		e := &sent[i]
		if e.URL != "" {
			continue
		}
		j := matchEmail(got, used, e.Email)
		if j < 0 || !check(e, &got[j]) {
			return false
		}
		used[j] = true
	}
	return true
}

// matchEmail returns the first participant not yet used with the email, or -1.
func matchEmail(got []Participant, used []bool, email string) int {
	for j := range got {
		if !used[j] && sameEmail(got[j].Email, email) {
			return j
		}
	}
	return -1
}

// sameText compares texts as a Django CharField stores them: trimmed.
func sameText(got, sent string) bool { return strings.TrimSpace(got) == strings.TrimSpace(sent) }

// sameEmail compares addresses without regard to case or surrounding space, as servers often normalise them.
func sameEmail(got, sent string) bool {
	return strings.EqualFold(strings.TrimSpace(got), strings.TrimSpace(sent))
}

// sameName compares names without regard to case or runs of white space.
func sameName(got, sent string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(sent), " "))
}
