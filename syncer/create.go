package syncer

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// notInvited is the report of a client that OnCall would refuse (err is from oncall.ParticipantParams.Validate,
// which names the problem, never the value).
func notInvited(err error) string {
	return "not invited: " + strings.TrimPrefix(err.Error(), "oncall: ") + "; correct the client's details in the EHR"
}

// invitable reports whether a participant with status s is invited to a new appointment: nobody who has already
// cancelled, not shown or been marked Error is sent an invitation.
func invitable(s carelogic.Status) bool { return effectOf(s) == EffectNone }

// createParams builds the new appointment for a, or says why there should be none, and whether that needs a
// person (missing configuration, data OnCall would refuse) rather than being policy. A group client OnCall would
// refuse (no email, say) is reported under key and left out, rather than hold up the whole group; it is invited
// once the EHR has what OnCall needs.
func (pl *planner) createParams(a *carelogic.Appointment, key string) (p *oncall.AppointmentCreateParams, why string, attention bool) {
	switch {
	case a.Deleted:
		return nil, "deleted in the EHR before it reached OnCall", false
	case !pl.policy.Now.IsZero() && !a.End().After(pl.policy.Now):
		return nil, "ended before it reached OnCall; past appointments are not created", false
	case pl.policy.Division <= 0:
		return nil, "no OnCall division configured for new appointments", true
	}
	provider, ok := pl.provider(a.ProviderID)
	if !ok {
		return nil, fmt.Sprintf("no OnCall provider mapped for EHR staff id %s", redact.ID(a.ProviderID)), true
	}
	rs := pl.roster[:0]
	var invite []oncall.ParticipantParams
	var aside []Skip
	for _, c := range a.Participants {
		if invitable(c.Status) {
			pp := oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee}
			if err := pp.Validate(); err != nil && a.Kind == carelogic.Group {
				aside = append(aside, Skip{Key: key, Client: c.ClientID, Reason: notInvited(err), Attention: true})
				continue // not on the roster either: a later sync adds the client once the EHR is corrected
			}
			invite = append(invite, pp)
		}
		rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
	}
	pl.roster = rs
	switch {
	case len(invite) == 0 && len(aside) > 0:
		return nil, "not created: no client OnCall can invite (" + strings.TrimPrefix(aside[0].Reason, "not invited: ") + ")", true
	case len(invite) == 0:
		return nil, "no client left to invite: every participant is cancelled, a no-show or in error", false
	}
	for _, s := range aside {
		pl.out.skipped.add(s)
	}
	md := baseMetadata(a)
	md[KeyEMRClients] = rs.normalize().encode()
	p = &oncall.AppointmentCreateParams{
		Title:        pl.title(a),
		Type:         appointmentType(a.Modality),
		DateTime:     start(a),
		Duration:     minutes(a.Duration),
		Division:     pl.policy.Division,
		Provider:     provider,
		Participants: invite,
		Metadata:     md,
	}
	if err := p.Validate(); err != nil {
		return nil, err.Error(), true
	}
	return p, "", false
}

func (pl *planner) create(a *carelogic.Appointment, key string) {
	p, why, attention := pl.createParams(a, key)
	switch {
	case p != nil:
	case attention:
		pl.attend(key, "", why)
		return
	case !a.Deleted:
		pl.skip(key, "", why)
		return
	default:
		return
	}
	if !pl.policy.DisableCreateHold {
		if c := pl.candidates(a, p, key); len(c) > 0 {
			for _, r := range c {
				pl.out.review.add(r)
			}
			pl.attend(key, "", fmt.Sprintf("not created: OnCall appointment %d without EHR metadata looks like it (review: add its emr_id to link it, or cancel it)", c[0].Appointment))
			return
		}
	}
	reason := "new in the EHR"
	if id, ok := pl.policy.Providers[a.ProviderID]; !ok || id <= 0 {
		reason += fmt.Sprintf("; EHR staff id %s has no provider mapped: created with the default provider", redact.ID(a.ProviderID))
	}
	pl.add(Action{Kind: ActionCreate, Key: key, Create: p, Reason: reason})
}

// candidates applies OnCall's fallback heuristic: same provider and date, and the same title or a shared
// participant email.
func (pl *planner) candidates(a *carelogic.Appointment, p *oncall.AppointmentCreateParams, key string) []Candidate {
	var out []Candidate
	for _, m := range pl.unowned[unownedKey{p.Provider, a.Start.UTC().Format(time.DateOnly)}] {
		matched := []string{"provider", "date"}
		if strings.EqualFold(strings.TrimSpace(m.Title), strings.TrimSpace(p.Title)) {
			matched = append(matched, "title")
		}
		if sharesParticipant(m, a) {
			matched = append(matched, "participant")
		}
		if len(matched) > 2 {
			out = append(out, Candidate{Key: key, Appointment: m.ID, Matched: matched})
		}
	}
	return out
}

func sharesParticipant(m *oncall.Appointment, a *carelogic.Appointment) bool {
	for _, op := range m.Participants {
		for _, c := range a.Participants {
			if c.Email != "" && strings.EqualFold(op.Email, c.Email) {
				return true
			}
		}
	}
	return false
}

// recreate replaces a 1:1 whose client changed: the old appointment is cancelled and marked superseded (so
// matching ignores it from then on), and a new one is created for the new client.
func (pl *planner) recreate(a *carelogic.Appointment, key string, m *oncall.Appointment) {
	if pl.policy.DisableRecreate {
		pl.skip(key, a.Participants[0].ClientID, "the 1:1's client changed; error the appointment out and book a new one in the EHR (DisableRecreate is set)")
		return
	}
	md := maps.Clone(m.Metadata)
	md[KeyEMRSuperseded] = true
	p, why, _ := pl.createParams(a, key)
	if p == nil {
		// No replacement (the new client is already cancelled, say): the old client must not stay invited to an
		// appointment that is no longer theirs, unless it is over.
		if !pl.policy.Now.IsZero() && !a.End().After(pl.policy.Now) {
			pl.skip(key, a.Participants[0].ClientID, "the 1:1's client changed but no replacement is created: "+why)
			return
		}
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Client: a.Participants[0].ClientID,
			Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: md}, Fields: []string{"cancelled", "metadata"},
			Reason: "the 1:1's client changed in the EHR; the old appointment is cancelled and no replacement created: " + why})
		return
	}
	pl.add(Action{Kind: ActionRecreate, Key: key, Appointment: m.ID, Client: a.Participants[0].ClientID,
		Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: md}, Create: p,
		Reason: "the 1:1's client changed in the EHR"})
}
