package syncer

import (
	"slices"

	"github.com/oncallsync/oncall-go/oncall"
)

// keyOutcome is what a run's actions and skips left of one EHR key, as the ledger records it. SyncChanges (record)
// and Reconcile (ledgerEntries) both read a report through it, so that the two ledgers agree, and the loop decides
// from it what to try again.
type keyOutcome struct {
	// created is the appointment a create or recreate made.
	created oncall.AppointmentID
	// pending: a create or recreate that may have happened (its answer lost, a look-up not settled) or that a
	// recreate left half-done; only a reconcile, which lists OnCall, may settle it.
	pending bool
	// dropped: a create that certainly did not happen.
	dropped bool
	// unsure: an action was not made, or a skip needs a person: no digest is recorded, so that the next change or
	// reconcile plans the key again.
	unsure bool
	// failed: an action was not made (failed, or not run) and trying it again may help.
	failed bool
}

// keyOutcomes reads rep by EHR key.
func keyOutcomes(rep *Report) map[string]*keyOutcome {
	out := map[string]*keyOutcome{}
	get := func(key string) *keyOutcome {
		o := out[key]
		if o == nil {
			o = &keyOutcome{}
			out[key] = o
		}
		return o
	}
	for _, res := range rep.Actions {
		o := get(res.Key)
		ok := res.Outcome == OutcomeApplied || res.Outcome == OutcomeIgnored
		if res.Kind == ActionCreate || res.Kind == ActionRecreate {
			switch {
			case ok && res.Created != 0:
				o.created, o.pending = res.Created, false
			case res.Kind == ActionCreate && !ambiguous(res.Err):
				o.dropped = true
			default:
				o.pending = true
			}
		}
		if !ok {
			o.unsure = true
			o.failed = o.failed || res.Outcome == OutcomeFailed || res.Outcome == OutcomeNotRun
		}
	}
	for _, s := range rep.Skipped {
		if s.Attention {
			get(s.Key).unsure = true
		}
	}
	return out
}

// retryKeys returns, in key order, the keys whose actions were not made and that a retry of the key alone may
// bring in: not those pending, which only a reconcile settles (retrying them would only ask for one again).
func retryKeys(rep *Report) []string {
	var out []string
	for key, o := range keyOutcomes(rep) {
		if o.failed && !o.pending {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// hasPending reports whether any key is left pending: a reconcile is needed.
func (r *Report) hasPending() bool {
	for _, o := range keyOutcomes(r) {
		if o.pending {
			return true
		}
	}
	return false
}
