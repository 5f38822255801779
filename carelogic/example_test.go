package carelogic_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
)

func ExampleNewMemory() {
	ctx := context.Background()
	monday := time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC)
	oneToOne := func(id string, start time.Time, client string) carelogic.Appointment {
		return carelogic.Appointment{
			ID: id, Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-101",
			Start: start, Duration: 50 * time.Minute,
			Participants: []carelogic.Participant{{ClientID: client, Email: client + "@example.com"}},
		}
	}
	ehr := carelogic.NewMemory(
		oneToOne("a-3", monday.Add(24*time.Hour+9*time.Hour), "cl-3"), // Tuesday
		oneToOne("a-2", monday.Add(14*time.Hour), "cl-2"),
		oneToOne("a-1", monday.Add(9*time.Hour), "cl-1"),
	)

	// Monday's appointments, in order of start.
	for a, err := range ehr.Appointments(ctx, monday, monday.Add(24*time.Hour)) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(a.Start.Format("Mon 15:04"), a.ID, a.Participants[0].ClientID)
	}
	// Output:
	// Mon 09:00 a-1 cl-1
	// Mon 14:00 a-2 cl-2
}

// A client cancels in OnCall; the syncer writes CBC and the client's reason back to the EHR.
func ExampleMemory_SetParticipantStatus() {
	ctx := context.Background()
	ehr := carelogic.NewMemory(carelogic.Appointment{
		ID: "a-1", Kind: carelogic.Individual, Modality: carelogic.Video,
		Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC), Duration: 50 * time.Minute,
		Participants: []carelogic.Participant{{ClientID: "cl-1"}},
	})
	if err := ehr.SetParticipantStatus(ctx, "a-1", "cl-1", carelogic.StatusCBC); err != nil {
		fmt.Println(err)
	}
	if err := ehr.AddComment(ctx, "a-1", "Cancelled in OnCall: feeling unwell"); err != nil {
		fmt.Println(err)
	}
	a, _ := ehr.Appointment(ctx, "a-1")
	fmt.Println(a.Participants[0].Status, "-", a.Comments)

	err := ehr.SetParticipantStatus(ctx, "a-1", "cl-9", carelogic.StatusCBC)
	fmt.Println(errors.Is(err, carelogic.ErrNotFound), err)
	// Output:
	// CBC - Cancelled in OnCall: feeling unwell
	// true carelogic: client "cl-9" is not on appointment "a-1"
}

func ExampleDemoSchedule() {
	now := time.Date(2030, 3, 4, 8, 30, 0, 0, time.UTC)
	today := now.Truncate(24 * time.Hour)
	for _, a := range carelogic.DemoSchedule(now) {
		day := int(a.Start.Truncate(24*time.Hour).Sub(today) / (24 * time.Hour))
		var statuses []string
		for _, p := range a.Participants {
			if p.Status != "" && p.Status != carelogic.StatusScheduled && !slices.Contains(statuses, string(p.Status)) {
				statuses = append(statuses, string(p.Status))
			}
		}
		series := ""
		if a.SeriesID != "" {
			series = " " + a.SeriesID
		}
		fmt.Printf("day %+3d %s %s %-10s %-9s %2d clients %v%s\n", day, a.Start.Format("15:04"), a.ID, a.Kind, a.Modality,
			len(a.Participants), statuses, series)
	}
	// Output:
	// day  -1 10:00 appt-106 individual in-person  1 clients [Kept]
	// day  -1 15:00 appt-107 individual video      1 clients [DNS]
	// day  -1 18:00 appt-401 group      in-person  5 clients [DNS] series-400
	// day  +0 08:45 appt-108 individual in-person  1 clients [Checked-in]
	// day  +1 09:00 appt-101 individual video      1 clients []
	// day  +1 11:00 appt-102 individual in-person  1 clients []
	// day  +1 15:00 appt-201 individual video      1 clients [] series-200
	// day  +2 09:00 appt-103 individual video      1 clients [Error]
	// day  +2 10:00 appt-109 individual video      1 clients []
	// day  +2 13:00 appt-104 individual video      1 clients [CBT]
	// day  +2 17:00 appt-301 group      video      6 clients []
	// day  +3 09:00 appt-110 individual video      1 clients []
	// day  +3 10:00 appt-601 group      in-person  3 clients [CBT]
	// day  +3 14:00 appt-105 individual in-person  1 clients [CBC]
	// day  +4 09:00 appt-111 individual in-person  1 clients []
	// day  +4 12:00 appt-501 group      video     25 clients []
	// day  +6 18:00 appt-402 group      in-person  5 clients [Error] series-400
	// day  +8 15:00 appt-202 individual video      1 clients [] series-200
	// day +13 18:00 appt-403 group      in-person  5 clients [] series-400
	// day +15 15:00 appt-203 individual video      1 clients [] series-200
	// day +22 15:00 appt-204 individual video      1 clients [] series-200
}

func ExampleDemoEdits() {
	before := carelogic.DemoSchedule(time.Date(2030, 3, 4, 8, 30, 0, 0, time.UTC))
	after := carelogic.DemoEdits(before)
	for _, a := range after {
		i := slices.IndexFunc(before, func(b carelogic.Appointment) bool { return b.ID == a.ID })
		switch {
		case i < 0:
			fmt.Println(a.ID, "new")
		case a.Deleted && !before[i].Deleted:
			fmt.Println(a.ID, "deleted")
		case !a.Start.Equal(before[i].Start):
			fmt.Println(a.ID, "moved by", a.Start.Sub(before[i].Start))
		}
	}
	// Output:
	// appt-101 moved by 2h0m0s
	// appt-111 deleted
	// appt-112 new
}

func ExampleReadJSON() {
	const schedule = `{
  "appointments": [
    {
      "id": "4410",
      "kind": "individual",
      "modality": "video",
      "provider_id": "staff-101",
      "start": "2030-03-04T09:00:00-05:00",
      "duration_minutes": 50,
      "participants": [{"client_id": "cl-1001", "email": "avery.example@example.com"}]
    },
    {
      "id": "4502",
      "kind": "group",
      "modality": "in-person",
      "start": "2030-03-05T18:00:00-05:00",
      "duration_minutes": 90,
      "participants": [
        {"client_id": "cl-2001"},
        {"client_id": "cl-2002", "status": "CBC"}
      ]
    }
  ]
}`
	appts, err := carelogic.ReadJSON(strings.NewReader(schedule))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range appts {
		fmt.Println(a.ID, a.Kind, a.Modality, a.Start.UTC().Format(time.RFC3339), a.Duration, len(a.Participants))
	}
	// Output:
	// 4410 individual video 2030-03-04T14:00:00Z 50m0s 1
	// 4502 group in-person 2030-03-05T23:00:00Z 1h30m0s 2
}

// ReadJSON reports every problem in the file, naming the appointment and the field but not the client.
func ExampleReadJSON_errors() {
	const schedule = `{"appointments": [
    {"id": "4410", "kind": "individual", "modality": "phone", "start": "2030-03-04 09:00",
     "duration_minutes": 50, "participants": [{"client_id": "cl-1001", "emial": "avery.example@example.com"}]},
    {"id": "4502", "kind": "group", "modality": "video", "start": "2030-03-05T18:00:00Z", "duration_minutes": 90,
     "participants": []}
  ]}`
	_, err := carelogic.ReadJSON(strings.NewReader(schedule))
	fmt.Println(err)
	fmt.Println(errors.Is(err, carelogic.ErrUnsupportedModality))
	// Output:
	// carelogic: JSON schedule: appointments[0] (id "4410"): start: must be an RFC 3339 time with a UTC offset, like "2030-03-04T09:00:00-05:00"; participants[0]: unknown field "emial"; modality: "phone": modality not supported by OnCall
	// carelogic: JSON schedule: appointments[1] (id "4502"): participants: group has no clients
	// true
}

func ExampleWriteJSON() {
	appts := []carelogic.Appointment{{
		ID: "4410", Kind: carelogic.Individual, Modality: carelogic.InPerson,
		Start:    time.Date(2030, 3, 4, 9, 0, 0, 0, time.FixedZone("EST", -5*3600)),
		Duration: 50 * time.Minute,
		Participants: []carelogic.Participant{
			{ClientID: "cl-1001", Email: "avery.example@example.com", Status: "Checked-in"},
		},
	}}
	if err := carelogic.WriteJSON(os.Stdout, appts); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {
	//   "appointments": [
	//     {
	//       "id": "4410",
	//       "kind": "individual",
	//       "modality": "in-person",
	//       "start": "2030-03-04T09:00:00-05:00",
	//       "duration_minutes": 50,
	//       "participants": [
	//         {
	//           "client_id": "cl-1001",
	//           "email": "avery.example@example.com",
	//           "status": "Checked-in"
	//         }
	//       ]
	//     }
	//   ]
	// }
}

func ExampleAppointment_Validate() {
	a := carelogic.Appointment{
		ID: "4502", Kind: carelogic.Individual, Modality: "phone",
		Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC), Duration: 50 * time.Minute,
		Participants: []carelogic.Participant{{ClientID: "cl-1"}, {ClientID: "cl-2"}},
	}
	err := a.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, carelogic.ErrUnsupportedModality))
	// Output:
	// carelogic: invalid appointment "4502": participants: 1:1 has 2 clients, must have exactly 1; modality: "phone": modality not supported by OnCall
	// true
}
