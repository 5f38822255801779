package syncer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// An event-driven sync against the in-memory OnCall server: the loop reconciles once as it starts (which creates
// the EHR's 1:1 and builds the ledger), then syncs each change it is told of through the ledger: a read and a
// write, no listing. In a service, the EHR's feed calls Notify (see examples/service, where an MLLP receiver
// does), and a webhook handler calls NotifyOnCall; a syncer/boltledger ledger keeps the ledger across restarts.
func ExampleLoop() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	ehr := carelogic.NewMemory(carelogic.Appointment{
		ID: "4410", Source: "carelogic", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-101",
		Start: start, Duration: 50 * time.Minute, Activity: "Individual Therapy",
		Participants: []carelogic.Participant{{ClientID: "cl-1", Name: "Alex Doe", Email: "alex.doe@example.com"}},
	})
	policy := syncer.DefaultPolicy(div)
	policy.Providers = map[string]oncall.ProviderID{"staff-101": prov}

	passes := make(chan syncer.Pass, 1)
	loop := &syncer.Loop{
		Runner: &syncer.Runner{Client: client}, EHR: ehr, Ledger: syncer.NewMemoryLedger(), Policy: policy,
		Debounce: 10 * time.Millisecond,
		OnPass:   func(p syncer.Pass) { passes <- p },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- loop.Run(ctx) }()

	p := <-passes
	fmt.Println(p.Kind, p.Report.Applied)

	// The EHR moves the appointment by an hour, and whatever watches it tells the loop.
	moved, _ := ehr.Appointment(ctx, "4410")
	moved.Start = moved.Start.Add(time.Hour)
	ehr.Put(moved)
	srv.ResetRequests()
	loop.Notify(syncer.ChangeOf(&moved))
	p = <-passes
	fmt.Println(p.Kind, p.Report.Applied, "requests:", srv.RequestCount("", ""))

	cancel()
	if err := <-done; err != nil {
		fmt.Println(err)
	}
	// Output:
	// reconcile map[create:1]
	// changes map[update:1] requests: 2
}
