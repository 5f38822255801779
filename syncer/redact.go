package syncer

import (
	"context"
	"errors"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
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

// oncallStatusText is an OnCall appointment or participant status for a reason: a documented one as is, any
// other value the API sent by its length.
func oncallStatusText[S ~string](s S, known bool) string {
	if known || s == "" {
		return string(s)
	}
	return redact.Value(string(s))
}
