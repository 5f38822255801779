// Command list reads OnCall Health appointments a page at a time, the way a job that checkpoints its progress
// does, and then as one filtered stream.
//
// With no flags it needs nothing:
//
//	go run ./examples/list
//
// It starts the in-memory fake of the OnCall API (oncall/oncalltest) holding 60 appointments over six days, some
// completed, some no-shows and some cancelled, and then:
//
//  1. reads the first page, newest first (Appointments.Pages with ordering -datetime), printing its page number,
//     the total count and the next page, and stops there, keeping Page.NextPage as a checkpoint, as a job would
//     before it is interrupted;
//  2. resumes from the checkpoint (ListOptions.Page), reading the remaining pages, which continue exactly where
//     the first ended;
//  3. streams the open appointments, soonest first, with Appointments.All: those not completed and not
//     cancelled.
//
// Flags point it at a real OnCall server instead (it only reads):
//
//	-region ca|us    the OnCall region (required with -token or -base-url)
//	-token TOKEN     the OnCall API key (default $ONCALL_API_TOKEN)
//	-base-url URL    an OnCall-compatible API root instead of the region's
//	-page-size N     appointments a page, 1 to 1000 (default 25)
//	-max-pages N     stop each listing after N pages, for a large account (default 0: read them all)
//
// Without -region, -token or -base-url it runs against the fake, even when $ONCALL_API_TOKEN is set.
//
// What the fake honours: ordering (datetime, -datetime, id, -id), page and page_size, as OnCall's API does. Any
// other query parameter is ignored, as Django REST Framework ignores one it does not know. The filter in step 3,
// completed=False, is one OnCall's own apps send but its public documentation does not list, so the program passes
// it through AppointmentListOptions.Filter and also filters on its side: against the fake, which ignores it, the
// client-side check is what filters; against OnCall it is a safeguard should the server not honour it.
//
// It prints ids, times, types and statuses only: never a title, a name or an email, which may identify a patient.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "list:", err)
		}
		os.Exit(1)
	}
}

// config is the program's parsed command line.
type config struct {
	real     bool
	region   oncall.Region
	token    string
	baseURL  string
	pageSize int
	maxPages int
}

// maxPageSize is the largest page size the program asks for: the fake's limit, and a page that still fits
// comfortably in memory. OnCall documents none.
const maxPageSize = oncalltest.MaxPageSize

func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var region string
	fs.StringVar(&region, "region", "", "OnCall region: ca or us")
	fs.StringVar(&c.token, "token", "", "OnCall API token (default $ONCALL_API_TOKEN)")
	fs.StringVar(&c.baseURL, "base-url", "", "OnCall-compatible API root instead of the region's")
	fs.IntVar(&c.pageSize, "page-size", 25, fmt.Sprintf("appointments a page, 1 to %d", maxPageSize))
	fs.IntVar(&c.maxPages, "max-pages", 0, "stop each listing after this many pages (0: read them all)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.pageSize < 1 || c.pageSize > maxPageSize {
		return nil, fmt.Errorf("-page-size %d: want 1 to %d", c.pageSize, maxPageSize)
	}
	if c.maxPages < 0 {
		return nil, fmt.Errorf("-max-pages %d: want 0 (no limit) or more", c.maxPages)
	}
	// Only flags leave the demo: a token in the environment alone does not, so that the demo runs anywhere.
	c.real = region != "" || c.token != "" || c.baseURL != ""
	if !c.real {
		return c, nil
	}
	if c.token == "" {
		c.token = getenv("ONCALL_API_TOKEN")
	}
	if region == "" {
		return nil, errors.New("-region is required (ca or us) when listing from a real OnCall server")
	}
	r, err := oncall.ParseRegion(region)
	if err != nil {
		return nil, fmt.Errorf("-region: %w", err)
	}
	c.region = r
	if c.token == "" {
		return nil, errors.New("no OnCall token: set -token or ONCALL_API_TOKEN")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	var (
		client *oncall.Client
		srv    *oncalltest.Server
		target string
	)
	if cfg.real {
		opts := []oncall.Option{oncall.WithUserAgent("oncall-go-list/" + oncall.Version)}
		if cfg.baseURL != "" {
			opts = append(opts, oncall.WithBaseURL(cfg.baseURL))
		}
		if client, err = oncall.NewClient(cfg.region, cfg.token, opts...); err != nil {
			return err
		}
		target = "OnCall " + strings.ToUpper(cfg.region.String()) + " at " + client.BaseURL()
	} else {
		if srv, client, err = startFake(time.Now().UTC()); err != nil {
			return err
		}
		defer srv.Close()
		target = fmt.Sprintf("the OnCall fake server (in memory, %d appointments)", seedCount)
	}
	w := &reportWriter{w: stdout}
	w.printf("Appointments on %s, %d a page.\n", target, cfg.pageSize)

	checkpoint, err := firstPage(ctx, w, client, cfg)
	if err != nil {
		return err
	}
	if err := resume(ctx, w, client, cfg, checkpoint); err != nil {
		return err
	}
	if err := streamOpen(ctx, w, client, cfg, srv); err != nil {
		return err
	}
	return w.err
}

// newestFirst is the listing of steps 1 and 2.
func newestFirst(cfg *config) *oncall.AppointmentListOptions {
	return &oncall.AppointmentListOptions{Ordering: "-datetime", ListOptions: oncall.ListOptions{PageSize: cfg.pageSize}}
}

// firstPage reads the first page and stops, returning the checkpoint: the page to resume from, or 0 when there
// is no other page.
func firstPage(ctx context.Context, w *reportWriter, client *oncall.Client, cfg *config) (int, error) {
	w.printf("\n== 1. The first page, newest first (ordering=-datetime)\n")
	for page, err := range client.Appointments.Pages(ctx, newestFirst(cfg)) {
		if err != nil {
			return 0, err
		}
		printPage(w, 1, page)
		// A job would store the checkpoint with its work (in the same transaction), so that a restart neither
		// skips nor repeats a page. Breaking out of the loop stops the iterator: no further page is fetched.
		w.printf("Stopping here, as if interrupted. Checkpoint: page %d.\n", page.NextPage)
		return page.NextPage, nil
	}
	return 0, nil
}

// resume reads the pages from the checkpoint on.
func resume(ctx context.Context, w *reportWriter, client *oncall.Client, cfg *config, checkpoint int) error {
	w.printf("\n== 2. Resuming from the checkpoint (ListOptions.Page = %d)\n", checkpoint)
	if checkpoint == 0 {
		w.printf("The first page was the last: nothing to resume.\n")
		return nil
	}
	opts := newestFirst(cfg)
	opts.Page = checkpoint
	n := checkpoint
	for page, err := range client.Appointments.Pages(ctx, opts) {
		if err != nil {
			return err
		}
		printPage(w, n, page)
		if cfg.maxPages > 0 && n-checkpoint+1 >= cfg.maxPages && page.NextPage != 0 {
			w.printf("Stopping after %d page(s) (-max-pages); the next checkpoint would be page %d.\n", cfg.maxPages, page.NextPage)
			return nil
		}
		n++
	}
	return nil
}

// streamOpen streams the appointments neither completed nor cancelled, soonest first. srv is the fake, or nil.
func streamOpen(ctx context.Context, w *reportWriter, client *oncall.Client, cfg *config, srv *oncalltest.Server) error {
	w.printf("\n== 3. Open appointments, soonest first (All, ordering=datetime, completed=False)\n")
	opts := &oncall.AppointmentListOptions{
		Ordering:    "datetime",
		ListOptions: oncall.ListOptions{PageSize: cfg.pageSize},
		// Not in OnCall's public documentation; OnCall's own apps send it. See the package comment.
		Filter: url.Values{"completed": {"False"}},
	}
	sent := 0
	if srv != nil {
		sent = len(srv.Requests())
	}
	read, matched := 0, 0
	for a, err := range client.Appointments.All(ctx, opts) {
		if err != nil {
			return err
		}
		read++
		if isOpen(a) {
			matched++
			printAppointment(w, a)
		}
		if cfg.maxPages > 0 && read == cfg.maxPages*cfg.pageSize {
			w.printf("Stopping after %d appointments (-max-pages %d).\n", read, cfg.maxPages)
			break
		}
	}
	w.printf("%d open of %d read.\n", matched, read)
	if srv != nil {
		// The fake's request log shows what was asked, as a real server would have been asked it.
		if reqs := srv.Requests(); len(reqs) > sent {
			first := reqs[sent]
			w.printf("The listing began with GET %s?%s; the fake ignored completed, so the check on this side filtered.\n", first.Path, first.Query)
		}
	}
	return nil
}

// isOpen reports whether an appointment is neither completed nor cancelled: what completed=False asks the server
// for, checked here too (see the package comment).
func isOpen(a *oncall.Appointment) bool {
	return !a.Cancelled && (a.Status == "" || a.Status == oncall.StatusIncomplete)
}

func printPage(w *reportWriter, n int, page *oncall.Page[oncall.Appointment]) {
	next := "last page"
	if page.NextPage != 0 {
		next = fmt.Sprintf("next page %d", page.NextPage)
	}
	w.printf("page %d: %d of %d appointments, %s\n", n, len(page.Results), page.Count, next)
	for i := range page.Results {
		printAppointment(w, &page.Results[i])
	}
}

// printAppointment prints one appointment as id, start, type and status: nothing that could identify a patient.
func printAppointment(w *reportWriter, a *oncall.Appointment) {
	start := "(no time)"
	if !a.DateTime.IsZero() {
		start = a.DateTime.UTC().Format(timeLayout)
	}
	status := string(a.Status)
	if a.Cancelled && a.Status == "" {
		status = "cancelled"
	}
	w.printf("  %-6d %s  %-8s %s\n", a.ID, start, a.Type, status)
}

// timeLayout prints times to the minute, in UTC.
const timeLayout = "2006-01-02T15:04Z"

// reportWriter writes the report, keeping the first error so that the steps need not check each line.
type reportWriter struct {
	w   io.Writer
	err error
}

func (r *reportWriter) printf(format string, args ...any) {
	if r.err != nil {
		return
	}
	_, r.err = fmt.Fprintf(r.w, format, args...)
}
