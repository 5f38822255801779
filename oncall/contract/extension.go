package contract

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/oncallsync/oncall-go/oncall"
)

// probeExtension probes the participant extension (the oncall package's undocumented.go) on the test appointment
// only: POST /participants/ of a third participant, then, if that added one, its status and its deletion. On the
// documented API the first is refused (405) and the others do not run. Its error is ctx's.
func (r *run) probeExtension(ctx context.Context, id oncall.AppointmentID) error {
	if ctx.Err() != nil {
		r.skip(extensionIDs(), "not run: the context ended")
		return interrupted(ctx)
	}
	p, err := r.w.createParticipant(ctx, id, oncall.ParticipantParams{Name: testName + " Three", Email: plusTag(r.cfg.Email, "3")})
	if err != nil && ctx.Err() != nil {
		r.record(idExtCreate, Unknown, "interrupted: the context ended before the answer")
		r.skip(extensionIDs()[1:], "not run: the context ended")
		return interrupted(ctx)
	}
	switch {
	case err == nil:
		r.record(idExtCreate, Held, "POST /participants/ added a participant to the test appointment, every field as sent")
	case errors.Is(err, oncall.ErrWriteIgnored):
		r.record(idExtCreate, Failed, "POST /participants/ added a participant, but %s", describe(err))
	case statusCode(err) == http.StatusMethodNotAllowed:
		r.record(idExtCreate, Failed, "POST /participants/: %s: not available (OnCall documents no participant writes)", describe(err))
	default:
		r.record(idExtCreate, Failed, "POST /participants/: %s", describe(err))
	}
	if p == nil || p.ID <= 0 {
		r.skip(extensionIDs()[1:], "not run: POST /participants/ added no participant")
		return nil
	}
	// The new participant is written to only once the appointment, read back, shows it: the guard allows nothing else.
	if _, err := r.w.get(ctx, id); err != nil || !r.w.onAppointment(p.ID, id) {
		if ctx.Err() != nil {
			r.skip(extensionIDs()[1:], "not run: the context ended")
			return interrupted(ctx)
		}
		r.skip(extensionIDs()[1:], "not run: the test appointment, read back, does not list the new participant")
		return nil
	}
	if err := r.probeStatus(ctx, id, p.ID); err != nil {
		return err
	}
	return r.probeDelete(ctx, id, p.ID)
}

// probeStatus sets the participant's status to "Cancelled by Provider", the one participant status that charges
// no fee.
func (r *run) probeStatus(ctx context.Context, id oncall.AppointmentID, pid oncall.ParticipantID) error {
	_, err := r.w.setParticipantStatus(ctx, id, pid, oncall.ParticipantCancelledByProvider)
	switch {
	case err != nil && ctx.Err() != nil:
		r.record(idExtStatus, Unknown, "interrupted: the context ended before the answer")
		r.skip([]string{idExtDelete}, "not run: the context ended")
		return interrupted(ctx)
	case err == nil:
		r.record(idExtStatus, Held, "PATCH /participants/{id}/ of status %q: the answer shows it",
			oncall.ParticipantCancelledByProvider)
	case errors.Is(err, oncall.ErrWriteIgnored):
		r.record(idExtStatus, Failed, "ignored: %s", describe(err))
	default:
		r.record(idExtStatus, Failed, "refused: %s", describe(err))
	}
	return nil
}

// probeDelete deletes the participant, and reads the appointment back to see that it is gone.
func (r *run) probeDelete(ctx context.Context, id oncall.AppointmentID, pid oncall.ParticipantID) error {
	err := r.w.deleteParticipant(ctx, id, pid)
	if err != nil {
		if ctx.Err() != nil {
			r.record(idExtDelete, Unknown, "interrupted: the context ended before the answer")
			return interrupted(ctx)
		}
		r.record(idExtDelete, Failed, "refused: %s", describe(err))
		return nil
	}
	a, err := r.w.get(ctx, id)
	switch {
	case err != nil && ctx.Err() != nil:
		r.record(idExtDelete, Unknown, "DELETE was answered; interrupted before the appointment was read back")
		return interrupted(ctx)
	case err != nil:
		r.record(idExtDelete, Unknown, "DELETE was answered, but the appointment could not be read back: %s", describe(err))
	case slices.ContainsFunc(a.Participants, func(p oncall.Participant) bool { return p.ID == pid }):
		r.record(idExtDelete, Failed, "DELETE was answered, but the appointment still lists the participant")
	default:
		r.record(idExtDelete, Held, "DELETE was answered, and the appointment no longer lists the participant")
	}
	return nil
}
