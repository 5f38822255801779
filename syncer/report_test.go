package syncer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// sampleReport is a report with one of everything: actions applied, failed and not run, a note, skips, a review
// item and a warning.
func sampleReport() *syncer.Report {
	create := func(key string) syncer.Action {
		return syncer.Action{Kind: syncer.ActionCreate, Key: key, Reason: "new in the EHR"}
	}
	return &syncer.Report{
		Planned: map[syncer.ActionKind]int{syncer.ActionCreate: 3, syncer.ActionAddParticipant: 1, syncer.ActionUpdate: 1, syncer.ActionSetStatus: 1},
		Applied: map[syncer.ActionKind]int{syncer.ActionCreate: 2},
		Failed:  map[syncer.ActionKind]int{syncer.ActionCreate: 1, syncer.ActionAddParticipant: 1, syncer.ActionUpdate: 1, syncer.ActionSetStatus: 1},
		Actions: []syncer.ActionResult{
			{Action: create("src/1"), Outcome: syncer.OutcomeApplied, Created: 1001, URL: "https://api.example/appointments/1001/"},
			{Action: create("src/2"), Outcome: syncer.OutcomeFailed, Error: "oncall: POST /appointments/: 400 Bad Request (fields: provider)"},
			{Action: create("src/3"), Outcome: syncer.OutcomeApplied, Created: 1003, URL: "https://api.example/appointments/1003/",
				Note: "confirmed by look-up after an ambiguous failure"},
			{Action: syncer.Action{Kind: syncer.ActionAddParticipant, Key: "src/4", Appointment: 1004, Client: "cl-9", Reason: "added to the group in the EHR"},
				Outcome: syncer.OutcomeFailed, Error: "oncall: POST /participants/: 429 Too Many Requests"},
			{Action: syncer.Action{Kind: syncer.ActionUpdate, Key: "src/4", Appointment: 1004, Fields: []string{"metadata"}, Reason: "changed in the EHR"},
				Outcome: syncer.OutcomeNotRun, Error: "not run: an earlier change to this appointment failed"},
			{Action: syncer.Action{Kind: syncer.ActionSetStatus, Key: "src/5", Appointment: 1005, Participant: 5007, Client: "cl-7",
				Status: oncall.ParticipantNoShow, Reason: "marked DNS in the EHR"}, Outcome: syncer.OutcomeNotRun, Error: "not run: context canceled"},
		},
		Skipped: []syncer.Skip{
			{Attention: true, Key: "src/6", Reason: `no OnCall provider mapped for EHR staff id "staff-404"`},
			{Key: "src/7", Client: "cl-8", Reason: "Kept does not sync"},
		},
		Review:   []syncer.Candidate{{Key: "src/8", Appointment: 1009, Matched: []string{"provider", "date", "title"}}},
		Warnings: []string{"src/1: storing the OnCall URL on the EHR record: EHR unavailable"},
	}
}

func TestReportText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  *syncer.Report
		want string
	}{{
		name: "everything",
		rep:  sampleReport(),
		want: `2 applied: 2 create
4 failed: 1 create, 1 add-participant, 1 set-status, 1 update
  + create src/1: new in the EHR -> oncall 1001
  ! create src/2: new in the EHR FAILED: oncall: POST /appointments/: 400 Bad Request (fields: provider)
  + create src/3: new in the EHR -> oncall 1003 (confirmed by look-up after an ambiguous failure)
  ! add-participant src/4 (oncall 1004) client cl-9: added to the group in the EHR FAILED: oncall: POST /participants/: 429 Too Many Requests
  ! update src/4 (oncall 1004) [metadata]: changed in the EHR NOT RUN: an earlier change to this appointment failed
  ! set-status src/5 (oncall 1005) client cl-7 -> No Show: marked DNS in the EHR NOT RUN: context canceled
1 need attention:
  - src/6: no OnCall provider mapped for EHR staff id "staff-404"
1 skipped by policy:
  - src/7 client cl-8: Kept does not sync
1 to review:
  ? src/8 may be OnCall appointment 1009 (matching provider, date, title)
warning: src/1: storing the OnCall URL on the EHR record: EHR unavailable
`,
	}, {
		name: "dry run",
		rep: &syncer.Report{DryRun: true, Planned: map[syncer.ActionKind]int{syncer.ActionCancel: 1, syncer.ActionCreate: 2},
			Actions: []syncer.ActionResult{
				{Action: syncer.Action{Kind: syncer.ActionCancel, Key: "src/1", Appointment: 1001, Reason: "deleted in the EHR"}, Outcome: syncer.OutcomePlanned},
				{Action: syncer.Action{Kind: syncer.ActionCreate, Key: "src/2", Reason: "new in the EHR"}, Outcome: syncer.OutcomePlanned},
				{Action: syncer.Action{Kind: syncer.ActionCreate, Key: "src/3", Reason: "new in the EHR"}, Outcome: syncer.OutcomePlanned},
			}},
		want: `3 planned (dry run, nothing written): 1 cancel, 2 create
  ~ cancel src/1 (oncall 1001): deleted in the EHR
  ~ create src/2: new in the EHR
  ~ create src/3: new in the EHR
`,
	}, {
		name: "nothing applied",
		rep: &syncer.Report{Failed: map[syncer.ActionKind]int{syncer.ActionCancel: 1}, Actions: []syncer.ActionResult{
			{Action: syncer.Action{Kind: syncer.ActionCancel, Key: "src/1", Appointment: 1001}, Outcome: syncer.OutcomeFailed, Error: "oncall: PATCH /appointments/1001/: 500 Internal Server Error"},
		}},
		want: `0 applied
1 failed: 1 cancel
  ! cancel src/1 (oncall 1001) FAILED: oncall: PATCH /appointments/1001/: 500 Internal Server Error
`,
	}, {
		name: "in sync",
		rep:  &syncer.Report{Skipped: []syncer.Skip{{Key: "src/1", Client: "cl-1", Reason: `custom status "Checked-in" does not sync`}}},
		want: `No changes: OnCall is in sync.
1 skipped by policy:
  - src/1 client cl-1: custom status "Checked-in" does not sync
`,
	}, {
		// Nothing to change is not "in sync" while something needs a person.
		name: "no changes, but attention needed",
		rep: &syncer.Report{Skipped: []syncer.Skip{
			{Key: "src/1", Client: "cl-1", Reason: `custom status "Checked-in" does not sync`},
			{Key: "src/2", Reason: `no OnCall provider mapped for EHR staff id "staff-9"`, Attention: true},
		}},
		want: `No changes made, but OnCall is not in sync: see what needs attention below.
1 need attention:
  - src/2: no OnCall provider mapped for EHR staff id "staff-9"
1 skipped by policy:
  - src/1 client cl-1: custom status "Checked-in" does not sync
`,
	}, {
		name: "zero report",
		rep:  &syncer.Report{},
		want: "No changes: OnCall is in sync.\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := tt.rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteText (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, tt.rep.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteTextError(t *testing.T) {
	t.Parallel()
	if err := sampleReport().WriteText(failingWriter{}); err == nil || err.Error() != "disk full" {
		t.Errorf("WriteText to a failing writer: %v, want the writer's error", err)
	}
}

// TestReportOfRealRun checks the text of a run's report against the report's own values: a summary line counting
// what was applied, and one line per action.
func TestReportOfRealRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	h.sync(h.runner())
	h.edit(carelogic.DemoEdits)
	rep := h.sync(h.runner())
	lines := strings.Split(rep.String(), "\n")
	if want := fmt.Sprintf("%d applied: ", len(rep.Actions)); !strings.HasPrefix(lines[0], want) {
		t.Errorf("summary line %q, want it to start %q", lines[0], want)
	}
	for k, n := range rep.Applied {
		if !strings.Contains(lines[0], fmt.Sprintf(" %d %s", n, k)) {
			t.Errorf("summary line %q lacks %d %s", lines[0], n, k)
		}
	}
	for i, a := range rep.Actions {
		if want := "  + " + a.Action.String(); !strings.HasPrefix(lines[1+i], want) {
			t.Errorf("line %d is %q, want it to start %q", 2+i, lines[1+i], want)
		}
	}
	if want := fmt.Sprintf("%d skipped by policy:", len(rep.Skipped)); lines[1+len(rep.Actions)] != want || len(rep.Skipped) == 0 {
		t.Errorf("line after the actions is %q, want %q", lines[1+len(rep.Actions)], want)
	}
}

// withoutParams returns the report as its JSON form holds it: without the actions' request parameters, which
// carry patients' names and emails and are not marshalled, and without each result's Err (its text is Error).
func withoutParams(r *syncer.Report) *syncer.Report {
	out := *r
	out.Actions = make([]syncer.ActionResult, len(r.Actions))
	for i, a := range r.Actions {
		a.Create, a.Update, a.Add, a.ParticipantUpdate, a.Err = nil, nil, nil, nil, nil
		if a.Participants != nil {
			a.Participants = slices.Clone(a.Participants)
			for j := range a.Participants {
				a.Participants[j].Add, a.Participants[j].Email = nil, ""
			}
		}
		out.Actions[i] = a
	}
	return &out
}

func TestReportJSONRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	first := h.sync(h.runner())
	h.edit(carelogic.DemoEdits)
	if err := h.srv.InjectNext(oncalltest.FaultInternalError, 1, oncalltest.Match{Method: "PATCH", Route: "/appointments/{id}/"}); err != nil {
		t.Fatal(err)
	}
	second := h.sync(h.runner())
	dry := h.sync(&syncer.Runner{Client: h.client, DryRun: true})
	for name, rep := range map[string]*syncer.Report{"sample": sampleReport(), "first": first, "second": second, "dry run": dry} {
		for _, marshal := range []struct {
			name string
			f    func(*syncer.Report) ([]byte, error)
		}{
			{"json.Marshal", func(r *syncer.Report) ([]byte, error) { return json.Marshal(r) }},
			{"Report.JSON", (*syncer.Report).JSON},
		} {
			b, err := marshal.f(rep)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, marshal.name, err)
			}
			var got syncer.Report
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %s: Unmarshal: %v", name, marshal.name, err)
			}
			if diff := cmp.Diff(withoutParams(rep), &got); diff != "" {
				t.Errorf("%s: %s round trip (-want +got):\n%s", name, marshal.name, diff)
			}
		}
	}
	// The injected failure, which the JSON form reports with its text, and the result with its error.
	failed := second.FailedActions()
	if len(failed) != 1 || !errors.Is(failed[0].Err, oncall.ErrServer) || !strings.Contains(failed[0].Error, "500") {
		t.Errorf("second run: want one action failed with the 500, got:\n%s", second)
	}
}

// demoPHI returns every name and email of the demo's clients, before and after its edits.
func demoPHI() []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range carelogic.DemoEdits(carelogic.DemoSchedule(e2eNow)) {
		for _, p := range a.Participants {
			for _, s := range []string{p.Name, p.Email} {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	for _, p := range carelogic.DemoSchedule(e2eNow) {
		for _, c := range p.Participants {
			for _, s := range []string{c.Name, c.Email} {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// TestReportHasNoPHI: the report, as text and JSON, and the runner's log name no client, whatever happened.
func TestReportHasNoPHI(t *testing.T) {
	t.Parallel()
	var logged bytes.Buffer
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	r := h.runner()
	r.Logger = slog.New(slog.NewJSONHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var reports []*syncer.Report
	reports = append(reports, h.sync(r))
	h.edit(carelogic.DemoEdits)
	// Failures and look-ups too: their errors and notes must not carry PHI either.
	for _, f := range []struct {
		kind  oncalltest.FaultKind
		match oncalltest.Match
	}{
		{oncalltest.FaultInternalError, oncalltest.Match{Method: "PATCH", Route: "/participants/{id}/"}},
		{oncalltest.FaultCommitThenDrop, oncalltest.Match{Method: "POST"}},
		{oncalltest.FaultBadGateway, oncalltest.Match{Method: "DELETE"}},
	} {
		if err := h.srv.InjectNext(f.kind, 1, f.match); err != nil {
			t.Fatal(err)
		}
	}
	dry := &syncer.Runner{Client: h.client, DryRun: true}
	reports = append(reports, h.sync(dry), h.sync(r), h.sync(r))
	var all strings.Builder
	for _, rep := range reports {
		all.WriteString(rep.String())
		b, err := rep.JSON()
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	all.Write(logged.Bytes())
	out := all.String()
	if !strings.Contains(out, "cl-1001") || !strings.Contains(out, "oncall sync action applied") {
		t.Fatalf("the reports and log do not name the clients by id, or log nothing: the test checks nothing")
	}
	phi := demoPHI()
	if len(phi) < 40 {
		t.Fatalf("only %d names and emails in the demo", len(phi))
	}
	for _, s := range phi {
		if strings.Contains(out, s) {
			t.Errorf("report or log contains %q", s)
		}
	}
	// The look-up after the dropped create is in the log and the report, without PHI.
	if n := strings.Count(out, "after an ambiguous failure"); n == 0 {
		t.Errorf("no look-up reported:\n%s", reports[2])
	}
}

// TestReportListing: the report says what the listing pass read, pages and appointments, against how many start
// in the window: OnCall documents no date filter, so a narrow window still reads the account's history.
func TestReportListing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, carelogic.DemoSchedule(e2eNow))
	first := h.sync(h.runner())
	n := len(h.srv.Appointments())
	if first.Listing == nil || first.Listing.Appointments != 0 || first.Listing.Pages != 1 {
		t.Fatalf("first sync's listing = %+v, want one empty page", first.Listing)
	}
	r := &syncer.Runner{Client: h.client, PageSize: 5}
	h.window = syncer.Window{From: e2eNow, To: e2eNow.AddDate(0, 0, 2)}
	rep, err := finished(r.Sync(t.Context(), h.mem, h.window, h.policy))
	if err != nil {
		t.Fatal(err)
	}
	inWindow := 0
	for _, a := range h.srv.Appointments() {
		if !a.DateTime.Before(h.window.From) && a.DateTime.Before(h.window.To) {
			inWindow++
		}
	}
	want := &syncer.ListingStats{Pages: (n + 4) / 5, Appointments: n, InWindow: inWindow}
	if d := cmp.Diff(want, rep.Listing); d != "" {
		t.Errorf("Listing (-want +got):\n%s", d)
	}
	if inWindow == 0 || inWindow == n {
		t.Fatalf("%d of %d in the window: the test needs some in and some out", inWindow, n)
	}
	line := fmt.Sprintf("Listing: %d pages, %d OnCall appointments, %d of them in the window.", want.Pages, n, inWindow)
	if !strings.Contains(rep.String(), line) {
		t.Errorf("report does not say %q:\n%s", line, rep)
	}
}
