package syncer

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/oncall"
)

// The report's texts follow the module's rule (internal/redact): ids, field names and counts, never a value from
// input. These helpers describe the values a reason would otherwise quote.

// adapterError marks an error returned by the EHR Adapter, so that a report describes it with ehrErrorText while
// errors.Is and errors.As still reach it.
type adapterError struct{ err error }

func (e *adapterError) Error() string { return e.err.Error() }
func (e *adapterError) Unwrap() error { return e.err }

// fromAdapter marks err, if not nil, as the EHR Adapter's.
func fromAdapter(err error) error {
	if err == nil {
		return nil
	}
	return &adapterError{err}
}

// reportText is an error's text for a report: the module's own errors as they are, an Adapter's described by
// ehrErrorText.
func reportText(err error) string {
	var ae *adapterError
	if errors.As(err, &ae) {
		if err == error(ae) {
			return ehrErrorText(ae.err)
		}
		// Wrapped in the module's own words ("syncer: reading the EHR: ..."): keep those, describe the rest.
		if msg, inner := err.Error(), ae.Error(); strings.HasSuffix(msg, inner) {
			return strings.TrimSuffix(msg, inner) + ehrErrorText(ae.err)
		}
		return ehrErrorText(ae.err)
	}
	return err.Error()
}

// ehrErrorText describes an error returned by the EHR Adapter for a report. An Adapter is the integration's own
// code, whose error text may hold anything (a driver's message quoting a row), so only errors whose text the
// module writes, and the sentinels it knows, are shown; the error itself stays in ActionResult.Err, in
// EHRResult's returned error and in Sync's, for the caller to inspect.
func ehrErrorText(err error) string {
	var (
		verr *carelogic.ValidationError
		serr *carelogic.SourceError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &verr):
		return verr.Error()
	case errors.As(err, &serr):
		return serr.Error()
	case errors.Is(err, carelogic.ErrNotFound):
		return "the EHR adapter found no such record"
	case errors.Is(err, context.DeadlineExceeded):
		return "the EHR adapter stopped: " + context.DeadlineExceeded.Error()
	case errors.Is(err, context.Canceled):
		return "the EHR adapter stopped: " + context.Canceled.Error()
	case errors.Is(err, errUnsupported):
		return errUnsupported.Error()
	}
	return "the EHR adapter failed (its error text is not shown, as it may hold patient data)"
}

// ehrStatusText is an EHR status for a reason: one of CareLogic's (DNS, Kept, ...) as is, a custom one, whatever
// an EHR put in that column, by its length.
func ehrStatusText(s carelogic.Status) string {
	if s == "" {
		return string(carelogic.StatusScheduled)
	}
	if s.IsCustom() {
		return redact.Value(string(s))
	}
	return string(s)
}

// oncallStatusText is an OnCall appointment status for a reason: a documented one as is, any other value the
// API sent by its length.
func oncallStatusText(s oncall.AppointmentStatus) string {
	if s.Known() || s == "" {
		return string(s)
	}
	return redact.Value(string(s))
}

// displayKey is an EHR key ("source/id") for a report or a log line: the id when it looks like an id, the source
// when it looks like a system's name (letters, digits and . _ - : @, no space, not an email address: CareLogic's
// SIU sources are "MSH-3@MSH-4", such as SCHApp@GHHSFacility), and the length of any part that does not. A name
// with no space in the source column ("JaneRoe") cannot be told from a system's, and is shown.
func displayKey(key string) string {
	source, id, ok := strings.Cut(key, "/")
	if !ok {
		return displayID(key)
	}
	if !isSourceName(source) {
		source = redact.Value(source)
	}
	return source + "/" + displayID(id)
}

// displayID is an EHR id (an appointment's, a client's) for a report: as is when it looks like an id, and by its
// length otherwise.
func displayID(id string) string {
	if id == "" || redact.IsID(id) {
		return id
	}
	return redact.Value(id)
}

func isSourceName(s string) bool {
	if s == "" || len(s) > redact.MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':' || c == '@') {
			return false
		}
	}
	at := strings.IndexByte(s, '@')
	return at < 0 || !strings.Contains(s[at:], ".") // user@host.tld is an email address
}

// redactedForJSON returns a copy of the report whose EHR keys and client ids are as displayKey and displayID
// show them, for its JSON form, which is printed and logged as the text is.
func (r *Report) redactedForJSON() *Report {
	out := *r
	out.Actions = slices.Clone(r.Actions)
	for i := range out.Actions {
		out.Actions[i].Key = displayKey(out.Actions[i].Key)
		out.Actions[i].Client = displayID(out.Actions[i].Client)
	}
	out.Skipped = slices.Clone(r.Skipped)
	for i := range out.Skipped {
		out.Skipped[i].Key = displayKey(out.Skipped[i].Key)
		out.Skipped[i].Client = displayID(out.Skipped[i].Client)
	}
	out.Review = slices.Clone(r.Review)
	for i := range out.Review {
		out.Review[i].Key = displayKey(out.Review[i].Key)
	}
	return &out
}
