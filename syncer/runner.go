package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Runner applies changesets through an oncall.Client. It is safe for concurrent use, though two runners syncing
// the same EHR appointments at once could each create one (matching is by the metadata they write): run one sync
// per EHR source at a time.
type Runner struct {
	// Client sends the requests; its rate limit paces the runner, whatever Concurrency is.
	Client *oncall.Client
	// Concurrency is how many appointments are worked on at once. The actions of one appointment are always
	// applied in order, one at a time. Zero (the default) follows the network: the runner starts with 4 and adds
	// workers, as the run goes, up to Client.SuggestedConcurrency, the requests in flight that hold the client's
	// rate limit at the round-trip time it observes (at most oncall.MaxSuggestedConcurrency). A value set here
	// is kept as it is.
	Concurrency int
	// PageSize is the page size of the listing pass (default 100).
	PageSize int
	// MaxListingAge is how long Sync may use an appointment's participants as its listing pass read them for an
	// update that changes who is on it. Such an update sends the whole list, so it is built from the appointment
	// as read: within MaxListingAge of the read, from the listing (one call per change, as the issue of calls per
	// change asks); after it, or when the update is not the appointment's first write of the run, from a fresh
	// read (two calls). A co-host added or a patient's cancellation made in OnCall between the read and the update
	// would be undone, so the window is kept short. Zero means DefaultMaxListingAge; a negative value reads every
	// such appointment again. Apply, which has no listing, always reads it.
	MaxListingAge time.Duration
	// DryRun plans and reports without writing anything to OnCall or the EHR.
	DryRun bool
	// Logger receives a line per action, without PHI: debug level when applied, info when a create's outcome is
	// ambiguous and it is to be looked up, warn when it failed. Nil is silent.
	Logger *slog.Logger
	// Progress, if set, is called as the run goes: after each page of the listing pass, and after each action. It
	// must be quick; calls do not overlap.
	Progress func(Progress)
}

// Progress is how far a run has come, for Runner.Progress.
type Progress struct {
	// Listed counts the OnCall appointments the listing pass has read so far.
	Listed int
	// Done counts the actions finished, applied or not, of Total planned; Failed counts those that failed so far.
	Done, Total, Failed int
}

// errEarlierFailed is the Err of an action not run because an earlier change to its appointment failed.
var errEarlierFailed = errors.New("not run: an earlier change to this appointment failed")

// DefaultMaxListingAge is Runner.MaxListingAge when zero: about the time one listing pass of a large account takes,
// so that a typical sync makes one call per change.
const DefaultMaxListingAge = 30 * time.Second

// maxCreateRounds bounds the look-up-then-retry rounds after ambiguous create failures.
const maxCreateRounds = 3

// Sync reads the EHR appointments that start in w, and every OnCall appointment, plans with p, and applies the
// plan: one listing pass plus one call per change (see Apply).
//
// Before it cancels an orphan (an OnCall appointment whose EHR appointment is not among those read), Sync asks
// the EHR for that appointment by id (Adapter.Appointment). One the EHR still holds was moved out of w rather than
// deleted: it is synced like the others, so that OnCall follows the new time instead of cancelling the patient's
// appointment. An orphan the EHR cannot be asked about is not cancelled but reported as skipped, since a
// cancellation notifies the patient and the sync never reopens a cancelled appointment.
//
// When the adapter implements carelogic.URLStore, every EHR appointment synced to a live OnCall appointment gets
// that appointment's URL stored on its record: those the run created, and those matched earlier whose record lacks
// it (an earlier run that ended early, or an adapter that could not store it then). Only differing URLs are
// written, and nothing is written by a dry run or a run that ctx ended, which the next run makes up for.
//
// OnCall lists appointments a numbered page at a time, so a listing that changes while Sync reads it shifts under
// it: an appointment may be read twice (it is planned once), or skipped, and a skipped one would look missing and
// be booked a second time. Two guards stand against that. Before it creates an appointment that was synced before
// (its EHR record holds its OnCall URL, see carelogic.URLStore; or, for Reconcile, the ledger pairs its key), Sync
// reads that OnCall appointment by id, and plans with it if it still carries the key. And a listing that shows a
// sign of a skip (its count fell, or more appointments came twice than were added meanwhile) is read again; what
// the first reading showed and the second did not is not created, but reported as needing attention, for the next
// sync to create if it is missing (Report.Listing says what happened). A skip can pass both unseen only for an
// appointment synced before whose record holds no URL (an EHR that keeps none, without a ledger), in a listing
// whose shifts cancel out.
//
// Sync takes the present from p.Now, or from the clock when that is zero, so that nothing already over is created.
// The window must be set (see Window; AllTime covers everything).
//
// When the run finishes with something left undone (an action that failed or that OnCall did not fully apply, a
// skip or review item that needs a person), the error is an *IncompleteError with the counts, returned with the
// full report; otherwise a non-nil error means the run could not go on (the EHR or the listing could not be read,
// ctx ended), and the report, if any, says what was done.
func (r *Runner) Sync(ctx context.Context, ehr carelogic.Adapter, w Window, p Policy) (*Report, error) {
	rep, _, err := r.sync(ctx, ehr, w, p, nil)
	return rep, err
}

// synced is what a full sync read, for Reconcile: the EHR appointments and the listing, the appointments the
// listing did not show and were read by id (see unlisted), and the keys whose creates it held back (holdCreates).
type synced struct {
	appts []carelogic.Appointment
	read  *listing
	found []oncall.Appointment
	held  []string
}

// sync is Sync, returning also what it read when it got as far as applying. ledger, if not nil, names the
// appointments synced before (see unlisted).
func (r *Runner) sync(ctx context.Context, ehr carelogic.Adapter, w Window, p Policy, ledger Ledger) (*Report, *synced, error) {
	if r.Client == nil {
		return nil, nil, errors.New("syncer: Runner.Client is nil")
	}
	if err := w.check(); err != nil {
		return nil, nil, err
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	var appts []carelogic.Appointment
	for a, err := range ehr.Appointments(ctx, w.From, w.To) {
		if err != nil {
			return nil, nil, fmt.Errorf("syncer: reading the EHR: %w", fromAdapter(err))
		}
		appts = append(appts, a)
	}
	read, err := r.list(ctx, r.Progress)
	if err != nil {
		return nil, nil, err
	}
	existing := read.appts
	listing := &ListingStats{Pages: read.pagesBefore + read.pages(), Appointments: len(existing), ReadTwice: read.pagesBefore > 0,
		Repeated: read.repeated, Unsteady: read.unsteady}
	for i := range existing {
		if at := existing[i].DateTime; !at.Before(w.From) && at.Before(w.To) {
			listing.InWindow++
		}
	}
	cs, err := r.plan(ctx, ehr, &appts, existing, w, p)
	if err != nil {
		return nil, nil, err
	}
	found, hold := r.unlisted(ctx, cs, appts, ledger)
	if len(found) > 0 {
		existing = append(slices.Clip(existing), found...)
		if cs, err = r.plan(ctx, ehr, &appts, existing, w, p); err != nil {
			return nil, nil, err
		}
	}
	var held []string
	if len(hold) > 0 || read.earlier != nil {
		cs, held = holdCreates(cs, hold, read.earlier)
	}
	rep, err := r.applyChangeset(ctx, cs, read)
	if rep != nil {
		rep.Listing = listing
	}
	if store, ok := ehr.(carelogic.URLStore); ok && !r.DryRun && rep != nil && ctx.Err() == nil {
		r.storeURLs(ctx, store, appts, existing, rep)
		if _, incomplete := err.(*IncompleteError); err == nil || incomplete {
			err = rep.incomplete() // the URLs' warnings count too
		}
	}
	return rep, &synced{appts: appts, read: read, found: found, held: held}, err
}

// plan plans the sync, checking each orphan the plan would cancel with the EHR (see Sync). Appointments found
// that way are added to *appts.
func (r *Runner) plan(ctx context.Context, ehr carelogic.Adapter, appts *[]carelogic.Appointment, existing []oncall.Appointment, w Window, p Policy) (*Changeset, error) {
	cs := Plan(*appts, existing, w, p)
	read := make(map[string]bool, len(*appts))
	for i := range *appts {
		read[(*appts)[i].Key()] = true
	}
	var byID map[oncall.AppointmentID]*oncall.Appointment
	var found []carelogic.Appointment
	unconfirmed := map[string]string{} // EHR key -> why the EHR could not say
	for _, a := range cs.Actions {
		if a.Kind != ActionCancel || read[a.Key] {
			continue
		}
		if byID == nil {
			byID = make(map[oncall.AppointmentID]*oncall.Appointment, len(existing))
			for i := range existing {
				byID[existing[i].ID] = &existing[i]
			}
		}
		m := byID[a.Appointment]
		if m == nil {
			continue
		}
		id, _ := m.Metadata.String(KeyEMRID)
		got, err := ehr.Appointment(ctx, id)
		switch {
		case errors.Is(err, carelogic.ErrNotFound):
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("syncer: reading the EHR: %w", ctx.Err())
			}
			unconfirmed[a.Key] = ehrErrorText(err)
		case got.Key() == a.Key:
			found = append(found, got)
			read[a.Key] = true
		}
	}
	if len(found) > 0 {
		*appts = append(*appts, found...)
		cs = Plan(*appts, existing, w, p)
	}
	if len(unconfirmed) > 0 {
		kept := cs.Actions[:0]
		for _, a := range cs.Actions {
			if _, held := unconfirmed[a.Key]; !held || a.Kind != ActionCancel {
				kept = append(kept, a)
			}
		}
		cs.Actions = kept
		for _, key := range slices.Sorted(maps.Keys(unconfirmed)) {
			cs.Skipped = append(cs.Skipped, Skip{Key: key, Attention: true,
				Reason: "not cancelled: the EHR could not say whether it still has this appointment: " + unconfirmed[key]})
		}
	}
	return cs, nil
}

// storeURLs stores on each EHR record the URL of its live OnCall appointment, where the record holds another.
func (r *Runner) storeURLs(ctx context.Context, store carelogic.URLStore, appts []carelogic.Appointment, existing []oncall.Appointment, rep *Report) {
	// The OnCall appointment the plan matched (the oldest live one), unless the run replaced or cancelled it.
	matched := map[string]*oncall.Appointment{}
	for i := range existing {
		m := &existing[i]
		key := appointmentKey(m.Metadata)
		if key == "" || m.Cancelled || superseded(m.Metadata) || m.URL == "" {
			continue
		}
		if prev := matched[key]; prev == nil || m.ID < prev.ID {
			matched[key] = m
		}
	}
	urls := make(map[string]string, len(matched))
	for key, m := range matched {
		urls[key] = m.URL
	}
	for i := range rep.Actions {
		res := &rep.Actions[i]
		switch res.Kind {
		case ActionCreate, ActionRecreate:
			delete(urls, res.Key)
			if res.Outcome == OutcomeApplied && res.URL != "" {
				urls[res.Key] = res.URL
			}
		case ActionCancel:
			delete(urls, res.Key)
		}
	}
	for i := range appts {
		a := &appts[i]
		url := urls[a.Key()]
		if a.Deleted || url == "" || a.OnCallURL == url {
			continue
		}
		if err := store.SetOnCallURL(ctx, a.ID, url); err != nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s: storing the OnCall URL on the EHR record: %s", displayKey(a.Key()), ehrErrorText(err)))
		}
	}
}

// Apply applies a changeset: the actions of each appointment in order, different appointments concurrently.
//
// It never creates a duplicate. A create that failed ambiguously (a 5xx, a timeout, a connection lost after the
// request was sent) may have succeeded, so it is not retried blindly: once every other action is done, the
// runner lists OnCall again and retries only the creates whose EHR key is still missing. An update that invites
// someone, and a participant added through the extension, are checked the same way, by reading the appointment.
// An update that changes who is on an appointment reads it first and applies the planned changes to its
// participants as they are then (Action.ParticipantEntries); Sync uses its listing pass's read instead, when
// recent enough (MaxListingAge).
//
// The report counts what was applied, lists failures with their reasons (ActionResult.Err) and what was skipped,
// and the actions OnCall answered without applying every field (OutcomeIgnored). The error is ctx's when it ended
// the run (the report then says what was done), and otherwise an *IncompleteError when anything is left undone
// (see Sync).
func (r *Runner) Apply(ctx context.Context, cs *Changeset) (*Report, error) {
	return r.applyChangeset(ctx, cs, nil)
}

// applyChangeset is Apply after the listing pass read, if not nil: it reports progress with the number of
// appointments read, and updates that change who is on an appointment may use the participants it read.
func (r *Runner) applyChangeset(ctx context.Context, cs *Changeset, read *listing) (*Report, error) {
	listed := 0
	if read != nil {
		listed = len(read.appts)
	}
	if cs == nil {
		cs = &Changeset{}
	}
	rep := newReport(cs, r.DryRun)
	if r.DryRun {
		for i := range rep.Actions {
			rep.Actions[i].Outcome = OutcomePlanned
		}
		rep.finish()
		return rep, rep.incomplete()
	}
	if r.Client == nil {
		return nil, errors.New("syncer: Runner.Client is nil")
	}
	groups := cs.Groups()
	total := len(cs.Actions)
	var (
		mu      sync.Mutex
		done    int
		failed  int
		pending []int // indexes into rep.Actions of ambiguous creates
	)
	finish := func(i int, res ActionResult) {
		mu.Lock()
		defer mu.Unlock()
		rep.Actions[i] = res
		done++
		switch res.Outcome {
		case OutcomeAmbiguous:
			pending = append(pending, i)
		case OutcomeFailed, OutcomeNotRun:
			failed++
		}
		if r.Progress != nil {
			r.Progress(Progress{Listed: listed, Done: done, Total: total, Failed: failed})
		}
	}
	// index of each group's first action in rep.Actions
	starts := make([]int, len(groups))
	for g, n := 1, 0; g < len(groups); g++ {
		n += len(groups[g-1])
		starts[g] = n
	}
	work := make(chan int)
	var wg sync.WaitGroup
	workers := 0
	grow := func(n int) {
		for ; workers < n; workers++ {
			wg.Go(func() {
				for g := range work {
					r.applyGroup(ctx, groups[g], starts[g], rep, finish, read)
				}
			})
		}
	}
	grow(min(max(cmpOr(r.Concurrency, 4), 1), max(len(groups), 1)))
feed:
	for g := range groups {
		if r.Concurrency == 0 {
			// Little's law, measured as the run goes: the workers already started stay, and more join when the
			// round trips the client has timed need them to hold its rate.
			grow(min(r.Client.SuggestedConcurrency(), len(groups)))
		}
		select {
		case work <- g:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// The groups never started, and the creates that may or may not have happened: the next sync's listing
		// pass finds whatever did.
		for i := range rep.Actions {
			switch res := &rep.Actions[i]; {
			case res.Outcome == OutcomeNotRun && res.Error == "":
				res.Err, res.Error = err, "not run: "+err.Error()
			case res.Outcome == OutcomeAmbiguous:
				res.Outcome = OutcomeFailed
				res.Error += "; the run ended before a look-up: the next sync will find or create it"
			}
		}
	} else {
		r.resolveCreates(ctx, rep, pending)
	}
	rep.finish()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, rep.incomplete()
}

// applyGroup applies one appointment's actions in order. After a participant change fails, the appointment's
// final update is sent without the roster metadata, so that the roster never records a change that did not happen.
// Its first action may use the appointment as the listing read it (Runner.MaxListingAge); later ones follow a
// write of the run, so they read it again.
func (r *Runner) applyGroup(ctx context.Context, acts []Action, start int, rep *Report, finish func(int, ActionResult), read *listing) {
	failed := false
	for k, a := range acts {
		i := start + k
		if ctx.Err() != nil {
			finish(i, ActionResult{Action: a, Outcome: OutcomeNotRun, Err: ctx.Err(), Error: "not run: " + ctx.Err().Error()})
			continue
		}
		if failed && a.Kind == ActionUpdate && a.Update != nil && a.Update.Metadata != nil {
			a = withoutMetadata(a)
			if a.Update == nil {
				finish(i, ActionResult{Action: acts[k], Outcome: OutcomeNotRun, Err: errEarlierFailed, Error: errEarlierFailed.Error()})
				continue
			}
		}
		var listed *oncall.Appointment
		if k == 0 && a.Appointment != 0 {
			listed = read.recent(a.Appointment, cmp.Or(r.MaxListingAge, DefaultMaxListingAge), time.Now())
		}
		res := r.apply(ctx, a, listed)
		// An ignored field does not hold back the roster: the write happened, and the roster records what was
		// sent, so that it is not sent again.
		if res.Outcome != OutcomeApplied && res.Outcome != OutcomeIgnored {
			failed = true
		}
		r.logResult(ctx, res)
		finish(i, res)
	}
}

func withoutMetadata(a Action) Action {
	u := *a.Update
	u.Metadata = nil
	a.Fields = removeField(a.Fields, "metadata")
	if len(a.Fields) == 0 {
		a.Update = nil
		return a
	}
	a.Update = &u
	return a
}

func removeField(fields []string, f string) []string {
	out := make([]string, 0, len(fields))
	for _, x := range fields {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

// apply performs one action; listed, if not nil, is its appointment as recently read.
func (r *Runner) apply(ctx context.Context, a Action, listed *oncall.Appointment) ActionResult {
	appts := r.Client.Appointments
	var err error
	switch a.Kind {
	case ActionCreate:
		return r.create(ctx, a)
	case ActionRecreate:
		var old *oncall.Appointment
		if old, err = appts.Update(ctx, a.Appointment, a.Update); err != nil && !errors.Is(err, oncall.ErrWriteIgnored) {
			break
		}
		if err != nil {
			// The old appointment is still live, or not marked superseded: creating its replacement now would
			// leave two.
			return r.result(ctx, a, old, err)
		}
		res := r.create(ctx, a)
		if res.Outcome == OutcomeFailed {
			// The next sync creates the replacement: the old appointment, now superseded, no longer matches.
			res.Error = "the old appointment was cancelled, but creating its replacement failed: " + res.Error
		}
		return res
	case ActionUpdate, ActionCancel:
		if len(a.Participants) > 0 {
			return r.updateParticipants(ctx, a, listed)
		}
		var got *oncall.Appointment
		if a.Update == nil {
			got, err = appts.Cancel(ctx, a.Appointment)
		} else {
			got, err = appts.Update(ctx, a.Appointment, a.Update)
		}
		return r.result(ctx, a, got, err)
	case ActionSetStatus:
		_, err = r.Client.Participants.SetStatus(ctx, a.Participant, a.Status)
	case ActionUpdateParticipant:
		_, err = r.Client.Participants.Update(ctx, a.Participant, a.ParticipantUpdate)
	case ActionRemoveParticipant:
		err = r.Client.Participants.Delete(ctx, a.Participant)
		if errors.Is(err, oncall.ErrNotFound) {
			err = nil // already gone: the outcome wanted
		}
	case ActionAddParticipant:
		return r.addParticipant(ctx, a)
	default:
		err = fmt.Errorf("syncer: unknown action kind %q", a.Kind)
	}
	return r.result(ctx, a, nil, err)
}

// result is the outcome of a write: applied, failed, or applied with fields OnCall ignored. For an appointment
// write (got is its answer) the ignored values are recorded on the appointment so that no later plan sends them
// again.
func (r *Runner) result(ctx context.Context, a Action, got *oncall.Appointment, err error) ActionResult {
	return r.resultAfter(ctx, a, nil, got, err)
}

// resultAfter is result for an update of the participants list, which before is the appointment as read just
// before: if OnCall did not apply the list, the roster the update wrote is put back for the clients it concerned.
func (r *Runner) resultAfter(ctx context.Context, a Action, before, got *oncall.Appointment, err error) ActionResult {
	res := ActionResult{Action: a, Outcome: OutcomeApplied}
	var wi *oncall.WriteIgnoredError
	switch {
	case err == nil:
	case errors.As(err, &wi):
		res.Outcome, res.Err, res.Error = OutcomeIgnored, err, err.Error()
		if got != nil {
			if note := r.recordIgnored(ctx, got, wi.Fields, sentValues(a), r.rosterBefore(a, got, wi.Fields, before)); note != "" {
				res.Note = note
			}
		}
	default:
		res.Outcome, res.Err, res.Error = OutcomeFailed, err, err.Error()
	}
	return res
}

// rosterBefore returns the roster to record after OnCall ignored fields of the update a: when the participants list
// was not applied but the roster written with it was, the roster with the clients a's participant changes concern
// put back as before (the appointment read before the update) held them; otherwise "", to leave it.
func (r *Runner) rosterBefore(a Action, got *oncall.Appointment, fields []string, before *oncall.Appointment) string {
	if before == nil || len(a.Participants) == 0 || !slices.Contains(fields, "participants") || a.Update == nil {
		return ""
	}
	sent, ok := a.Update.Metadata.String(KeyEMRClients)
	if now, _ := got.Metadata.String(KeyEMRClients); !ok || now != sent {
		return "" // the roster did not take either
	}
	prior, _ := before.Metadata.String(KeyEMRClients)
	return decodeRoster(sent).revert(decodeRoster(prior), a.Participants).encode()
}

// sentValues renders the fields an action writes, as KeyEMRIgnored hashes them: the scalar fields, and the
// participant changes as one value.
func sentValues(a Action) map[string]string {
	out := map[string]string{}
	if len(a.Participants) > 0 {
		out["participants"] = changesValue(a.Participants)
	}
	if u := a.Update; u != nil && a.Kind != ActionRecreate {
		put := func(field string, set bool, v any) {
			if set {
				out[field] = ignoredValue(v)
			}
		}
		put("title", u.Title != nil, deref(u.Title))
		put("type", u.Type != nil, string(deref(u.Type)))
		put("datetime", u.DateTime != nil, deref(u.DateTime).Truncate(time.Second))
		put("duration", u.Duration != nil, deref(u.Duration))
		put("provider", u.Provider != nil, int64(deref(u.Provider)))
		put("status", u.Status != nil, string(deref(u.Status)))
		put("cancelled", u.Cancelled != nil, deref(u.Cancelled))
	}
	if c := a.Create; c != nil && a.Kind == ActionCreate {
		out["title"], out["type"] = c.Title, string(c.Type)
		out["datetime"], out["duration"] = ignoredValue(c.DateTime.Truncate(time.Second)), ignoredValue(c.Duration)
		out["provider"] = ignoredValue(int64(c.Provider))
	}
	return out
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// recordIgnored writes into got's metadata (KeyEMRIgnored) the fields OnCall did not apply, each with a hash of the
// value sent, and the roster to put back (if not ""), and returns a note for the report when that could not be
// done. Metadata itself, when ignored, cannot be recorded.
func (r *Runner) recordIgnored(ctx context.Context, got *oncall.Appointment, fields []string, sent map[string]string, roster string) string {
	md := maps.Clone(got.Metadata)
	if md == nil {
		md = oncall.Metadata{}
	}
	rec := map[string]string{}
	if v, ok := md.String(KeyEMRIgnored); ok {
		rec = decodeIgnored(v)
	}
	changed := false
	for _, f := range fields {
		if v, ok := sent[f]; ok && rec[f] != valueHash(v) {
			rec[f], changed = valueHash(v), true
		}
	}
	if slices.Contains(fields, "metadata") {
		return "OnCall did not store the sync's metadata: later plans may not recognise this appointment"
	}
	if now, _ := md.String(KeyEMRClients); roster != "" && roster != now {
		md[KeyEMRClients], changed = roster, true
	}
	if !changed {
		return ""
	}
	md[KeyEMRIgnored] = encodeIgnored(rec)
	if _, err := r.Client.Appointments.Update(ctx, got.ID, &oncall.AppointmentUpdateParams{Metadata: md}); err != nil {
		return "recording what OnCall ignored failed, so the next sync sends it again: " + err.Error()
	}
	return "recorded in " + KeyEMRIgnored + ": not sent again"
}

// updateParticipants sends an update that changes who is on the appointment (documented API): it applies the
// planned changes to the appointment's participants as they are now (Action.ParticipantEntries), from listed if
// not nil (read moments ago: see Runner.MaxListingAge) or else from a fresh read, and sends the list with the
// other fields. The client does not repeat a list once it may have reached the server (oncall.RetryPolicy); after
// such an ambiguous failure, it reads the appointment again and builds the list from that, so that nobody is
// invited twice and no change made in OnCall meanwhile (a patient's cancellation, a co-host) is undone.
func (r *Runner) updateParticipants(ctx context.Context, a Action, listed *oncall.Appointment) ActionResult {
	for attempt := 0; ; attempt++ {
		cur := listed
		if attempt > 0 || cur == nil {
			var err error
			if cur, err = r.Client.Appointments.Get(ctx, a.Appointment); err != nil {
				res := r.result(ctx, a, nil, err)
				if attempt > 0 {
					res.Error = "reading the appointment again after an ambiguous failure: " + res.Error
				}
				return res
			}
		}
		upd := oncall.AppointmentUpdateParams{}
		if a.Update != nil {
			upd = *a.Update
		}
		upd.Participants = a.ParticipantEntries(cur.Participants)
		got, err := r.Client.Appointments.Update(ctx, a.Appointment, &upd)
		if err == nil || !ambiguous(err) || ctx.Err() != nil || attempt == maxCreateRounds-1 {
			res := r.resultAfter(ctx, a, cur, got, err)
			if attempt > 0 && res.Outcome != OutcomeFailed {
				res.Note = strings.TrimPrefix(res.Note+"; sent again after reading the appointment", "; ")
			}
			return res
		}
	}
}

// ambiguous reports whether a failed write may nonetheless have taken effect.
func ambiguous(err error) bool {
	var reqErr *oncall.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.Sent
	}
	var apiErr *oncall.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 || apiErr.StatusCode == http.StatusRequestTimeout
	}
	var decErr *oncall.DecodeError
	return errors.As(err, &decErr) // a 2xx we could not read: it happened
}

func (r *Runner) create(ctx context.Context, a Action) ActionResult {
	created, err := r.Client.Appointments.Create(ctx, a.Create)
	if err != nil && ambiguous(err) && ctx.Err() == nil {
		return ActionResult{Action: a, Outcome: OutcomeAmbiguous, Err: err, Error: err.Error()}
	}
	res := r.result(ctx, a, created, err)
	if created != nil {
		res.Created, res.URL = created.ID, created.URL
	}
	return res
}

// resolveCreates settles ambiguous creates: one listing pass per round finds those that did happen; only the
// others are created again.
func (r *Runner) resolveCreates(ctx context.Context, rep *Report, pending []int) {
	for round := 0; len(pending) > 0 && round < maxCreateRounds; round++ {
		read, err := r.list(ctx, nil)
		if err != nil {
			for _, i := range pending {
				rep.Actions[i].Outcome = OutcomeFailed
				rep.Actions[i].Error += "; then the look-up failed: " + err.Error()
			}
			return
		}
		found := map[string]*oncall.Appointment{}
		for j := range read.appts {
			m := &read.appts[j]
			if key := appointmentKey(m.Metadata); key != "" && !m.Cancelled && !superseded(m.Metadata) {
				if _, dup := found[key]; !dup {
					found[key] = m
				}
			}
		}
		var again []int
		for _, i := range pending {
			res := &rep.Actions[i]
			if e, ok := read.earlier[res.Key]; ok && e.live && found[res.Key] == nil {
				found[res.Key] = &oncall.Appointment{ID: e.id, URL: e.url} // shown by the first reading of a listing that moved
			}
			if m := found[res.Key]; m != nil {
				res.Outcome, res.Err, res.Error, res.Created, res.URL = OutcomeApplied, nil, "", m.ID, m.URL
				res.Note = "confirmed by look-up after an ambiguous failure"
				r.logResult(ctx, *res)
				continue
			}
			if read.unsteady {
				res.Outcome = OutcomeFailed
				res.Error += "; then the look-up's listing moved while it was read (twice): not created again, the next sync will find or create it"
				r.logResult(ctx, *res)
				continue
			}
			retry := r.create(ctx, res.Action)
			retry.Note = "created again after a look-up found nothing"
			*res = retry
			r.logResult(ctx, *res)
			if res.Outcome == OutcomeAmbiguous {
				again = append(again, i)
			}
		}
		pending = again
	}
	for _, i := range pending {
		rep.Actions[i].Outcome = OutcomeFailed
		rep.Actions[i].Error += "; still unresolved after look-ups: the next sync will find or create it"
		r.logResult(ctx, rep.Actions[i])
	}
}

// addParticipant adds a participant (participant extension), checking the appointment before a retry after an
// ambiguous failure so that nobody is invited twice.
func (r *Runner) addParticipant(ctx context.Context, a Action) ActionResult {
	note := ""
	for attempt := 0; ; attempt++ {
		_, err := r.Client.Participants.Create(ctx, &oncall.ParticipantCreateParams{Appointment: a.Appointment, ParticipantParams: *a.Add})
		if err == nil || !ambiguous(err) || ctx.Err() != nil || attempt == maxCreateRounds-1 {
			res := r.result(ctx, a, nil, err)
			if res.Outcome == OutcomeFailed && ambiguous(err) {
				res.Error += "; it may have been added: the next sync will see it"
			}
			res.Note = note
			return res
		}
		m, gerr := r.Client.Appointments.Get(ctx, a.Appointment)
		if gerr != nil {
			res := r.result(ctx, a, nil, err)
			res.Error += "; then the look-up failed: " + gerr.Error()
			return res
		}
		for _, p := range m.Participants {
			if strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(a.Add.Email)) {
				return ActionResult{Action: a, Outcome: OutcomeApplied, Note: "confirmed by look-up after an ambiguous failure"}
			}
		}
		note = "added again after a look-up found nothing"
	}
}

// logResult logs an action's outcome: applied at debug level, an ambiguous create (which Apply goes on to look up)
// at info, a failure or a write OnCall did not fully apply at warn. Like the report, the line names keys, ids and
// kinds, never a patient.
func (r *Runner) logResult(ctx context.Context, res ActionResult) {
	if r.Logger == nil {
		return
	}
	level, msg := slog.LevelDebug, "oncall sync action applied"
	switch res.Outcome {
	case OutcomeAmbiguous:
		level, msg = slog.LevelInfo, "oncall sync action ambiguous: it will be looked up"
	case OutcomeFailed, OutcomeNotRun:
		level, msg = slog.LevelWarn, "oncall sync action failed"
	case OutcomeIgnored:
		level, msg = slog.LevelWarn, "oncall sync action not fully applied: OnCall ignored part of it"
	}
	attrs := []slog.Attr{slog.String("kind", string(res.Kind)), slog.String("key", displayKey(res.Key))}
	if res.Appointment != 0 {
		attrs = append(attrs, slog.Int64("appointment", int64(res.Appointment)))
	}
	if res.Created != 0 {
		attrs = append(attrs, slog.Int64("created", int64(res.Created)))
	}
	if res.Error != "" {
		attrs = append(attrs, slog.String("error", res.Error))
	}
	if res.Note != "" {
		attrs = append(attrs, slog.String("note", res.Note))
	}
	r.Logger.LogAttrs(ctx, level, msg, attrs...)
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
