package syncer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// update plans the changes that bring the OnCall appointment cand in line with the EHR appointment a. On OnCall's
// documented API (the default) that is at most one request, an update carrying the fields, the status, the
// participants list and the roster together (or a cancellation); with the participant extension, a request per
// participant change comes first.
func (pl *planner) update(a *carelogic.Appointment, key string, cand *candidate) {
	m := cand.m
	pr := &pl.pairing
	pr.pair(a, m, cand.clients)
	if m.Cancelled || closed(m.Status) {
		pl.closed(a, key, cand)
		return
	}
	if a.Deleted {
		pl.cancel(key, cand, "", "deleted in the EHR")
		return
	}
	if a.Kind == carelogic.Individual {
		c := a.Participants[0]
		if effectOf(c.Status) == EffectRemove && !pl.final(pr.participant(m, 0), pr.mark[0]) {
			pl.cancel(key, cand, c.ClientID, "1:1 client marked Error in the EHR")
			return
		}
		if pr.client[0] < 0 && pr.recorded.get(c.ClientID) == "" {
			pl.recreate(a, key, m)
			return
		}
	}
	if !live(a) && allRemoved(a) && !pl.anyFinal(a, m) {
		pl.cancel(key, cand, "", "every client marked Error in the EHR")
		return
	}
	// The planner's diff is reused from one appointment to the next; the slices it hands to the actions it emits
	// are not.
	pl.diff = diff{key: key, m: m}
	d := &pl.diff
	var ignored []string
	d.upd, d.fields, ignored = pl.fieldChanges(a, cand)
	if len(d.fields) > 0 {
		d.reasons = append(d.reasons, "changed in the EHR")
	}
	for _, f := range ignored {
		pl.attend(key, "", f+" not sent again: OnCall did not apply it when the sync last sent this value; change it in OnCall by hand")
	}
	rs := pl.clients(a, d)
	if len(d.changes) > 0 && cand.anyIgnored() && cand.ignored("participants", changesValue(d.changes)) {
		// OnCall did not apply these very changes when the sync last sent them: sending them again would write the
		// same list on every run. The roster keeps the clients as they were, so that nothing reads as done.
		for _, c := range d.changes {
			pl.attend(key, c.Client, fmt.Sprintf("participant change (%s: %s) not sent again: OnCall did not apply the participants list "+
				"when the sync last sent it; make the change in OnCall by hand", c.Op, c.Reason))
		}
		rs = rs.revert(pl.pairing.recorded, d.changes)
		d.changes = nil
		d.fields = slices.DeleteFunc(d.fields, func(f string) bool { return f == "participants" })
	}
	pl.complete(a, d, rs)
	rs = rs.normalize()
	pl.roster = rs
	if clients := cand.clients; !clients.ok || !rs.encodes(clients.v, pr.recorded, pr.canonical) || !metadataCurrent(cand, a) {
		if want, changed := withSyncKeys(m.Metadata, a, rs.encode()); changed {
			d.upd.Metadata = want
			d.fields = append(d.fields, "metadata")
		}
	}
	d.emit(pl)
}

// diff is what the plan of one appointment gathers before it becomes actions.
type diff struct {
	key     string
	m       *oncall.Appointment
	upd     oncall.AppointmentUpdateParams
	fields  []string
	reasons []string
	// client is the client the update concerns, when it concerns one (a 1:1's status).
	client string
	// changes are the participant changes the update makes (documented API).
	changes []ParticipantChange
	// acts are the participant requests made before the update (participant extension).
	acts []Action
}

// setStatus makes the update set the appointment's status, cancelling it too when cancel is set.
func (d *diff) setStatus(s oncall.AppointmentStatus, cancel bool, client, reason string) {
	d.upd.Status = oncall.Ptr(s)
	d.fields = append(d.fields, "status")
	if cancel {
		d.upd.Cancelled = oncall.Ptr(true)
		d.fields = append(d.fields, "cancelled")
	}
	d.client = client
	d.reasons = append(d.reasons, reason)
}

func (d *diff) change(c ParticipantChange) {
	if len(d.changes) == 0 {
		d.fields = append(d.fields, "participants")
	}
	d.changes = append(d.changes, c)
}

// emit adds the appointment's actions: the participant requests (extension) in a safe order, removals before
// additions so that a swap never takes a group past 25, then the update, or the cancellation it amounts to.
func (d *diff) emit(pl *planner) {
	slices.SortStableFunc(d.acts, func(x, y Action) int { return kindOrder[x.Kind] - kindOrder[y.Kind] })
	for _, act := range d.acts {
		pl.add(act)
	}
	if len(d.fields) == 0 {
		return
	}
	slices.SortStableFunc(d.fields, func(x, y string) int { return fieldOrder[x] - fieldOrder[y] })
	kind := ActionUpdate
	if d.upd.Cancelled != nil {
		kind = ActionCancel
	}
	if len(d.reasons) == 0 {
		// An update of the participants list alone gives its changes' reasons, so that the report says why.
		for _, c := range d.changes {
			if !slices.Contains(d.reasons, c.Reason) {
				d.reasons = append(d.reasons, c.Reason)
			}
		}
	}
	if len(d.reasons) == 0 {
		d.reasons = append(d.reasons, "changed in the EHR")
	}
	u := d.upd
	pl.add(Action{Kind: kind, Key: d.key, Appointment: d.m.ID, Client: d.client, Update: &u, Fields: d.fields,
		Participants: d.changes, Reason: strings.Join(d.reasons, "; ")})
}

// fieldOrder is the order an update names its fields in.
var fieldOrder = map[string]int{"title": 0, "type": 1, "datetime": 2, "duration": 3, "provider": 4, "status": 5,
	"cancelled": 6, "participants": 7, "metadata": 8}

// cancel plans a cancellation without a say in who cancelled (OnCall records the token's user), unless OnCall
// ignored the same cancellation before (KeyEMRIgnored), which is reported instead.
func (pl *planner) cancel(key string, cand *candidate, client, reason string) {
	if cand.ignored("cancelled", "true") {
		pl.attend(key, client, "not cancelled ("+reason+"): OnCall did not apply the cancellation when the sync sent it; cancel it in OnCall by hand")
		return
	}
	pl.add(Action{Kind: ActionCancel, Key: key, Appointment: cand.m.ID, Client: client,
		Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)}, Fields: []string{"cancelled"}, Reason: reason})
}

// complete sets the status Complete (Policy.CompleteWhenKept) when the EHR has every client who did not leave the
// appointment Kept, and at least one.
func (pl *planner) complete(a *carelogic.Appointment, d *diff, rs roster) {
	if !pl.policy.CompleteWhenKept || d.upd.Status != nil || !allKept(a) {
		return
	}
	for i, c := range a.Participants {
		if c.Status == carelogic.StatusKept && pl.pairing.mark[i] == markKept {
			return // sent before: a server that ignored it will not take it now
		}
	}
	d.setStatus(oncall.StatusComplete, false, "", "every client Kept in the EHR (Policy.CompleteWhenKept)")
	for i := range rs {
		if e := &rs[i]; e.mark == 0 && slices.ContainsFunc(a.Participants, func(c carelogic.Participant) bool {
			return c.ClientID == e.id && c.Status == carelogic.StatusKept
		}) {
			e.mark = markKept
		}
	}
}

// allKept reports whether a's clients are all Kept, apart from those who left (Error, CBC, CBT), and one at least.
func allKept(a *carelogic.Appointment) bool {
	kept := false
	for _, c := range a.Participants {
		switch c.Status {
		case carelogic.StatusKept:
			kept = true
		case carelogic.StatusError, carelogic.StatusCBC, carelogic.StatusCBT:
		default:
			return false
		}
	}
	return kept
}

// closed reports whether an appointment's status closes it: anything but Incomplete (completed, charged, a
// no-show).
func closed(s oncall.AppointmentStatus) bool { return s != "" && s != oncall.StatusIncomplete }

// closed plans an appointment that is cancelled or closed in OnCall: it is never reopened or changed, deletion
// included (cancelling a closed appointment would undo what was recorded or charged); what the EHR would still
// change is reported.
func (pl *planner) closed(a *carelogic.Appointment, key string, cand *candidate) {
	m := cand.m
	switch {
	case m.Cancelled && live(a) && (pl.policy.Now.IsZero() || a.End().After(pl.policy.Now)):
		// Still to come in the EHR, with nobody's room in OnCall: a person decides which is right.
		pl.attend(key, "", fmt.Sprintf("OnCall appointment %d is cancelled but still scheduled in the EHR; the sync does not reopen it: "+
			"record the cancellation in the EHR (PlanEHR proposes it) or book it again", m.ID))
	case m.Cancelled:
		if live(a) {
			pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is cancelled; the sync does not reopen it", m.ID))
		}
	case a.Deleted || pl.changesPending(a, cand):
		pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is closed (%s); EHR changes are not synced to it", m.ID, oncallStatusText(m.Status)))
	}
}

// fieldChanges returns the appointment fields that differ from the EHR, as update parameters and their names. A
// field OnCall ignored when the sync last sent this same value (KeyEMRIgnored) is not sent again: it is in ignored.
func (pl *planner) fieldChanges(a *carelogic.Appointment, cand *candidate) (upd oncall.AppointmentUpdateParams, fields, ignored []string) {
	m := cand.m
	// sendable reports whether a field that differs is to be sent: not when OnCall ignored this value before. The
	// value is rendered only for a field that differs, which is rare: planning a synced appointment allocates
	// nothing here.
	sendable := func(field, value string) bool {
		if cand.ignored(field, value) {
			ignored = append(ignored, field)
			return false
		}
		return true
	}
	if t := pl.title(a); m.Title != t && sendable("title", t) {
		upd.Title, fields = oncall.Ptr(t), append(fields, "title")
	}
	if t := appointmentType(a.Modality); m.Type != t && sendable("type", string(t)) {
		upd.Type, fields = oncall.Ptr(t), append(fields, "type")
	}
	if !sameStart(m.DateTime, a) && sendable("datetime", ignoredValue(start(a))) {
		upd.DateTime, fields = oncall.Ptr(start(a)), append(fields, "datetime")
	}
	if n := minutes(a.Duration); m.Duration != n && sendable("duration", ignoredValue(n)) {
		upd.Duration, fields = oncall.Ptr(n), append(fields, "duration")
	}
	if id := pl.policy.Providers[a.ProviderID]; id > 0 && m.Provider != id && sendable("provider", ignoredValue(int64(id))) {
		upd.Provider, fields = oncall.Ptr(id), append(fields, "provider")
	}
	return upd, fields, ignored
}

// changesPending reports whether the EHR differs from a closed OnCall appointment in anything the sync would
// otherwise write.
func (pl *planner) changesPending(a *carelogic.Appointment, cand *candidate) bool {
	if _, fields, _ := pl.fieldChanges(a, cand); len(fields) > 0 {
		return true
	}
	m, pr := cand.m, &pl.pairing
	for i, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := pr.participant(m, i)
		if p != nil && (eff.Effect == EffectRemove || eff.Effect == EffectSetStatus && !pl.visible(a, m, p, &eff) &&
			pr.mark[i] != statusMark(c.Status) && (pr.mark[i] != markDNSRecorded || pl.representable(a, &eff))) {
			return true
		}
	}
	return false
}
