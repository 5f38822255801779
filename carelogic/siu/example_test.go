package siu_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/carelogic/siu"
)

// booking is an SIU^S12 for a 1:1 video session, with segments ended by CR as HL7 requires.
const booking = "MSH|^~\\&|CareLogic|Northside|OnCallSync|OnCall|20240301090000-0500||SIU^S12^SIU_S12|MSG1|P|2.5.1\r" +
	"SCH||A-100|||||INTAKE^Intake assessment^L||||||||||||||||||Booked\r" +
	"TQ1|||||||202403051400-0500|202403051450-0500\r" +
	"PID|1||C-1001^^^CLINIC^MR||Rivera^Ana||||||||^NET^Internet^ana@example.org\r" +
	"RGS|1\r" +
	"AIP|1||S-55^Hart^Morgan\r"

func ExampleDecode() {
	s, err := siu.Decode([]byte(booking))
	if err != nil {
		log.Fatal(err)
	}
	a := s.Appointment
	fmt.Println("event:", s.Event)
	fmt.Println("key:", a.Key())
	fmt.Println("start:", a.Start.UTC().Format(time.RFC3339), "for", a.Duration)
	fmt.Println("activity:", a.Activity, "with provider", a.ProviderID)
	fmt.Println(a.Kind, a.Modality)
	for _, p := range a.Participants {
		fmt.Println("client:", p.ClientID, p.Status)
	}
	// Output:
	// event: S12
	// key: CareLogic@Northside/A-100
	// start: 2024-03-05T19:00:00Z for 50m0s
	// activity: Intake assessment with provider S-55
	// individual video
	// client: C-1001 Scheduled
}

func ExampleParse() {
	m, err := siu.Parse([]byte(booking))
	if err != nil {
		log.Fatal(err)
	}
	msh, sch := m.Segment("MSH"), m.Segment("SCH")
	// Field numbers are HL7's: MSH-9.2 is the trigger event, SCH-7.2 the reason's text.
	fmt.Println(msh.Component(9, 2), sch.Field(2), sch.Component(7, 2))
	// Output:
	// S12 A-100 Intake assessment
}

func ExampleFeed() {
	cancel := strings.NewReplacer(
		"SIU^S12^SIU_S12|MSG1", "SIU^S15^SIU_S15|MSG2",
		"20240301090000-0500", "20240302110000-0500",
		"Booked", "Cancelled",
	).Replace(booking)

	feed := siu.NewFeed(siu.WithSource("northside"))
	// The cancellation arrives first and the booking late, twice: the feed still ends cancelled.
	for _, msg := range []string{cancel, booking, booking} {
		m, err := siu.Parse([]byte(msg))
		if err != nil {
			log.Fatal(err)
		}
		changed, err := feed.Apply(m)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("changed:", changed)
	}
	a, err := feed.Appointment(context.Background(), "northside/A-100")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ID, a.Participants[0].Status, a.UpdatedAt.UTC().Format(time.RFC3339))
	// Output:
	// changed: true
	// changed: false
	// changed: false
	// A-100 CBT 2024-03-02T16:00:00Z
}

func ExampleReadDir() {
	feed, err := siu.ReadDir("testdata", siu.WithModality(carelogic.InPerson))
	if err != nil {
		log.Fatal(err)
	}
	from := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	for a, err := range feed.Appointments(context.Background(), from, to) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.ID, a.SeriesID, a.Start.Format("Jan 2 15:04"), a.Modality)
	}
	// Output:
	// A-500^CARELOGIC#1 S-900^CARELOGIC Apr 8 10:00 in-person
	// A-500^CARELOGIC#2 P-900^EPIC Apr 15 10:00 in-person
	// A-500^CARELOGIC#3 A-500^CARELOGIC Apr 22 10:00 in-person
}

// ReadPath reads every file of a folder that holds SIU messages, whatever its name. A caller tells an empty
// source, and files that failed, from a feed with nothing to change before it syncs.
func ExampleReadPath() {
	feed, err := siu.ReadPath("testdata")
	var serr *carelogic.SourceError
	switch {
	case errors.Is(err, carelogic.ErrEmptySource):
		log.Fatal("nothing to sync: ", err) // not "every appointment was deleted"
	case errors.As(err, &serr):
		// The feed holds the good files; what the failed ones hold is unknown, so sync, if at all, without
		// removing appointments missing from the feed.
		for _, f := range serr.Files {
			fmt.Println("failed:", f.Path)
		}
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(feed.Len(), "occurrences")
	// Output:
	// 8 occurrences
}
