package contract

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// The test appointment.
const (
	testTitle    = "oncall-go contract test"
	testRenamed  = "oncall-go contract test (renamed)"
	testName     = "Contract Test"
	testDuration = 15
	// metaKey marks the test appointment with the run id.
	metaKey = "oncall_go_contract"
	// cleanupTimeout bounds the clean-up, which runs on a context of its own so that it runs after ctx ended.
	cleanupTimeout = 30 * time.Second
)

// writes creates the test appointment, changes it one field at a time and probes the participant extension on it.
// Its error is ctx's; the clean-up (cleanup) runs after it whatever it returns.
func (r *run) writes(ctx context.Context) error {
	cur, ignoredOnCreate := r.create(ctx)
	if ctx.Err() != nil {
		r.skip(append(patchIDs(), extensionIDs()...), "not run: the context ended")
		return interrupted(ctx)
	}
	if cur == nil {
		r.skip(append(patchIDs(), extensionIDs()...), "not run: no test appointment was created")
		return nil
	}
	cur, err := r.patches(ctx, cur, ignoredOnCreate)
	if err != nil {
		return err
	}
	return r.probeExtension(ctx, cur.ID)
}

// createParams describes the test appointment: online, 15 minutes, about 30 days ahead at a whole hour, one
// participant, the run id in its metadata.
func (r *run) createParams() *oncall.AppointmentCreateParams {
	return &oncall.AppointmentCreateParams{
		Title:        testTitle,
		Type:         oncall.TypeOnline,
		DateTime:     r.cfg.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour),
		Duration:     testDuration,
		Division:     r.cfg.Division,
		Provider:     r.cfg.Provider,
		Participants: []oncall.ParticipantParams{{Name: testName, Email: r.cfg.Email}},
		Metadata:     oncall.Metadata{metaKey: r.runID},
	}
}

// create creates the test appointment and records the create check. It returns the appointment (nil if none was
// created, or none is known to have been) and the fields its answer did not show as sent.
func (r *run) create(ctx context.Context) (*oncall.Appointment, map[string]bool) {
	a, err := r.w.createAppointment(ctx, r.createParams())
	marked := fmt.Sprintf("metadata %s=%s", metaKey, r.runID)
	var ignored *oncall.WriteIgnoredError
	switch {
	case a != nil && a.ID <= 0:
		r.record(idCreate, Failed, "an appointment was created (%s), but its url names no appointment id", marked)
		r.unconfirmed = true
	case err == nil:
		r.record(idCreate, Held, "appointment %d created in division %d, every field as sent (%s)", a.ID, r.cfg.Division, marked)
		return a, nil
	case a != nil && errors.As(err, &ignored):
		r.record(idCreate, Failed, "appointment %d created (%s), but %s", a.ID, marked, describe(err))
		fields := map[string]bool{}
		for _, f := range ignored.Fields {
			fields[f] = true
			if !slices.Contains(patchIDs(), writeFieldIDPfx+f) {
				r.record(writeFieldIDPfx+f, Failed, "the created appointment's answer does not show it as sent")
			}
		}
		return a, fields
	case ambiguous(err) || ctx.Err() != nil:
		r.record(idCreate, Unknown, "%s; the clean-up looks for it by its %s", describe(err), marked)
		r.unconfirmed = true
	case r.cfg.Provider == 0 && refusedField(err, "provider"):
		r.record(idCreate, Failed, "refused: %s; a coordinator's token needs Config.Provider", describe(err))
	default:
		r.record(idCreate, Failed, "refused: %s", describe(err))
	}
	return nil, nil
}

// patchStep is one PATCH of the test appointment, of one field.
type patchStep struct {
	id string
	// field is the field as the client names it in a *oncall.WriteIgnoredError, for a field the create did not
	// apply either; "" for the participants steps, which have no create counterpart.
	field string
	// what the PATCH sends, in a Detail's words.
	what string
	// params builds the PATCH from the appointment as last read, or says why the step cannot run.
	params func(cur *oncall.Appointment) (*oncall.AppointmentUpdateParams, string)
}

func (r *run) patchSteps() []patchStep {
	second := plusTag(r.cfg.Email, "2")
	notAdded := "not run: the second participant is not on the appointment (see " + idAddPart + ")"
	return []patchStep{
		{idTitle, "title", "title", func(*oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			return &oncall.AppointmentUpdateParams{Title: oncall.Ptr(testRenamed)}, ""
		}},
		{idDateTime, "datetime", "datetime", func(cur *oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			start := cur.DateTime
			if start.IsZero() {
				start = r.createParams().DateTime
			}
			return &oncall.AppointmentUpdateParams{DateTime: oncall.Ptr(start.Add(time.Hour))}, ""
		}},
		{idDuration, "duration", "duration", func(*oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			return &oncall.AppointmentUpdateParams{Duration: oncall.Ptr(2 * testDuration)}, ""
		}},
		{idType, "type", "type", func(*oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			return &oncall.AppointmentUpdateParams{Type: oncall.Ptr(oncall.TypePhone)}, ""
		}},
		{idMetadata, "metadata", "metadata", func(*oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			// The run id stays, so that the appointment can still be found; the other values test the types.
			return &oncall.AppointmentUpdateParams{Metadata: oncall.Metadata{
				metaKey: r.runID, metaKey + "_step": "metadata", metaKey + "_n": int64(2), metaKey + "_ok": true,
			}}, ""
		}},
		{idAddPart, "", "participants (one added)", func(cur *oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			entries := entriesOf(cur.Participants)
			entries = append(entries, oncall.ParticipantEntry{Name: testName + " Two", Email: second})
			return &oncall.AppointmentUpdateParams{Participants: entries}, ""
		}},
		{idWithdrawPart, "", "participants (one withdrawn)", func(cur *oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			i := findEmail(cur.Participants, second)
			if i < 0 {
				return nil, notAdded
			}
			entries := entriesOf(cur.Participants)
			entries[i].Cancelled = true
			return &oncall.AppointmentUpdateParams{Participants: entries}, ""
		}},
		{idRemovePart, "", "participants (one left out)", func(cur *oncall.Appointment) (*oncall.AppointmentUpdateParams, string) {
			i := findEmail(cur.Participants, second)
			if i < 0 {
				return nil, notAdded
			}
			entries := slices.Delete(entriesOf(cur.Participants), i, i+1)
			return &oncall.AppointmentUpdateParams{Participants: entries}, ""
		}},
	}
}

// patches runs the PATCH steps in order, each on the appointment as the previous answer showed it. Its error is
// ctx's.
func (r *run) patches(ctx context.Context, cur *oncall.Appointment, ignoredOnCreate map[string]bool) (*oncall.Appointment, error) {
	steps := r.patchSteps()
	for i, s := range steps {
		if ctx.Err() != nil {
			r.skipRest(steps[i:])
			return cur, interrupted(ctx)
		}
		p, why := s.params(cur)
		if p == nil {
			r.record(s.id, Skipped, "%s", why)
			continue
		}
		a, err := r.w.update(ctx, cur.ID, p)
		if err != nil && ctx.Err() != nil {
			r.record(s.id, Unknown, "interrupted: the context ended before the answer")
			r.skipRest(steps[i+1:])
			return cur, interrupted(ctx)
		}
		r.patchVerdict(s, ignoredOnCreate[s.field], err)
		if a != nil {
			cur = a
		}
	}
	return cur, nil
}

func (r *run) skipRest(steps []patchStep) {
	for _, s := range steps {
		r.record(s.id, Skipped, "not run: the context ended")
	}
	r.skip(extensionIDs(), "not run: the context ended")
}

// patchVerdict records a PATCH step's check from the client's own verification of the answer.
func (r *run) patchVerdict(s patchStep, ignoredOnCreate bool, err error) {
	prior := ""
	if ignoredOnCreate {
		prior = "not applied on create; "
	}
	switch {
	case err == nil && ignoredOnCreate:
		r.record(s.id, Failed, "%sa PATCH of %s took: its answer shows it as sent", prior, s.what)
	case err == nil:
		r.record(s.id, Held, "a PATCH of %s took: its answer shows it as sent", s.what)
	case errors.Is(err, oncall.ErrWriteIgnored):
		r.record(s.id, Failed, "%s%s", prior, describe(err))
	case statusCode(err) != 0, errors.Is(err, errNotOurs), errors.Is(err, oncall.ErrInvalidParams):
		r.record(s.id, Failed, "%srefused: %s", prior, describe(err))
	default:
		r.record(s.id, Unknown, "%s%s", prior, describe(err))
	}
}

// entriesOf returns an appointment's participants as an update's list that keeps them as they are.
func entriesOf(ps []oncall.Participant) []oncall.ParticipantEntry {
	out := make([]oncall.ParticipantEntry, len(ps))
	for i := range ps {
		out[i] = ps[i].Entry()
	}
	return out
}

// findEmail returns the index of the participant with the email (as servers store it: case and surrounding space
// aside), or -1.
func findEmail(ps []oncall.Participant, email string) int {
	return slices.IndexFunc(ps, func(p oncall.Participant) bool {
		return strings.EqualFold(strings.TrimSpace(p.Email), email)
	})
}

// plusTag puts "+tag" before the @ of an address: another invitee at the same mailbox.
func plusTag(email, tag string) string {
	at := strings.LastIndexByte(email, '@')
	return email[:at] + "+" + tag + email[at:]
}
