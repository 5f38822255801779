package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Change names an EHR appointment that changed (booked, edited, cancelled or deleted): its key
// (carelogic.Appointment.Key), under which the ledger records it, and its id, which the adapter's Appointment
// method takes.
type Change struct {
	Key string `json:"key"`
	ID  string `json:"id"`
}

// ChangeOf returns the Change that names a.
func ChangeOf(a *carelogic.Appointment) Change { return Change{Key: a.Key(), ID: a.ID} }

// Digest returns the digest a ledger records of an EHR appointment (LedgerEntry.Digest): a hash of every field the
// sync reads, so that two versions of an appointment that would sync alike have the same digest. It leaves out
// UpdatedAt (an HL7 resend carries a new one), OnCallURL (the sync's own write) and Comments (not synced to
// OnCall), and reads Start as an instant.
func Digest(a *carelogic.Appointment) string {
	c := *a
	c.UpdatedAt, c.OnCallURL, c.Comments = time.Time{}, "", ""
	c.Start = c.Start.UTC()
	b, err := json.Marshal(&c)
	if err != nil {
		return "" // not reachable: an Appointment always encodes; "" never equals a recorded digest
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// SyncChanges syncs the EHR appointments named by changes, and only them, using ledger instead of a listing
// pass: it is what an event-driven sync runs for each batch of changes (see Loop). For each change it reads the
// appointment from the EHR (Adapter.Appointment) and looks its key up in the ledger:
//
//   - the same digest as recorded (a resend, or a change of nothing the sync reads): nothing, no call;
//   - recorded with an OnCall appointment: that appointment is read (one call) and planned against, as Sync would
//     plan it, and the plan applied (one call per changed appointment on the documented API): two calls;
//   - not recorded: planned as new, and created (one call) after a Pending entry is recorded, so that a crash
//     between the two cannot lead to a second create;
//   - recorded as Pending (a create whose outcome is unknown), or recorded with an appointment OnCall no longer
//     has: skipped, and Report.Reconcile set: only a listing pass can tell whether the create happened.
//
// An appointment the EHR no longer has (carelogic.ErrNotFound) is treated as deleted: its OnCall appointment is
// cancelled where Policy allows, as Sync cancels an orphan. The ledger is updated for every appointment whose
// actions all applied; one with a failure keeps its entry without a digest, so that its next change, or the next
// full reconcile, plans it again.
//
// The ledger must have been built by Reconcile (Loop runs one first): a key it does not hold is taken as never
// synced. What a listing pass alone can see is left to Reconcile: look-alike appointments booked by hand in OnCall (the
// create hold), duplicates in OnCall, and changes made directly in OnCall that no webhook reported.
//
// The report and error are as Sync's (an *IncompleteError when something is left undone); its Listing is nil.
func (r *Runner) SyncChanges(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, changes []Change, p Policy) (*Report, error) {
	rep, _, err := r.syncChanges(ctx, ehr, ledger, changes, nil, p)
	return rep, err
}

// syncChanges is SyncChanges; fresh holds OnCall appointments just read (a webhook's), which are planned against as
// they are, with the appointment the ledger pairs their key with when that is another, and whose keys are planned
// even when their EHR digest is unchanged, since what changed is in OnCall. It returns also the changes whose reads
// failed in a way that may pass (a 5xx, the EHR unreachable), for a caller that tries them again.
func (r *Runner) syncChanges(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, changes []Change, fresh map[oncall.AppointmentID]*oncall.Appointment, p Policy) (*Report, []Change, error) {
	switch {
	case r.Client == nil:
		return nil, nil, errors.New("syncer: Runner.Client is nil")
	case ehr == nil:
		return nil, nil, errors.New("syncer: SyncChanges: the EHR adapter is nil")
	case ledger == nil:
		return nil, nil, errors.New("syncer: SyncChanges: the ledger is nil")
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	started := time.Now()
	freshByKey := make(map[string]*oncall.Appointment, len(fresh))
	for _, m := range fresh {
		if key := appointmentKey(m.Metadata); key != "" && !superseded(m.Metadata) {
			freshByKey[key] = m
		}
	}
	var uniq []Change
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Key != "" && !seen[c.Key] {
			seen[c.Key] = true
			uniq = append(uniq, c)
		}
	}
	// Each change is read (the EHR, the ledger, its OnCall appointment) on its own, several at once: the reads are
	// most of a pass's round trips.
	reads := make([]changeRead, len(uniq))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(len(uniq), max(r.Concurrency, r.Client.SuggestedConcurrency())) {
		wg.Go(func() {
			for i := range work {
				reads[i] = r.readChange(ctx, ehr, ledger, uniq[i], freshByKey[uniq[i].Key])
			}
		})
	}
	for i := range uniq {
		work <- i
	}
	close(work)
	wg.Wait()
	var (
		appts     []carelogic.Appointment
		existing  []oncall.Appointment
		skipped   []Skip
		digests   = map[string]string{}               // key -> digest of the EHR appointment planned
		entries   = map[string]LedgerEntry{}          // key -> its entry before the run
		gone      = map[string]oncall.AppointmentID{} // key -> its OnCall appointment, for EHR appointments gone
		reconcile bool
		retry     []Change
		readNow   []oncall.Appointment // those of existing this pass read itself
	)
	for i, rd := range reads {
		c := uniq[i]
		if rd.err != nil {
			return nil, nil, rd.err
		}
		if rd.skip != "" {
			skipped = append(skipped, Skip{Key: c.Key, Reason: rd.skip, Attention: rd.attention})
		}
		reconcile = reconcile || rd.reconcile
		if rd.retry {
			retry = append(retry, c)
		}
		existing = append(existing, rd.existing...)
		if rd.readNow != nil {
			readNow = append(readNow, *rd.readNow)
		}
		if rd.paired {
			entries[c.Key] = rd.entry
			if rd.appt == nil {
				gone[c.Key] = rd.entry.Appointment
			}
		}
		if rd.appt != nil {
			appts = append(appts, *rd.appt)
			digests[c.Key] = rd.digest
		}
	}
	// The sources of appointments the EHR no longer has count as read, so that their OnCall appointments, orphans
	// now, are cancelled as Sync cancels them.
	goneSources := map[string]bool{}
	for key := range gone {
		if m := findAppointment(existing, gone[key]); m != nil {
			src, _ := m.Metadata.String(KeyEMRSource)
			goneSources[src] = true
		}
	}
	cs := plan(appts, existing, AllTime(), p, goneSources)
	cs.Skipped = append(cs.Skipped, skipped...)
	if !r.DryRun {
		var pending []LedgerEntry
		for _, a := range cs.Actions {
			// A recreate too: once it has superseded the old appointment, a crash before its outcome is recorded
			// must not leave the key paired with the old one, which a later event would take as gone.
			if a.Kind == ActionCreate || a.Kind == ActionRecreate {
				pending = append(pending, LedgerEntry{Key: a.Key, Pending: true, Updated: time.Now()})
			}
		}
		if len(pending) > 0 {
			if err := ledger.Put(ctx, pending...); err != nil {
				return nil, nil, fmt.Errorf("syncer: recording creates in the ledger before sending them: %w", err)
			}
		}
	}
	// The appointments this pass read serve an update of who is on them, as a listing pass's would
	// (MaxListingAge); a webhook's copy does not, as it may have waited behind other passes.
	read := &listing{appts: readNow, pageEnd: []int{len(readNow)}, pageAt: []time.Time{started}}
	rep, err := r.applyChangeset(ctx, cs, read)
	if rep == nil {
		return rep, retry, err
	}
	rep.Reconcile = reconcile || rep.hasPending()
	if r.DryRun {
		return rep, retry, err
	}
	if lerr := record(ctx, ledger, rep, entries, digests, gone); lerr != nil {
		rep.Warnings = append(rep.Warnings, "updating the ledger failed, so the next change of these appointments reads them again: "+lerr.Error())
	}
	// As Sync does: the EHR record gets the URL of the appointment it is now synced to (a new one's, a recreated
	// one's), so that nobody follows the link of a cancelled appointment.
	if store, ok := ehr.(carelogic.URLStore); ok && ctx.Err() == nil {
		r.storeURLs(ctx, store, appts, existing, rep)
	}
	if _, incomplete := err.(*IncompleteError); err == nil || incomplete {
		err = rep.incomplete()
	}
	return rep, retry, err
}

// record writes to the ledger what a SyncChanges run applied: each key planned gets its OnCall appointment and,
// when nothing about it failed or needs a person, the digest of the EHR appointment planned; a create that
// certainly failed loses its Pending entry, one whose outcome is still unknown keeps it.
func record(ctx context.Context, ledger Ledger, rep *Report, before map[string]LedgerEntry, digests map[string]string, gone map[string]oncall.AppointmentID) error {
	now := time.Now()
	outcomes := keyOutcomes(rep)
	keys := map[string]bool{}
	for key := range digests {
		keys[key] = true
	}
	for key := range gone {
		keys[key] = true
	}
	for key := range outcomes {
		keys[key] = true
	}
	var put []LedgerEntry
	var drop []string
	for key := range keys {
		o, id := outcomes[key], before[key].Appointment
		if o == nil {
			o = &keyOutcome{}
		}
		if o.created != 0 {
			id = o.created
		}
		switch {
		case o.pending:
			// A create or recreate that may have happened: whatever the key was paired with before (a recreate's
			// old appointment, now superseded), only a listing can tell what OnCall holds.
			put = append(put, LedgerEntry{Key: key, Pending: true, Updated: now})
		case o.dropped && id == 0:
			drop = append(drop, key)
		case id != 0:
			e := LedgerEntry{Key: key, Appointment: id, Updated: now}
			if !o.unsure {
				e.Digest = digests[key]
			}
			put = append(put, e)
		}
	}
	if len(put) > 0 {
		if err := ledger.Put(ctx, put...); err != nil {
			return err
		}
	}
	if len(drop) > 0 {
		return ledger.Delete(ctx, drop...)
	}
	return nil
}

func findAppointment(appts []oncall.Appointment, id oncall.AppointmentID) *oncall.Appointment {
	for i := range appts {
		if appts[i].ID == id {
			return &appts[i]
		}
	}
	return nil
}

// changeRead is what readChange found for one change.
type changeRead struct {
	err       error // the ledger could not be read, or ctx ended: the pass stops
	skip      string
	attention bool
	reconcile bool // only a full reconcile can settle it
	retry     bool // a read failed that may succeed later
	appt      *carelogic.Appointment
	digest    string
	paired    bool // entry names the OnCall appointment the key is synced to
	entry     LedgerEntry
	existing  []oncall.Appointment
	readNow   *oncall.Appointment // the OnCall appointment read by this pass, if any
}

// readChange reads what SyncChanges plans one change with: its EHR appointment, its ledger entry and, when the
// entry pairs it, its OnCall appointment (reported, if not nil, is one a webhook just read).
func (r *Runner) readChange(ctx context.Context, ehr carelogic.Adapter, ledger Ledger, c Change, reported *oncall.Appointment) changeRead {
	if len(c.Key) > MaxLedgerKeyBytes {
		return changeRead{skip: "its key is too long for the ledger: only the full reconcile syncs it"}
	}
	var a carelogic.Appointment
	var err error
	if kr, ok := ehr.(carelogic.KeyReader); ok {
		a, err = kr.AppointmentByKey(ctx, c.Key)
	} else {
		a, err = ehr.Appointment(ctx, c.ID)
	}
	found := err == nil
	switch {
	case errors.Is(err, carelogic.ErrNotFound):
	case err != nil:
		if ctx.Err() != nil {
			return changeRead{err: ctx.Err()}
		}
		return changeRead{skip: "the EHR could not be read: " + ehrErrorText(err), attention: true, retry: true}
	case a.Key() != c.Key:
		return changeRead{skip: fmt.Sprintf("the EHR answered for id %s with another appointment", displayID(c.ID)), attention: true}
	}
	e, ok, err := ledger.Get(ctx, c.Key)
	if err != nil {
		return changeRead{err: fmt.Errorf("syncer: reading the ledger: %w", err)}
	}
	var rd changeRead
	if found {
		rd.appt, rd.digest = &a, Digest(&a)
		if ok && !e.Pending && e.Digest == rd.digest && reported == nil {
			return changeRead{} // nothing the sync reads has changed
		}
	}
	switch {
	case ok && e.Pending:
		return changeRead{skip: "the ledger marks it pending (a create whose outcome is unknown, or one held for review): the next full reconcile decides", reconcile: true}
	case !ok && reported == nil:
		return rd // never synced: new, or gone and nothing to do
	}
	if !ok {
		// Reported by a webhook, unknown to the ledger (created elsewhere, or before the ledger): paired with
		// what the webhook read, never created again.
		e = LedgerEntry{Key: c.Key, Appointment: reported.ID}
	}
	if reported != nil {
		rd.existing = append(rd.existing, *reported)
	}
	if reported == nil || reported.ID != e.Appointment {
		m, err := r.Client.Appointments.Get(ctx, e.Appointment)
		switch {
		case errors.Is(err, oncall.ErrNotFound):
			return changeRead{skip: fmt.Sprintf("OnCall no longer has appointment %d: the next full reconcile finds where it went", e.Appointment),
				attention: true, reconcile: true}
		case err != nil:
			if ctx.Err() != nil {
				return changeRead{err: ctx.Err()}
			}
			return changeRead{skip: "reading its OnCall appointment failed: " + err.Error(), attention: true, retry: true}
		}
		rd.existing = append(rd.existing, *m)
		rd.readNow = m
	}
	rd.paired, rd.entry = true, e
	return rd
}
