// Command webhook shows the OnCall-to-EHR direction: OnCall Health posts a webhook when an appointment changes,
// and the change a patient made in OnCall (a cancellation) is written back to the EHR.
//
// With no flags it needs nothing:
//
//	go run ./examples/webhook
//
// It starts a webhook receiver on a loopback port, a webhook.Handler whose callback hands each delivery's
// appointment, freshly read from the API, to a syncer.EHRApplier over an in-memory CareLogic EHR
// (carelogic.Memory). It starts the in-memory fake of the OnCall API (oncall/oncalltest) with that receiver
// registered, syncs a small EHR schedule into it (a 1:1 and a group), and then plays what people do in OnCall: the
// 1:1's patient cancels, giving a reason, and one member of the group withdraws. It prints what reached the EHR
// (CBC for those clients, the OnCall URL stored on each record), and then posts the same deliveries again to show
// that a repeated delivery changes nothing. The patients' reasons stay in OnCall: its documented API gives none (an
// appointment's "cancellation" field is an opaque link, most likely to a cancellation record). Where a server gives
// the reason as text in that field, the 1:1's reason goes into the EHR's comments.
//
// Flags point it at a real OnCall server instead, as a small receiver to try out before writing your own:
//
//	-listen ADDR         serve the handler on ADDR (host:port); required for a real server
//	-path PATH           the URL path to serve it on (default /oncall/webhook)
//	-region ca|us        the OnCall region whose API the appointments are read from (required with -listen)
//	-token TOKEN         the OnCall API key (default $ONCALL_API_TOKEN)
//	-base-url URL        an OnCall-compatible API root instead of the region's
//	-ehr FILE            an EHR schedule in carelogic's JSON format to write back to (default: an empty one)
//	-secret SECRET       require the shared-secret header on every delivery (default $ONCALL_WEBHOOK_SECRET)
//	-secret-header NAME  the header that carries it (default X-OnCall-Secret)
//
// For example, behind a proxy that terminates TLS for the URL registered with OnCall:
//
//	ONCALL_API_TOKEN=... ONCALL_WEBHOOK_SECRET=... go run ./examples/webhook -listen 127.0.0.1:8080 -region ca -ehr schedule.json
//
// Each delivery is then printed as one line: the event, the appointment id, its OnCall status, and the EHR writes
// it caused, by EHR id, client id and status. The EHR is the schedule held in memory: the writes are printed, not
// saved to the file. An integration puts its own carelogic.Adapter in the EHRApplier instead.
//
// Neither mode prints a name or an email, nor a comment written to the EHR, which would hold the patient's own
// words.
//
// OnCall publishes no signature for its webhooks, so the handler trusts nothing in a delivery but the appointment
// id, which it reads back from the API of the client's own region (see package oncall/webhook). -secret adds a
// check for deployments that have agreed a secret header with OnCall; it must be at least webhook.MinSecretLen
// bytes long.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "webhook:", err)
		}
		os.Exit(1)
	}
}

// DefaultSecretHeader is the header -secret is checked in unless -secret-header names another. OnCall documents
// no such header; the name is whatever the deployment agrees with OnCall.
const DefaultSecretHeader = "X-OnCall-Secret"

// config is the program's parsed command line.
type config struct {
	listen       string
	path         string
	region       oncall.Region
	token        string
	baseURL      string
	ehrFile      string
	secret       string
	secretHeader string
	// verifier checks the secret header; nil without -secret.
	verifier webhook.Verifier
}

func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var region, tokenFlag string
	fs.StringVar(&c.listen, "listen", "", "serve the handler on this address (host:port) for a real OnCall server")
	fs.StringVar(&c.path, "path", "/oncall/webhook", "URL path of the handler")
	fs.StringVar(&region, "region", "", "OnCall region: ca or us")
	fs.StringVar(&tokenFlag, "token", "", "OnCall API token (default $ONCALL_API_TOKEN)")
	fs.StringVar(&c.baseURL, "base-url", "", "OnCall-compatible API root instead of the region's")
	fs.StringVar(&c.ehrFile, "ehr", "", "EHR schedule (carelogic JSON) to write back to, with -listen")
	fs.StringVar(&c.secret, "secret", "", "shared secret every delivery must carry (default $ONCALL_WEBHOOK_SECRET)")
	fs.StringVar(&c.secretHeader, "secret-header", DefaultSecretHeader, "header that carries the shared secret")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !strings.HasPrefix(c.path, "/") || strings.ContainsAny(c.path, " {}") {
		return nil, fmt.Errorf("-path %q: want an absolute URL path such as /oncall/webhook", c.path)
	}
	if c.secret == "" {
		c.secret = getenv("ONCALL_WEBHOOK_SECRET")
	}
	if c.secret != "" {
		// Checked here, with a message of its own, so that the error names the flag and never echoes the value.
		if len(c.secret) < webhook.MinSecretLen {
			return nil, fmt.Errorf("-secret is too short: use a random value of at least %d bytes", webhook.MinSecretLen)
		}
		v, err := webhook.SharedSecretHeader(c.secretHeader, c.secret)
		if err != nil {
			return nil, fmt.Errorf("-secret-header: %w", err)
		}
		c.verifier = v
	}

	// Only flags leave the demo: a token in the environment alone does not, so that the demo runs anywhere.
	c.token = tokenFlag
	if c.listen == "" && region == "" && c.baseURL == "" && tokenFlag == "" {
		if c.ehrFile != "" {
			return nil, errors.New("-ehr is for -listen: the demo brings its own EHR")
		}
		return c, nil
	}
	if c.token == "" {
		c.token = getenv("ONCALL_API_TOKEN")
	}
	if region == "" {
		return nil, errors.New("-region is required (ca or us) to read appointments from a real OnCall server")
	}
	r, err := oncall.ParseRegion(region)
	if err != nil {
		return nil, fmt.Errorf("-region: %w", err)
	}
	c.region = r
	if c.token == "" {
		return nil, errors.New("no OnCall token: set -token or ONCALL_API_TOKEN")
	}
	if c.listen == "" {
		return nil, errors.New("-listen ADDR is required to receive webhooks from a real OnCall server")
	}
	return c, nil
}

// real reports whether the program serves a real OnCall server's webhooks rather than running the demo.
func (c *config) real() bool { return c.listen != "" }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, stderr, getenv)
	if err != nil {
		return err
	}
	if cfg.real() {
		return serve(ctx, cfg, stdout, stderr)
	}
	return demo(ctx, cfg, stdout)
}
