package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

func runJob(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), err
}

// TestDemoJSON runs the main job with no source flags and checks the report: the first pass makes every kind of
// change the demo's EHR edits call for, with nothing failed or ignored, and the second pass finds nothing to do. By
// default it uses OnCall's documented API only, and sends nothing to the participant extension's endpoints; with
// -undocumented-participant-api it uses them.
func TestDemoJSON(t *testing.T) {
	tests := []struct {
		args         []string
		api          string
		kinds        []syncer.ActionKind
		undocumented func(n int) bool
	}{
		{nil, "documented", nil, func(n int) bool { return n == 0 }},
		{[]string{"-undocumented-participant-api"}, "documented+participant-extension",
			[]syncer.ActionKind{syncer.ActionSetStatus, syncer.ActionAddParticipant, syncer.ActionRemoveParticipant, syncer.ActionUpdateParticipant},
			func(n int) bool { return n > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			stdout, _, err := runJob(t, nil, append([]string{"-json"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			var out output
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("stdout is not the JSON report: %v", err)
			}
			if len(out.Passes) != 2 {
				t.Fatalf("got %d passes, want 2", len(out.Passes))
			}
			if out.API != tt.api {
				t.Errorf("api = %q, want %q", out.API, tt.api)
			}
			if out.UndocumentedRequests == nil || !tt.undocumented(*out.UndocumentedRequests) {
				t.Errorf("undocumented_requests = %v", out.UndocumentedRequests)
			}
			first, second := out.Passes[0], out.Passes[1]
			wantKinds := append([]syncer.ActionKind{syncer.ActionCreate, syncer.ActionUpdate, syncer.ActionCancel, syncer.ActionRecreate}, tt.kinds...)
			for _, k := range wantKinds {
				if first.Applied[k] == 0 {
					t.Errorf("first pass applied no %s; applied = %v", k, first.Applied)
				}
			}
			if diff := cmp.Diff(first.Planned, first.Applied); diff != "" {
				t.Errorf("first pass: applied differs from planned (-planned +applied):\n%s", diff)
			}
			if n := len(first.FailedActions()); n != 0 || len(first.Ignored) != 0 {
				t.Errorf("first pass: %d actions failed or not applied: %v", n, first.FailedActions())
			}
			if second.Changed() || !out.Converged {
				t.Errorf("second pass still changes things (converged=%v): %v", out.Converged, second.Actions)
			}
			if len(second.Skipped) == 0 {
				t.Error("second pass reports no skips; the demo's Kept and Checked-in clients should be reported as not synced")
			}
			// The JSON report names clients by id, never by name or email.
			for _, phi := range []string{"@example.com", "@example.org", "Avery"} {
				if strings.Contains(stdout, phi) {
					t.Errorf("JSON report contains %q", phi)
				}
			}
		})
	}
}

func TestDemoText(t *testing.T) {
	stdout, _, err := runJob(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"API: OnCall's documented API only",
		"== pass 1: demo",
		"recreate carelogic-demo/appt-110",
		"[status, cancelled, metadata]: marked CBC in the EHR",
		"withdraw cl-",
		"Kept does not sync",
		"DNS not synced: OnCall's documented API has no no-show for one participant of a group",
		"== pass 2: demo",
		"No changes: OnCall is in sync.",
		"Converged: the last pass found nothing to change.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout)
		}
	}
}

// TestEnvTokenAloneRunsDemo checks that a token in the environment does not turn the Quickstart command into a
// real run: only flags do.
func TestEnvTokenAloneRunsDemo(t *testing.T) {
	stdout, _, err := runJob(t, map[string]string{"ONCALL_API_TOKEN": "t0k3n-secret"})
	if err != nil || !strings.Contains(stdout, "OnCall fake server") {
		t.Fatalf("with only $ONCALL_API_TOKEN set: err=%v, output:\n%s", err, stdout)
	}
}

// TestDryRunWritesNothing: a dry run plans one pass and writes nothing; with changes planned, OnCall is not in sync
// and it exits 2.
func TestDryRunWritesNothing(t *testing.T) {
	stdout, _, err := runJob(t, nil, "-dry-run", "-json")
	if code := exitCode(err, io.Discard); code != exitAttention || !errors.Is(err, errChangesPending) {
		t.Errorf("exit %d (%v), want 2: the plan has changes", code, err)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Passes) != 1 || !out.Passes[0].DryRun || len(out.Passes[0].Applied) != 0 || len(out.Passes[0].Actions) == 0 {
		t.Errorf("dry run: passes=%d, want one dry-run pass with planned actions and nothing applied: %+v", len(out.Passes), out.Passes)
	}
	if out.Converged {
		t.Error("dry run with changes planned: converged is true")
	}
}

func TestJSONSource(t *testing.T) {
	stdout, _, err := runJob(t, nil, "-json", "-now", "2026-11-01T00:00:00Z", "-source", "json:"+filepath.Join("..", "..", "carelogic", "testdata", "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Passes[0].Applied[syncer.ActionCreate] == 0 || !out.Converged {
		t.Errorf("json source: first pass applied %v, converged %v", out.Passes[0].Applied, out.Converged)
	}
}

// TestSharedFixtureSources runs the job on the real SIU and FHIR fixtures against the fake, as the README shows.
// The SIU messages are one appointment's lifecycle, which ends in an S17 deletion, so nothing is created from
// them, and nothing needs a person. The FHIR examples are booked in December 2013, but their patients have no email,
// which OnCall needs to invite them: both need attention, so the job ends with the attention exit, never "in sync".
// The FHIR reader's own test files, which carry emails, are created, and its deliberately broken ones need attention.
func TestSharedFixtureSources(t *testing.T) {
	tests := []struct {
		source, now string
		creates     int
		attention   int
	}{
		{"siu:" + fixtures.Path(t, "fixtures", "ehr", "hl7v2-siu"), "2021-01-01T00:00:00Z", 0, 0},
		{"fhir:" + fixtures.Path(t, "fixtures", "ehr", "fhir-r4"), "2013-01-01T00:00:00Z", 0, 2},
		{"fhir:" + filepath.Join("..", "..", "carelogic", "fhir", "testdata"), "2025-12-01T00:00:00Z", 2, 5},
	}
	for _, tt := range tests {
		stdout, _, err := runJob(t, nil, "-json", "-now", tt.now, "-source", tt.source)
		if (tt.attention > 0) != errors.Is(err, syncer.ErrIncomplete) || err != nil && !errors.Is(err, syncer.ErrIncomplete) {
			t.Errorf("%s: error %v, want an incomplete sync: %v", tt.source, err, tt.attention > 0)
			continue
		}
		var out output
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Errorf("%s: %v", tt.source, err)
			continue
		}
		first := out.Passes[0]
		if got := first.Applied[syncer.ActionCreate]; got != tt.creates || len(first.FailedActions()) > 0 {
			t.Errorf("%s: %d creates (want %d), failures=%v", tt.source, got, tt.creates, first.FailedActions())
		}
		var attention []syncer.Skip
		for _, s := range first.Skipped {
			if s.Attention {
				attention = append(attention, s)
			}
		}
		if len(attention) != tt.attention || out.NeedsAttention != (tt.attention > 0) || out.Converged != (tt.attention == 0) {
			t.Errorf("%s: %d need attention (want %d), needs_attention=%v, converged=%v", tt.source, len(attention), tt.attention, out.NeedsAttention, out.Converged)
		}
		if strings.HasPrefix(tt.source, "fhir:/") {
			for _, s := range attention {
				if !strings.Contains(s.Reason, "email is missing") {
					t.Errorf("%s: reason %q, want the missing email", tt.source, s.Reason)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"appointments": [{"id": "x"`), 0o600); err != nil {
		t.Fatal(err)
	}
	badMap := filepath.Join(dir, "map.json")
	if err := os.WriteFile(badMap, []byte(`{"staff-1": -4}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"real region without token", nil, []string{"-region", "ca", "-division", "5"}, "no OnCall token: set -token or ONCALL_API_TOKEN"},
		{"token without region", nil, []string{"-token", "t0k3n-secret", "-division", "5"}, "-region is required"},
		{"env token with base URL but no region", map[string]string{"ONCALL_API_TOKEN": "t0k3n-secret"}, []string{"-base-url", "http://127.0.0.1:1/", "-division", "5"}, "-region is required"},
		{"real without division", nil, []string{"-region", "us", "-token", "t0k3n-secret"}, "-division is required"},
		{"unknown region", nil, []string{"-region", "eu", "-token", "t0k3n-secret", "-division", "5"}, `unknown region (a value of 2 characters)`},
		{"missing source dir", nil, []string{"-source", "siu:" + filepath.Join(dir, "nope")}, "-source siu:"},
		{"missing json file", nil, []string{"-source", "json:" + filepath.Join(dir, "nope.json")}, "no such file"},
		{"malformed json file", nil, []string{"-source", "json:" + bad}, "-source json:"},
		{"unknown source kind", nil, []string{"-source", "csv:x"}, `unknown kind "csv"`},
		{"source without argument", nil, []string{"-source", "siu"}, "want demo, siu:PATH, fhir:PATH or json:PATH"},
		{"bad provider map", nil, []string{"-provider-map", badMap}, `staff id "staff-1": -4 is not a provider id: want a positive integer or the provider's URL`},
		{"division of the other region", nil, []string{"-region", "ca", "-token", "t0k3n-secret", "-division", "https://api.oncallhealth.us/divisions/123/"},
			"-division: oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{"division URL of a provider", nil, []string{"-region", "ca", "-token", "t0k3n-secret", "-division", "https://api.oncallhealth.ca/providers/123/"},
			"-division: the URL names a provider, not a division"},
		{"negative division", nil, []string{"-region", "ca", "-token", "t0k3n-secret", "-division", "-5"}, "-division: -5 is not a division id"},
		{"provider of the other region", nil, []string{"-region", "us", "-token", "t0k3n-secret", "-division", "7", "-provider", "https://api.oncallhealth.ca/providers/9/"},
			"-provider: oncall: URL is on another origin"},
		{"division with the fake", nil, []string{"-division", "5"}, "-division and -provider name a real OnCall server's"},
		{"demo with an argument", nil, []string{"-source", "demo:x"}, `-source "demo:x": demo takes nothing after it`},
		{"unknown flag", nil, []string{"-bogus"}, "flag provided but not defined: -bogus (-h for usage)"},
		{"bad now", nil, []string{"-now", "yesterday"}, "-now: want an RFC 3339 time"},
		{"stray argument", nil, []string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runJob(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "t0k3n-secret") {
				t.Errorf("error leaks the token: %v", err)
			}
			// One line, but for a source's files that could not be read: a line for each.
			var se *carelogic.SourceError
			if strings.Contains(err.Error(), "\n") && !errors.As(err, &se) {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// TestUsageAndExitCodes: -h prints a synopsis and examples to stdout and exits 0; a bad flag is reported once, on
// stderr, by main, with exit 1; a finished run that needs a person exits 2.
func TestUsageAndExitCodes(t *testing.T) {
	stdout, stderr, err := runJob(t, nil, "-h")
	if code := exitCode(err, io.Discard); code != exitInSync {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, want := range []string{"Usage: go run ./examples/sync [flags]", "Examples:", "Exit codes:", "-division", "-undocumented-participant-api"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-h output lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("-h wrote to stderr: %q", stderr)
	}

	_, stderr, err = runJob(t, nil, "-bogus")
	var printed strings.Builder
	if code := exitCode(err, &printed); code != exitError {
		t.Errorf("a bad flag: exit %d, want 1", code)
	}
	if stderr != "" || strings.Count(printed.String(), "-bogus") != 1 {
		t.Errorf("a bad flag: run wrote %q and main %q; want it once, by main", stderr, printed.String())
	}

	for _, tt := range []struct {
		err  error
		want int
	}{{nil, exitInSync}, {flag.ErrHelp, exitInSync}, {&syncer.IncompleteError{Attention: 1}, exitAttention},
		{fmt.Errorf("pass 1: %w", errors.New("listing failed")), exitError}} {
		if got := exitCode(tt.err, io.Discard); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestSyncJSONConverged checks a report that .ci/run produced with `go run ./examples/sync -json`, named by
// ONCALLGO_SYNC_JSON; it skips when that is not set.
func TestSyncJSONConverged(t *testing.T) {
	path := os.Getenv("ONCALLGO_SYNC_JSON")
	if path == "" {
		t.Skip("ONCALLGO_SYNC_JSON not set: .ci/run sets it to the output of go run ./examples/sync -json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out output
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s is not the job's JSON report: %v", path, err)
	}
	if len(out.Passes) < 2 || !out.Converged || out.Passes[len(out.Passes)-1].Changed() {
		t.Fatalf("the job did not converge: %d passes, converged=%v", len(out.Passes), out.Converged)
	}
	if out.Passes[0].Applied[syncer.ActionCreate] == 0 || len(out.Passes[0].FailedActions()) > 0 {
		t.Fatalf("the first pass did not sync cleanly: applied %v, %d failures", out.Passes[0].Applied, len(out.Passes[0].FailedActions()))
	}
}

// TestRealServerFlags runs the job in real mode against a fake server standing in for OnCall's, with the division
// and providers named as OnCall hands them out: the division by URL, the provider map by id and by URL, and a
// default provider. A staff id with no provider at all is reported as needing attention, and the job exits 2.
func TestRealServerFlags(t *testing.T) {
	srv := oncalltest.NewServer()
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Clinic")
	p1 := srv.AddProvider("Provider One", "one@clinic.example.org", div)
	p2 := srv.AddProvider("Provider Two", "two@clinic.example.org", div)
	dir := t.TempDir()
	providerMap := filepath.Join(dir, "staff.json")
	staff := fmt.Sprintf(`{"staff-1": %d, "staff-2": "%s/providers/%d/"}`, p1, srv.URL(), p2)
	if err := os.WriteFile(providerMap, []byte(staff), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	appt := func(id, staff string) carelogic.Appointment {
		return carelogic.Appointment{ID: id, Source: "json", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: staff,
			Start: now.AddDate(0, 0, 1), Duration: 50 * time.Minute, Activity: "Individual Therapy",
			Participants: []carelogic.Participant{{ClientID: "cl-" + id, Name: "Client " + id, Email: "client" + id + "@example.com"}}}
	}
	schedule := filepath.Join(dir, "schedule.json")
	var b bytes.Buffer
	if err := carelogic.WriteJSON(&b, []carelogic.Appointment{appt("1", "staff-1"), appt("2", "staff-2"), appt("3", "staff-3")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(schedule, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-json", "-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", srv.URL(), "-token", srv.Token(),
		"-division", fmt.Sprintf("%s/divisions/%d/", srv.URL(), div), "-provider-map", providerMap, "-source", "json:" + schedule}

	stdout, _, err := runJob(t, nil, args...)
	if code := exitCode(err, io.Discard); code != exitAttention {
		t.Fatalf("exit %d (%v), want 2: staff-3 has no provider", code, err)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]oncall.ProviderID{}
	for _, a := range srv.Appointments() {
		id, _ := a.Metadata.String(syncer.KeyEMRID)
		got[id] = a.Provider
	}
	if diff := cmp.Diff(map[string]oncall.ProviderID{"1": p1, "2": p2}, got); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	if !out.NeedsAttention || out.Converged {
		t.Errorf("needs_attention %v, converged %v: want the unmapped staff id reported", out.NeedsAttention, out.Converged)
	}

	// With a default provider, staff-3's appointment is created with it, and the job is in sync.
	stdout, _, err = runJob(t, nil, append(args, "-provider", fmt.Sprint(p1))...)
	if code := exitCode(err, io.Discard); code != exitInSync {
		t.Fatalf("with -provider: exit %d (%v), want 0:\n%s", code, err, stdout)
	}
	for _, a := range srv.Appointments() {
		if id, _ := a.Metadata.String(syncer.KeyEMRID); id == "3" && a.Provider != p1 {
			t.Errorf("staff-3's appointment has provider %d, want the default %d", a.Provider, p1)
		}
	}
}

// The progress line says what was listed, what was done of what, and what failed; it clears itself at the end; and
// it is silent where stderr is not a terminal.
func TestProgressLine(t *testing.T) {
	tests := []struct {
		p    syncer.Progress
		want string
	}{
		{syncer.Progress{Listed: 100}, "\r  listed 100 OnCall appointments\033[K"},
		{syncer.Progress{Listed: 120, Done: 3, Total: 10}, "\r  listed 120 OnCall appointments; 3/10 changes done\033[K"},
		{syncer.Progress{Listed: 120, Done: 4, Total: 10, Failed: 1}, "\r  listed 120 OnCall appointments; 4/10 changes done, 1 failed\033[K"},
		{syncer.Progress{Listed: 120, Done: 10, Total: 10}, "\r  listed 120 OnCall appointments; 10/10 changes done\033[K\r\033[K"},
	}
	for _, tt := range tests {
		if got := progressLine(tt.p); got != tt.want {
			t.Errorf("progressLine(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
	if progress(&bytes.Buffer{}) != nil {
		t.Error("progress on a buffer is not nil")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if progress(f) != nil {
		t.Error("progress on a file is not nil: a log would fill with progress lines")
	}
}

// TestSourceFolders: a source folder is read whatever its files are named; a file that cannot be read is reported,
// the rest is synced, and nothing is cancelled as gone (the unreadable file's appointment would look deleted); an
// empty folder is reported as such. Neither of the last two ever reads as in sync: the job exits 2.
func TestSourceFolders(t *testing.T) {
	now := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
	appt := func(id string) carelogic.Appointment {
		return carelogic.Appointment{ID: id, Source: "json", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-1",
			Start: now.AddDate(0, 0, 2), Duration: 50 * time.Minute, Activity: "Individual Therapy",
			Participants: []carelogic.Participant{{ClientID: "cl-" + id, Name: "Client " + id, Email: "client" + id + "@example.com"}}}
	}
	write := func(t *testing.T, path string, appts ...carelogic.Appointment) {
		t.Helper()
		var b bytes.Buffer
		if err := carelogic.WriteJSON(&b, appts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(t *testing.T, source string) (output, int) {
		t.Helper()
		stdout, _, err := runJob(t, nil, "-json", "-now", now.Format(time.RFC3339), "-source", source)
		code := exitCode(err, io.Discard)
		var out output
		if code != exitError {
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("%s: %v", source, err)
			}
		}
		return out, code
	}

	t.Run("json folder with a bad file", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "monday.json"), appt("1"))
		write(t, filepath.Join(dir, "tuesday.txt"), appt("2")) // not named .json: read by its content
		if err := os.WriteFile(filepath.Join(dir, "wednesday.json"), []byte(`{"appointments": [{"id": "3", "name": "Jane Roe`), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# not a schedule\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, code := run(t, "json:"+dir)
		if code != exitAttention || out.Converged || !out.NeedsAttention {
			t.Errorf("exit %d, converged %v, needs_attention %v: want 2, false, true", code, out.Converged, out.NeedsAttention)
		}
		if got := out.Passes[0].Applied[syncer.ActionCreate]; got != 2 {
			t.Errorf("%d creates, want the 2 readable appointments", got)
		}
		if len(out.SourceErrors) != 1 || !strings.HasPrefix(out.SourceErrors[0], filepath.Join(dir, "wednesday.json")+":") ||
			strings.Contains(out.SourceErrors[0], "Jane Roe") {
			t.Errorf("source_errors %q: want wednesday.json alone, without its content", out.SourceErrors)
		}
	})

	t.Run("an unreadable file cancels nothing", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "a.json"), appt("1"))
		write(t, filepath.Join(dir, "b.json"), appt("2"))
		srv := oncalltest.NewServer()
		t.Cleanup(srv.Close)
		div := srv.AddDivision("Clinic")
		prov := srv.AddProvider("Provider", "p@clinic.example.org", div)
		args := []string{"-json", "-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", srv.URL(), "-token", srv.Token(),
			"-division", fmt.Sprint(div), "-provider", fmt.Sprint(prov), "-source", "json:" + dir}
		if _, _, err := runJob(t, nil, args...); err != nil {
			t.Fatalf("first sync: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"appointments": [`), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := runJob(t, nil, args...)
		if code := exitCode(err, io.Discard); code != exitAttention {
			t.Errorf("second sync: exit %d (%v), want 2", code, err)
		}
		for _, a := range srv.Appointments() {
			if a.Cancelled {
				t.Errorf("appointment %d was cancelled: its EHR appointment is in the file that could not be read", a.ID)
			}
		}
	})

	t.Run("siu files named as anything", func(t *testing.T) {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join("..", "..", "carelogic", "siu", "testdata", "group.hl7"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "export-0001.txt"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "export-0002"), []byte("MSH|^~\\&|broken"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, code := run(t, "siu:"+dir)
		if code != exitAttention || len(out.SourceErrors) != 1 || !strings.Contains(out.SourceErrors[0], "export-0002") {
			t.Errorf("exit %d, source_errors %q: want 2, and export-0002 reported", code, out.SourceErrors)
		}
		if len(out.Passes) == 0 || len(out.Passes[0].Actions)+len(out.Passes[0].Skipped) == 0 {
			t.Errorf("export-0001.txt was not read: nothing planned or skipped")
		}
	})

	t.Run("empty folder", func(t *testing.T) {
		_, stderr, err := runJob(t, nil, "-source", "json:"+t.TempDir())
		if code := exitCode(err, io.Discard); code != exitAttention || !errors.Is(err, carelogic.ErrEmptySource) {
			t.Errorf("exit %d (%v), stderr %q: want 2 and the empty source", code, err, stderr)
		}
	})
}

// TestDryRunExitCode: a dry run exits 2 when its plan has changes and 0 when it is empty, in both reports, and says
// which; only an empty plan reads as in sync.
func TestDryRunExitCode(t *testing.T) {
	srv := oncalltest.NewServer()
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Clinic")
	prov := srv.AddProvider("Provider", "p@clinic.example.org", div)
	now := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
	schedule := filepath.Join(t.TempDir(), "schedule.json")
	writeSchedule(t, schedule, individual(now, "1"))
	args := []string{"-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", srv.URL(), "-token", srv.Token(),
		"-division", fmt.Sprint(div), "-provider", fmt.Sprint(prov), "-source", "json:" + schedule, "-dry-run"}

	check := func(t *testing.T, wantCode int, wantText string) {
		t.Helper()
		stdout, _, err := runJob(t, nil, append(args, "-json")...)
		if code := exitCode(err, io.Discard); code != wantCode {
			t.Errorf("-json: exit %d (%v), want %d", code, err, wantCode)
		}
		var out output
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Converged != (wantCode == exitInSync) {
			t.Errorf("converged %v with exit %d", out.Converged, wantCode)
		}
		stdout, _, err = runJob(t, nil, args...)
		if code := exitCode(err, io.Discard); code != wantCode || !strings.Contains(stdout, wantText) {
			t.Errorf("text: exit %d (%v), want %d and %q in:\n%s", code, err, wantCode, wantText, stdout)
		}
	}
	t.Run("changes planned", func(t *testing.T) {
		check(t, exitAttention, "Not in sync: the plan has changes (dry run, nothing written).")
		if n := len(srv.Appointments()); n != 0 {
			t.Errorf("a dry run created %d appointments", n)
		}
	})
	t.Run("nothing to change", func(t *testing.T) {
		if _, _, err := runJob(t, nil, slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "-dry-run" })...); err != nil {
			t.Fatalf("the sync before the dry run: %v", err)
		}
		check(t, exitInSync, "In sync: the plan is empty (dry run).")
	})
}

// TestUndoneWritesAreNotInSync: a pass with a write OnCall did not apply makes the job exit 2 and report that
// OnCall is not in sync, even when the next pass sends nothing (the ignored write is recorded and reported rather
// than sent again). A write that failed is planned anew and made by the second pass: the job ends in sync.
func TestUndoneWritesAreNotInSync(t *testing.T) {
	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// fault is done to the server, and edit to the schedule, after a first clean sync.
		fault  func(t *testing.T, srv *oncalltest.Server)
		edit   func(appts []carelogic.Appointment)
		undone func(rep *syncer.Report) int
		// inSync: the second pass makes what the first could not, so the job ends in sync.
		inSync bool
	}{
		{"ignored by OnCall",
			func(t *testing.T, srv *oncalltest.Server) { srv.SetIgnoredFields("participants") },
			func(appts []carelogic.Appointment) {
				appts[1].Participants = append(appts[1].Participants, carelogic.Participant{ClientID: "cl-g3", Name: "Client g3", Email: "clientg3@example.com"})
			},
			func(rep *syncer.Report) int { return rep.Ignored[syncer.ActionUpdate] }, false},
		{"failed, then made",
			func(t *testing.T, srv *oncalltest.Server) {
				if err := srv.InjectNext(oncalltest.FaultInternalError, 1, oncalltest.Match{Method: "PATCH"}); err != nil {
					t.Fatal(err)
				}
			},
			func(appts []carelogic.Appointment) { appts[0].Duration = 30 * time.Minute },
			func(rep *syncer.Report) int { return rep.Failed[syncer.ActionUpdate] }, true},
	}
	for _, tt := range tests {
		for _, asJSON := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/json=%v", tt.name, asJSON), func(t *testing.T) {
				srv := oncalltest.NewServer()
				t.Cleanup(srv.Close)
				div := srv.AddDivision("Clinic")
				prov := srv.AddProvider("Provider", "p@clinic.example.org", div)
				group := individual(now, "g")
				group.ID, group.Kind = "group", carelogic.Group
				group.Participants = append(group.Participants, carelogic.Participant{ClientID: "cl-g2", Name: "Client g2", Email: "clientg2@example.com"})
				appts := []carelogic.Appointment{individual(now, "1"), group}
				schedule := filepath.Join(t.TempDir(), "schedule.json")
				writeSchedule(t, schedule, appts...)
				args := []string{"-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", srv.URL(), "-token", srv.Token(),
					"-division", fmt.Sprint(div), "-provider", fmt.Sprint(prov), "-source", "json:" + schedule}
				if _, _, err := runJob(t, nil, args...); err != nil {
					t.Fatalf("first sync: %v", err)
				}
				tt.edit(appts)
				writeSchedule(t, schedule, appts...)
				tt.fault(t, srv)
				if asJSON {
					args = append(args, "-json")
				}

				stdout, _, err := runJob(t, nil, args...)
				switch code := exitCode(err, io.Discard); {
				case tt.inSync && code != exitInSync:
					t.Errorf("exit %d (%v), want 0", code, err)
				case !tt.inSync && (code != exitAttention || !errors.Is(err, syncer.ErrIncomplete)):
					t.Errorf("exit %d (%v), want 2", code, err)
				}
				if !asJSON && tt.inSync {
					if want := "Converged: the last pass found nothing to change."; !strings.Contains(stdout, want) {
						t.Errorf("text report lacks %q:\n%s", want, stdout)
					}
					return
				}
				if !asJSON {
					for _, bad := range []string{"Converged", "OnCall is in sync"} {
						if strings.Contains(stdout, bad) {
							t.Errorf("text report says %q:\n%s", bad, stdout)
						}
					}
					if want := "Not in sync: pass 1 left writes that OnCall did not apply"; !strings.Contains(stdout, want) {
						t.Errorf("text report lacks %q:\n%s", want, stdout)
					}
					return
				}
				var out output
				if err := json.Unmarshal([]byte(stdout), &out); err != nil {
					t.Fatal(err)
				}
				if len(out.Passes) != 2+btoi(tt.inSync) || tt.undone(out.Passes[0]) != 1 {
					t.Fatalf("want pass 1 to leave one update undone: %+v", out.Passes)
				}
				if out.Converged != tt.inSync || out.NeedsAttention == tt.inSync {
					t.Errorf("converged %v, needs_attention %v: want %v, %v", out.Converged, out.NeedsAttention, tt.inSync, !tt.inSync)
				}
			})
		}
	}
}

// TestSingleSIUFileCancelsNothing: a SIU folder is the whole feed, so an appointment missing from it is cancelled
// as gone; a single SIU file is one message, an event, so nothing is cancelled, and the report says so. A JSON file
// is a full export, and cancels as a folder does.
func TestSingleSIUFileCancelsNothing(t *testing.T) {
	now := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
	siuBoth := filepath.Join("testdata", "siu") // group-1.hl7 and group-2.hl7, one appointment each
	siuTwo := filepath.Join(siuBoth, "group-2.hl7")
	siuFolderOfTwo := func(t *testing.T) string {
		dir := t.TempDir()
		b, err := os.ReadFile(siuTwo)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "group-2.hl7"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	jsonFile := func(t *testing.T, ids ...string) string {
		path := filepath.Join(t.TempDir(), "schedule.json")
		var appts []carelogic.Appointment
		for _, id := range ids {
			appts = append(appts, individual(now, id))
		}
		writeSchedule(t, path, appts...)
		return path
	}
	tests := []struct {
		name, kind string
		// first is the source of the first sync, of two appointments; second holds one of them.
		first, second   func(t *testing.T) string
		cancelled       int
		orphanCancelOff bool
	}{
		{"siu folder", "siu", func(*testing.T) string { return siuBoth }, siuFolderOfTwo, 1, false},
		{"siu file", "siu", func(*testing.T) string { return siuBoth }, func(*testing.T) string { return siuTwo }, 0, true},
		{"json file", "json", func(t *testing.T) string { return jsonFile(t, "1", "2") }, func(t *testing.T) string { return jsonFile(t, "2") }, 1, false},
	}
	for _, tt := range tests {
		for _, asJSON := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/json=%v", tt.name, asJSON), func(t *testing.T) {
				srv := oncalltest.NewServer()
				t.Cleanup(srv.Close)
				div := srv.AddDivision("Clinic")
				prov := srv.AddProvider("Provider", "p@clinic.example.org", div)
				args := []string{"-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", srv.URL(), "-token", srv.Token(),
					"-division", fmt.Sprint(div), "-provider", fmt.Sprint(prov)}
				if _, _, err := runJob(t, nil, append(args, "-source", tt.kind+":"+tt.first(t))...); err != nil {
					t.Fatalf("first sync: %v", err)
				}
				if n := len(srv.Appointments()); n != 2 {
					t.Fatalf("the first sync made %d appointments, want 2", n)
				}
				args = append(args, "-source", tt.kind+":"+tt.second(t))
				if asJSON {
					args = append(args, "-json")
				}

				stdout, _, err := runJob(t, nil, args...)
				if err != nil {
					t.Fatalf("second sync: %v", err)
				}
				cancelled := 0
				for _, a := range srv.Appointments() {
					if a.Cancelled {
						cancelled++
					}
				}
				if cancelled != tt.cancelled {
					t.Errorf("%d appointments cancelled, want %d", cancelled, tt.cancelled)
				}
				if !asJSON {
					said := strings.Contains(stdout, "No appointment is cancelled as gone from the EHR: the source is a single SIU file")
					if said != tt.orphanCancelOff {
						t.Errorf("text report says orphans are kept: %v, want %v:\n%s", said, tt.orphanCancelOff, stdout)
					}
					return
				}
				var out output
				if err := json.Unmarshal([]byte(stdout), &out); err != nil {
					t.Fatal(err)
				}
				if (out.OrphanCancelOff != "") != tt.orphanCancelOff {
					t.Errorf("orphan_cancel_off %q, want it set: %v", out.OrphanCancelOff, tt.orphanCancelOff)
				}
			})
		}
	}
}

// individual is a 1:1 video appointment two days after now, with staff-1 and one client, all named by id.
func individual(now time.Time, id string) carelogic.Appointment {
	return carelogic.Appointment{ID: id, Source: "json", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-1",
		Start: now.AddDate(0, 0, 2), Duration: 50 * time.Minute, Activity: "Individual Therapy",
		Participants: []carelogic.Participant{{ClientID: "cl-" + id, Name: "Client " + id, Email: "client" + id + "@example.com"}}}
}

// writeSchedule writes appts to path as the JSON source reads them.
func writeSchedule(t *testing.T, path string, appts ...carelogic.Appointment) {
	t.Helper()
	var b bytes.Buffer
	if err := carelogic.WriteJSON(&b, appts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
