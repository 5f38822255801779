package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/examples/temporal/tenantsync"
)

// writeConfig writes a tenants file and a demo schedule beside it, and returns the file's path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := carelogic.WriteJSON(f, carelogic.DemoSchedule(time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tenants.json")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(body, "SCHEDULE", filepath.Join(dir, "schedule.json"))), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigTenants: a worker builds the tenants of its shard only, each token read from the environment variable
// its entry names; a missing token or a bad region is an error naming the tenant and the variable, never a token.
func TestConfigTenants(t *testing.T) {
	t.Setenv("CLINIC_A_TOKEN", "tok-a-secret")
	t.Setenv("CLINIC_B_TOKEN", "tok-b-secret")
	cfg, err := readConfig(writeConfig(t, `{"tenants": [
		{"id": "clinic-a", "region": "ca", "token_env": "CLINIC_A_TOKEN", "division": 1, "schedule": "SCHEDULE"},
		{"id": "clinic-b", "region": "us", "token_env": "CLINIC_B_TOKEN", "division": 2, "schedule": "SCHEDULE"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for shard := range 2 {
		ts, err := cfg.tenants(shard, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ts.IDs() {
			if got := tenantsync.ShardOf(id, 2); got != shard {
				t.Errorf("tenant %s served by shard %d, belongs to %d", id, shard, got)
			}
			all = append(all, id)
		}
	}
	slices.Sort(all)
	if diff := cmp.Diff([]string{"clinic-a", "clinic-b"}, all); diff != "" {
		t.Errorf("tenants across the shards (-want +got):\n%s", diff)
	}

	for name, body := range map[string]string{
		"no token": `{"tenants": [{"id": "clinic-c", "region": "ca", "token_env": "CLINIC_C_TOKEN", "schedule": "SCHEDULE"}]}`,
		"region":   `{"tenants": [{"id": "clinic-a", "region": "eu", "token_env": "CLINIC_A_TOKEN", "schedule": "SCHEDULE"}]}`,
	} {
		cfg, err := readConfig(writeConfig(t, body))
		if err != nil {
			t.Fatal(err)
		}
		_, err = cfg.tenants(0, 1)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "clinic-") || strings.Contains(msg, "secret") {
			t.Errorf("%s: error %q should name the tenant and no token", name, msg)
		}
	}
}

// TestRunRefusesUnknownCommand: a mistyped command is refused before any connection is tried.
func TestRunRefusesUnknownCommand(t *testing.T) {
	if err := run(t.Context(), []string{"wroker"}, os.Stderr); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("run(wroker) = %v, want an unknown command error", err)
	}
}
