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
	rep, _, err := r.reconcile(ctx, ehr, ledger, w, p)
	return rep, err
}

// reconcile is Reconcile, reporting also whether the ledger was rebuilt.
func (r *Runner) reconcile(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, w Window, p Policy) (*Report, bool, error) {
	if ledger == nil {
		return nil, false, errors.New("syncer: Reconcile: the ledger is nil")
	}
	rep, s, err := r.sync(ctx, ehr, w, p)
	if rep == nil || s == nil || r.DryRun || ctx.Err() != nil {
		return rep, false, err
	}
	if lerr := ledger.Replace(ctx, ledgerEntries(s, rep, time.Now())); lerr != nil {
		rep.Warnings = append(rep.Warnings, "rebuilding the ledger failed, so events read OnCall as it was: "+lerr.Error())
		if _, incomplete := err.(*IncompleteError); err == nil || incomplete {
			err = rep.incomplete()
		}
		return rep, false, err
	}
	return rep, true, err
}

// ledgerEntries is the ledger a full sync leaves: for each EHR key in OnCall's metadata, the appointment Plan
// pairs it with (the oldest live one; failing that, the newest one cancelled and not superseded), then what the
// run created; a digest for the EHR appointments read whose every action applied and that need no person.
func ledgerEntries(s *synced, rep *Report, now time.Time) []LedgerEntry {
	paired := map[string]*oncall.Appointment{}
	for i := range s.read.appts {
		m := &s.read.appts[i]
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
	ids := make(map[string]oncall.AppointmentID, len(paired))
	for key, m := range paired {
		ids[key] = m.ID
	}
	unsure := map[string]bool{}
	pending := map[string]bool{}
	for _, res := range rep.Actions {
		ok := res.Outcome == OutcomeApplied || res.Outcome == OutcomeIgnored
		if !ok {
			unsure[res.Key] = true
		}
		if res.Kind == ActionCreate || res.Kind == ActionRecreate {
			switch {
			case ok && res.Created != 0:
				ids[res.Key] = res.Created
			case ambiguous(res.Err):
				pending[res.Key] = true
			}
		}
	}
	for _, sk := range rep.Skipped {
		if sk.Attention {
			unsure[sk.Key] = true
		}
	}
	digests := make(map[string]string, len(s.appts))
	for i := range s.appts {
		digests[s.appts[i].Key()] = Digest(&s.appts[i])
	}
	out := make([]LedgerEntry, 0, len(ids)+len(pending))
	for key, id := range ids {
		e := LedgerEntry{Key: key, Appointment: id, Updated: now}
		if !unsure[key] {
			e.Digest = digests[key]
		}
		if e.Validate() == nil {
			out = append(out, e)
		}
	}
	for key := range pending {
		if _, ok := ids[key]; !ok {
			if e := (LedgerEntry{Key: key, Pending: true, Updated: now}); e.Validate() == nil {
				out = append(out, e)
			}
		}
	}
	return out
}
