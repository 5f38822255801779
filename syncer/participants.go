package syncer

import (
	"fmt"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/oncall"
)

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
		if pr.taken[j] {
			continue
		}
		if _, ok := recorded.clientFor(&pr.digests[j]); ok {
			count--
		}
	}
	for i, c := range a.Participants {
		effect := effectOf(c.Status)
		p := pr.participant(m, i)
		mark := pr.mark[i]
		if p == nil {
			// The roster's entry for a client, where there is one, is kept as it is (mark is its mark).
			switch rec := recorded.find(c.ClientID); {
			case effect == EffectRemove && rec != nil:
				rs = append(rs, *rec)
			case effect == EffectRemove:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
			case rec != nil:
				// On the roster but not on the appointment: removed for Error, or never invited because it was
				// already cancelled when the appointment was created. Either way the sync does not add it back.
				rs = append(rs, *rec)
				if effect == EffectNone {
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
		if effect == EffectRemove {
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
		if newMark := pl.status(a, d, p, c, effect, mark); newMark != 0 {
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

// status plans a paired client's status, whose effect is effect, and returns the mark to record for it, or 0 to keep
// the one recorded.
// A status is sent once: a client whose mark is the status's is not sent it again, whatever OnCall shows (a server
// that ignored it would not take it the next time either). After DNS, CBT or CBC, later EHR changes do not sync
// unless the policy allows it: that is the CareLogic integration's documented behaviour.
func (pl *planner) status(a *carelogic.Appointment, d *diff, p *oncall.Participant, c carelogic.Participant, effect Effect, mark byte) byte {
	if effect != EffectSetStatus {
		// Most clients' statuses do not sync: they are mapped (for the reason of a skip) only when skipped.
		switch {
		case pl.holding(p, mark) != heldNot:
			pl.skip(d.key, c.ClientID, fmt.Sprintf("EHR status %s not synced: %s, and later status changes do not sync", ehrStatusText(c.Status), pl.held(p, mark)))
		case c.Status == carelogic.StatusKept && pl.policy.CompleteWhenKept:
		case c.Status == carelogic.StatusKept || c.Status.IsCustom():
			pl.skip(d.key, c.ClientID, MapStatus(c.Status).Reason)
		}
		return 0
	}
	eff := MapStatus(c.Status)
	// A group DNS recorded but never sent (documented API) is sent once the extension can show it, unless OnCall
	// holds another outcome for the client meanwhile.
	recordedDNS := mark == markDNSRecorded && c.Status == carelogic.StatusDNS
	switch {
	case pl.visible(a, d.m, p, &eff):
		return 0
	case mark == statusMark(c.Status):
		if pl.representable(a, &eff) { // a group DNS sent with the extension, now off, is simply not visible
			pl.attend(d.key, c.ClientID, fmt.Sprintf("EHR status %s not sent again: the sync sent it before and OnCall did not apply it", ehrStatusText(c.Status)))
		}
		return 0
	case recordedDNS && !pl.representable(a, &eff):
		return 0 // recorded before, and still not something OnCall can show
	case pl.final(p, mark) && !(recordedDNS && pl.holding(p, 0) == heldNot):
		pl.skip(d.key, c.ClientID, fmt.Sprintf("EHR status %s not synced: %s, and later status changes do not sync", ehrStatusText(c.Status), pl.held(p, mark)))
		return 0
	}
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
}

// representable reports whether OnCall can show the status eff of a's client on the API surface planned for: all
// of them can but a group client's DNS on the documented API.
func (pl *planner) representable(a *carelogic.Appointment, eff *StatusMapping) bool {
	return pl.policy.UndocumentedParticipantAPI || a.Kind == carelogic.Individual || eff.Cancels
}

// visible reports whether OnCall shows the status eff for a client paired with p: the extension's participant
// status; a 1:1's appointment status; a withdrawn group participant for CBC or CBT.
func (pl *planner) visible(a *carelogic.Appointment, m *oncall.Appointment, p *oncall.Participant, eff *StatusMapping) bool {
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

// plausibleEmail reports whether OnCall would take s as an address (oncall.ParticipantParams.Validate's check).
func plausibleEmail(s string) bool {
	return (&oncall.ParticipantParams{Name: "-", Email: s}).Validate() == nil
}
