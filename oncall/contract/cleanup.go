package contract

import (
	"context"
	"fmt"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// cleanup cancels what the run created, on a context of its own (ctx's values, none of its cancellation, and
// cleanupTimeout), so that it runs even when ctx has ended, and records write.cancel. A create that got no clear
// answer is looked for first, by the run id in its metadata.
func (r *run) cleanup(ctx context.Context) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	searched := ""
	if r.unconfirmed && len(r.w.created()) == 0 {
		searched = r.findUnconfirmed(cctx)
	}
	ids := r.w.created()
	if len(ids) == 0 {
		if r.unconfirmed {
			r.record(idCancel, Failed, "the create got no clear answer, and %s: look for metadata %s=%s in OnCall and cancel it by hand",
				searched, metaKey, r.runID)
			return
		}
		r.record(idCancel, Skipped, "nothing was created")
		return
	}
	outcome := Held
	var parts []string
	if searched != "" {
		parts = append(parts, "the create got no clear answer, but "+searched)
	}
	for _, id := range ids {
		ok, detail := r.cancel(cctx, id)
		if !ok {
			outcome = Failed
		}
		parts = append(parts, detail)
	}
	r.record(idCancel, outcome, "%s", strings.Join(parts, "; "))
}

// cancel cancels one of the run's appointments: "cancelled" and the status "Provider cancelled" in one PATCH, and
// "cancelled" alone if that was not taken, so that the appointment ends cancelled whatever became of the status. It
// reports whether both took, and what happened.
func (r *run) cancel(ctx context.Context, id oncall.AppointmentID) (bool, string) {
	a, err := r.w.update(ctx, id, &oncall.AppointmentUpdateParams{
		Cancelled: oncall.Ptr(true),
		Status:    oncall.Ptr(oncall.StatusProviderCancelled),
	})
	if err == nil {
		status := "status not shown in the answer"
		if a.Status != "" {
			status = "status " + label(string(a.Status), a.Status.Known())
		}
		return true, fmt.Sprintf("appointment %d cancelled, %s", id, status)
	}
	first := describe(err)
	if a != nil && a.Cancelled {
		return false, fmt.Sprintf("appointment %d cancelled, but %s", id, first)
	}
	a, err = r.w.update(ctx, id, &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)})
	if err == nil || (a != nil && a.Cancelled) {
		return false, fmt.Sprintf("appointment %d: cancelled with a status: %s; cancelled alone: took", id, first)
	}
	return false, fmt.Sprintf("appointment %d could NOT be cancelled (%s; then %s): cancel it by hand (metadata %s=%s)",
		id, first, describe(err), metaKey, r.runID)
}

// findUnconfirmed looks, among up to cfg.MaxAppointments appointments (latest datetime first where the API takes
// that ordering), for the one this run's create made, marked with the run id, and adopts it. It returns how the
// search went, for a Detail.
func (r *run) findUnconfirmed(ctx context.Context) string {
	opts := &oncall.AppointmentListOptions{Ordering: "-datetime", ListOptions: oncall.ListOptions{PageSize: 100}}
	n := 0
	for a, err := range r.c.Appointments.All(ctx, opts) {
		if err != nil {
			return fmt.Sprintf("the search for it stopped after %s: %s", plural(n, "appointment"), describe(err))
		}
		if n == r.cfg.MaxAppointments {
			break
		}
		n++
		if v, ok := a.Metadata.String(metaKey); ok && v == r.runID && a.ID > 0 {
			r.w.adopt(a)
			return "it was found by its metadata"
		}
	}
	return fmt.Sprintf("it is not among the %s searched", plural(n, "appointment"))
}
