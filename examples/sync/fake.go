package main

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// startFake starts the in-memory OnCall server, seeded the way a clinic's OnCall account would be: a division
// for new appointments and one provider per EHR staff id, and points the policy at them.
// With extension, the fake serves the participant extension too.
func startFake(ctx context.Context, ehr carelogic.Adapter, w syncer.Window, p *syncer.Policy, demoEdits, extension bool) (*oncalltest.Server, *oncall.Client, error) {
	staff := map[string]bool{}
	for a, err := range ehr.Appointments(ctx, w.From, w.To) {
		if err != nil {
			return nil, nil, fmt.Errorf("reading the EHR: %w", err)
		}
		staff[a.ProviderID] = true
	}
	if mem, ok := ehr.(*carelogic.Memory); ok && demoEdits {
		for _, a := range carelogic.DemoEdits(mem.All()) {
			staff[a.ProviderID] = true
		}
	}
	delete(staff, "")
	var opts []oncalltest.Option
	if extension {
		opts = append(opts, oncalltest.WithUndocumentedParticipantAPI())
	}
	srv := oncalltest.NewServer(opts...)
	if p.Division == 0 {
		p.Division = srv.AddDivision("Demo clinic")
	}
	if p.Providers == nil {
		p.Providers = map[string]oncall.ProviderID{}
	}
	for _, id := range slices.Sorted(maps.Keys(staff)) {
		if _, ok := p.Providers[id]; !ok {
			p.Providers[id] = srv.AddProvider("Provider "+id, id+"@clinic.example.org", p.Division)
		}
	}
	// The fake has no rate limit of its own; the client's is raised so the demo runs at loopback speed.
	client, err := srv.Client(oncall.WithRateLimit(500, 50))
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, client, nil
}
