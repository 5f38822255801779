package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Reconcile is Sync, then a rebuild of ledger from what the sync read and did: every EHR key that OnCall's
// metadata pairs with an appointment gets that appointment, and those read from the EHR and fully synced get
// their digest. It is the full reconcile of an event-driven sync (see Loop), run at start and on a schedule: it
// catches what events missed (a change made directly in OnCall, a lost message), settles creates whose outcome
// was unknown, and rebuilds a ledger that was lost or damaged, since OnCall's metadata, not the ledger, is the
// record of what is synced.
//
// The ledger is replaced only when the sync got as far as applying its plan and ctx did not end; a dry run leaves
// it alone. The report and error are Sync's; a failure to write the ledger is added to the report as a warning.
func (r *Runner) Reconcile(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, w Window, p Policy) (*Report, error) {
	res := r.reconcile(ctx, ehr, ledger, w, p)
	return res.rep, res.err
}

// reconciled is what reconcile did: Reconcile's report and error, whether the ledger was rebuilt, and the EHR
// appointments whose actions failed, for a caller that tries them again.
type reconciled struct {
	rep     *Report
	err     error
	rebuilt bool
	failed  []Change
}

func (r *Runner) reconcile(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, w Window, p Policy) reconciled {
	if ledger == nil {
		return reconciled{err: errors.New("syncer: Reconcile: the ledger is nil")}
	}
	rep, s, err := r.sync(ctx, ehr, w, p, ledger)
	if rep == nil || s == nil || r.DryRun || ctx.Err() != nil {
		return reconciled{rep: rep, err: err}
	}
	res := reconciled{rep: rep, err: err, failed: failedChanges(rep, s.appts)}
	if lerr := ledger.Replace(ctx, ledgerEntries(s, rep, time.Now())); lerr != nil {
		rep.Warnings = append(rep.Warnings, "rebuilding the ledger failed, so events read OnCall as it was: "+lerr.Error())
		if _, incomplete := err.(*IncompleteError); err == nil || incomplete {
			res.err = rep.incomplete()
		}
		return res
	}
	res.rebuilt = true
	return res
}

// failedChanges names the EHR appointments, among appts, whose actions were not made and may be tried again
// alone (retryKeys).
func failedChanges(rep *Report, appts []carelogic.Appointment) []Change {
	failed := map[string]bool{}
	for _, key := range retryKeys(rep) {
		failed[key] = true
	}
	var out []Change
	for i := range appts {
		if key := appts[i].Key(); failed[key] {
			out = append(out, Change{Key: key, ID: appts[i].ID})
			delete(failed, key)
		}
	}
	return out
}

// ledgerEntries is the ledger a full sync leaves: for each EHR key in OnCall's metadata, the appointment Plan
// pairs it with (the oldest live one; failing that, the newest one cancelled and not superseded), then what the
// run created; a digest for the EHR appointments read whose every action applied and that need no person; and
// Pending for a key whose create or recreate may have happened, or whose create is held (for review, or because
// the listing moved).
func ledgerEntries(s *synced, rep *Report, now time.Time) []LedgerEntry {
	paired := map[string]*oncall.Appointment{}
	for _, list := range [][]oncall.Appointment{s.read.appts, s.found} {
		for i := range list {
			m := &list[i]
			key := appointmentKey(m.Metadata)
			if key == "" || superseded(m.Metadata) {
				continue
			}
			prev := paired[key]
			switch {
			case prev == nil:
				paired[key] = m
			case !m.Cancelled && (prev.Cancelled || m.ID < prev.ID):
				paired[key] = m
			case m.Cancelled && prev.Cancelled && m.ID > prev.ID:
				paired[key] = m
			}
		}
	}
	ids := make(map[string]oncall.AppointmentID, len(paired))
	for key, m := range paired {
		ids[key] = m.ID
	}
	outcomes := keyOutcomes(rep)
	pending := map[string]bool{}
	for key, o := range outcomes {
		if o.created != 0 {
			ids[key] = o.created
		}
		if o.pending {
			pending[key] = true
		}
	}
	// A create held back for review (a look-alike booked by hand in OnCall), or because the appointment may exist
	// though the listing did not show it (see holdCreates), is pending too: an event must not create what the
	// reconcile held back; the next reconcile decides again.
	for _, c := range rep.Review {
		if _, paired := ids[c.Key]; !paired && c.Key != "" {
			pending[c.Key] = true
		}
	}
	for _, key := range s.held {
		pending[key] = true
	}
	// So is a key that the first reading of a listing that moved showed and the second did not: its appointment
	// may exist, skipped, whether or not this run planned anything for it (it may lie outside the window).
	for key := range s.read.earlier {
		if _, shown := paired[key]; !shown {
			pending[key] = true
		}
	}
	digests := make(map[string]string, len(s.appts))
	for i := range s.appts {
		digests[s.appts[i].Key()] = Digest(&s.appts[i])
	}
	for key := range pending {
		// Pending wins over a pairing read before the run: a recreate whose create is unsure has already
		// superseded the appointment the listing paired.
		delete(ids, key)
	}
	out := make([]LedgerEntry, 0, len(ids)+len(pending))
	for key, id := range ids {
		e := LedgerEntry{Key: key, Appointment: id, Updated: now}
		if o := outcomes[key]; o == nil || !o.unsure {
			e.Digest = digests[key]
		}
		if e.Validate() == nil {
			out = append(out, e)
		}
	}
	for key := range pending {
		if e := (LedgerEntry{Key: key, Pending: true, Updated: now}); e.Validate() == nil {
			out = append(out, e)
		}
	}
	return out
}
