package syncer

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

// TestKeyOutcomes: one reading of a report for both ledgers and the loop's retries: a create whose answer was lost
// and a recreate stopped half-way are pending (left to a reconcile, never retried alone); a write that failed is
// retried; a create that certainly failed is dropped and retried; an attention skip withholds the digest.
func TestKeyOutcomes(t *testing.T) {
	t.Parallel()
	lost := &oncall.RequestError{Method: "POST", Path: "/appointments/", Sent: true, Err: errors.New("EOF")}
	refused := &oncall.APIError{StatusCode: 400, Method: "POST", Path: "/appointments/"}
	rep := &Report{
		Actions: []ActionResult{
			{Action: Action{Kind: ActionCreate, Key: "s/new"}, Outcome: OutcomeApplied, Created: 7},
			{Action: Action{Kind: ActionCreate, Key: "s/lost"}, Outcome: OutcomeFailed, Err: lost},
			{Action: Action{Kind: ActionCreate, Key: "s/refused"}, Outcome: OutcomeFailed, Err: refused},
			{Action: Action{Kind: ActionRecreate, Key: "s/half"}, Outcome: OutcomeFailed, Err: refused},
			{Action: Action{Kind: ActionUpdate, Key: "s/upd"}, Outcome: OutcomeFailed, Err: lost},
			{Action: Action{Kind: ActionUpdate, Key: "s/ok"}, Outcome: OutcomeApplied},
		},
		Skipped: []Skip{{Key: "s/attn", Attention: true}, {Key: "s/policy"}},
	}
	got := map[string]keyOutcome{}
	for key, o := range keyOutcomes(rep) {
		got[key] = *o
	}
	want := map[string]keyOutcome{
		"s/new":     {created: 7},
		"s/lost":    {pending: true, unsure: true, failed: true},
		"s/refused": {dropped: true, unsure: true, failed: true},
		"s/half":    {pending: true, unsure: true, failed: true},
		"s/upd":     {unsure: true, failed: true},
		"s/ok":      {},
		"s/attn":    {unsure: true},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(keyOutcome{})); diff != "" {
		t.Errorf("keyOutcomes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s/refused", "s/upd"}, retryKeys(rep)); diff != "" {
		t.Errorf("retryKeys (-want +got):\n%s", diff)
	}
	if !rep.hasPending() {
		t.Error("hasPending = false with a create's answer lost")
	}
}
