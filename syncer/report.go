package syncer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
)

// Outcome is what became of one action.
type Outcome string

const (
	// OutcomeApplied: the change was made (or found already made, for a create confirmed by look-up).
	OutcomeApplied Outcome = "applied"
	// OutcomeFailed: the change was not made; Error says why.
	OutcomeFailed Outcome = "failed"
	// OutcomeAmbiguous is transient, inside Apply: a create that may or may not have happened. Apply settles
	// every ambiguous create before it returns.
	OutcomeAmbiguous Outcome = "ambiguous"
	// OutcomeNotRun: the run ended (context cancelled) before the action, or an earlier change to the same
	// appointment failed.
	OutcomeNotRun Outcome = "not-run"
	// OutcomePlanned: a dry run; nothing was written.
	OutcomePlanned Outcome = "planned"
	// OutcomeIgnored: the request succeeded, but OnCall did not apply every field it wrote (Err is an
	// *oncall.WriteIgnoredError naming them). The sync records the values it sent (KeyEMRIgnored, and a status in
	// the roster) and does not send them again.
	OutcomeIgnored Outcome = "ignored"
)

// ActionResult is an action with its outcome.
type ActionResult struct {
	Action
	Outcome Outcome `json:"outcome"`
	// Err is what went wrong, for errors.Is and errors.As (errors.Is(r.Err, oncall.ErrRateLimited),
	// oncall.ErrWriteIgnored); nil when the action was applied or planned.
	Err error `json:"-"`
	// Error is Err's text, or why the action was not run, for the JSON report; it names the request, never a
	// patient's name or email.
	Error string `json:"error,omitempty"`
	// Note adds what the outcome needs explaining, e.g. a create confirmed by look-up after an ambiguous failure.
	Note string `json:"note,omitempty"`
	// Created is the OnCall appointment a create or recreate made, and URL its URL.
	Created oncall.AppointmentID `json:"created,omitempty"`
	URL     string               `json:"url,omitempty"`
}

// Report is what a run did: counts per action kind, every action with its outcome, what was skipped and why, and
// what needs review. It reads as text (String, WriteText) and as JSON.
type Report struct {
	DryRun bool `json:"dry_run"`
	// Planned counts the actions of the changeset by kind, and Applied those that were made.
	Planned map[ActionKind]int `json:"planned"`
	Applied map[ActionKind]int `json:"applied"`
	// Failed counts the actions that were not made, by kind.
	Failed map[ActionKind]int `json:"failed"`
	// Ignored counts the actions OnCall answered without applying every field they wrote, by kind.
	Ignored  map[ActionKind]int `json:"ignored"`
	Actions  []ActionResult     `json:"actions"`
	Skipped  []Skip             `json:"skipped"`
	Review   []Candidate        `json:"review"`
	Warnings []string           `json:"warnings,omitempty"`
}

func newReport(cs *Changeset, dry bool) *Report {
	r := &Report{
		DryRun:  dry,
		Planned: cs.Counts(),
		Applied: map[ActionKind]int{},
		Failed:  map[ActionKind]int{},
		Ignored: map[ActionKind]int{},
		Actions: make([]ActionResult, len(cs.Actions)),
		Skipped: cs.Skipped,
		Review:  cs.Review,
	}
	for i, a := range cs.Actions {
		r.Actions[i] = ActionResult{Action: a, Outcome: OutcomeNotRun}
	}
	return r
}

func (r *Report) finish() {
	for _, a := range r.Actions {
		switch a.Outcome {
		case OutcomeApplied:
			r.Applied[a.Kind]++
		case OutcomeFailed, OutcomeNotRun, OutcomeAmbiguous:
			r.Failed[a.Kind]++
		case OutcomeIgnored:
			r.Ignored[a.Kind]++
		}
	}
}

// Changed reports whether the run planned any action.
func (r *Report) Changed() bool { return len(r.Actions) > 0 }

// FailedActions returns the actions that were not made, or that OnCall did not fully apply (OutcomeIgnored).
func (r *Report) FailedActions() []ActionResult {
	var out []ActionResult
	for _, a := range r.Actions {
		if a.Outcome != OutcomeApplied && a.Outcome != OutcomePlanned {
			out = append(out, a)
		}
	}
	return out
}

// WriteText writes the report for a person: a summary line, then each action, failure, skip and review item.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	verb := "applied"
	counts := r.Applied
	if r.DryRun {
		verb, counts = "planned (dry run, nothing written)", r.Planned
	}
	if len(r.Actions) == 0 {
		fmt.Fprintf(&b, "No changes: OnCall is in sync.\n")
	} else {
		fmt.Fprintf(&b, "%d %s", sum(counts), verb)
		writeCounts(&b, counts)
		if n := sum(r.Failed); n > 0 {
			fmt.Fprintf(&b, "%d failed", n)
			writeCounts(&b, r.Failed)
		}
		if n := sum(r.Ignored); n > 0 {
			fmt.Fprintf(&b, "%d not fully applied by OnCall", n)
			writeCounts(&b, r.Ignored)
		}
	}
	for _, a := range r.Actions {
		mark := "+"
		switch a.Outcome {
		case OutcomeFailed, OutcomeNotRun, OutcomeAmbiguous, OutcomeIgnored:
			mark = "!"
		case OutcomePlanned:
			mark = "~"
		}
		fmt.Fprintf(&b, "  %s %s", mark, a.Action)
		if a.Created != 0 {
			fmt.Fprintf(&b, " -> oncall %d", a.Created)
		}
		switch {
		case a.Outcome == OutcomeNotRun:
			fmt.Fprintf(&b, " NOT RUN: %s", strings.TrimPrefix(a.Error, "not run: "))
		case a.Outcome == OutcomeIgnored:
			fmt.Fprintf(&b, " NOT APPLIED BY ONCALL: %s", a.Error)
		case a.Error != "":
			fmt.Fprintf(&b, " FAILED: %s", a.Error)
		}
		if a.Note != "" {
			fmt.Fprintf(&b, " (%s)", a.Note)
		}
		b.WriteByte('\n')
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "%d skipped:\n", len(r.Skipped))
		for _, s := range r.Skipped {
			if s.Client != "" {
				fmt.Fprintf(&b, "  - %s client %s: %s\n", s.Key, s.Client, s.Reason)
			} else {
				fmt.Fprintf(&b, "  - %s: %s\n", s.Key, s.Reason)
			}
		}
	}
	if len(r.Review) > 0 {
		fmt.Fprintf(&b, "%d to review:\n", len(r.Review))
		for _, c := range r.Review {
			fmt.Fprintf(&b, "  ? %s may be OnCall appointment %d (matching %s)\n", c.Key, c.Appointment, strings.Join(c.Matched, ", "))
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns the text form of the report.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

// JSON returns the report as indented JSON.
func (r *Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// writeCounts ends a summary line with the counts by kind, in plan order: ": 2 create, 1 update".
func writeCounts(b *strings.Builder, counts map[ActionKind]int) {
	sep := ":"
	for _, k := range sortedKinds(counts) {
		fmt.Fprintf(b, "%s %d %s", sep, counts[k], k)
		sep = ","
	}
	b.WriteByte('\n')
}

func sum(m map[ActionKind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
