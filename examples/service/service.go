package main

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// service is the always-on sync: an MLLP receiver feeding an SIU feed, a ledger and inbox on disk, the syncer's
// event loop, and an HTTP server for OnCall's webhooks, health and counters.
type service struct {
	client  *oncall.Client
	policy  syncer.Policy
	dataDir string
	// mllpAddr and httpAddr are where to listen ("127.0.0.1:0" picks a port).
	mllpAddr, httpAddr string
	webhookPath        string
	webhookOpts        []webhook.Option
	siuOpts            []siu.Option
	debounce           time.Duration
	reconcileEvery     time.Duration
	// retention is how long after it ends an appointment is kept in the feed and the store (0: forever).
	retention time.Duration
	log       *slog.Logger
	// ready, if set, receives the addresses listened on once both listeners are up.
	ready func(mllp, http net.Addr)

	mu   sync.Mutex
	loop *syncer.Loop
	mllp *mllp.Server
}

// status is what /healthz answers and what expvar publishes.
type status struct {
	Healthy bool             `json:"healthy"`
	Loop    syncer.LoopStats `json:"loop"`
	MLLP    mllp.Stats       `json:"mllp"`
}

func (s *service) status() status {
	s.mu.Lock()
	loop, srv := s.loop, s.mllp
	s.mu.Unlock()
	var st status
	if loop != nil {
		st.Loop = loop.Stats()
		st.Healthy = st.Loop.LastReconcileOK
	}
	if srv != nil {
		st.MLLP = srv.Stats()
	}
	return st
}

// publishOnce registers the service's counters with expvar (/debug/vars) once per process: expvar's names are
// global, and tests start several services.
var publishOnce sync.Once

// current is the service whose status expvar shows: the last one started.
var current struct {
	sync.Mutex
	s *service
}

// run runs the service until ctx ends, then shuts down in order: the MLLP receiver drains (messages being handled
// are stored and acknowledged), the HTTP server finishes its requests, the loop ends its pass, the store closes.
func (s *service) run(ctx context.Context) error {
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	store, err := s.openStore()
	if err != nil {
		return err
	}
	defer store.Close()

	feed := siu.NewFeed(s.siuOpts...)
	loop := &syncer.Loop{
		Runner: &syncer.Runner{Client: s.client, Logger: s.log}, EHR: feed, Ledger: store, Policy: s.policy,
		Debounce: s.debounce, ReconcileEvery: s.reconcileEvery, Logger: s.log,
	}
	in := newInbox(feed, store, loop, s.siuOpts)
	loop.OnPass = func(p syncer.Pass) {
		if p.Kind != syncer.PassReconcile || s.retention <= 0 || ctx.Err() != nil {
			return
		}
		if n, err := in.prune(ctx, time.Now().Add(-s.retention)); err != nil {
			s.log.Warn("service: forgetting past appointments failed", slog.String("error", err.Error()))
		} else if n > 0 {
			s.log.Info("service: past appointments forgotten", slog.Int("appointments", n))
		}
	}
	n, err := in.load(ctx, s.log)
	if err != nil {
		return fmt.Errorf("reading the stored messages: %w", err)
	}
	s.log.Info("service: stored messages read", slog.Int("messages", n), slog.Int("appointments", feed.Len()))
	receiver := &mllp.Server{Handler: in, Logger: s.log}
	s.mu.Lock()
	s.loop, s.mllp = loop, receiver
	s.mu.Unlock()
	current.Lock()
	current.s = s
	current.Unlock()
	publishOnce.Do(func() {
		expvar.Publish("oncall_service", expvar.Func(func() any {
			current.Lock()
			defer current.Unlock()
			if current.s == nil {
				return nil
			}
			return current.s.status()
		}))
	})

	hooks, err := webhook.NewHandler(s.client, func(_ context.Context, d webhook.Delivery) error {
		loop.NotifyOnCall(d.Appointment) // queued: the delivery is acknowledged at once
		return nil
	}, append([]webhook.Option{webhook.WithLogger(s.log)}, s.webhookOpts...)...)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+s.webhookPath, hooks)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		st := s.status()
		w.Header().Set("Content-Type", "application/json")
		if !st.Healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.Handle("GET /debug/vars", expvar.Handler())

	mllpLn, err := net.Listen("tcp", s.mllpAddr)
	if err != nil {
		return fmt.Errorf("MLLP listener: %w", err)
	}
	httpLn, err := net.Listen("tcp", s.httpAddr)
	if err != nil {
		mllpLn.Close()
		return fmt.Errorf("HTTP listener: %w", err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("service: listening", slog.String("mllp", mllpLn.Addr().String()), slog.String("http", httpLn.Addr().String()))
	if s.ready != nil {
		s.ready(mllpLn.Addr(), httpLn.Addr())
	}

	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Go(func() { errs <- receiver.Serve(ctx, mllpLn) })
	wg.Go(func() {
		if err := hs.Serve(httpLn); !errors.Is(err, http.ErrServerClosed) {
			errs <- err
		}
	})
	wg.Go(func() { errs <- loop.Run(ctx) })
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	wg.Wait()
	close(errs)
	for e := range errs {
		err = errors.Join(err, e)
	}
	s.log.Info("service: stopped")
	return err
}

// openStore opens the ledger and message store, and checks it whole (a few milliseconds a megabyte). A damaged
// file is moved aside, kept for a person to look at, and a
// new one started: the ledger is rebuilt by the start's full reconcile from OnCall's metadata, and the messages
// the damaged file held are not needed to keep OnCall right, since a feed never cancels by absence (their
// appointments are synced again when the EHR next sends them).
func (s *service) openStore() (*boltledger.Ledger, error) {
	path := filepath.Join(s.dataDir, "ledger.db")
	store, err := boltledger.Open(path)
	if err == nil {
		// Open checks only what is cheap; damage inside the pages would surface, or crash, later.
		if err = store.Check(context.Background()); err != nil {
			store.Close()
		}
	}
	if !errors.Is(err, boltledger.ErrCorrupt) {
		if err != nil {
			return nil, fmt.Errorf("opening the ledger: %w", err)
		}
		return store, nil
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if rerr := os.Rename(path, aside); rerr != nil {
		return nil, fmt.Errorf("opening the ledger: %w; moving it aside: %w", err, rerr)
	}
	s.log.Warn("service: the ledger file was damaged: moved aside, a new one started and rebuilt by the reconcile",
		slog.String("aside", aside))
	if store, err = boltledger.Open(path); err != nil {
		return nil, fmt.Errorf("opening a new ledger: %w", err)
	}
	return store, nil
}
