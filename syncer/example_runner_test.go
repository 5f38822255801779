package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// A sync against the in-memory OnCall server: the first run creates the EHR's 1:1 and stores its OnCall URL on
// the EHR record; the second finds nothing to do, at the cost of one listing request.
func ExampleRunner_Sync() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}

	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	ehr := carelogic.NewMemory(carelogic.Appointment{
		ID: "4410", Source: "carelogic", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-101",
		Start: now.AddDate(0, 0, 1), Duration: 50 * time.Minute, Activity: "Individual Therapy",
		Participants: []carelogic.Participant{{ClientID: "cl-1", Name: "Alex Doe", Email: "alex.doe@example.com"}},
	})
	policy := syncer.DefaultPolicy(div)
	policy.Providers = map[string]oncall.ProviderID{"staff-101": prov}
	policy.Now = now
	window := syncer.Window{From: now, To: now.AddDate(0, 0, 30)}

	ctx := context.Background()
	runner := &syncer.Runner{Client: client}
	for range 2 {
		srv.ResetRequests()
		rep, err := runner.Sync(ctx, ehr, window, policy)
		fmt.Print(rep) // what it did and what needs a person; nothing when err says the sync could not run
		if err != nil {
			fmt.Println(err) // an *syncer.IncompleteError when something failed or needs a person
			return
		}
		fmt.Println("requests:", srv.RequestCount("", ""))
	}
	stored, _ := ehr.Appointment(ctx, "4410")
	fmt.Println("OnCall URL on the EHR record:", strings.TrimPrefix(stored.OnCallURL, srv.URL()))
	// Output:
	// 1 applied: 1 create
	//   + create carelogic/4410: new in the EHR -> oncall 1001
	// Listing: 1 page, 0 OnCall appointments, 0 of them in the window.
	// requests: 2
	// No changes: OnCall is in sync.
	// Listing: 1 page, 1 OnCall appointment, 1 of them in the window.
	// requests: 1
	// OnCall URL on the EHR record: /appointments/1001/
}

// A dry run reads OnCall and reports what a sync would do, writing nothing.
func ExampleRunner_Sync_dryRun() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}

	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	alex := carelogic.Participant{ClientID: "cl-1", Name: "Alex Doe", Email: "alex.doe@example.com"}
	sam := carelogic.Participant{ClientID: "cl-2", Name: "Sam Roe", Email: "sam.roe@example.com"}
	ehr := carelogic.NewMemory(
		carelogic.Appointment{
			ID: "4410", Source: "carelogic", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-101",
			Start: now.AddDate(0, 0, 1), Duration: 50 * time.Minute, Activity: "Individual Therapy",
			Participants: []carelogic.Participant{alex},
		},
		carelogic.Appointment{
			ID: "4411", Source: "carelogic", Kind: carelogic.Group, Modality: carelogic.InPerson, ProviderID: "staff-101",
			Start: now.AddDate(0, 0, 2), Duration: 90 * time.Minute, Activity: "Skills Group",
			Participants: []carelogic.Participant{alex, sam},
		},
	)
	policy := syncer.DefaultPolicy(div)
	policy.Providers = map[string]oncall.ProviderID{"staff-101": prov}
	policy.Now = now

	runner := &syncer.Runner{Client: client, DryRun: true}
	rep, err := runner.Sync(context.Background(), ehr, syncer.Window{From: now, To: now.AddDate(0, 0, 30)}, policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(rep)
	fmt.Println("writes:", srv.RequestCount("", "")-srv.RequestCount("GET", ""))
	// Output:
	// 2 planned (dry run, nothing written): 2 create
	//   ~ create carelogic/4410: new in the EHR
	//   ~ create carelogic/4411: new in the EHR
	// Listing: 1 page, 0 OnCall appointments, 0 of them in the window.
	// writes: 0
}

// A run that finishes but leaves something for a person returns an *IncompleteError with the counts, beside the
// full report: here a staff member with no OnCall provider mapped. Nothing is created, and nothing reads as in sync.
func ExampleIncompleteError() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	ehr := carelogic.NewMemory(carelogic.Appointment{
		ID: "4412", Source: "carelogic", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-999",
		Start: now.AddDate(0, 0, 1), Duration: 50 * time.Minute, Activity: "Intake",
		Participants: []carelogic.Participant{{ClientID: "cl-3", Name: "Kim Poe", Email: "kim.poe@example.com"}},
	})
	policy := syncer.Policy{Division: div, Now: now} // no provider mapped for staff-999

	rep, err := (&syncer.Runner{Client: client}).Sync(context.Background(), ehr, syncer.Window{From: now, To: now.AddDate(0, 0, 30)}, policy)
	fmt.Print(rep)
	var incomplete *syncer.IncompleteError
	if errors.As(err, &incomplete) {
		fmt.Printf("failed %d, need attention %d\n", incomplete.Failed, incomplete.Attention)
	}
	// Output:
	// No changes made, but OnCall is not in sync: see what needs attention below.
	// 1 need attention:
	//   - carelogic/4412: no OnCall provider mapped for EHR staff id "staff-999"
	// Listing: 1 page, 0 OnCall appointments, 0 of them in the window.
	// failed 0, need attention 1
}
