package syncer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

func (pl *planner) update(a *carelogic.Appointment, key string, cand *candidate) {
	m := cand.m
	if m.Cancelled {
		if live(a) {
			pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is cancelled; the sync does not reopen it", m.ID))
		}
		return
	}
	// A closed appointment (completed, charged, marked no-show) is left alone, deletion included: cancelling it
	// would undo what was recorded or charged in OnCall.
	if m.Status != "" && m.Status != oncall.StatusIncomplete {
		if a.Deleted || pl.changesPending(a, m) {
			pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is closed (%s); EHR changes are not synced to it", m.ID, m.Status))
		}
		return
	}
	if a.Deleted {
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "deleted in the EHR"})
		return
	}
	pr := &pl.pairing
	clients := cand.clients
	pr.pair(a, m, clients)
	recorded := pr.recorded
	if a.Kind == carelogic.Individual {
		c := a.Participants[0]
		if effectOf(c.Status) == EffectRemove && !pl.final(pr.participant(m, 0)) {
			pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Client: c.ClientID, Reason: "1:1 client marked Error in the EHR"})
			return
		}
		if pr.client[0] < 0 && recorded.get(c.ClientID) == "" {
			pl.recreate(a, key, m)
			return
		}
	}
	if !live(a) && allRemoved(a) && !pl.anyFinal(a, m) {
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "every client marked Error in the EHR"})
		return
	}
	upd, fields := pl.fieldChanges(a, m)
	var acts []Action
	rs := pl.roster[:0]
	// Participants leave before others join, so count what remains after removals before checking the limit.
	count := len(m.Participants)
	for i, c := range a.Participants {
		if p := pr.participant(m, i); p != nil && effectOf(c.Status) == EffectRemove && !pl.final(p) {
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
		if p == nil {
			switch rec := recorded.get(c.ClientID); {
			case eff.Effect == EffectRemove && rec != "":
				rs = append(rs, rosterEntry{id: c.ClientID, hash: rec})
			case eff.Effect == EffectRemove:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
			case rec != "":
				// On the roster but not on the appointment: removed for Error, or never invited because it was
				// already cancelled when the appointment was created. Either way the sync does not add it back.
				rs = append(rs, rosterEntry{id: c.ClientID, hash: rec})
				if eff.Effect == EffectNone {
					pl.skip(key, c.ClientID, "client was removed from the OnCall appointment earlier and is not added back")
				}
			case !invitable(c.Status):
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)}) // joined already cancelled or absent: recorded, not invited
			case count >= oncall.MaxParticipants:
				pl.skip(key, c.ClientID, fmt.Sprintf("not added: the OnCall appointment already has %d participants", count))
			default:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
				count++
				acts = append(acts, Action{Kind: ActionAddParticipant, Key: key, Appointment: m.ID, Client: c.ClientID,
					Add: &oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee}, Reason: "added to the group in the EHR"})
			}
			continue
		}
		rs = append(rs, rosterEntry{id: c.ClientID, d: pr.digests[pr.client[i]]})
		if eff.Effect == EffectRemove && !pl.final(p) {
			acts = append(acts, Action{Kind: ActionRemoveParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID, Reason: "marked Error in the EHR"})
			continue
		}
		if c.Email != "" && !strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(c.Email)) {
			switch {
			case !pl.policy.PropagateEmail:
				pl.skip(key, c.ClientID, "email changed in the EHR; update the OnCall participant by hand (PropagateEmail is off)")
			case !pl.policy.Now.IsZero() && !a.Start.After(pl.policy.Now):
				pl.skip(key, c.ClientID, "email changed in the EHR; not carried to an appointment that has started")
			default:
				rs[len(rs)-1].d = digestOf(c.Email)
				acts = append(acts, Action{Kind: ActionUpdateParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
					ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr(c.Email)}, Fields: []string{"email"}, Reason: "email changed in the EHR"})
			}
		}
		pl.status(key, m, p, c, eff, &acts)
	}
	for j := range m.Participants {
		if pr.taken[j] {
			continue
		}
		if client, ok := recorded.clientFor(&pr.digests[j]); ok {
			acts = append(acts, Action{Kind: ActionRemoveParticipant, Key: key, Appointment: m.ID, Participant: m.Participants[j].ID,
				Client: client, Reason: "no longer on the appointment in the EHR"})
		}
		// Otherwise it was added directly in OnCall (a co-host or third party): it stays.
	}
	rs = rs.normalize()
	pl.roster = rs
	pl.buf = rs.appendTo(pl.buf[:0])
	if !clients.ok || clients.v != string(pl.buf) || !metadataCurrent(cand, a) {
		want := maps.Clone(m.Metadata)
		if want == nil {
			want = oncall.Metadata{}
		}
		maps.Copy(want, baseMetadata(a))
		want[KeyEMRClients] = string(pl.buf)
		if !metadataEqual(want, m.Metadata) {
			upd.Metadata = want
			fields = append(fields, "metadata")
		}
	}
	slices.SortStableFunc(acts, func(x, y Action) int { return kindOrder[x.Kind] - kindOrder[y.Kind] })
	for _, act := range acts {
		pl.add(act)
	}
	if len(fields) > 0 {
		u := upd
		pl.add(Action{Kind: ActionUpdate, Key: key, Appointment: m.ID, Update: &u, Fields: fields, Reason: "changed in the EHR"})
	}
}

// anyFinal reports whether any client of a is paired with a participant whose status is final (see final).
func (pl *planner) anyFinal(a *carelogic.Appointment, m *oncall.Appointment) bool {
	for i := range a.Participants {
		if pl.final(pl.pairing.participant(m, i)) {
			return true
		}
	}
	return false
}

// status plans a participant's status. After DNS, CBT or CBC has been set in OnCall, later EHR changes do not sync
// unless the policy allows it: that is the CareLogic integration's documented behaviour.
func (pl *planner) status(key string, m *oncall.Appointment, p *oncall.Participant, c carelogic.Participant, eff StatusMapping, acts *[]Action) {
	switch {
	case eff.Effect == EffectSetStatus && p.Status == eff.OnCall:
	case eff.Effect == EffectSetStatus && (p.Status == "" || pl.policy.StatusChangesAfterFinal):
		*acts = append(*acts, Action{Kind: ActionSetStatus, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
			Status: eff.OnCall, Reason: "marked " + string(c.Status) + " in the EHR"})
	case eff.Effect == EffectSetStatus:
		pl.skip(key, c.ClientID, fmt.Sprintf("EHR status %s not synced: OnCall already has %q, and later status changes do not sync", c.Status, p.Status))
	case p.Status != "":
		pl.skip(key, c.ClientID, fmt.Sprintf("EHR status %s not synced: OnCall already has %q, and later status changes do not sync", displayStatus(c.Status), p.Status))
	case c.Status == carelogic.StatusKept || c.Status.IsCustom():
		pl.skip(key, c.ClientID, eff.Reason)
	}
}

// final reports whether p has DNS, CBT or CBC set in OnCall and the policy holds it: then no later EHR status,
// Error included, syncs to p ("Subsequent status changes won't sync into OnCall after a hardcoded status is
// assigned").
func (pl *planner) final(p *oncall.Participant) bool {
	return p != nil && p.Status != "" && !pl.policy.StatusChangesAfterFinal
}

func displayStatus(s carelogic.Status) carelogic.Status {
	if s == "" {
		return carelogic.StatusScheduled
	}
	return s
}

// fieldChanges returns the appointment fields that differ from the EHR, as update parameters and their names.
func (pl *planner) fieldChanges(a *carelogic.Appointment, m *oncall.Appointment) (oncall.AppointmentUpdateParams, []string) {
	var upd oncall.AppointmentUpdateParams
	var fields []string
	if t := pl.title(a); m.Title != t {
		upd.Title, fields = oncall.Ptr(t), append(fields, "title")
	}
	if t := appointmentType(a.Modality); m.Type != t {
		upd.Type, fields = oncall.Ptr(t), append(fields, "type")
	}
	if !m.DateTime.Equal(start(a)) {
		upd.DateTime, fields = oncall.Ptr(start(a)), append(fields, "datetime")
	}
	if d := minutes(a.Duration); m.Duration != d {
		upd.Duration, fields = oncall.Ptr(d), append(fields, "duration")
	}
	if id := pl.policy.Providers[a.ProviderID]; id > 0 && m.Provider != id {
		upd.Provider, fields = oncall.Ptr(id), append(fields, "provider")
	}
	return upd, fields
}

// changesPending reports whether the EHR differs from a closed OnCall appointment in anything the sync would
// otherwise write.
func (pl *planner) changesPending(a *carelogic.Appointment, m *oncall.Appointment) bool {
	if _, fields := pl.fieldChanges(a, m); len(fields) > 0 {
		return true
	}
	pr := &pl.pairing
	pr.pair(a, m, readMeta(m.Metadata, KeyEMRClients))
	for i, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := pr.participant(m, i)
		if p != nil && (eff.Effect == EffectRemove || eff.Effect == EffectSetStatus && p.Status != eff.OnCall) {
			return true
		}
	}
	return false
}
