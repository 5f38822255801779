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
	// ActionUpdate changes an appointment's fields (only those that differ) and, with them, the sync's metadata.
	ActionUpdate ActionKind = "update"
	// ActionCancel cancels an appointment: deleted in the EHR, or a 1:1 whose client was marked Error.
	ActionCancel ActionKind = "cancel"
	// ActionRecreate cancels a 1:1 whose client changed and creates its replacement.
	ActionRecreate ActionKind = "recreate"
	// ActionSetStatus sets a participant's status (DNS, CBT, CBC).
	ActionSetStatus ActionKind = "set-status"
	// ActionAddParticipant adds a client to a group appointment.
	ActionAddParticipant ActionKind = "add-participant"
	// ActionRemoveParticipant removes a client from a group appointment (Error, or swapped out in the EHR).
	ActionRemoveParticipant ActionKind = "remove-participant"
	// ActionUpdateParticipant changes a participant's email, after the client's email changed in the EHR.
	ActionUpdateParticipant ActionKind = "update-participant"
)

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
	// Status is the participant status set by ActionSetStatus.
	Status oncall.ParticipantStatus `json:"status,omitempty"`
	// Reason explains the action in a few words.
	Reason string `json:"reason,omitempty"`

	// Create holds the new appointment, for ActionCreate and ActionRecreate.
	Create *oncall.AppointmentCreateParams `json:"-"`
	// Update holds the changes, for ActionUpdate; for ActionRecreate, the old appointment's cancellation.
	Update *oncall.AppointmentUpdateParams `json:"-"`
	// Add holds the participant to add, for ActionAddParticipant.
	Add *oncall.ParticipantParams `json:"-"`
	// ParticipantUpdate holds the participant's changes, for ActionUpdateParticipant.
	ParticipantUpdate *oncall.ParticipantUpdateParams `json:"-"`
}

// String describes the action in one line without PHI.
func (a Action) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", a.Kind, a.Key)
	if a.Appointment != 0 {
		fmt.Fprintf(&b, " (oncall %d)", a.Appointment)
	}
	if a.Client != "" {
		fmt.Fprintf(&b, " client %s", a.Client)
	}
	if a.Status != "" {
		fmt.Fprintf(&b, " -> %s", a.Status)
	}
	if len(a.Fields) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(a.Fields, ", "))
	}
	if a.Reason != "" {
		fmt.Fprintf(&b, ": %s", a.Reason)
	}
	return b.String()
}

// Skip is an EHR appointment, or part of one, that the plan leaves alone, and why.
type Skip struct {
	Key    string `json:"key"`
	Client string `json:"client,omitempty"`
	Reason string `json:"reason"`
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
