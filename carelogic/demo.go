package carelogic

import (
	"fmt"
	"slices"
	"time"
)

// DemoSource is the Source of every appointment in DemoSchedule.
const DemoSource = "carelogic-demo"

// The demo's people. Every name is plainly invented and every email address is on example.com or example.org,
// domains reserved for documentation, so nothing here can reach a real person.
var (
	// demoAvery has a weekly 1:1 series and a seat in the full group; DemoEdits changes her email address.
	demoAvery = Participant{ClientID: "cl-1001", Name: "Avery Example", Email: "avery.example@example.com"}
	demoBlake = Participant{ClientID: "cl-1002", Name: "Blake Sample", Email: "blake.sample@example.com"}
	demoCasey = Participant{ClientID: "cl-1003", Name: "Casey Placeholder", Email: "casey.placeholder@example.com"}
	demoDevon = Participant{ClientID: "cl-1004", Name: "Devon Testcase", Email: "devon.testcase@example.com"}
	demoEmery = Participant{ClientID: "cl-1005", Name: "Emery Fictional", Email: "emery.fictional@example.com"}
	demoFinn  = Participant{ClientID: "cl-1006", Name: "Finley Madeup", Email: "finley.madeup@example.com"}
	demoGray  = Participant{ClientID: "cl-1007", Name: "Gray Notreal", Email: "gray.notreal@example.com"}
	demoHarp  = Participant{ClientID: "cl-1008", Name: "Harper Dummy", Email: "harper.dummy@example.com"}
	demoIndi  = Participant{ClientID: "cl-1009", Name: "Indigo Sampleton", Email: "indigo.sampleton@example.com"}
	demoJord  = Participant{ClientID: "cl-1010", Name: "Jordan Demo", Email: "jordan.demo@example.com"}
	demoKend  = Participant{ClientID: "cl-1011", Name: "Kendall Fakename", Email: "kendall.fakename@example.com"}
	demoLogan = Participant{ClientID: "cl-1012", Name: "Logan Pretend", Email: "logan.pretend@example.com"}
	demoMorg  = Participant{ClientID: "cl-1013", Name: "Morgan Mockup", Email: "morgan.mockup@example.com"}
	demoNico  = Participant{ClientID: "cl-1014", Name: "Nico Newclient", Email: "nico.newclient@example.com"}
)

// demoAveryNewEmail is the address DemoEdits gives demoAvery.
const demoAveryNewEmail = "avery.new@example.org"

// demoMember returns group client number n (1 to 99), "Group Member NN".
func demoMember(n int) Participant {
	return Participant{
		ClientID: fmt.Sprintf("cl-%d", 2000+n),
		Name:     fmt.Sprintf("Group Member %02d", n),
		Email:    fmt.Sprintf("member%02d@example.org", n),
	}
}

// demoMembers returns group clients first to last.
func demoMembers(first, last int) []Participant {
	var ps []Participant
	for n := first; n <= last; n++ {
		ps = append(ps, demoMember(n))
	}
	return ps
}

func withStatus(p Participant, s Status) Participant {
	p.Status = s
	return p
}

// DemoSchedule returns a small CareLogic schedule that exercises everything the integration syncs, for demos and
// tests. It is the same for the same now, and its times are whole minutes in UTC, placed relative to now: most on
// the following days, three on the day before (where Kept and DNS belong), and one starting a quarter of an hour
// after now (its client is checked in). The result is ordered by Start and then by Key; every appointment passes
// Validate and has Source DemoSource.
//
// It holds:
//   - 1:1s on video and in person, with providers as CareLogic staff ids ("staff-101");
//   - a group of six and a full group of MaxGroupParticipants;
//   - a weekly 1:1 series of four occurrences and a weekly group series of three, each sharing a SeriesID;
//   - every status: Scheduled, Kept, DNS, CBT, CBC (with the client's reason in Comments), Error on a 1:1 and on
//     one member of a group, a group where one client is DNS while the others are still Scheduled, a group the
//     provider cancelled (CBT for everyone), and the custom status "Checked-in";
//   - one client, Avery Example (cl-1001), in five future appointments, whose email DemoEdits changes.
//
// The comment on each appointment in the source says what it is there to show.
func DemoSchedule(now time.Time) []Appointment {
	now = now.UTC().Truncate(time.Minute)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// at returns a time on the day days after today; days 1 and later are always after now, -1 always before.
	at := func(days, hour, minute int) time.Time {
		return today.AddDate(0, 0, days).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	oneToOne := func(id string, modality Modality, provider string, start time.Time, minutes int, activity string, p Participant) Appointment {
		return Appointment{
			ID: id, Source: DemoSource, Kind: Individual, Modality: modality, ProviderID: provider,
			Start: start, Duration: time.Duration(minutes) * time.Minute, Activity: activity,
			Participants: []Participant{p},
		}
	}
	group := func(id string, modality Modality, provider string, start time.Time, minutes int, activity string, ps []Participant) Appointment {
		return Appointment{
			ID: id, Source: DemoSource, Kind: Group, Modality: modality, ProviderID: provider,
			Start: start, Duration: time.Duration(minutes) * time.Minute, Activity: activity,
			Participants: ps,
		}
	}

	appts := []Appointment{
		// A plain video 1:1; DemoEdits moves it two hours later (a time change).
		oneToOne("appt-101", Video, "staff-101", at(1, 9, 0), 50, "Individual Therapy", demoBlake),
		// A plain in-person 1:1; DemoEdits makes it video (a modality change).
		oneToOne("appt-102", InPerson, "staff-102", at(1, 11, 0), 60, "Psychiatric Evaluation", demoCasey),
		// A 1:1 whose client was booked in error: OnCall removes the participant and files the card under past.
		oneToOne("appt-103", Video, "staff-101", at(2, 9, 0), 50, "Individual Therapy", withStatus(demoDevon, StatusError)),
		// A 1:1 the therapist cancelled (CBT: "Provider cancelled" in OnCall).
		oneToOne("appt-104", Video, "staff-102", at(2, 13, 0), 30, "Medication Management", withStatus(demoEmery, StatusCBT)),
		// A 1:1 the client cancelled (CBC), with the reason in Comments as CareLogic keeps it.
		func() Appointment {
			a := oneToOne("appt-105", InPerson, "staff-103", at(3, 14, 0), 50, "Individual Therapy", withStatus(demoFinn, StatusCBC))
			a.Comments = "Client cancelled: car trouble, will call to rebook."
			return a
		}(),
		// Yesterday's 1:1 that the client attended (Kept): OnCall does not complete it by itself.
		oneToOne("appt-106", InPerson, "staff-101", at(-1, 10, 0), 50, "Individual Therapy", withStatus(demoGray, StatusKept)),
		// Yesterday's 1:1 the client missed (DNS: "No show" in OnCall); DemoEdits corrects it to Kept, a second
		// status change that the stock integration does not carry over.
		oneToOne("appt-107", Video, "staff-102", at(-1, 15, 0), 50, "Individual Therapy", withStatus(demoHarp, StatusDNS)),
		// A 1:1 about to start whose client is checked in: a custom status, which does not sync.
		oneToOne("appt-108", InPerson, "staff-103", now.Add(15*time.Minute), 50, "Case Management", withStatus(demoIndi, "Checked-in")),
		// A video 1:1; DemoEdits hands it to a covering provider (a provider change).
		oneToOne("appt-109", Video, "staff-102", at(2, 10, 0), 50, "Individual Therapy", demoJord),
		// A video 1:1; DemoEdits swaps its client for another (a 1:1 participant swap, which CareLogic staff are
		// told to do by erroring the old appointment and booking a new one).
		oneToOne("appt-110", Video, "staff-101", at(3, 9, 0), 50, "Individual Therapy", demoKend),
		// An in-person 1:1; DemoEdits deletes it and books a new intake in its slot.
		oneToOne("appt-111", InPerson, "staff-104", at(4, 9, 0), 60, "Intake Assessment", demoMorg),

		// A group of six, all Scheduled; DemoEdits replaces one member with another (a group swap).
		group("appt-301", Video, "staff-103", at(2, 17, 0), 90, "DBT Skills Group", demoMembers(1, 6)),
		// A full group: MaxGroupParticipants clients, one of them Avery.
		group("appt-501", Video, "staff-105", at(4, 12, 0), 60, "Psychoeducation Group",
			append([]Participant{demoAvery}, demoMembers(1, MaxGroupParticipants-1)...)),
		// A group session the provider cancelled: CBT for every client.
		group("appt-601", InPerson, "staff-103", at(3, 10, 0), 60, "Family Skills Group", []Participant{
			withStatus(demoMember(21), StatusCBT), withStatus(demoMember(22), StatusCBT), withStatus(demoMember(23), StatusCBT),
		}),
	}

	// A weekly 1:1 series of four occurrences with Avery, on video.
	for i := range 4 {
		a := oneToOne(fmt.Sprintf("appt-%d", 201+i), Video, "staff-101", at(1+7*i, 15, 0), 50, "Individual Therapy", demoAvery)
		a.SeriesID = "series-200"
		appts = append(appts, a)
	}

	// A weekly in-person group series of three occurrences, five members each.
	for i := range 3 {
		a := group(fmt.Sprintf("appt-%d", 401+i), InPerson, "staff-104", at(-1+7*i, 18, 0), 60, "Anxiety Support Group", demoMembers(11, 15))
		a.SeriesID = "series-400"
		switch i {
		case 0:
			// Yesterday's session: one member did not show, the others are still Scheduled because staff
			// mark attendance later (or complete the session in OnCall).
			a.Participants[1].Status = StatusDNS
		case 1:
			// Next week's session: one member was added in error, which must remove only that member from
			// the OnCall appointment, not cancel the session. DemoEdits has another member cancel (CBC).
			a.Participants[3].Status = StatusError
		}
		appts = append(appts, a)
	}

	slices.SortFunc(appts, compareStartKey)
	return appts
}

// DemoEdits returns appts, as DemoSchedule made them, after a realistic round of edits by staff in the EHR, so
// that a demo or test can sync, apply the edits and sync again. appts is not changed; the result holds copies in
// the same order, followed by the one new appointment. Appointments the edits do not mention are unchanged, and
// an edit whose appointment is missing from appts is skipped.
//
// The edits, one of each kind the syncer must handle:
//   - email change: Avery Example (cl-1001) gets a new primary email address on every appointment she is on;
//   - time change: appt-101 moves two hours later;
//   - modality change: appt-102 moves from in person to video;
//   - provider change: appt-109 goes to staff-105;
//   - 1:1 participant swap: appt-110's client is replaced by another;
//   - group swap: on appt-301 one member is replaced by another, in the same place in the list;
//   - status change to CBC: one member cancels appt-402;
//   - a status changed twice: appt-107's client, marked DNS, turns out to have come (Kept);
//   - deletion: appt-111 is deleted, and kept with Deleted set, as an HL7 S17 deletion would arrive;
//   - new appointment: appt-112, an intake for a new client in appt-111's slot.
func DemoEdits(appts []Appointment) []Appointment {
	out := make([]Appointment, len(appts))
	freed := -1 // the index of appt-111, whose slot the new intake takes
	for i, a := range appts {
		a = a.Clone()
		for j := range a.Participants {
			if a.Participants[j].ClientID == demoAvery.ClientID {
				a.Participants[j].Email = demoAveryNewEmail
			}
		}
		switch a.ID {
		case "appt-101":
			a.Start = a.Start.Add(2 * time.Hour)
		case "appt-102":
			a.Modality = Video
		case "appt-109":
			a.ProviderID = "staff-105"
		case "appt-110":
			replaceParticipant(&a, demoKend.ClientID, demoLogan)
		case "appt-301":
			replaceParticipant(&a, demoMember(3).ClientID, demoMember(7))
		case "appt-402":
			if p := a.Participant(demoMember(13).ClientID); p != nil {
				p.Status = StatusCBC
			}
		case "appt-107":
			if p := a.Participant(demoHarp.ClientID); p != nil {
				p.Status = StatusKept
			}
		case "appt-111":
			a.Deleted = true
			freed = i
		}
		out[i] = a
	}
	if freed >= 0 {
		intake := out[freed].Clone()
		intake.ID = "appt-112"
		intake.Deleted = false
		intake.Modality = InPerson
		intake.Activity = "Intake Assessment"
		intake.Participants = []Participant{demoNico}
		out = append(out, intake)
	}
	return out
}

// replaceParticipant puts p in the place of the client with id old, keeping the list's order; it does nothing
// when old is not on a.
func replaceParticipant(a *Appointment, old string, p Participant) {
	for i := range a.Participants {
		if a.Participants[i].ClientID == old {
			a.Participants[i] = p
			return
		}
	}
}
