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
//	-source demo|siu:DIR|fhir:PATH|json:FILE   where the EHR appointments come from (default demo)
//	-region ca|us                              the OnCall region (required with -token or -base-url)
//	-token TOKEN                               the OnCall API key (default $ONCALL_API_TOKEN)
//	-base-url URL                              an OnCall-compatible server instead of the region's
//	-division ID                               the OnCall division new appointments go to
//	-provider-map FILE                         JSON object: EHR staff id -> OnCall provider id
//	-dry-run                                   plan and report, write nothing
//	-json                                      the report as JSON on stdout
//	-now TIME                                  the present, RFC 3339 (for replaying old feeds)
//	-undocumented-participant-api              also use OnCall's unconfirmed participant endpoints and status field
//
// The job uses OnCall's documented API unless -undocumented-participant-api says otherwise, and says which it used.
// The participant extension (a participant "status" field, writes to /participants/) appears nowhere in OnCall's
// public documentation: turn it on only for an account where the contract suite (oncall/contract) found it to work.
//
// Without -region, -token or -base-url, the job runs against the fake server, whatever the source (a token in
// $ONCALL_API_TOKEN alone does not switch it to a real server). With the demo source, the fake first holds what an earlier sync created when the demo appointments
// were booked; since then staff have marked statuses and edited appointments in the EHR (carelogic.DemoEdits), so
// the first pass shows every kind of change, and the second shows that nothing is left to do.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/carelogic/fhir"
	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sync:", err)
		}
		os.Exit(1)
	}
}

// config is the job's parsed command line.
type config struct {
	source      string
	region      string
	token       string
	baseURL     string
	division    int64
	providerMap string
	dryRun      bool
	json        bool
	now         time.Time
	realMode    bool
	extension   bool
}

func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var now string
	fs.StringVar(&c.source, "source", "demo", "EHR source: demo, siu:DIR, fhir:PATH or json:FILE")
	fs.StringVar(&c.region, "region", "", "OnCall region: ca or us")
	fs.StringVar(&c.token, "token", "", "OnCall API token (default $ONCALL_API_TOKEN)")
	fs.StringVar(&c.baseURL, "base-url", "", "OnCall-compatible API root instead of the region's")
	fs.Int64Var(&c.division, "division", 0, "OnCall division id for new appointments")
	fs.StringVar(&c.providerMap, "provider-map", "", "JSON file mapping EHR staff ids to OnCall provider ids")
	fs.BoolVar(&c.dryRun, "dry-run", false, "plan and report without writing")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.StringVar(&now, "now", "", "the present, as RFC 3339 (default: the clock)")
	fs.BoolVar(&c.extension, "undocumented-participant-api", false, "also use OnCall's unconfirmed participant endpoints and status field")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
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
		if c.division <= 0 {
			return nil, errors.New("-division is required when syncing with a real OnCall server")
		}
	}
	return c, nil
}

// real reports whether the job talks to a real OnCall server rather than the embedded fake.
func (c *config) real() bool { return c.realMode }

// loadSource opens the EHR source named by spec, and returns the window of start times to sync.
func loadSource(spec string, now time.Time) (carelogic.Adapter, syncer.Window, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	all := syncer.Window{From: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	switch {
	case kind == "demo" && arg == "":
		return carelogic.NewMemory(carelogic.DemoSchedule(now)...), syncer.Window{From: now.AddDate(0, 0, -30), To: now.AddDate(0, 0, 120)}, nil
	case arg == "":
		return nil, syncer.Window{}, fmt.Errorf("-source %q: want demo, siu:DIR, fhir:PATH or json:FILE", spec)
	case kind == "siu":
		feed, err := siu.ReadDir(arg)
		if err != nil {
			return nil, syncer.Window{}, fmt.Errorf("-source %s: %w", spec, err)
		}
		return feed, all, nil
	case kind == "fhir":
		// FHIR R4 has no telehealth field: without a marker, an appointment is taken to be video, as the SIU reader does.
		src, err := fhir.ReadPath(arg, fhir.WithDefaultModality(carelogic.Video))
		if err != nil {
			return nil, syncer.Window{}, fmt.Errorf("-source %s: %w", spec, err)
		}
		return src, all, nil
	case kind == "json":
		f, err := os.Open(arg)
		if err != nil {
			return nil, syncer.Window{}, fmt.Errorf("-source %s: %w", spec, err)
		}
		defer f.Close()
		appts, err := carelogic.ReadJSON(f)
		if err != nil {
			return nil, syncer.Window{}, fmt.Errorf("-source %s: %w", spec, err)
		}
		return carelogic.NewMemory(appts...), all, nil
	}
	return nil, syncer.Window{}, fmt.Errorf("-source %q: unknown kind %q: want demo, siu, fhir or json", spec, kind)
}

func readProviderMap(path string) (map[string]oncall.ProviderID, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-provider-map: %w", err)
	}
	var raw map[string]json.Number
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("-provider-map %s: want a JSON object of staff id to provider id: %v", path, err)
	}
	out := make(map[string]oncall.ProviderID, len(raw))
	for staff, n := range raw {
		id, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("-provider-map %s: staff id %q: provider id must be a positive integer", path, staff)
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
	// Converged is true when the last pass planned no action.
	Converged bool `json:"converged"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	ehr, window, err := loadSource(cfg.source, cfg.now)
	if err != nil {
		return err
	}
	policy := syncer.DefaultPolicy(oncall.DivisionID(cfg.division))
	policy.Now = cfg.now
	policy.UndocumentedParticipantAPI = cfg.extension
	api := "documented"
	if cfg.extension {
		api = "documented+participant-extension"
	}
	if cfg.providerMap != "" {
		if policy.Providers, err = readProviderMap(cfg.providerMap); err != nil {
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
	} else {
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
	runner := &syncer.Runner{Client: client, DryRun: cfg.dryRun, Progress: progress(stderr)}
	out := output{Target: target, Source: cfg.source, API: api}
	if !cfg.json {
		fmt.Fprintf(stdout, "API: %s\n\n", describeAPI(cfg.extension))
	}
	for pass := 1; pass <= 2; pass++ {
		rep, err := runner.Sync(ctx, ehr, window, policy)
		if err != nil {
			return fmt.Errorf("pass %d: %w", pass, err)
		}
		out.Passes = append(out.Passes, rep)
		if !cfg.json {
			fmt.Fprintf(stdout, "== pass %d: %s -> %s\n", pass, cfg.source, target)
			if err := rep.WriteText(stdout); err != nil {
				return err
			}
			fmt.Fprintln(stdout)
		}
		if cfg.dryRun {
			break
		}
	}
	out.Converged = !out.Passes[len(out.Passes)-1].Changed()
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
		return enc.Encode(out)
	}
	if !cfg.dryRun {
		if out.Converged {
			fmt.Fprintln(stdout, "Converged: the last pass found nothing to change.")
		} else {
			fmt.Fprintln(stdout, "Not converged: the last pass still had changes (see failures above).")
		}
	}
	return nil
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

// progress returns a Progress callback that keeps one line up to date on a terminal, and nil elsewhere.
func progress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(f, "\r  %d/%d changes applied", done, total)
		if done == total {
			fmt.Fprint(f, "\r\033[K")
		}
	}
}
