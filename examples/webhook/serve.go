package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
)

// serve receives a real OnCall server's webhooks on cfg.listen until ctx ends, writing each change back to the
// EHR schedule read from cfg.ehrFile (an empty one without it) and printing a line per delivery.
func serve(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	var appts []carelogic.Appointment
	if cfg.ehrFile != "" {
		var err error
		if appts, err = readSchedule(cfg.ehrFile); err != nil {
			return err
		}
	}
	opts := []oncall.Option{oncall.WithUserAgent("oncall-go-webhook/" + oncall.Version)}
	if cfg.baseURL != "" {
		opts = append(opts, oncall.WithBaseURL(cfg.baseURL))
	}
	client, err := oncall.NewClient(cfg.region, cfg.token, opts...)
	if err != nil {
		return err
	}
	rec := &receiver{
		applier: &syncer.EHRApplier{Adapter: carelogic.NewMemory(appts...)},
		// Called one delivery at a time (see receiver.mu), so lines are never interleaved.
		onHandled: func(h handled) { fmt.Fprintf(stdout, "%s %s\n", time.Now().UTC().Format(time.RFC3339), h) },
	}
	// Deliveries the handler refuses (401, 422, ...) or fails (5xx) are logged, without their body, to stderr.
	hopts := []webhook.Option{webhook.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	if cfg.verifier != nil {
		hopts = append(hopts, webhook.WithVerifier(cfg.verifier))
	}
	h, err := webhook.NewHandler(client, rec.callback, hopts...)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("-listen %s: %w", cfg.listen, err)
	}
	hs := &http.Server{
		Handler:           onPath(cfg.path, h),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// The handler answers only once the appointment is read and the EHR written, within its own timeout.
		WriteTimeout: webhook.DefaultTimeout + 10*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     log.New(stderr, "webhook: http: ", 0),
	}
	fmt.Fprintf(stdout, "Receiving OnCall webhooks at http://%s%s\n", ln.Addr(), cfg.path)
	fmt.Fprintf(stdout, "Appointments are read from OnCall %s at %s; the EHR holds %d appointment(s)",
		strings.ToUpper(cfg.region.String()), client.BaseURL(), len(appts))
	if cfg.ehrFile != "" {
		fmt.Fprintf(stdout, " from %s", cfg.ehrFile)
	}
	fmt.Fprintln(stdout, ".")
	if cfg.verifier != nil {
		fmt.Fprintf(stdout, "Every delivery must carry the %s header.\n", cfg.secretHeader)
	}

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	// Deliveries in progress finish (and are answered) before the program ends.
	shutdown, cancel := context.WithTimeout(context.Background(), webhook.DefaultTimeout+5*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	fmt.Fprintf(stdout, "Stopped. Deliveries handled: %d.\n", rec.count())
	return err
}

// onPath serves h on path alone, and 404 Not Found elsewhere. It matches the path exactly, so that any -path is
// served as given (an http.ServeMux pattern would give some paths a meaning of their own).
func onPath(path string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// readSchedule reads an EHR schedule in carelogic's JSON format.
func readSchedule(path string) ([]carelogic.Appointment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-ehr: %w", err)
	}
	defer f.Close()
	appts, err := carelogic.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("-ehr %s: %w", path, err)
	}
	return appts, nil
}
