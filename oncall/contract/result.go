package contract

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/oncallsync/oncall-go/oncall"
)

// Outcome is a check's verdict on its assumption.
type Outcome string

const (
	// Held: the API behaved as the assumption says.
	Held Outcome = "held"
	// Failed: the API did not; Detail says how.
	Failed Outcome = "failed"
	// Unknown: the answers could not tell (too few appointments, a field never seen, no answer).
	Unknown Outcome = "unknown"
	// Skipped: the check did not run (read-only mode, an earlier step it needs did not happen, or nothing to check).
	Skipped Outcome = "skipped"
)

// Check is the verdict on one assumption.
type Check struct {
	// ID names the check, stably across releases (see the package documentation for the list).
	ID string
	// Assumption is what the check tests, in a sentence.
	Assumption string
	Outcome    Outcome
	// Detail is the evidence: counts, statuses, field names, OnCall's own hosts. It never holds a name, an email, a token, a
	// reason text or a response body.
	Detail string
}

// Result is what a run found.
type Result struct {
	// Checks are the verdicts, in the order the checks ran.
	Checks []Check
	// Created are the appointments the run created (at most one); the run cancels them before it returns, and
	// write.cancel says whether that worked.
	Created []oncall.AppointmentID
}

// Failed returns the checks whose outcome is Failed, in order.
func (r *Result) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Outcome == Failed {
			out = append(out, c)
		}
	}
	return out
}

// WriteText writes the result as a table, one check a line (outcome, id, assumption, detail), followed by a count
// of each outcome and the appointments created.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tCHECK\tASSUMPTION\tDETAIL")
	counts := map[Outcome]int{}
	for _, c := range r.Checks {
		counts[c.Outcome]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Outcome, c.ID, oneLine(c.Assumption), oneLine(c.Detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	created := "nothing"
	if len(r.Created) > 0 {
		ids := make([]string, len(r.Created))
		for i, id := range r.Created {
			ids[i] = fmt.Sprintf("appointment %d", id)
		}
		created = strings.Join(ids, ", ")
	}
	_, err := fmt.Fprintf(w, "\n%d held, %d failed, %d unknown, %d skipped; created: %s\n",
		counts[Held], counts[Failed], counts[Unknown], counts[Skipped], created)
	return err
}

// oneLine keeps a cell on its line: tabs and line breaks would break the table.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
