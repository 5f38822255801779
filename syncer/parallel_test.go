package syncer

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

// TestPlanOnAnyWorkers holds the plan the same whether one goroutine plans the EHR's appointments or several share
// the blocks out however they fall: a periodic sync's inputs (newPlanMix: every status, groups, series, deletions,
// duplicates, an appointment listed twice) in every order, and the same with half the EHR gone, so that orphans are
// cancelled, and with the sources read as SyncChanges passes them. The whole EHR plans the same in every order.
func TestPlanOnAnyWorkers(t *testing.T) {
	t.Parallel()
	// One block, planned on the caller's goroutine, and twelve.
	for _, n := range []int{planBlock/2 + 3, 3000} {
		m := newPlanMix(t, n)
		var whole *Changeset // the plan of all of the EHR, in the first order
		for _, o := range planOrders {
			ehr := o.order(m.ehr)
			for _, in := range []struct {
				name string
				ehr  []carelogic.Appointment
				read map[string]bool
			}{
				{"all", ehr, nil},
				{"half", ehr[:len(ehr)/2], nil},
				{"read", ehr[len(ehr)/3:], map[string]bool{testSource: true, "elsewhere": true}},
			} {
				want := planOn(1, in.ehr, m.existing, m.window, m.policy, in.read)
				if len(want.Actions) == 0 || len(want.Skipped) == 0 {
					t.Fatalf("n=%d %s %s: the plan is empty (%d actions, %d skips): the test compares nothing", n, o.name, in.name, len(want.Actions), len(want.Skipped))
				}
				if in.name == "all" {
					if whole == nil {
						whole = want
					} else if diff := cmp.Diff(whole, want); diff != "" {
						t.Errorf("n=%d: the EHR in %s order planned differently (-%s +%s):\n%s", n, o.name, planOrders[0].name, o.name, diff)
					}
				}
				for _, workers := range []int{2, 3, 16} {
					got := planOn(workers, in.ehr, m.existing, m.window, m.policy, in.read)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("n=%d %s %s: %d goroutines planned differently from one (-one +%d):\n%s", n, o.name, in.name, workers, workers, diff)
					}
				}
			}
		}
	}
}

// TestPlanPanicReachesCaller: a panic on one of the goroutines planning (a bug) reaches Plan's caller, who may
// recover it, rather than ending the program; it unwraps to the runtime error and shows where it happened.
func TestPlanPanicReachesCaller(t *testing.T) {
	t.Parallel()
	ehr := make([]carelogic.Appointment, 4*planBlock)
	listed := make([]int32, len(ehr)) // entries of an index that has none
	defer func() {
		r := recover()
		err, _ := r.(error)
		var re runtime.Error
		if !errors.As(err, &re) {
			t.Fatalf("recovered %T (%v), want an error that unwraps to a runtime.Error", r, r)
		}
		if !strings.Contains(err.Error(), "planRange") {
			t.Errorf("the panic does not show the stack where it happened:\n%v", err)
		}
	}()
	(&planner{}).planEHR(ehr, listed, nil, 3)
	t.Error("planEHR returned")
}
