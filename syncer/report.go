package syncer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	// Listing says what Sync's listing pass read; it is nil for Apply. OnCall documents no date filter, so the
	// pass reads every appointment the token can see: its cost grows with the account's history, not the window.
	Listing *ListingStats `json:"listing,omitempty"`
	// Reconcile reports that SyncChanges met what only a full reconcile can settle: a create whose outcome is
	// unknown, an appointment OnCall no longer has. Loop runs one at once.
	Reconcile bool `json:"reconcile,omitempty"`
}

// ListingStats is what a listing pass read: pages and appointments, and how many of them start in the window.
type ListingStats struct {
	Pages        int `json:"pages"`
	Appointments int `json:"appointments"`
	InWindow     int `json:"in_window"`
	// Repeated counts appointments read twice by the reading planned from, because OnCall's listing moved while
	// it was read (see Runner.Sync); each is planned once. ReadTwice says the listing was read again because it
	// may have skipped one (Pages counts both readings); Unsteady, that it moved again when read again.
	Repeated  int  `json:"repeated,omitempty"`
	ReadTwice bool `json:"read_twice,omitempty"`
	Unsteady  bool `json:"unsteady,omitempty"`
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

// ErrIncomplete is matched by an *IncompleteError.
var ErrIncomplete = errors.New("syncer: the sync left something undone")

// IncompleteError is the error of a run that finished but left something undone; Runner.Sync and Runner.Apply
// return it with the full report, which says what. Its counts let a caller log and alert without reading the
// report.
type IncompleteError struct {
	// Failed counts the actions not made: failed, or not run.
	Failed int
	// Ignored counts the actions OnCall answered without applying every field they wrote.
	Ignored int
	// Attention counts the skips that need a person (Skip.Attention), and Review the OnCall appointments to review.
	Attention, Review int
	// Warnings counts the EHR writes that failed (Report.Warnings).
	Warnings int
}

func (e *IncompleteError) Error() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(e.Failed, "failed")
	add(e.Ignored, "not fully applied by OnCall")
	add(e.Attention, "need attention")
	add(e.Review, "to review")
	add(e.Warnings, "EHR writes failed")
	return "syncer: the sync left something undone: " + strings.Join(parts, ", ") + " (see the report)"
}

// Is matches ErrIncomplete.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// incomplete returns the report's *IncompleteError, or nil when nothing is left undone.
func (r *Report) incomplete() error {
	e := &IncompleteError{Failed: sum(r.Failed), Ignored: sum(r.Ignored), Review: len(r.Review), Warnings: len(r.Warnings)}
	for _, s := range r.Skipped {
		if s.Attention {
			e.Attention++
		}
	}
	if *e == (IncompleteError{}) {
		return nil
	}
	return e
}

// NeedsAttention reports whether anything in the report needs a person: a failure, a write OnCall did not fully
// apply, a skip with Attention, a review item or a warning. A report without it, whose run planned nothing, is in
// sync.
func (r *Report) NeedsAttention() bool { return r.incomplete() != nil }

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

// WriteText writes the report for a person: a summary line, then each action, failure, skip and review item. A nil
// report (a run that could not go on) writes nothing.
func (r *Report) WriteText(w io.Writer) error {
	if r == nil {
		return nil
	}
	var b strings.Builder
	verb := "applied"
	counts := r.Applied
	if r.DryRun {
		verb, counts = "planned (dry run, nothing written)", r.Planned
	}
	switch {
	case len(r.Actions) == 0 && !r.NeedsAttention():
		fmt.Fprintf(&b, "No changes: OnCall is in sync.\n")
	case len(r.Actions) == 0:
		fmt.Fprintf(&b, "No changes made, but OnCall is not in sync: see what needs attention below.\n")
	default:
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
	for _, attention := range []bool{true, false} {
		var list []Skip
		for _, s := range r.Skipped {
			if s.Attention == attention {
				list = append(list, s)
			}
		}
		switch {
		case len(list) == 0:
			continue
		case attention:
			fmt.Fprintf(&b, "%d need attention:\n", len(list))
		default:
			fmt.Fprintf(&b, "%d skipped by policy:\n", len(list))
		}
		for _, s := range list {
			if s.Client != "" {
				fmt.Fprintf(&b, "  - %s client %s: %s\n", displayKey(s.Key), displayID(s.Client), s.Reason)
			} else {
				fmt.Fprintf(&b, "  - %s: %s\n", displayKey(s.Key), s.Reason)
			}
		}
	}
	if len(r.Review) > 0 {
		fmt.Fprintf(&b, "%d to review:\n", len(r.Review))
		for _, c := range r.Review {
			fmt.Fprintf(&b, "  ? %s may be OnCall appointment %d (matching %s)\n", displayKey(c.Key), c.Appointment, strings.Join(c.Matched, ", "))
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	if l := r.Listing; l != nil {
		fmt.Fprintf(&b, "Listing: %s, %s, %d of them in the window.\n", plural(l.Pages, "page"), plural(l.Appointments, "OnCall appointment"), l.InWindow)
		if l.Repeated > 0 {
			fmt.Fprintf(&b, "  %s read twice, because the listing moved while it was read; each was planned once.\n", plural(l.Repeated, "appointment"))
		}
		switch {
		case l.Unsteady:
			b.WriteString("  The listing moved while read, twice: nothing the first reading showed was created again.\n")
		case l.ReadTwice:
			b.WriteString("  The listing was read a second time: the first reading may have skipped an appointment.\n")
		}
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

// JSON returns the report as indented JSON. Like the text, it shows an EHR key or a client id that does not look
// like one by its length (see the package's Privacy section); the report's own fields keep the values.
func (r *Report) JSON() ([]byte, error) { return json.MarshalIndent(r.redactedForJSON(), "", "  ") }

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

// plural is "1 page" or "3 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
