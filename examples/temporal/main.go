// Command temporal runs the multi-tenant OnCall sync on a Temporal cluster: a worker serving many clinics, and the
// commands that start a clinic's workflow and tell it the EHR changed. See README.md.
//
//	temporal worker -config tenants.json [-shards 4 -shard 0]
//	temporal start  -config tenants.json [-tenant clinic-001] [-interval 15m]
//	temporal signal -tenant clinic-001 [appt-101 ...]
//
// Common flags: -address (localhost:7233), -namespace (default), -task-queue (oncall-sync).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/examples/temporal/tenantsync"
	"github.com/oncallsync/oncall-go/oncall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "temporal:", err)
		os.Exit(1)
	}
}

// config is the tenants file: one entry per clinic. Tokens are never in it, only the name of the environment
// variable that holds each.
type config struct {
	Tenants []tenantConfig `json:"tenants"`
}

type tenantConfig struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	// TokenEnv names the environment variable holding the clinic's OnCall token.
	TokenEnv  string                       `json:"token_env"`
	Division  oncall.DivisionID            `json:"division"`
	Providers map[string]oncall.ProviderID `json:"providers"`
	// Schedule is a carelogic JSON schedule file standing in for the clinic's EHR; a vendor plugs its own
	// carelogic.Adapter in instead.
	Schedule string `json:"schedule"`
	// BaseURL points the client elsewhere than the region's API (a proxy, or an oncalltest server).
	BaseURL   string  `json:"base_url,omitempty"`
	RateLimit float64 `json:"rate_limit,omitempty"`
	Burst     int     `json:"burst,omitempty"`
}

func readConfig(path string) (*config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// tenants builds the registry of the tenants of one shard, reading each token from the environment.
func (c *config) tenants(shard, shards int) (*tenantsync.Tenants, error) {
	ts := tenantsync.NewTenants()
	for _, t := range c.Tenants {
		if tenantsync.ShardOf(t.ID, shards) != shard {
			continue
		}
		region, err := oncall.ParseRegion(t.Region)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", t.ID, err)
		}
		token := os.Getenv(t.TokenEnv)
		if t.TokenEnv == "" || token == "" {
			return nil, fmt.Errorf("tenant %q: no token in the environment variable %q", t.ID, t.TokenEnv)
		}
		appts, err := carelogic.ReadJSONPath(t.Schedule)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: reading its schedule: %w", t.ID, err)
		}
		var opts []oncall.Option
		if t.BaseURL != "" {
			opts = append(opts, oncall.WithBaseURL(t.BaseURL))
		}
		err = ts.Add(tenantsync.TenantConfig{
			ID: t.ID, Region: region, Token: token, Division: t.Division, Providers: t.Providers,
			EHR: carelogic.NewMemory(appts...), RateLimit: t.RateLimit, Burst: t.Burst, ClientOptions: opts,
		})
		if err != nil {
			return nil, err
		}
	}
	return ts, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: temporal worker|start|signal [flags]")
	}
	cmd := args[0]
	switch cmd {
	case "worker", "start", "signal":
	default:
		return fmt.Errorf("unknown command %q: want worker, start or signal", cmd)
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	address := fs.String("address", client.DefaultHostPort, "Temporal frontend host:port")
	namespace := fs.String("namespace", client.DefaultNamespace, "Temporal namespace")
	queue := fs.String("task-queue", "oncall-sync", "task queue (with -shards > 1, queue-<shard>)")
	shards := fs.Int("shards", 1, "number of shards tenants are split across")
	shard := fs.Int("shard", 0, "worker: the shard this worker serves")
	cfgPath := fs.String("config", "tenants.json", "tenants file")
	tenant := fs.String("tenant", "", "start, signal: one tenant (start: default all)")
	interval := fs.Duration("interval", tenantsync.DefaultInterval, "start: time between scheduled syncs")
	parallelism := fs.Int("parallelism", tenantsync.DefaultParallelism, "start: a tenant's Apply activities in flight")
	slots := fs.Int("activity-slots", 200, "worker: activities run at once, across tenants")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	c, err := client.Dial(client.Options{HostPort: *address, Namespace: *namespace, Logger: logger})
	if err != nil {
		return fmt.Errorf("connecting to Temporal: %w", err)
	}
	defer c.Close()

	switch cmd {
	case "worker":
		cfg, err := readConfig(*cfgPath)
		if err != nil {
			return err
		}
		ts, err := cfg.tenants(*shard, *shards)
		if err != nil {
			return err
		}
		q := tenantsync.ShardQueue(*queue, *shard, *shards)
		w := worker.New(c, q, worker.Options{MaxConcurrentActivityExecutionSize: *slots})
		tenantsync.Register(w, &tenantsync.Activities{Tenants: ts})
		logger.Info("worker", "task_queue", q, "tenants", len(ts.IDs()))
		stopCh := make(chan any)
		go func() { <-ctx.Done(); close(stopCh) }()
		return w.Run(stopCh)
	case "start":
		cfg, err := readConfig(*cfgPath)
		if err != nil {
			return err
		}
		for _, t := range cfg.Tenants {
			if *tenant != "" && t.ID != *tenant {
				continue
			}
			q := tenantsync.ShardQueue(*queue, tenantsync.ShardOf(t.ID, *shards), *shards)
			opts := client.StartWorkflowOptions{
				ID: tenantsync.WorkflowID(t.ID), TaskQueue: q,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			}
			in := tenantsync.SyncInput{Tenant: t.ID, Interval: *interval, Parallelism: *parallelism}
			run, err := c.ExecuteWorkflow(ctx, opts, tenantsync.WorkflowName, in)
			if err != nil {
				return fmt.Errorf("starting tenant %q: %w", t.ID, err)
			}
			logger.Info("started", "tenant", t.ID, "workflow", run.GetID(), "run", run.GetRunID(), "task_queue", q)
		}
		return nil
	case "signal":
		if *tenant == "" {
			return errors.New("signal: -tenant is required")
		}
		sig := tenantsync.EHRChanged{IDs: fs.Args()}
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return c.SignalWorkflow(sctx, tenantsync.WorkflowID(*tenant), "", tenantsync.SignalEHRChanged, sig)
	}
	return fmt.Errorf("unknown command %q: want worker, start or signal", cmd)
}
