// Command sync is the SDK's main job: it reads appointments from an EHR source and brings OnCall Health in line
// with them, then prints what it did.
//
// With no flags it needs nothing: it starts an in-memory fake of the OnCall API (oncall/oncalltest), loads a
// demo CareLogic schedule (1:1s, groups, recurring series, every status), syncs it, and syncs again to show that
// nothing changes:
//
//	go run ./examples/sync
//
// Flags point it at real things:
//
//	-source demo|siu:PATH|fhir:PATH|json:PATH  where the EHR appointments come from (default demo): a file or a folder
//	-region ca|us                              the OnCall region (required with -token or -base-url)
//	-token TOKEN                               the OnCall API key (default $ONCALL_API_TOKEN)
//	-base-url URL                              an OnCall-compatible server instead of the region's
//	-division ID|URL                           the OnCall division new appointments go to: its id, or the URL OnCall gives
//	-provider ID|URL                           the OnCall provider for EHR staff ids the map does not name
//	-provider-map FILE                         JSON object: EHR staff id -> OnCall provider id or URL
//	-dry-run                                   plan and report, write nothing (exit 2 when the plan has changes)
//	-json                                      the report as JSON on stdout
//	-now TIME                                  the present, RFC 3339 (for replaying old feeds)
//	-undocumented-participant-api              also use OnCall's unconfirmed participant endpoints and status field
//
// The job uses OnCall's documented API unless -undocumented-participant-api says otherwise, and says which it used.
// The participant extension (a participant "status" field, writes to /participants/) appears nowhere in OnCall's
// public documentation: turn it on only for an account where the contract suite (oncall/contract) found it to work.
//
// Without -region, -token or -base-url, the job runs against the fake server, whatever the source (a token in
// $ONCALL_API_TOKEN alone does not switch it to a real server); the fake makes its own division and providers. With
// the demo source, the fake first holds what an earlier sync created when the demo appointments were booked; since
// then staff have marked statuses and edited appointments in the EHR (carelogic.DemoEdits), so the first pass shows
// every kind of change, and the second shows that nothing is left to do.
//
// The job syncs in passes until one has nothing to change, three at most: the first makes the changes, the second
// confirms them, and makes any that failed in the first (a third then confirms those).
//
// A division or provider is given as OnCall hands it out, an id or a URL of the -region's host; a URL of the other
// region is refused. An EHR staff id with no provider (not in -provider-map, and no -provider) is not created: it is
// reported as needing attention. (Left out, OnCall would book it with the token's own user: refused for a
// coordinator's key, and for a provider's key perhaps the wrong provider.)
//
// A source path is a file or a folder; in a folder every file in the source's format is read, whatever its name. A
// file that cannot be read is reported and the others are synced, with no appointment cancelled as gone (one in the
// unreadable file would look deleted). An empty source is reported as such.
//
// A source is taken as the whole schedule, so that an OnCall appointment whose EHR appointment is not in it is
// cancelled as gone, except for a single SIU file. A SIU folder is the whole feed; a SIU file is one message, an event
// rather than the schedule, so with one no appointment is ever cancelled as gone, and the report says so. A JSON or
// FHIR file, like a folder, is taken as a full export.
//
// Exit codes: 0 when the sync ran and OnCall is in sync (with -dry-run: when the plan is empty); 1 when the job could
// not run (a bad flag, a source that cannot be opened, OnCall unreachable); 2 when the sync ran but the last pass
// left something failed, unsettled or needing a person, which the report lists, any pass had a write OnCall did not
// apply (the next pass reports it rather than send it again), some of the source could not be read, the source is
// empty, or, with -dry-run, the plan has changes to make.
package main

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/carelogic/fhir"
	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/flagref"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// Exit codes.
const (
	exitInSync    = 0 // the sync ran and OnCall is in sync with the EHR, or a dry run's plan is empty (or -h)
	exitError     = 1 // the job could not run: a bad flag, an unreadable source, OnCall unreachable
	exitAttention = 2 // the sync ran, but is not in sync: see output.NeedsAttention; or a dry run has changes
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := exitCode(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv), os.Stderr)
	stop()
	os.Exit(code)
}

// errPartialSource ends a run that synced what it could read of a source some files of which it could not.
var errPartialSource = errors.New("some of the source could not be read: the rest was synced")

// errChangesPending ends a dry run whose plan has changes: OnCall is not in sync.
var errChangesPending = errors.New("dry run: OnCall is not in sync: the plan has changes (nothing was written)")

// errNotConverged ends a run whose last pass still had changes to make: something (an edit made meanwhile, a
// change that does not stick) keeps OnCall from settling.
var errNotConverged = errors.New("OnCall did not settle: the last pass still had changes to make")

// exitCode prints err, once, and returns the exit code it calls for.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitInSync
	case errors.Is(err, syncer.ErrIncomplete), errors.Is(err, errPartialSource), errors.Is(err, carelogic.ErrEmptySource),
		errors.Is(err, errChangesPending), errors.Is(err, errNotConverged):
		fmt.Fprintln(stderr, "sync:", err)
		return exitAttention
	}
	fmt.Fprintln(stderr, "sync:", err)
	return exitError
}

// config is the job's parsed command line.
type config struct {
	source      string
	region      string
	token       string
	baseURL     string
	division    string
	provider    string
	providerMap string
	dryRun      bool
	json        bool
	now         time.Time
	realMode    bool
	extension   bool
}

// usageText is what -h prints before the flags.
const usageText = `Usage: go run ./examples/sync [flags]

Syncs EHR appointments into OnCall Health and prints what it did. With no flags it runs the demo against an
in-memory OnCall server; -region (with a token) points it at a real one.

Examples:
  go run ./examples/sync
  go run ./examples/sync -json
  ONCALL_API_TOKEN=... go run ./examples/sync -region ca -division https://api.oncallhealth.ca/divisions/123/ \
      -provider-map staff.json -source siu:/var/spool/siu -dry-run

A source is taken as the whole schedule: an OnCall appointment whose EHR appointment is not in it is
cancelled as gone. A SIU folder is the whole feed; a single SIU file is one message, an event, not the
schedule, so with one no appointment is cancelled as gone. A JSON or FHIR file is taken as a full export.

Exit codes: 0 in sync (with -dry-run: nothing would change), 1 the job could not run, 2 the last pass
left something failed, unsettled or needing a person, OnCall did not apply a write (see the report),
some of the source could not be read, the source is empty, or, with -dry-run, the plan has changes.

Flags:
`

func parseFlags(args []string, stdout io.Writer, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	// A bad flag is reported once, by main; -h prints the usage to stdout.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(stdout, usageText)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	c := &config{}
	var now string
	fs.StringVar(&c.source, "source", "demo", "EHR source: demo, siu:PATH, fhir:PATH or json:PATH (a file or a folder)")
	fs.StringVar(&c.region, "region", "", "OnCall region: ca or us")
	fs.StringVar(&c.token, "token", "", "OnCall API token (default $ONCALL_API_TOKEN)")
	fs.StringVar(&c.baseURL, "base-url", "", "OnCall-compatible API root instead of the region's")
	fs.StringVar(&c.division, "division", "", "OnCall division for new appointments: its id or URL")
	fs.StringVar(&c.provider, "provider", "", "OnCall provider (id or URL) for EHR staff ids the provider map does not name")
	fs.StringVar(&c.providerMap, "provider-map", "", "JSON file mapping EHR staff ids to OnCall provider ids or URLs")
	fs.BoolVar(&c.dryRun, "dry-run", false, "plan and report without writing; exit 2 when the plan has changes")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.StringVar(&now, "now", "", "the present, as RFC 3339 (default: the clock)")
	fs.BoolVar(&c.extension, "undocumented-participant-api", false, "also use OnCall's unconfirmed participant endpoints and status field")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (-h for usage)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (-h for usage)", fs.Arg(0))
	}
	// Only flags switch to a real server, so that a token in the environment does not turn the demo into a
	// half-configured real run; once they do, the environment supplies the token.
	c.realMode = c.region != "" || c.baseURL != "" || c.token != ""
	if c.token == "" {
		c.token = getenv("ONCALL_API_TOKEN")
	}
	c.now = time.Now().UTC().Truncate(time.Minute)
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return nil, fmt.Errorf("-now: want an RFC 3339 time such as 2026-12-01T09:00:00Z")
		}
		c.now = t
	}
	if c.real() {
		if c.region == "" {
			return nil, errors.New("-region is required (ca or us) when syncing with a real OnCall server")
		}
		if c.token == "" {
			return nil, errors.New("no OnCall token: set -token or ONCALL_API_TOKEN")
		}
		if c.division == "" {
			return nil, errors.New("-division is required when syncing with a real OnCall server")
		}
	} else if c.division != "" || c.provider != "" {
		return nil, errors.New("-division and -provider name a real OnCall server's; the fake makes its own (add -region to sync with a real one)")
	}
	return c, nil
}

// real reports whether the job talks to a real OnCall server rather than the embedded fake.
func (c *config) real() bool { return c.realMode }

// siuFile reports whether spec is a SIU source that names a file rather than a folder. A folder of SIU messages is
// taken as the whole feed, so an appointment missing from it is gone; a single file is one message, an event, and
// an appointment it does not mention is not thereby deleted. Whatever is not surely a folder counts as a file, so
// that a doubt never cancels an appointment.
func siuFile(spec string) bool {
	kind, path, _ := strings.Cut(spec, ":")
	if kind != "siu" {
		return false
	}
	fi, err := os.Stat(path)
	return err != nil || !fi.IsDir()
}

// loadSource opens the EHR source named by spec, and returns the window of start times to sync. A folder with
// files that could not be read gives what the others hold and the *carelogic.SourceError naming them (partial); an
// empty source is an error wrapping carelogic.ErrEmptySource.
func loadSource(spec string, now time.Time) (ehr carelogic.Adapter, w syncer.Window, partial *carelogic.SourceError, err error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch {
	case kind == "demo" && arg == "":
		return carelogic.NewMemory(carelogic.DemoSchedule(now)...), syncer.Window{From: now.AddDate(0, 0, -30), To: now.AddDate(0, 0, 120)}, nil, nil
	case kind == "demo":
		return nil, w, nil, fmt.Errorf("-source %q: demo takes nothing after it", spec)
	case arg == "":
		return nil, w, nil, fmt.Errorf("-source %q: want demo, siu:PATH, fhir:PATH or json:PATH", spec)
	case kind == "siu":
		var feed *siu.Feed
		feed, err = siu.ReadPath(arg)
		ehr = feed
	case kind == "fhir":
		// FHIR R4 has no telehealth field: without a marker, an appointment is taken to be video, as the SIU reader does.
		var src *fhir.Source
		src, err = fhir.ReadPath(arg, fhir.WithDefaultModality(carelogic.Video))
		ehr = src
	case kind == "json":
		var appts []carelogic.Appointment
		appts, err = carelogic.ReadJSONPath(arg)
		ehr = carelogic.NewMemory(appts...)
	default:
		return nil, w, nil, fmt.Errorf("-source %q: unknown kind %q: want demo, siu, fhir or json", spec, kind)
	}
	var se *carelogic.SourceError
	switch {
	case err == nil:
		return ehr, syncer.AllTime(), nil, nil
	case errors.Is(err, carelogic.ErrEmptySource):
		return nil, w, nil, fmt.Errorf("-source %s: %w: nothing to sync (is it the right path?)", spec, carelogic.ErrEmptySource)
	case errors.As(err, &se) && len(se.Files) > 0 && holdsAny(ehr):
		return ehr, syncer.AllTime(), se, nil
	}
	return nil, w, nil, fmt.Errorf("-source %s: %w", spec, err)
}

// holdsAny reports whether a source that failed in part still gave an appointment: when nothing could be read, the
// job cannot run.
func holdsAny(ehr carelogic.Adapter) bool {
	if v := reflect.ValueOf(ehr); !v.IsValid() || v.IsNil() {
		return false
	}
	all := syncer.AllTime()
	for _, err := range ehr.Appointments(context.Background(), all.From, all.To) {
		return err == nil
	}
	return false
}

// readProviderMap reads the -provider-map file: a JSON object of EHR staff id to an OnCall provider id (a number,
// or a string of digits) or URL. The values are resolved with resolveRef once the client is known.
func readProviderMap(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-provider-map: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("-provider-map %s: want a JSON object of staff id to provider id or URL", path)
	}
	out := make(map[string]string, len(raw))
	for staff, v := range raw {
		switch v := v.(type) {
		case json.Number:
			out[staff] = v.String()
		case string:
			out[staff] = v
		default:
			return nil, fmt.Errorf("-provider-map %s: staff id %s: want a provider id or URL", path, redact.ID(staff))
		}
	}
	return out, nil
}

// resolveProviders resolves the provider map's values (see flagref.Resolve).
func resolveProviders(client *oncall.Client, path string, raw map[string]string) (map[string]oncall.ProviderID, error) {
	out := make(map[string]oncall.ProviderID, len(raw))
	for _, staff := range slices.Sorted(maps.Keys(raw)) {
		id, err := flagref.Resolve(client, fmt.Sprintf("-provider-map %s: staff id %s", path, redact.ID(staff)), "providers", raw[staff])
		if err != nil {
			return nil, err
		}
		out[staff] = oncall.ProviderID(id)
	}
	return out, nil
}

// output is what -json prints: one report per pass.
type output struct {
	Target string `json:"target"`
	Source string `json:"source"`
	// API is the API surface the job used: "documented", or "documented+participant-extension".
	API string `json:"api"`
	// UndocumentedRequests counts the requests to the participant extension's endpoints, against the fake server
	// only (it keeps a log); nil against a real one.
	UndocumentedRequests *int             `json:"undocumented_requests,omitempty"`
	Passes               []*syncer.Report `json:"passes"`
	// Converged is true when the last pass planned no action and nothing needs a person (NeedsAttention).
	Converged bool `json:"converged"`
	// NeedsAttention is true when the last pass left something failed or needing a person
	// (Report.NeedsAttention), when any pass had a write OnCall did not apply (a later pass reports it rather than
	// send it again), or when some of the source could not be read (SourceErrors). A write that failed in an
	// earlier pass is planned anew by the next, so the last pass says whether it was made.
	NeedsAttention bool `json:"needs_attention"`
	// SourceErrors are the source's files that could not be read, each with what is wrong, as the reader reports it
	// (paths, segments, fields and ids, never a client's name or email). The rest of the source was synced.
	SourceErrors []string `json:"source_errors,omitempty"`
	// OrphanCancelOff says why no OnCall appointment was cancelled as gone from the EHR
	// (syncer.Policy.DisableOrphanCancel): some of the source could not be read, or the source is a single SIU
	// file. Empty when the source is taken as the whole schedule.
	OrphanCancelOff string `json:"orphan_cancel_off,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, stdout, getenv)
	if err != nil {
		return err
	}
	ehr, window, partial, err := loadSource(cfg.source, cfg.now)
	if err != nil {
		return err
	}
	var policy syncer.Policy
	policy.Now = cfg.now
	var orphanCancelOff string // why nothing is cancelled as gone from the EHR, if nothing is
	switch {
	case partial != nil:
		// An appointment in a file that could not be read would look deleted: nothing is cancelled as an orphan.
		orphanCancelOff = "some of the source could not be read"
		fmt.Fprintf(stderr, "sync: some of the source could not be read; the rest is synced, and no appointment is cancelled as gone:\n%v\n", partial)
	case siuFile(cfg.source):
		orphanCancelOff = "the source is a single SIU file, an event rather than the whole schedule (a SIU folder is the whole feed)"
	}
	policy.DisableOrphanCancel = orphanCancelOff != ""
	policy.UndocumentedParticipantAPI = cfg.extension
	api := "documented"
	if cfg.extension {
		api = "documented+participant-extension"
	}
	var providerMap map[string]string
	if cfg.providerMap != "" {
		if providerMap, err = readProviderMap(cfg.providerMap); err != nil {
			return err
		}
	}
	var client *oncall.Client
	var fake *oncalltest.Server
	target := "OnCall fake server (in memory)"
	if cfg.real() {
		region, err := oncall.ParseRegion(cfg.region)
		if err != nil {
			return err
		}
		opts := []oncall.Option{oncall.WithUserAgent("oncall-go-sync/" + oncall.Version)}
		if cfg.baseURL != "" {
			opts = append(opts, oncall.WithBaseURL(cfg.baseURL))
		}
		if client, err = oncall.NewClient(region, cfg.token, opts...); err != nil {
			return err
		}
		target = "OnCall " + strings.ToUpper(region.String()) + " at " + client.BaseURL()
		div, err := flagref.Resolve(client, "-division", "divisions", cfg.division)
		if err != nil {
			return err
		}
		policy.Division = oncall.DivisionID(div)
		if cfg.provider != "" {
			p, err := flagref.Resolve(client, "-provider", "providers", cfg.provider)
			if err != nil {
				return err
			}
			policy.DefaultProvider = oncall.ProviderID(p)
		}
		if policy.Providers, err = resolveProviders(client, cfg.providerMap, providerMap); err != nil {
			return err
		}
	} else {
		// The fake makes a provider for every staff id the map does not name; the map takes ids only.
		if policy.Providers, err = resolveProviders(nil, cfg.providerMap, providerMap); err != nil {
			return err
		}
		demo := cfg.source == "demo"
		var fc *oncall.Client
		if fake, fc, err = startFake(ctx, ehr, window, &policy, demo, cfg.extension); err != nil {
			return err
		}
		defer fake.Close()
		client = fc
		if demo {
			if err := replayEarlierSync(ctx, client, ehr.(*carelogic.Memory), window, policy); err != nil {
				return err
			}
			target += ", holding an earlier sync of the demo schedule"
		}
	}
	runner := &syncer.Runner{Client: client, DryRun: cfg.dryRun}
	if !cfg.json {
		runner.Progress = progress(stderr) // silent when stderr is not a terminal
	}
	out := output{Target: target, Source: cfg.source, API: api, OrphanCancelOff: orphanCancelOff}
	if partial != nil {
		for i := range partial.Files {
			out.SourceErrors = append(out.SourceErrors, partial.Files[i].Error())
		}
	}
	if !cfg.json {
		fmt.Fprintf(stdout, "API: %s\n", describeAPI(cfg.extension))
		if orphanCancelOff != "" {
			fmt.Fprintf(stdout, "No appointment is cancelled as gone from the EHR: %s.\n", orphanCancelOff)
		}
		fmt.Fprintln(stdout)
	}
	// Passes until one changes nothing, the second at the earliest: it confirms the first. A third makes sure of
	// writes the first could not make and the second did.
	passes := 3
	if cfg.dryRun {
		passes = 1
	}
	var incomplete []error // the *syncer.IncompleteError of each pass that left writes undone, and of the last pass
	undonePass := 0        // the first pass with writes OnCall did not apply
	for pass := 1; pass <= passes; pass++ {
		rep, err := runner.Sync(ctx, ehr, window, policy)
		if err != nil && !errors.Is(err, syncer.ErrIncomplete) {
			return fmt.Errorf("pass %d: %w", pass, err)
		}
		if writesUndone(err) && undonePass == 0 {
			undonePass = pass
		}
		settled := pass >= 2 && !rep.Changed()
		if writesUndone(err) || (err != nil && (pass == passes || settled)) {
			incomplete = append(incomplete, fmt.Errorf("pass %d: %w", pass, err))
		}
		out.Passes = append(out.Passes, rep)
		if !cfg.json {
			fmt.Fprintf(stdout, "== pass %d: %s -> %s\n", pass, cfg.source, target)
			if err := writePass(stdout, rep, undonePass); err != nil {
				return err
			}
			fmt.Fprintln(stdout)
		}
		if settled {
			break
		}
	}
	final := out.Passes[len(out.Passes)-1]
	out.NeedsAttention = final.NeedsAttention() || undonePass > 0 || partial != nil
	out.Converged = !final.Changed() && !out.NeedsAttention
	last := errors.Join(incomplete...)
	switch {
	case last != nil:
	case partial != nil:
		last = errPartialSource
	case cfg.dryRun && final.Changed():
		last = errChangesPending
	case final.Changed():
		last = errNotConverged
	}
	if fake != nil {
		n := 0
		for _, r := range fake.Requests() {
			if r.Undocumented {
				n++
			}
		}
		out.UndocumentedRequests = &n
	}
	if cfg.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		return last
	}
	switch {
	case out.Converged && cfg.dryRun:
		fmt.Fprintln(stdout, "In sync: the plan is empty (dry run).")
	case out.Converged:
		fmt.Fprintln(stdout, "Converged: the last pass found nothing to change.")
	case undonePass > 0:
		fmt.Fprintf(stdout, "Not in sync: pass %d left writes that OnCall did not apply (see above).\n", undonePass)
	case partial != nil && !final.NeedsAttention() && !final.Changed():
		fmt.Fprintln(stdout, "Not in sync: some of the source could not be read (see stderr); the rest is in sync.")
	case final.NeedsAttention():
		fmt.Fprintln(stdout, "Not in sync: the last pass left something that needs a person (see above).")
	case cfg.dryRun:
		fmt.Fprintln(stdout, "Not in sync: the plan has changes (dry run, nothing written).")
	default:
		fmt.Fprintln(stdout, "Not converged: the last pass still had changes (see failures above).")
	}
	return last
}

// writesUndone reports whether a pass's error counts writes that OnCall did not fully apply. Such a pass leaves
// OnCall out of sync even when the next finds nothing to do: the syncer records what OnCall ignored and reports it
// rather than send it again. A write that failed is not such a write: the next pass reads OnCall again and plans
// it anew, so the last pass says whether it was made.
func writesUndone(err error) bool {
	var ie *syncer.IncompleteError
	return errors.As(err, &ie) && ie.Ignored > 0
}

// writePass writes a pass's report as text. After a pass that left writes undone (undonePass, 0 for none), a pass
// with nothing to change is not in sync, though its report's summary line says it is: that line is replaced.
func writePass(w io.Writer, rep *syncer.Report, undonePass int) error {
	if undonePass == 0 || rep.Changed() || rep.NeedsAttention() {
		return rep.WriteText(w)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		return err
	}
	_, rest, _ := strings.Cut(b.String(), "\n") // the summary line comes first
	_, err := fmt.Fprintf(w, "No changes left to make, but OnCall is not in sync: pass %d left writes undone (see above).\n%s", undonePass, rest)
	return err
}

// describeAPI says which of OnCall's API surfaces the job uses.
func describeAPI(extension bool) string {
	if extension {
		return "OnCall's documented API and the unconfirmed participant extension (-undocumented-participant-api)"
	}
	return "OnCall's documented API only (appointment status, cancelled and participants; no participant extension)"
}

// replayEarlierSync brings the fake to where an earlier sync left it: the demo schedule as it was booked (every
// client Scheduled, nothing deleted), synced three days ago. It then applies the day's edits to the EHR, so that
// the job's first pass has statuses, edits, swaps and deletions to sync.
func replayEarlierSync(ctx context.Context, client *oncall.Client, mem *carelogic.Memory, w syncer.Window, p syncer.Policy) error {
	var booked []carelogic.Appointment
	for _, a := range mem.All() {
		a.Deleted = false
		for i := range a.Participants {
			a.Participants[i].Status = carelogic.StatusScheduled
		}
		booked = append(booked, a)
	}
	p.Now = p.Now.AddDate(0, 0, -3)
	rep, err := (&syncer.Runner{Client: client}).Sync(ctx, carelogic.NewMemory(booked...), w, p)
	if err != nil {
		return fmt.Errorf("replaying the earlier sync: %w", err)
	}
	if failed := rep.FailedActions(); len(failed) > 0 {
		return fmt.Errorf("replaying the earlier sync: %d actions failed, the first: %s", len(failed), failed[0].Error)
	}
	for _, a := range carelogic.DemoEdits(mem.All()) {
		mem.Put(a)
	}
	return nil
}

// progress returns a Progress callback that keeps one line up to date on w when it is a terminal, and nil
// elsewhere: a log or a pipe gets the report alone.
func progress(w io.Writer) func(syncer.Progress) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(p syncer.Progress) { fmt.Fprint(f, progressLine(p)) }
}

// progressLine is the line progress keeps up to date: it rewrites itself, and clears itself once every change is
// done.
func progressLine(p syncer.Progress) string {
	line := fmt.Sprintf("\r  listed %d OnCall appointments", p.Listed)
	if p.Total > 0 {
		line += fmt.Sprintf("; %d/%d changes done", p.Done, p.Total)
		if p.Failed > 0 {
			line += fmt.Sprintf(", %d failed", p.Failed)
		}
	}
	line += "\033[K"
	if p.Total > 0 && p.Done == p.Total {
		line += "\r\033[K"
	}
	return line
}
