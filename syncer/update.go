package syncer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
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
		want := maps.Clone(m.Metadata)
		if want == nil {
			want = oncall.Metadata{}
		}
		maps.Copy(want, baseMetadata(a))
		want[KeyEMRClients] = rs.encode()
		if !metadataEqual(want, m.Metadata) {
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

// clients plans each client's place on the appointment (added, removed, email, status) into d, and returns the
// roster to record.
func (pl *planner) clients(a *carelogic.Appointment, d *diff) roster {
	m, pr := d.m, &pl.pairing
	recorded := pr.recorded
	rs := pl.roster[:0]
	// Participants leave before others join, so count what remains after removals before checking the limit.
	count := len(m.Participants)
	for i, c := range a.Participants {
		if p := pr.participant(m, i); p != nil && effectOf(c.Status) == EffectRemove && !pl.final(p, pr.mark[i]) {
			count--
		}
	}
	for j := range m.Participants {
		if _, ok := recorded.clientFor(&pr.digests[j]); !pr.taken[j] && ok {
			count--
		}
	}
	for i, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := pr.participant(m, i)
		mark := pr.mark[i]
		if p == nil {
			// The roster's entry for a client, where there is one, is kept as it is (mark is its mark).
			switch rec := recorded.find(c.ClientID); {
			case eff.Effect == EffectRemove && rec != nil:
				rs = append(rs, *rec)
			case eff.Effect == EffectRemove:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
			case rec != nil:
				// On the roster but not on the appointment: removed for Error, or never invited because it was
				// already cancelled when the appointment was created. Either way the sync does not add it back.
				rs = append(rs, *rec)
				if eff.Effect == EffectNone {
					pl.skip(d.key, c.ClientID, "client was removed from the OnCall appointment earlier and is not added back")
				}
			case !invitable(c.Status):
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)}) // joined already cancelled or absent: recorded, not invited
			case count >= oncall.MaxParticipants:
				pl.attend(d.key, c.ClientID, fmt.Sprintf("not added: the OnCall appointment already has %d participants", count))
			default:
				add := &oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee}
				if err := add.Validate(); err != nil {
					// OnCall would refuse the whole update, and every other change to the appointment with it.
					pl.attend(d.key, c.ClientID, notInvited(err))
					continue
				}
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
				count++
				const why = "added to the group in the EHR"
				if pl.policy.UndocumentedParticipantAPI {
					d.acts = append(d.acts, Action{Kind: ActionAddParticipant, Key: d.key, Appointment: m.ID, Client: c.ClientID, Add: add, Reason: why})
				} else {
					d.change(ParticipantChange{Op: ParticipantAdd, Client: c.ClientID, Add: add, Reason: why})
				}
			}
			continue
		}
		rs = append(rs, rosterEntry{id: c.ClientID, d: pr.digests[pr.client[i]], mark: mark})
		if eff.Effect == EffectRemove {
			if pl.final(p, mark) {
				pl.skip(d.key, c.ClientID, fmt.Sprintf("EHR status Error not synced: %s, and later status changes do not sync", pl.held(p, mark)))
				continue
			}
			const why = "marked Error in the EHR"
			if pl.policy.UndocumentedParticipantAPI {
				d.acts = append(d.acts, Action{Kind: ActionRemoveParticipant, Key: d.key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID, Reason: why})
			} else {
				d.change(ParticipantChange{Op: ParticipantRemove, Client: c.ClientID, Participant: p.ID, Reason: why})
			}
			continue
		}
		if c.Email != "" && !strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(c.Email)) {
			dc := digestOf(c.Email)
			switch rec := pr.recorded.find(c.ClientID); {
			case rec != nil && rec.is(dc):
				// The EHR still has the address the client was invited with: it is OnCall's that changed, by
				// someone who meant it. The EHR's is not pushed back over it.
				pl.skip(d.key, c.ClientID, "email changed in OnCall since the sync invited the client; the EHR's is not sent back over it")
				rs[len(rs)-1] = *rec // and the roster keeps the EHR's (mark is its mark)
			case !plausibleEmail(c.Email):
				pl.attend(d.key, c.ClientID, "email changed in the EHR to one OnCall would refuse (malformed); correct it in the EHR")
			case pl.policy.DisableEmailPropagation:
				pl.skip(d.key, c.ClientID, "email changed in the EHR; update the OnCall participant by hand (DisableEmailPropagation is set)")
			case !pl.policy.Now.IsZero() && !a.Start.After(pl.policy.Now):
				pl.skip(d.key, c.ClientID, "email changed in the EHR; not carried to an appointment that has started")
			default:
				rs[len(rs)-1].d = digestOf(c.Email)
				const why = "email changed in the EHR"
				if pl.policy.UndocumentedParticipantAPI {
					d.acts = append(d.acts, Action{Kind: ActionUpdateParticipant, Key: d.key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
						ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr(c.Email)}, Fields: []string{"email"}, Reason: why})
				} else {
					d.change(ParticipantChange{Op: ParticipantEmail, Client: c.ClientID, Participant: p.ID, Email: c.Email, Reason: why})
				}
			}
		}
		if newMark := pl.status(a, d, p, c, eff, mark); newMark != 0 {
			rs[len(rs)-1].mark = newMark
		}
	}
	for j := range m.Participants {
		if pr.taken[j] {
			continue
		}
		if client, ok := recorded.clientFor(&pr.digests[j]); ok {
			const why = "no longer on the appointment in the EHR"
			if pl.policy.UndocumentedParticipantAPI {
				d.acts = append(d.acts, Action{Kind: ActionRemoveParticipant, Key: d.key, Appointment: m.ID, Participant: m.Participants[j].ID, Client: client, Reason: why})
			} else {
				d.change(ParticipantChange{Op: ParticipantRemove, Client: client, Participant: m.Participants[j].ID, Reason: why})
			}
		}
		// Otherwise it was added directly in OnCall (a co-host or third party): it stays.
	}
	return rs
}

// status plans a paired client's status and returns the mark to record for it, or 0 to keep the one recorded.
// A status is sent once: a client whose mark is the status's is not sent it again, whatever OnCall shows (a server
// that ignored it would not take it the next time either). After DNS, CBT or CBC, later EHR changes do not sync
// unless the policy allows it: that is the CareLogic integration's documented behaviour.
func (pl *planner) status(a *carelogic.Appointment, d *diff, p *oncall.Participant, c carelogic.Participant, eff StatusMapping, mark byte) byte {
	// A group DNS recorded but never sent (documented API) is sent once the extension can show it, unless OnCall
	// holds another outcome for the client meanwhile.
	recordedDNS := mark == markDNSRecorded && c.Status == carelogic.StatusDNS
	switch {
	case eff.Effect == EffectSetStatus && pl.visible(a, d.m, p, eff):
		return 0
	case eff.Effect == EffectSetStatus && mark == statusMark(c.Status):
		if pl.representable(a, eff) { // a group DNS sent with the extension, now off, is simply not visible
			pl.attend(d.key, c.ClientID, fmt.Sprintf("EHR status %s not sent again: the sync sent it before and OnCall did not apply it", ehrStatusText(c.Status)))
		}
		return 0
	case eff.Effect == EffectSetStatus && recordedDNS && !pl.representable(a, eff):
		return 0 // recorded before, and still not something OnCall can show
	case eff.Effect == EffectSetStatus && pl.final(p, mark) && !(recordedDNS && pl.holding(p, 0) == heldNot):
		pl.skip(d.key, c.ClientID, fmt.Sprintf("EHR status %s not synced: %s, and later status changes do not sync", ehrStatusText(c.Status), pl.held(p, mark)))
		return 0
	case eff.Effect == EffectSetStatus:
		why := "marked " + string(c.Status) + " in the EHR"
		switch {
		case pl.policy.UndocumentedParticipantAPI:
			d.acts = append(d.acts, Action{Kind: ActionSetStatus, Key: d.key, Appointment: d.m.ID, Participant: p.ID, Client: c.ClientID,
				Status: eff.Participant, Reason: why})
		case a.Kind == carelogic.Individual:
			d.setStatus(eff.Appointment, eff.Cancels, c.ClientID, why)
		case eff.Cancels:
			d.change(ParticipantChange{Op: ParticipantWithdraw, Client: c.ClientID, Participant: p.ID, Reason: why})
		default:
			pl.skip(d.key, c.ClientID, "DNS not synced: OnCall's documented API has no no-show for one participant of a group; "+
				"recorded so that it is not reported again (Policy.UndocumentedParticipantAPI sends it where the server has the extension)")
			return markDNSRecorded
		}
		return statusMark(c.Status)
	case pl.holding(p, mark) != heldNot:
		pl.skip(d.key, c.ClientID, fmt.Sprintf("EHR status %s not synced: %s, and later status changes do not sync", ehrStatusText(c.Status), pl.held(p, mark)))
	case c.Status == carelogic.StatusKept && pl.policy.CompleteWhenKept:
	case c.Status == carelogic.StatusKept || c.Status.IsCustom():
		pl.skip(d.key, c.ClientID, eff.Reason)
	}
	return 0
}

// representable reports whether OnCall can show the status eff of a's client on the API surface planned for: all
// of them can but a group client's DNS on the documented API.
func (pl *planner) representable(a *carelogic.Appointment, eff StatusMapping) bool {
	return pl.policy.UndocumentedParticipantAPI || a.Kind == carelogic.Individual || eff.Cancels
}

// visible reports whether OnCall shows the status eff for a client paired with p: the extension's participant
// status; a 1:1's appointment status; a withdrawn group participant for CBC or CBT.
func (pl *planner) visible(a *carelogic.Appointment, m *oncall.Appointment, p *oncall.Participant, eff StatusMapping) bool {
	switch {
	case pl.policy.UndocumentedParticipantAPI:
		return p != nil && p.Status == eff.Participant
	case a.Kind == carelogic.Individual:
		return m.Status == eff.Appointment && (m.Cancelled || !eff.Cancels)
	}
	return eff.Cancels && p != nil && p.Cancelled
}

// What makes a client's outcome in OnCall stand (see holding).
const (
	heldNot       = iota
	heldStatus    // a participant status, under the extension
	heldMark      // the status the sync carried there (its roster mark)
	heldCancelled // a cancelled participant, on the documented API
)

// holding says what outcome OnCall already holds for a client (paired with p, or nil): a participant status, the
// status the sync carried there, or a cancelled participant. With the extension, the participant's status is what
// is final; their cancelled flag alone is not. On the documented API a participant status the server shows anyway
// is final too when it is one of the extension's outcomes: a server only shows what it stores, and an earlier
// version of the sync, or a run with the extension, may have set it without recording a mark.
func (pl *planner) holding(p *oncall.Participant, mark byte) int {
	switch {
	case p != nil && p.Status != "" && (pl.policy.UndocumentedParticipantAPI || p.Status.Known()):
		return heldStatus
	case validMark(mark):
		return heldMark
	case p != nil && p.Cancelled && !pl.policy.UndocumentedParticipantAPI:
		return heldCancelled
	}
	return heldNot
}

// held describes, for the messages of statuses that do not sync, the outcome OnCall already holds for a client.
func (pl *planner) held(p *oncall.Participant, mark byte) string {
	switch pl.holding(p, mark) {
	case heldStatus:
		if !p.Status.Known() {
			return "OnCall already has " + redact.Value(string(p.Status))
		}
		return fmt.Sprintf("OnCall already has %q", p.Status)
	case heldMark:
		if mark == markDNSRecorded {
			return "the sync already recorded DNS, which OnCall's documented API cannot show"
		}
		return "the sync already carried " + string(markedStatus(mark)) + " to OnCall"
	case heldCancelled:
		return "the participant is already cancelled in OnCall"
	}
	return ""
}

// final reports whether a client's outcome in OnCall stands and the policy holds it: then no later EHR status,
// Error included, syncs to them ("Subsequent status changes won't sync into OnCall after a hardcoded status is
// assigned").
func (pl *planner) final(p *oncall.Participant, mark byte) bool {
	return !pl.policy.StatusChangesAfterFinal && pl.holding(p, mark) != heldNot
}

// anyFinal reports whether any client of a has an outcome in OnCall that stands (see final).
func (pl *planner) anyFinal(a *carelogic.Appointment, m *oncall.Appointment) bool {
	for i := range a.Participants {
		if pl.final(pl.pairing.participant(m, i), pl.pairing.mark[i]) {
			return true
		}
	}
	return false
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

// plausibleEmail reports whether OnCall would take s as an address (oncall.ParticipantParams.Validate's check).
func plausibleEmail(s string) bool {
	return (&oncall.ParticipantParams{Name: "-", Email: s}).Validate() == nil
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
	if s := start(a); !m.DateTime.Equal(s) && sendable("datetime", ignoredValue(s)) {
		upd.DateTime, fields = oncall.Ptr(s), append(fields, "datetime")
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
		if p != nil && (eff.Effect == EffectRemove || eff.Effect == EffectSetStatus && !pl.visible(a, m, p, eff) &&
			pr.mark[i] != statusMark(c.Status) && (pr.mark[i] != markDNSRecorded || pl.representable(a, eff))) {
			return true
		}
	}
	return false
}
