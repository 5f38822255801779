package carelogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// This file holds the errors of the JSON schedule format and the texts of its problems, which name fields and
// positions and never repeat a value of the input (see internal/redact).

const jsonErrorPrefix = "carelogic: JSON schedule: "

// The error text lists this many invalid appointments and this many problems of each, and counts the rest;
// Unwrap gives every one kept (at most MaxErrors of each).
const (
	maxErrorLines    = 50 // appointments listed in a scheduleError's text
	maxErrorProblems = 20 // problems listed in one entryError's text
)

// scheduleError is the error ReadJSON and WriteJSON return for invalid appointments: one line per appointment.
type scheduleError struct {
	entries []*entryError
	more    int // invalid appointments after the first MaxErrors, counted but not kept
}

func (e *scheduleError) Error() string {
	var b strings.Builder
	for i, entry := range e.entries {
		if i == maxErrorLines {
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(entry.Error())
	}
	if n := len(e.entries) - min(len(e.entries), maxErrorLines) + e.more; n > 0 {
		fmt.Fprintf(&b, "\n%sand %d more invalid appointments", jsonErrorPrefix, n)
	}
	return b.String()
}

func (e *scheduleError) Unwrap() []error {
	errs := make([]error, len(e.entries))
	for i, entry := range e.entries {
		errs[i] = entry
	}
	return errs
}

// invalidEntries collects the invalid appointments of a schedule, keeping the first MaxErrors.
type invalidEntries scheduleError

func (b *invalidEntries) add(index int, verr *ValidationError) {
	if len(b.entries) < MaxErrors {
		b.entries = append(b.entries, &entryError{index: index, verr: verr})
	} else {
		b.more++
	}
}

// err returns the *scheduleError, or nil when no appointment was invalid.
func (b *invalidEntries) err() error {
	if len(b.entries) == 0 {
		return nil
	}
	return (*scheduleError)(b)
}

// entryError places one appointment's ValidationError in the file.
type entryError struct {
	index int
	verr  *ValidationError
}

func (e *entryError) Error() string {
	where := fmt.Sprintf("appointments[%d]", e.index)
	if e.verr.ID != "" {
		where += " (id " + redact.ID(e.verr.ID) + ")"
	}
	problems := e.verr.Problems
	more := ""
	if len(problems) > maxErrorProblems {
		more = fmt.Sprintf("; and %d more problems", len(problems)-maxErrorProblems)
		problems = problems[:maxErrorProblems]
	}
	return jsonErrorPrefix + where + ": " + strings.Join(problems, "; ") + more
}

func (e *entryError) Unwrap() error { return e.verr }

// syntaxError describes where data, which json.Valid refused, stops being JSON: the line and column, and what is
// there in our words (a letter, a digit, a quote), never the input's own text. encoding/json's *SyntaxError is not
// kept: its text quotes the character.
func syntaxError(data []byte) error {
	var syn *json.SyntaxError
	if err := json.Unmarshal(data, &struct{}{}); !errors.As(err, &syn) {
		return errors.New(jsonErrorPrefix + "not valid JSON")
	}
	at := max(syn.Offset-1, 0) // the offending byte: Offset counts it
	switch {
	case at >= int64(len(data)):
		return errors.New(jsonErrorPrefix + "not valid JSON: input ends in the middle of a value")
	case at > 0 && json.Valid(data[:at]):
		return errors.New(jsonErrorPrefix + "unexpected data after the schedule at " + position(data, at))
	case syn.Offset >= int64(len(data)) && truncated(data):
		return errors.New(jsonErrorPrefix + "not valid JSON: input ends in the middle of a value")
	}
	return errors.New(jsonErrorPrefix + "not valid JSON at " + position(data, at) + ": unexpected " + describeByte(data[at]))
}

// truncated reports whether data, which is not valid JSON, is cut short rather than wrong at its last byte: then
// one more byte of white space leaves the error at the end of the input.
func truncated(data []byte) bool {
	var syn *json.SyntaxError
	err := json.Unmarshal(append(data[:len(data):len(data)], ' '), &struct{}{})
	return errors.As(err, &syn) && syn.Offset > int64(len(data))
}

// describeByte names a byte of the input without quoting what could be part of a value: JSON's own punctuation and
// other ASCII symbols are shown, letters and digits are named by their class.
func describeByte(c byte) string {
	switch {
	case '0' <= c && c <= '9':
		return "digit"
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		return "letter"
	case c < 0x20 || c == 0x7f:
		return "control character"
	case c >= 0x80:
		return "non-ASCII character"
	}
	return strconv.QuoteRune(rune(c))
}

// position describes a byte offset into data as a line and column, both counted from 1.
func position(data []byte, offset int64) string {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// unknownField describes a member that the format does not have, the index-th of its object. Its name is shown
// only when it is a plain field name (redact.Name): a misspelt field is worth showing, but a "name" that is really
// a pasted email address or a person's name is not. A known field in another case is named in ours.
func unknownField(name string, index int, known []string) string {
	if redact.IsName(name) {
		msg := "unknown field " + strconv.Quote(name)
		if name == "duration" {
			msg += ` (the length is "duration_minutes")`
		}
		return msg
	}
	for _, k := range known {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf("unknown field (field %d of the object): field names are lower case, as in %q", index+1, k)
		}
	}
	return fmt.Sprintf("unknown field %s (field %d of the object)", redact.Value(name), index+1)
}
