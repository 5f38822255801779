package syncer_test

import (
	"fmt"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

func ExampleMapStatus() {
	for _, s := range []carelogic.Status{
		carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC, carelogic.StatusError, carelogic.StatusKept, "Checked-in",
	} {
		m := syncer.MapStatus(s)
		switch {
		case m.Effect == syncer.EffectSetStatus && m.Cancels:
			fmt.Printf("%s: a 1:1 cancelled as %q; a group client withdrawn\n", s, m.Appointment)
		case m.Effect == syncer.EffectSetStatus:
			fmt.Printf("%s: a 1:1's status %q; a group client's is recorded (no documented field)\n", s, m.Appointment)
		case m.Effect == syncer.EffectRemove:
			fmt.Printf("%s: participant removed\n", s)
		default:
			fmt.Printf("%s: %s\n", s, m.Reason)
		}
	}
	// Output:
	// DNS: a 1:1's status "No show"; a group client's is recorded (no documented field)
	// CBT: a 1:1 cancelled as "Provider cancelled"; a group client withdrawn
	// CBC: a 1:1 cancelled as "Patient cancelled"; a group client withdrawn
	// Error: participant removed
	// Kept: Kept does not sync: complete the appointment in OnCall, which charges its fees (or set Policy.CompleteWhenKept)
	// Checked-in: custom status (a value of 10 characters) does not sync
}

func ExamplePlan() {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	tomorrow := now.AddDate(0, 0, 1)
	appt := func(id string, start time.Time, clients ...carelogic.Participant) carelogic.Appointment {
		kind := carelogic.Individual
		if len(clients) > 1 {
			kind = carelogic.Group
		}
		return carelogic.Appointment{
			ID: id, Source: "carelogic", Kind: kind, Modality: carelogic.Video, ProviderID: "staff-101",
			Start: start, Duration: 50 * time.Minute, Activity: "Individual Therapy", Participants: clients,
		}
	}
	avery := carelogic.Participant{ClientID: "cl-1", Name: "Avery Example", Email: "avery@example.com"}
	blake := carelogic.Participant{ClientID: "cl-2", Name: "Blake Sample", Email: "blake@example.com"}

	kept := appt("1000", now.AddDate(0, 0, -1), avery)
	kept.Participants[0].Status = carelogic.StatusKept
	deleted := appt("1003", tomorrow.Add(3*time.Hour), blake)
	deleted.Deleted = true
	ehr := []carelogic.Appointment{
		kept,                          // yesterday: never synced, and past now
		appt("1001", tomorrow, avery), // new 1:1
		appt("1002", tomorrow.Add(time.Hour), avery, blake), // new group
		deleted, // deleted in the EHR, synced earlier as OnCall appointment 42
	}
	existing := []oncall.Appointment{{
		ID: 42, Title: "Individual Therapy", DateTime: tomorrow.Add(3 * time.Hour), Duration: 50, Type: oncall.TypeOnline,
		Participants: []oncall.Participant{{ID: 420, Name: "Blake Sample", Email: "blake@example.com"}},
		Metadata:     oncall.Metadata{syncer.KeyEMRID: "1003", syncer.KeyEMRSource: "carelogic"},
	}}

	p := syncer.DefaultPolicy(7)
	p.Providers = map[string]oncall.ProviderID{"staff-101": 11}
	p.Now = now
	window := syncer.Window{From: now.AddDate(0, 0, -7), To: now.AddDate(0, 0, 30)}

	cs := syncer.Plan(ehr, existing, window, p)
	for _, a := range cs.Actions {
		fmt.Println(a)
	}
	for _, s := range cs.Skipped {
		fmt.Printf("skipped %s: %s\n", s.Key, s.Reason)
	}
	// Output:
	// create carelogic/1001: new in the EHR
	// create carelogic/1002: new in the EHR
	// cancel carelogic/1003 (oncall 42) [cancelled]: deleted in the EHR
	// skipped carelogic/1000: ended before it reached OnCall; past appointments are not created
}

func ExamplePlanEHR() {
	ehr := carelogic.Appointment{
		ID: "1001", Source: "carelogic", Kind: carelogic.Individual, Modality: carelogic.Video,
		Start: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), Duration: 50 * time.Minute,
		Participants: []carelogic.Participant{{ClientID: "cl-1", Name: "Avery Example", Email: "avery@example.com"}},
		OnCallURL:    "https://api.oncallhealth.ca/appointments/42/",
	}
	// The client cancelled in OnCall's patient portal, giving a reason.
	oc := &oncall.Appointment{
		ID: 42, URL: "https://api.oncallhealth.ca/appointments/42/", DateTime: ehr.Start, Duration: 50, Type: oncall.TypeOnline,
		Cancelled: true, Status: oncall.StatusPatientCancelled, Cancellation: "Feeling unwell",
		Participants: []oncall.Participant{{ID: 420, Name: "Avery Example", Email: "avery@example.com"}},
		Metadata:     oncall.Metadata{syncer.KeyEMRID: "1001", syncer.KeyEMRSource: "carelogic"},
	}
	for _, a := range syncer.PlanEHR(oc, &ehr, syncer.ReversePolicy{}) {
		switch a.Kind {
		case syncer.EHRSetStatus:
			fmt.Printf("%s %s client %s -> %s\n", a.Kind, a.EHRID, a.Client, a.Status)
		case syncer.EHRComment:
			fmt.Printf("%s %s: %q\n", a.Kind, a.EHRID, a.Comment)
		}
	}
	// Output:
	// ehr-set-status 1001 client cl-1 -> CBC
	// ehr-comment 1001: "Client cancelled in OnCall: Feeling unwell"
}
