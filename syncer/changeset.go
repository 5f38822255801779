package syncer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// ActionKind names what an Action does.
type ActionKind string

const (
	// ActionCreate creates an OnCall appointment for an EHR appointment that has none.
	ActionCreate ActionKind = "create"
	// ActionUpdate changes an appointment in one request: its fields (only those that differ), its status (a 1:1's
	// DNS; Complete), who is on it (Participants, on the documented API) and the sync's metadata.
	ActionUpdate ActionKind = "update"
	// ActionCancel cancels an appointment: deleted in the EHR, a 1:1 whose client was marked Error, or, with the
	// status saying who cancelled, a 1:1 whose client is CBT or CBC.
	ActionCancel ActionKind = "cancel"
	// ActionRecreate cancels a 1:1 whose client changed and creates its replacement.
	ActionRecreate ActionKind = "recreate"
	// ActionSetStatus sets a participant's status (DNS, CBT, CBC): participant extension only.
	ActionSetStatus ActionKind = "set-status"
	// ActionAddParticipant adds a client to a group appointment: participant extension only.
	ActionAddParticipant ActionKind = "add-participant"
	// ActionRemoveParticipant removes a client from a group appointment (Error, or swapped out in the EHR):
	// participant extension only.
	ActionRemoveParticipant ActionKind = "remove-participant"
	// ActionUpdateParticipant changes a participant's email, after the client's email changed in the EHR:
	// participant extension only.
	ActionUpdateParticipant ActionKind = "update-participant"
)

// ParticipantOp is what a ParticipantChange does.
type ParticipantOp string

const (
	// ParticipantAdd invites a client to a group appointment.
	ParticipantAdd ParticipantOp = "add"
	// ParticipantRemove takes a participant off the appointment: marked Error, or swapped out of the group.
	ParticipantRemove ParticipantOp = "remove"
	// ParticipantWithdraw cancels a participant, who stays on the appointment: a group client's CBC or CBT.
	ParticipantWithdraw ParticipantOp = "withdraw"
	// ParticipantEmail gives a participant the client's new email.
	ParticipantEmail ParticipantOp = "email"
)

// ParticipantChange is one change to who is on an appointment, made by an update on OnCall's documented API: the
// appointment's participants list. The runner applies the changes to the appointment as it reads it just before
// the update (see Action.ParticipantEntries), so that what changed in OnCall meanwhile, a co-host added or a
// patient cancelling, is kept.
type ParticipantChange struct {
	Op ParticipantOp `json:"op"`
	// Client is the EHR client id concerned.
	Client string `json:"client,omitempty"`
	// Participant is the OnCall participant changed (0 for ParticipantAdd).
	Participant oncall.ParticipantID `json:"participant,omitempty"`
	Reason      string               `json:"reason,omitempty"`
	// Add is the client to invite, for ParticipantAdd, and Email the new address, for ParticipantEmail. They are
	// PHI and not marshalled.
	Add   *oncall.ParticipantParams `json:"-"`
	Email string                    `json:"-"`
}

// kindOrder is the order of action kinds within one appointment: replacing and cancelling first; then removals
// before additions, so that a swap never takes a group past 25; the appointment's own update last, since it
// records the roster the participant changes produce.
var kindOrder = map[ActionKind]int{
	ActionRecreate: 0, ActionCancel: 1, ActionCreate: 2, ActionRemoveParticipant: 3, ActionAddParticipant: 4,
	ActionUpdateParticipant: 5, ActionSetStatus: 6, ActionUpdate: 7,
}

// Action is one change to OnCall. Its JSON form (for reports) names EHR keys, client ids, OnCall ids and field
// names, never a patient's name or email; the parameters that carry those are not marshalled.
type Action struct {
	Kind ActionKind `json:"kind"`
	// Key is the EHR appointment's key (carelogic.Appointment.Key).
	Key string `json:"key"`
	// Appointment is the OnCall appointment changed (0 for a create).
	Appointment oncall.AppointmentID `json:"appointment,omitempty"`
	// Participant is the OnCall participant changed, for participant actions.
	Participant oncall.ParticipantID `json:"participant,omitempty"`
	// Client is the EHR client id concerned, for participant actions.
	Client string `json:"client,omitempty"`
	// Fields are the appointment fields an update changes.
	Fields []string `json:"fields,omitempty"`
	// Participants are the changes to who is on the appointment that an update makes ("participants" is then
	// among Fields): ActionUpdate and ActionCancel on OnCall's documented API.
	Participants []ParticipantChange `json:"participants,omitempty"`
	// Status is the participant status set by ActionSetStatus.
	Status oncall.ParticipantStatus `json:"status,omitempty"`
	// Reason explains the action in a few words.
	Reason string `json:"reason,omitempty"`

	// Create holds the new appointment, for ActionCreate and ActionRecreate.
	Create *oncall.AppointmentCreateParams `json:"-"`
	// Update holds the changes, for ActionUpdate and ActionCancel; for ActionRecreate, the old appointment's
	// cancellation. Its Participants is nil: the list is built when the update is sent (ParticipantEntries).
	Update *oncall.AppointmentUpdateParams `json:"-"`
	// Add holds the participant to add, for ActionAddParticipant.
	Add *oncall.ParticipantParams `json:"-"`
	// ParticipantUpdate holds the participant's changes, for ActionUpdateParticipant.
	ParticipantUpdate *oncall.ParticipantUpdateParams `json:"-"`
}

// String describes the action in one line without PHI.
func (a Action) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", a.Kind, displayKey(a.Key))
	if a.Appointment != 0 {
		fmt.Fprintf(&b, " (oncall %d)", a.Appointment)
	}
	if a.Client != "" {
		fmt.Fprintf(&b, " client %s", displayID(a.Client))
	}
	if a.Status != "" {
		fmt.Fprintf(&b, " -> %s", a.Status)
	}
	if len(a.Fields) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(a.Fields, ", "))
	}
	for i, c := range a.Participants {
		sep := ";"
		if i == 0 {
			sep = ":"
		}
		fmt.Fprintf(&b, "%s %s %s", sep, c.Op, c.Client)
		if c.Participant != 0 {
			fmt.Fprintf(&b, " (participant %d)", c.Participant)
		}
	}
	if a.Reason != "" {
		fmt.Fprintf(&b, ": %s", a.Reason)
	}
	return b.String()
}

// ParticipantEntries returns the participants list an update carrying a's Participants sends, given the
// appointment's participants as just read: every participant kept as it is (co-hosts and third parties added in
// OnCall included) but for the changes, each applied if its participant is still there. An add is dropped when a
// participant with that email is already on the appointment, so that nobody is invited twice.
func (a *Action) ParticipantEntries(current []oncall.Participant) []oncall.ParticipantEntry {
	out := make([]oncall.ParticipantEntry, 0, len(current)+len(a.Participants))
	removed := map[oncall.ParticipantID]bool{}
	for _, c := range a.Participants {
		if c.Op == ParticipantRemove {
			removed[c.Participant] = true
		}
	}
	for i := range current {
		p := &current[i]
		if removed[p.ID] {
			continue
		}
		e := p.Entry()
		for _, c := range a.Participants {
			switch {
			case c.Participant != p.ID:
			case c.Op == ParticipantWithdraw:
				e.Cancelled = true
			case c.Op == ParticipantEmail:
				e.Email = c.Email
			}
		}
		out = append(out, e)
	}
	for _, c := range a.Participants {
		if c.Op != ParticipantAdd || c.Add == nil || slices.ContainsFunc(out, func(e oncall.ParticipantEntry) bool {
			return strings.EqualFold(strings.TrimSpace(e.Email), strings.TrimSpace(c.Add.Email))
		}) {
			continue
		}
		out = append(out, oncall.ParticipantEntry{Name: c.Add.Name, Email: c.Add.Email, Fee: c.Add.Fee})
	}
	return out
}

// Skip is an EHR appointment, or part of one, that the plan leaves alone, and why. Most skips are by policy (a Kept
// or custom status, a status that is final, a past appointment): they recur on every run and need nothing. Those
// with Attention set need a person: data the sync cannot use (an invalid appointment, a staff id with no provider,
// no division), a choice it will not make alone (a look-alike booked by hand, duplicates in OnCall, a full group),
// or a write OnCall did not apply.
type Skip struct {
	Key    string `json:"key"`
	Client string `json:"client,omitempty"`
	Reason string `json:"reason"`
	// Attention reports that a person must act for this to sync.
	Attention bool `json:"attention,omitempty"`
}

// Candidate is an OnCall appointment without EHR metadata that looks like an EHR appointment (the fallback
// heuristic of OnCall's sync guide: title, provider, participant and date). It is for a person to review; the
// syncer never links or changes it on its own.
type Candidate struct {
	Key         string               `json:"key"`
	Appointment oncall.AppointmentID `json:"appointment"`
	// Matched lists what matched: "provider", "date", "title", "participant".
	Matched []string `json:"matched"`
}

// Changeset is what Plan returns: the actions that bring OnCall in line with the EHR, in the order they must be
// applied for each appointment, plus what was skipped and what needs a person's review.
type Changeset struct {
	Actions []Action    `json:"actions"`
	Skipped []Skip      `json:"skipped"`
	Review  []Candidate `json:"review"`
}

// Empty reports whether the changeset has no action (skips and review items may remain: they recur until a
// person acts on them).
func (c *Changeset) Empty() bool { return len(c.Actions) == 0 }

// Counts returns the number of actions of each kind.
func (c *Changeset) Counts() map[ActionKind]int {
	m := map[ActionKind]int{}
	for _, a := range c.Actions {
		m[a.Kind]++
	}
	return m
}

// Groups returns the actions split by the OnCall appointment (or, for creates, the EHR key) they concern, in plan
// order. Actions of one group must be applied in order; different groups are independent.
func (c *Changeset) Groups() [][]Action {
	var out [][]Action
	for i := 0; i < len(c.Actions); {
		j := i + 1
		for j < len(c.Actions) && c.Actions[j].Key == c.Actions[i].Key {
			j++
		}
		out = append(out, c.Actions[i:j])
		i = j
	}
	return out
}

func sortedKinds(m map[ActionKind]int) []ActionKind {
	return slices.SortedFunc(maps.Keys(m), func(a, b ActionKind) int { return kindOrder[a] - kindOrder[b] })
}
