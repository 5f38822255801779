// Command service keeps OnCall Health in sync with an EHR continuously: it receives the EHR's HL7 v2 SIU messages
// over MLLP as they happen, syncs each change within a second or two, takes OnCall's webhooks for changes made
// there, and reconciles in full at start and every hour.
//
// With no flags it needs nothing:
//
//	go run ./examples/service
//
// It starts the in-memory fake of the OnCall API (oncall/oncalltest) with its webhooks pointed at the service,
// keeps its ledger and message store in a temporary folder, and listens for MLLP on 127.0.0.1:2575 and for HTTP on
// 127.0.0.1:8080, until interrupted (SIGINT or SIGTERM). Send it SIU messages from another shell with the send
// subcommand, which frames each message of a file, sends it and prints the ACK:
//
//	go run ./examples/service send carelogic/siu/testdata/*.hl7
//
// or with nc and the MLLP framing bytes (0x0B before the message, 0x1C 0x0D after it):
//
//	printf '\x0b%s\x1c\x0d' "$(tr '\n' '\r' < message.hl7)" | nc -q 2 127.0.0.1 2575
//
// HTTP serves the webhook endpoint (POST /oncall/webhook), GET /healthz (200 once a full reconcile has run without
// failing, 503 before or after one that failed, with the counters as JSON) and GET /debug/vars (expvar: the same
// counters under "oncall_service", with the Go runtime's).
//
// What it guarantees: a message is acknowledged AA only once it is stored on disk (or found to add nothing to what
// is stored), so a crash never loses an acknowledged message; the sender resends what was not acknowledged, and a
// resend is harmless. Every change is synced at least once: after a crash, the start's full reconcile syncs what
// the loop had queued. Nothing is created twice in OnCall: a create is recorded in the ledger before it is sent,
// and one whose outcome is unknown is looked up before it is sent again.
//
// Flags point it at a real OnCall server:
//
//	-region ca|us          the OnCall region (required with -token)
//	-token TOKEN           the OnCall API key (default $ONCALL_API_TOKEN)
//	-base-url URL          an OnCall-compatible API root instead of the region's
//	-division ID|URL       the OnCall division appointments are created in (required with -token)
//	-provider ID|URL       the OnCall provider of appointments whose staff id has no mapping (default: none,
//	                       such an appointment needs attention)
//	-data DIR              the folder of the ledger and message store (default: a temporary folder, removed
//	                       when the service stops; with -token, required)
//	-mllp ADDR             where to listen for MLLP (default 127.0.0.1:2575)
//	-http ADDR             where to listen for HTTP (default 127.0.0.1:8080)
//	-secret SECRET         require this shared secret on webhooks (default $ONCALL_WEBHOOK_SECRET)
//	-secret-header NAME    the header that carries it (default X-OnCall-Secret)
//	-debounce D            how long to wait for more messages before syncing (default 1s)
//	-reconcile-every D     time between full reconciles (default 1h)
//	-source NAME           the EHR's name in the appointments' metadata (default: MSH-3@MSH-4)
//	-rate N                OnCall requests a second, at most (default 10; OnCall publishes no limit)
//	-retention D           how long after it ends an appointment's message is kept, in memory and on disk, after
//	                       which each full reconcile forgets it (default 720h, 30 days; 0 keeps everything)
//
// Logs are JSON lines on stderr (log/slog), with ids and counts, never a patient's name or email. The message
// store holds the HL7 messages, which carry patient data: keep -data on an encrypted disk readable by the service
// alone (the files are created 0600, the folder 0700).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/internal/flagref"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	var err error
	if len(args) > 0 && args[0] == "send" {
		err = send(ctx, args[1:], os.Stdout, os.Stderr)
	} else {
		err = serve(ctx, args, os.Stderr, os.Getenv)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

// serve parses the flags and runs the service until ctx ends.
func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		region       = fs.String("region", "", "OnCall region: ca or us")
		token        = fs.String("token", getenv("ONCALL_API_TOKEN"), "OnCall API key")
		baseURL      = fs.String("base-url", "", "an OnCall-compatible API root")
		division     = fs.String("division", "", "OnCall division: id or URL")
		provider     = fs.String("provider", "", "OnCall provider for unmapped staff: id or URL")
		dataDir      = fs.String("data", "", "folder of the ledger and message store")
		mllpAddr     = fs.String("mllp", "127.0.0.1:2575", "MLLP listen address")
		httpAddr     = fs.String("http", "127.0.0.1:8080", "HTTP listen address")
		secret       = fs.String("secret", getenv("ONCALL_WEBHOOK_SECRET"), "shared secret required on webhooks")
		secretHeader = fs.String("secret-header", "X-OnCall-Secret", "header of the shared secret")
		debounce     = fs.Duration("debounce", syncer.DefaultDebounce, "wait for more messages before syncing")
		every        = fs.Duration("reconcile-every", syncer.DefaultReconcileEvery, "time between full reconciles")
		source       = fs.String("source", "", "the EHR's name in metadata (default MSH-3@MSH-4)")
		rate         = fs.Float64("rate", oncall.DefaultRateLimit, "OnCall requests a second, at most")
		retention    = fs.Duration("retention", 30*24*time.Hour, "how long after it ends an appointment's message is kept (0: forever)")
	)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: service [flags]\n       service send [-addr HOST:PORT] FILE...\n\nWith no flags, runs on an in-memory fake OnCall server.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (send messages with: service send FILE...)", fs.Arg(0))
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	s := &service{mllpAddr: *mllpAddr, httpAddr: *httpAddr, webhookPath: "/oncall/webhook", debounce: *debounce,
		reconcileEvery: *every, log: log, dataDir: *dataDir, retention: *retention}
	if *source != "" {
		s.siuOpts = append(s.siuOpts, siu.WithSource(*source))
	}
	if *secret != "" {
		v, err := webhook.SharedSecretHeader(*secretHeader, *secret)
		if err != nil {
			return fmt.Errorf("-secret: %w", err)
		}
		s.webhookOpts = append(s.webhookOpts, webhook.WithVerifier(v))
	}
	if *rate <= 0 {
		return fmt.Errorf("-rate: %v is not a positive number of requests a second", *rate)
	}
	limit := oncall.WithRateLimit(*rate, max(1, int(*rate/10)))
	if *token == "" {
		return serveFake(ctx, s, limit)
	}
	if *dataDir == "" {
		return errors.New("-data is required with -token: the ledger and message store must outlive the process")
	}
	r, err := oncall.ParseRegion(*region)
	if err != nil {
		return fmt.Errorf("-region: %w", err)
	}
	opts := []oncall.Option{limit}
	if *baseURL != "" {
		opts = append(opts, oncall.WithBaseURL(*baseURL))
	}
	if s.client, err = oncall.NewClient(r, *token, opts...); err != nil {
		return err
	}
	div, err := flagref.Resolve(s.client, "-division", "divisions", *division)
	if err != nil {
		return err
	}
	s.policy = servicePolicy(oncall.DivisionID(div))
	if *provider != "" {
		p, err := flagref.Resolve(s.client, "-provider", "providers", *provider)
		if err != nil {
			return err
		}
		s.policy.DefaultProvider = oncall.ProviderID(p)
	}
	return s.run(ctx)
}

// servicePolicy is the default policy for an HL7 feed: as Sync's, but an appointment the feed does not hold is
// never taken as deleted, since a feed knows only the messages it was sent; the EHR reports deletions itself (S17).
func servicePolicy(division oncall.DivisionID) syncer.Policy {
	p := syncer.DefaultPolicy(division)
	p.DisableOrphanCancel = true
	return p
}

// serveFake runs s against the in-memory fake, its webhooks posted to s, its store in a temporary folder unless
// -data names one.
func serveFake(ctx context.Context, s *service, opts ...oncall.Option) error {
	srv := oncalltest.NewServer()
	defer srv.Close()
	s.policy = servicePolicy(srv.AddDivision("Demo clinic"))
	s.policy.DefaultProvider = srv.AddProvider("Demo provider", "provider@clinic.example.org", s.policy.Division)
	var err error
	if s.client, err = srv.Client(opts...); err != nil {
		return err
	}
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "oncall-service-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		s.dataDir = dir
	}
	ready := s.ready
	s.ready = func(mllpAddr, httpAddr net.Addr) {
		srv.SetWebhookURL("http://" + httpAddr.String() + s.webhookPath)
		if ready != nil {
			ready(mllpAddr, httpAddr)
		}
	}
	s.log.Info("service: on the in-memory fake OnCall server", slog.String("data", s.dataDir), slog.String("api", srv.URL()))
	return s.run(ctx)
}
