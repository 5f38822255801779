package oncalltest

import (
	"encoding/json"

	"github.com/oncallsync/oncall-go/oncall"
)

// This file reads an appointment's "participants" array: the list a create gives a new appointment, and the list
// a PATCH gives an existing one, the documented way of changing who is on it. Errors are Django REST Framework's
// for a list of nested objects: a list of messages for the list as a whole, or a list with one error object per
// item ({} for a valid one).

// msgListedTwice refuses a participant named twice in one list (the server's own message: Django REST Framework
// has none for it).
const msgListedTwice = "This participant is listed more than once."

// participantItems reads a participants list as a whole: it returns its items, or the messages refusing it (null,
// not a list, empty, or longer than oncall.MaxParticipants).
func participantItems(raw json.RawMessage) ([]json.RawMessage, []string) {
	if isNull(raw) {
		return nil, []string{msgNull}
	}
	if t := pyType(raw); t != "list" {
		return nil, []string{`Expected a list of items but got type "` + t + `".`}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, []string{"Invalid list."}
	}
	switch {
	case len(items) == 0:
		return nil, []string{"This list may not be empty."}
	case len(items) > oncall.MaxParticipants:
		return nil, []string{msgMaxParticipants}
	}
	return items, nil
}

// readItems reads each item of a participants list with read, which records the item's errors in pe. It returns
// the per-item errors when any item has one, and nil otherwise.
func readItems(items []json.RawMessage, read func(i int, obj map[string]json.RawMessage, pe fieldErrors)) any {
	itemErrs := make([]any, len(items))
	bad := false
	for i, item := range items {
		pe := fieldErrors{}
		if obj, errResp := decodeObject(item); errResp != nil {
			pe["non_field_errors"] = []string{"Invalid data. Expected a dictionary, but got " + pyType(item) + "."}
		} else {
			read(i, obj, pe)
		}
		if len(pe) > 0 {
			bad = true
		}
		itemErrs[i] = pe
	}
	if bad {
		return itemErrs
	}
	return nil
}

// readParticipantList reads the participants of a new appointment: each needs an email, and a name or first and
// last names. Their ids are not assigned.
func (s *Server) readParticipantList(raw json.RawMessage) ([]Participant, any) {
	items, msgs := participantItems(raw)
	if msgs != nil {
		return nil, msgs
	}
	out := make([]Participant, len(items))
	if errs := readItems(items, func(i int, obj map[string]json.RawMessage, pe fieldErrors) {
		in := s.readParticipantInput(obj, pe)
		in.requireIdentity(pe)
		in.apply(&out[i])
	}); errs != nil {
		return nil, errs
	}
	return out, nil
}

// readParticipantReplacement reads the participants a PATCH gives appointment a: the whole list it is to have. An
// entry with the "url" of one of a's participants keeps that participant (its id) and changes the fields the
// entry sets; an entry without "url" is someone new, who needs what a participant of a new appointment needs (and
// gets an id only when the PATCH is carried out); a participant not listed is removed. A url of anything else (a
// participant of another appointment included) is refused, as a url listed twice is.
func (s *Server) readParticipantReplacement(raw json.RawMessage, a *Appointment) ([]Participant, any) {
	items, msgs := participantItems(raw)
	if msgs != nil {
		return nil, msgs
	}
	out := make([]Participant, len(items))
	listed := map[oncall.ParticipantID]bool{}
	errs := readItems(items, func(i int, obj map[string]json.RawMessage, pe fieldErrors) {
		in := s.readParticipantInput(obj, pe)
		rawURL, kept := obj["url"]
		if !kept {
			in.requireIdentity(pe)
			in.apply(&out[i])
			return
		}
		id, msg := s.parseHyperlink(rawURL, kindParticipants)
		pid := oncall.ParticipantID(id)
		j := a.participant(pid)
		switch {
		case msg != "":
			pe.add("url", msg)
		case j < 0:
			pe.add("url", msgNoSuchObject)
		case listed[pid]:
			pe.add("url", msgListedTwice)
		default:
			listed[pid] = true
			out[i] = a.Participants[j]
			in.apply(&out[i])
		}
	})
	if errs != nil {
		return nil, errs
	}
	return out, nil
}
