package fhir

import (
	"fmt"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
)

// actor is a participant's actor reference with what is known about its target.
type actor struct {
	ref       *reference
	typ       string  // resource type: from the literal reference, the resolved resource, or Reference.type
	literalID string  // id of a literal "Type/id" reference
	resolved  *person // the target resource, when the input contains it
	contained bool    // resolved is a contained resource, whose id is only local
}

func (m *mapper) classify(ref *reference) actor {
	a := actor{ref: ref}
	a.typ, a.literalID = parseReference(ref.Reference)
	a.resolved, a.contained = m.res.resolve(ref.Reference)
	switch {
	case a.typ != "":
	case a.resolved != nil:
		a.typ = a.resolved.ResourceType
	default:
		a.typ = typeName(ref.Type)
	}
	return a
}

// patients maps every participant whose actor is a Patient to a carelogic participant, in the order given, with
// its status: the appointment-level status base, unless the appointment was entered in error (then always Error),
// the participant carries a ParticipantStatusExtension, or the participant declined an appointment that goes ahead.
func (m *mapper) patients(base carelogic.Status) ([]carelogic.Participant, error) {
	var out []carelogic.Participant
	for i := range m.r.Participant {
		p := &m.r.Participant[i]
		if p.Actor == nil {
			continue
		}
		ac := m.classify(p.Actor)
		if ac.typ != "Patient" {
			continue
		}
		status := base
		switch {
		case m.r.Status == "entered-in-error":
		case findExtension(p.Extension, ParticipantStatusExtension) != nil:
			s, err := m.statusExtension(i, p)
			if err != nil {
				return nil, err
			}
			status = s
		case p.Status == "declined" && declinedMeansCBC(m.r.Status):
			status = carelogic.StatusCBC
		}
		out = append(out, carelogic.Participant{
			ClientID: idOf(ac, m.o.patientSystem),
			Name:     displayName(ac),
			Email:    emailOf(ac.resolved),
			Status:   status,
		})
	}
	if cap(out) > len(out) {
		// What is returned is kept, often many of them: without the room appending left.
		out = slices.Clone(out)
	}
	return out, nil
}

func (m *mapper) statusExtension(i int, p *participant) (carelogic.Status, error) {
	for j, ext := range p.Extension {
		if ext.URL != ParticipantStatusExtension {
			continue
		}
		field := fmt.Sprintf("participant[%d].extension[%d].valueCode", i, j)
		if ext.ValueCode == nil {
			return "", m.fail(field, "missing (the participant status extension needs a valueCode)")
		}
		code := strings.TrimSpace(*ext.ValueCode)
		if code == "" {
			return "", m.fail(field, "empty")
		}
		return extensionStatus(code), nil
	}
	return "", nil
}

// provider returns the ProviderID: that of the first Practitioner or PractitionerRole participant typed as
// attender (ATND) or primary performer (PPRF), else of the first Practitioner or PractitionerRole participant.
func (m *mapper) provider() string {
	var first, typed *actor
	for i := range m.r.Participant {
		p := &m.r.Participant[i]
		if p.Actor == nil {
			continue
		}
		ac := m.classify(p.Actor)
		if ac.typ != "Practitioner" && ac.typ != "PractitionerRole" {
			continue
		}
		if first == nil {
			first = &ac
		}
		if isAttender(p) {
			typed = &ac
			break
		}
	}
	switch {
	case typed != nil:
		return m.providerID(*typed)
	case first != nil:
		return m.providerID(*first)
	}
	return ""
}

func isAttender(p *participant) bool {
	for _, t := range p.Type {
		for _, c := range t.Coding {
			if (c.Code == "ATND" || c.Code == "PPRF") && (c.System == "" || c.System == systemParticipationType) {
				return true
			}
		}
	}
	return false
}

// providerID identifies a provider. A PractitionerRole is one person's role at one place, so where the input holds
// the role and it names its Practitioner, that Practitioner identifies the provider (unless the role itself
// carries the configured identifier).
func (m *mapper) providerID(ac actor) string {
	sys := m.o.providerSystem
	if ac.typ == "PractitionerRole" && ac.resolved != nil && ac.resolved.Practitioner != nil {
		if v := systemIdentifier(ac, sys); v != "" {
			return v
		}
		if id := idOf(m.classify(ac.resolved.Practitioner), sys); id != "" {
			return id
		}
	}
	return idOf(ac, sys)
}

// idOf identifies a patient or practitioner, trying in turn: the identifier with the configured system (on the
// reference, then on the resource), the id of a literal reference, the id of the resolved (non-contained)
// resource, the reference's logical identifier, and the resolved resource's first identifier.
func idOf(ac actor, system string) string {
	if v := systemIdentifier(ac, system); v != "" {
		return v
	}
	if ac.literalID != "" {
		return ac.literalID
	}
	if ac.resolved != nil && !ac.contained && ac.resolved.ID != "" {
		return ac.resolved.ID
	}
	if id := ac.ref.Identifier; id != nil && id.Value != "" {
		return id.Value
	}
	if ac.resolved != nil {
		for _, id := range ac.resolved.Identifier {
			if id.Value != "" {
				return id.Value
			}
		}
	}
	return ""
}

// systemIdentifier returns the value of the actor's identifier with the given system, or "" (always "" for an
// empty system).
func systemIdentifier(ac actor, system string) string {
	if system == "" {
		return ""
	}
	if id := ac.ref.Identifier; id != nil && id.System == system && id.Value != "" {
		return id.Value
	}
	if ac.resolved != nil {
		for _, id := range ac.resolved.Identifier {
			if id.System == system && id.Value != "" {
				return id.Value
			}
		}
	}
	return ""
}

// displayName returns the resolved resource's name where the input holds the resource, since Reference.display
// may be out of date, and the reference's display otherwise.
func displayName(ac actor) string {
	if ac.resolved != nil && ac.resolved.Name != "" {
		return ac.resolved.Name
	}
	return strings.TrimSpace(ac.ref.Display)
}

// humanNameText renders the name to show: the usual name, else the official one, else one with no use, else any
// other that is not old; its text, or else its given names and family name.
func humanNameText(names []humanName) string {
	best, bestRank := -1, 0
	for i, n := range names {
		var rank int
		switch n.Use {
		case "usual":
			rank = 4
		case "official":
			rank = 3
		case "":
			rank = 2
		case "old":
			continue
		default:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return ""
	}
	n := names[best]
	if s := strings.TrimSpace(n.Text); s != "" {
		return s
	}
	parts := make([]string, 0, len(n.Given)+1)
	for _, g := range n.Given {
		if g = strings.TrimSpace(g); g != "" {
			parts = append(parts, g)
		}
	}
	if f := strings.TrimSpace(n.Family); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}

// emailOf returns the resolved patient's primary email address, or "".
func emailOf(p *person) string {
	if p == nil {
		return ""
	}
	return p.Email
}

// primaryEmail returns a patient's primary email address: of the telecom entries with system email that are not
// marked old, the one with the lowest rank (1 is the most preferred; unranked entries come after ranked ones), the
// first on a tie.
func primaryEmail(telecom []contactPoint) string {
	best := ""
	var bestRank int64
	for _, t := range telecom {
		v := strings.TrimSpace(t.Value)
		if t.System != "email" || t.Use == "old" || v == "" {
			continue
		}
		rank := int64(1) << 62
		if t.Rank != nil && *t.Rank > 0 {
			rank = *t.Rank
		}
		if best == "" || rank < bestRank {
			best, bestRank = v, rank
		}
	}
	return best
}
