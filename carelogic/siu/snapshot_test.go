package siu

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// fixture reads one of the shared HL7 v2 SIU samples as it is (LF segment ends).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return fixtures.Read(t, "fixtures", "ehr", "hl7v2-siu", name)
}

var fixtureNames = []string{
	"SIU-S12-01.hl7", "SIU-S12-02.hl7", "SIU-S13-01.hl7", "SIU-S14-01.hl7", "SIU-S15-01.hl7",
	"SIU-S16-01.hl7", "SIU-S17-01.hl7", "SIU-S26-01.hl7", "SIU-S26-02.hl7",
}

// plus0215 is the UTC offset every shared SIU sample is stamped with.
var plus0215 = time.FixedZone("", 2*3600+15*60)

func at(loc *time.Location, year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, loc)
}

// biopsy is the appointment of the -01 lifecycle, as every one of its messages describes it apart from status,
// comments and event time.
func biopsy(status carelogic.Status, comments string, updated time.Time) carelogic.Appointment {
	return carelogic.Appointment{
		ID:         "36996",
		Source:     "SCHApp@GHHSFacility",
		Kind:       carelogic.Individual,
		Modality:   carelogic.Video,
		ProviderID: "1210",
		// TQ1-7/TQ1-8; SCH-11 says 2020-10-01 to 2020-10-09 and is ignored.
		Start: at(plus0215, 2021, 9, 24, 9, 30),
		// TQ1 gives 50 minutes; SCH-9/SCH-10 say 60 s and lose.
		Duration: 50 * time.Minute,
		Activity: "Biopsy of colon (procedure)",
		Participants: []carelogic.Participant{
			// PID-40 is "89898989^WPN^Internet": Internet equipment but no address, so no email.
			{ClientID: "PATID1234", Name: "ADAM EVERYMAN", Status: status},
		},
		Comments:  comments,
		UpdatedAt: updated,
	}
}

// checkup is the appointment of SIU-S12-02 and SIU-S26-02.
func checkup(status carelogic.Status, comments string, updated time.Time) carelogic.Appointment {
	return carelogic.Appointment{
		ID:         "36996",
		Source:     "SCHApp@GHHSFacility",
		Kind:       carelogic.Individual,
		Modality:   carelogic.Video,
		ProviderID: "400", // the first AIP of three resource groups
		Start:      at(plus0215, 2021, 8, 18, 11, 30),
		// TQ1 gives one hour; SCH-9/SCH-10 say 70 Min and lose.
		Duration: time.Hour,
		Activity: "CBC Panel-Blood by Automated Count",
		Participants: []carelogic.Participant{
			{ClientID: "PATID1234", Name: "ADAM EVERYMAN", Status: status},
		},
		Comments:  comments,
		UpdatedAt: updated,
	}
}

// wantFixtures are the snapshots of the shared samples, Hash aside.
func wantFixtures() map[string]Snapshot {
	deleted := biopsy(carelogic.StatusError, "", at(plus0215, 2021, 9, 23, 11, 26))
	deleted.Deleted = true
	return map[string]Snapshot{
		"SIU-S12-01.hl7": {
			Appointment: biopsy(carelogic.StatusScheduled, "Appointment booked for emergency procedure", at(plus0215, 2021, 9, 14, 11, 20)),
			Event:       EventNew, FillerStatus: "Booked", ControlID: "MSG00012",
		},
		// Same SCH-1, SCH-2 and MSH-10 as S12-01 but another appointment: it converts on its own terms.
		"SIU-S12-02.hl7": {
			Appointment: checkup(carelogic.StatusScheduled, "Appointment for annual checkup", at(plus0215, 2021, 8, 10, 11, 30)),
			Event:       EventNew, FillerStatus: "Booked", ControlID: "MSG00012",
		},
		// The S13 to S26 -01 samples put their note in NTE-2 (source of comment), not NTE-3: no comments.
		"SIU-S13-01.hl7": {
			Appointment: biopsy(carelogic.StatusScheduled, "", at(plus0215, 2021, 9, 20, 11, 26)),
			Event:       EventReschedule, FillerStatus: "Booked", ControlID: "MSG00013",
		},
		// The same MSH-7 as S13-01.
		"SIU-S14-01.hl7": {
			Appointment: biopsy(carelogic.StatusScheduled, "", at(plus0215, 2021, 9, 20, 11, 26)),
			Event:       EventModification, FillerStatus: "Booked", ControlID: "MSG00014",
		},
		"SIU-S15-01.hl7": {
			Appointment: biopsy(carelogic.StatusCBT, "", at(plus0215, 2021, 9, 23, 11, 26)),
			Event:       EventCancellation, FillerStatus: "Cancelled", ControlID: "MSG00015",
		},
		// MSH-7 from 1989, read as it is.
		"SIU-S16-01.hl7": {
			Appointment: biopsy(carelogic.StatusCBT, "", at(plus0215, 1989, 8, 18, 11, 26)),
			Event:       EventDiscontinuation, FillerStatus: "Dc", ControlID: "MSG00016",
		},
		"SIU-S17-01.hl7": {
			Appointment: deleted,
			Event:       EventDeletion, FillerStatus: "Deleted", ControlID: "MSG00017",
		},
		"SIU-S26-01.hl7": {
			Appointment: biopsy(carelogic.StatusDNS, "", at(plus0215, 2021, 9, 24, 10, 0)),
			Event:       EventNoShow, FillerStatus: "Noshow", ControlID: "MSG00026",
		},
		"SIU-S26-02.hl7": {
			Appointment: checkup(carelogic.StatusDNS, "Patient did not show up for the annual checkup", at(plus0215, 2021, 8, 18, 11, 30)),
			Event:       EventNoShow, FillerStatus: "Noshow", ControlID: "MSG00026",
		},
	}
}

var ignoreHash = cmpopts.IgnoreFields(Snapshot{}, "Hash")

func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	want := wantFixtures()
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, name)
			if !strings.Contains(string(data), "\n") || strings.Contains(string(data), "\r") {
				t.Fatal("the shared sample is expected to use LF segment ends")
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[name], got, ignoreHash); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if err := got.Appointment.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// TestDecodeFixturesSegmentEnds checks that CR (the standard) and CRLF segment ends give exactly the snapshot
// that the samples' LF ends give, hash included.
func TestDecodeFixturesSegmentEnds(t *testing.T) {
	t.Parallel()
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lf := fixture(t, name)
			want, err := Decode(lf)
			if err != nil {
				t.Fatal(err)
			}
			for ending, data := range segmentEndings(lf) {
				got, err := Decode(data)
				if err != nil {
					t.Fatalf("%s: %v", ending, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: mismatch (-LF +%s):\n%s", ending, ending, diff)
				}
			}
		})
	}
}

// segmentEndings returns data, whose segments end with LF, rewritten with CR and with CRLF ends.
func segmentEndings(lf []byte) map[string][]byte {
	s := string(lf)
	return map[string][]byte{
		"CR":   []byte(strings.ReplaceAll(s, "\n", "\r")),
		"CRLF": []byte(strings.ReplaceAll(s, "\n", "\r\n")),
	}
}

func TestDecodeFixturesHashes(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, name := range fixtureNames {
		s, err := Decode(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Hash) != 64 {
			t.Errorf("%s: hash %q is not hex SHA-256", name, s.Hash)
		}
		if other, ok := seen[s.Hash]; ok {
			t.Errorf("%s and %s have the same hash", name, other)
		}
		seen[s.Hash] = name
	}
}

// readTestdata converts every message of a file in testdata.
func readTestdata(t *testing.T, name string, opts ...Option) []Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := NewReader(f)
	var out []Snapshot
	for {
		m, err := rd.Read()
		if err != nil {
			if err == io.EOF {
				return out
			}
			t.Fatal(err)
		}
		s, err := Convert(m, opts...)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
}

func TestConvertTestdata(t *testing.T) {
	t.Parallel()
	toronto, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	est := time.FixedZone("", -5*3600)
	rec := func(occ string, day int, series string, updated time.Time) Snapshot {
		return Snapshot{
			Appointment: carelogic.Appointment{
				ID: "A-500^CARELOGIC#" + occ, Source: "CareLogic@Northside Clinic", SeriesID: series,
				Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "S-77",
				Start: at(time.UTC, 2024, 4, day, 10, 0), Duration: 45 * time.Minute,
				Activity:     "Individual therapy", // no AIS: SCH-7 text
				Participants: []carelogic.Participant{{ClientID: "C-2001", Name: "Jordan Smith", Status: carelogic.StatusScheduled}},
				UpdatedAt:    updated,
			},
			Event: EventNew, FillerStatus: "Booked", ControlID: "REC000" + occ,
		}
	}
	mllp := func(ev Event, status carelogic.Status, id string, updated time.Time) Snapshot {
		return Snapshot{
			Appointment: carelogic.Appointment{
				ID: "M-9", Source: "CareLogic@Northside Clinic", Kind: carelogic.Individual, Modality: carelogic.Video,
				ProviderID: "S-1", Start: at(time.UTC, 2024, 3, 4, 13, 0), Duration: time.Hour, Activity: "Intake",
				Participants: []carelogic.Participant{{ClientID: "C-5005", Name: "Kim Ng", Status: status}},
				UpdatedAt:    updated,
			},
			Event: ev, ControlID: id,
		}
	}
	tests := []struct {
		file string
		opts []Option
		want []Snapshot
	}{
		{"group.hl7", nil, []Snapshot{{
			Appointment: carelogic.Appointment{
				ID: "G-7001^CLINIC", Source: "CareLogic@Northside Clinic", Kind: carelogic.Group,
				Modality: carelogic.Video, ProviderID: "S-55",
				// No TQ1: SCH-11.4 and SCH-11.5.
				Start: at(est, 2024, 3, 5, 14, 0), Duration: 90 * time.Minute, Activity: "DBT skills group",
				Participants: []carelogic.Participant{
					{ClientID: "C-1001", Name: "Ana Rivera", Email: "ana.rivera@example.org", Status: carelogic.StatusScheduled},
					{ClientID: "C-1002", Name: "Wei Chen", Email: "wei.chen@example.net", Status: carelogic.StatusScheduled},
					{ClientID: "C-1003", Name: "Ngozi Okafor", Status: carelogic.StatusScheduled},
				},
				Comments:  "Weekly DBT skills group",
				UpdatedAt: at(est, 2024, 3, 1, 9, 0),
			},
			Event: EventNew, FillerStatus: "Booked", ControlID: "GRP0001", Sequence: 42,
		}}},
		{"recurring.hl7", nil, []Snapshot{
			rec("1", 8, "S-900^CARELOGIC", at(time.UTC, 2024, 3, 1, 10, 1)),  // SCH-24
			rec("2", 15, "P-900^EPIC", at(time.UTC, 2024, 3, 1, 10, 2)),      // SCH-23
			rec("3", 22, "A-500^CARELOGIC", at(time.UTC, 2024, 3, 1, 10, 3)), // SCH-2 itself
		}},
		{"v23-cancel.hl7", []Option{WithLocation(toronto), WithModality(carelogic.InPerson)}, []Snapshot{{
			Appointment: carelogic.Appointment{
				ID: "FL-88", Source: "SCHED@MAIN CLINIC", Kind: carelogic.Individual, Modality: carelogic.InPerson,
				ProviderID: "DR77", // no AIP: SCH-16
				// No offsets: read in the given location. No end: SCH-9/SCH-10 "45" "MIN".
				Start: at(toronto, 2006, 5, 2, 10, 0), Duration: 45 * time.Minute,
				Activity: "FU", // AIS-3 has no text: its code
				// S15 whose SCH-25 still says BOOKED: the event wins.
				Participants: []carelogic.Participant{{ClientID: "MRN-3003", Name: "Luis Diaz", Status: carelogic.StatusCBT}},
				// MSH-2 "^~&" declares no escape character: the backslash is data.
				Comments:  `Room 4\5 closed`,
				UpdatedAt: at(toronto, 2006, 5, 1, 15, 30),
			},
			Event: EventCancellation, FillerStatus: "BOOKED", ControlID: "V23-0015",
		}}},
		{"escapes.hl7", nil, []Snapshot{{
			Appointment: carelogic.Appointment{
				ID: "E-42", Source: "CareLogic@Northside Clinic", Kind: carelogic.Individual, Modality: carelogic.Video,
				Start: at(time.UTC, 2024, 3, 2, 8, 0), Duration: 50 * time.Minute,
				Activity: "Family & couples therapy",
				Participants: []carelogic.Participant{{
					ClientID: "C&4004", Name: `Sin\ad O^Brien|Smith`, Email: "sinead~x@example.org", Status: StatusCheckedIn,
				}},
				Comments:  "Bring ID\nParking Lot B\nCall \\Zmain\\ on arrival",
				UpdatedAt: at(time.UTC, 2024, 3, 2, 8, 0),
			},
			Event: EventModification, FillerStatus: "Started", ControlID: "ESC0001",
		}}},
		{"individual.hl7", nil, []Snapshot{{
			Appointment: individual(carelogic.StatusScheduled, "S-12", "Individual therapy", "Video link sent by the front desk",
				"marisol.lopez@example.org", at(est, 2024, 3, 6, 8, 15)),
			Event: EventNew, FillerStatus: "Booked", ControlID: "IND0001",
		}}},
		{"delete.hl7", nil, []Snapshot{{
			// No AIS: the activity is SCH-7's text.
			Appointment: individual(carelogic.StatusError, "S-12", "Individual therapy", "", "", at(est, 2024, 3, 7, 16, 0)),
			Event:       EventDeletion, FillerStatus: "Deleted", ControlID: "DEL0001",
		}}},
		{"mllp.hl7", nil, []Snapshot{
			mllp(EventNew, carelogic.StatusScheduled, "MLLP001", at(time.UTC, 2024, 3, 3, 12, 0)),
			mllp(EventNoShow, carelogic.StatusDNS, "MLLP002", at(time.UTC, 2024, 3, 4, 15, 0)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got := readTestdata(t, tt.file, tt.opts...)
			if diff := cmp.Diff(tt.want, got, ignoreHash); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			for _, s := range got {
				if err := s.Appointment.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
			}
		})
	}
}

func TestConvertOptions(t *testing.T) {
	t.Parallel()
	data := fixture(t, "SIU-S12-01.hl7")
	var sawMessage bool
	got, err := Decode(data,
		WithSource("carelogic-prod"),
		WithModalityFunc(func(m *Message) carelogic.Modality {
			// A feed that marks telehealth by location: Room01 is in person.
			if m.Segment("AIL").Component(3, 2) == "Room01" {
				return carelogic.InPerson
			}
			return carelogic.Video
		}),
		WithKindFunc(func(m *Message) carelogic.Kind {
			sawMessage = m.Segment("AIS").Component(3, 1) == "76164006"
			return carelogic.Group
		}),
		WithStatusFunc(func(m *Message, mapped carelogic.Status) carelogic.Status {
			if mapped == carelogic.StatusScheduled && m.Segment("SCH").Field(7) == "EMERGENCY" {
				return "Urgent"
			}
			return mapped
		}),
		nil, WithLocation(nil), WithModalityFunc(nil), WithKindFunc(nil), WithStatusFunc(nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := wantFixtures()["SIU-S12-01.hl7"]
	want.Appointment.Source = "carelogic-prod"
	want.Appointment.Modality = carelogic.InPerson
	want.Appointment.Kind = carelogic.Group
	want.Appointment.Participants[0].Status = "Urgent"
	if diff := cmp.Diff(want, got, ignoreHash); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if !sawMessage {
		t.Error("the kind function did not receive the message")
	}
}

// TestStatusMapping covers every trigger event and filler status through whole messages.
func TestStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		event, filler, reason string
		want                  carelogic.Status
		deleted               bool
	}{
		{"S12", "Booked", "", carelogic.StatusScheduled, false},
		{"S12", "BOOKED", "", carelogic.StatusScheduled, false},
		{"S12", "", "", carelogic.StatusScheduled, false},
		{"S12", "Pending", "", carelogic.StatusScheduled, false},
		{"S12", "Waitlist", "", carelogic.StatusScheduled, false},
		{"S12", "Overbook", "", carelogic.StatusScheduled, false},
		{"S12", "Blocked", "", carelogic.StatusScheduled, false},
		{"S14", "Started", "", StatusCheckedIn, false},
		{"S14", "STARTED", "", StatusCheckedIn, false},
		{"S14", "Complete", "", carelogic.StatusKept, false},
		{"S14", "Cancelled", "", carelogic.StatusCBT, false},
		{"S14", "CANCELLED", "CBC", carelogic.StatusCBC, false},
		{"S14", "Dc", "", carelogic.StatusCBT, false},
		{"S14", "Deleted", "", carelogic.StatusError, true},
		{"S14", "Noshow", "", carelogic.StatusDNS, false},
		{"S14", "Arrived", "", "Arrived", false},
		{"S13", "Booked", "", carelogic.StatusScheduled, false},
		{"S15", "BOOKED", "", carelogic.StatusCBT, false},
		{"S15", "Cancelled", "Add", carelogic.StatusCBT, false},
		{"S15", "Cancelled", "pat", carelogic.StatusCBC, false},
		{"S15", "Cancelled", "PAT-CPP", carelogic.StatusCBC, false},
		{"S15", "Cancelled", "prov", carelogic.StatusCBT, false},
		{"S16", "Booked", "", carelogic.StatusCBT, false},
		{"S16", "Dc", "cbc", carelogic.StatusCBC, false},
		{"S17", "Booked", "", carelogic.StatusError, true},
		{"S26", "Booked", "", carelogic.StatusDNS, false},
		{"s26", "Complete", "", carelogic.StatusDNS, false},
	}
	for _, tt := range tests {
		t.Run(tt.event+"/"+tt.filler+"/"+tt.reason, func(t *testing.T) {
			t.Parallel()
			s, err := Decode([]byte(message(tt.event, tt.filler, tt.reason)))
			if err != nil {
				t.Fatal(err)
			}
			got := struct {
				Status  carelogic.Status
				Deleted bool
			}{s.Appointment.Participants[0].Status, s.Appointment.Deleted}
			want := struct {
				Status  carelogic.Status
				Deleted bool
			}{tt.want, tt.deleted}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// individual is the 1:1 session of testdata/individual.hl7, and of delete.hl7 with the status Error.
func individual(status carelogic.Status, provider, activity, comments, email string, updated time.Time) carelogic.Appointment {
	return carelogic.Appointment{
		ID: "I-301^CLINIC", Source: "CareLogic@Northside Clinic", Kind: carelogic.Individual, Modality: carelogic.Video,
		ProviderID: provider, Start: at(time.FixedZone("", -5*3600), 2024, 3, 11, 10, 0), Duration: 50 * time.Minute,
		Activity:     activity,
		Participants: []carelogic.Participant{{ClientID: "C-4004", Name: "Marisol Lopez", Email: email, Status: status}},
		Comments:     comments,
		Deleted:      status == carelogic.StatusError, // S17
		UpdatedAt:    updated,
	}
}

// message returns a minimal valid SIU message with the given trigger event, SCH-25 and SCH-6.
func message(event, filler, reason string) string {
	sch := make([]string, 26)
	sch[0], sch[2], sch[6], sch[25] = "SCH", "F-1", reason, filler
	return "MSH|^~\\&|App|Fac|||20240101120000+0000||SIU^" + event + "|C1|P|2.5.1\r" +
		strings.Join(sch, "|") + "\r" +
		"TQ1|||||||202401021000+0000|202401021100+0000\r" +
		"PID|1||P-1||Doe^Jane||||||||^NET^Internet^jane@example.org\r"
}

func TestConvertErrors(t *testing.T) {
	t.Parallel()
	valid := "MSH|^~\\&|App|Fac|||20240101120000+0000||SIU^S12^SIU_S12|C1|P|2.5.1\r" +
		"SCH||F-1|||||||60|min|^^^202401020900+0000^202401021000+0000||||||||||||||Booked\r" +
		"TQ1|||||||202401021000+0000|202401021100+0000\r" +
		"PID|1||P-1||Doe^Jane||||||||^NET^Internet^jane@example.org\r"
	if _, err := Decode([]byte(valid)); err != nil {
		t.Fatalf("the base message does not convert: %v", err)
	}
	tests := []struct {
		name string
		in   string
		want error
		text string
	}{
		{"empty input", "", ErrSyntax, "siu: no segments: empty message"},
		{"no MSH", strings.SplitN(valid, "\r", 2)[1], ErrSyntax, "siu: segment 1: message does not start with an MSH segment"},
		{"bad MSH-2", strings.Replace(valid, `^~\&`, `^~`, 1), ErrSyntax,
			"siu: MSH-2 (segment 1): encoding characters: got 2 characters, want 3 to 5"},
		{"truncated segment", valid + "PI", ErrSyntax,
			"siu: segment 5: malformed segment: want a 3-character segment id followed by the field separator"},
		{"missing SCH", strings.Replace(valid, "SCH|", "ZCH|", 1), ErrMissingField, "siu: SCH: SCH segment is missing"},
		{"missing SCH-2", strings.Replace(valid, "SCH||F-1|", "SCH|||", 1), ErrMissingField,
			"siu: SCH-2.1 (segment 2): filler appointment id is missing"},
		{"SCH-2 null", strings.Replace(valid, "SCH||F-1|", `SCH||""|`, 1), ErrMissingField,
			"siu: SCH-2.1 (segment 2): filler appointment id is missing"},
		{"bad SCH-3", strings.Replace(valid, "SCH||F-1|", "SCH||F-1|x|", 1), ErrInvalidField,
			"siu: SCH-3 (segment 2): occurrence number is not a number"},
		{"missing MSH-7", strings.Replace(valid, "20240101120000+0000", "", 1), ErrMissingField,
			"siu: MSH-7 (segment 1): message date/time is missing; it orders messages"},
		{"bad MSH-7", strings.Replace(valid, "20240101120000+0000", "2024-01-01", 1), ErrInvalidField,
			"siu: MSH-7 (segment 1): event time: " + errTimestamp.Error()},
		{"bad MSH-13", strings.Replace(valid, "P|2.5.1", "P|2.5.1|x", 1), ErrInvalidField,
			"siu: MSH-13 (segment 1): sequence number is not a non-negative integer"},
		{"bad TQ1-7", strings.Replace(valid, "|202401021000+0000|", "|20240102T1000|", 1), ErrInvalidField,
			"siu: TQ1-7 (segment 3): start date/time: " + errTimestamp.Error()},
		{"bad TQ1-8", strings.Replace(valid, "|202401021100+0000", "|202401021100+9900", 1), ErrInvalidField,
			"siu: TQ1-8 (segment 3): end date/time: " + errTimestamp.Error()},
		{"end before start", strings.Replace(valid, "|202401021100+0000", "|202401020900+0000", 1), ErrInvalidField,
			"siu: TQ1-8 (segment 3): end date/time is not after the start"},
		{"end too late", strings.Replace(valid, "|202401021100+0000", "|202403021100+0000", 1), ErrInvalidField,
			"siu: TQ1-8 (segment 3): end date/time is more than 31 days after the start"},
		{"SCH-11.5 too late without TQ1", strings.Replace(strings.Replace(valid, "TQ1|", "ZQ1|", 1), "^202401021000+0000|", "^202501021000+0000|", 1),
			ErrInvalidField, "siu: SCH-11.5 (segment 2): end date/time is more than 31 days after the start"},
		{"bad SCH-11.4 without TQ1", strings.Replace(strings.Replace(valid, "TQ1|", "ZQ1|", 1), "^202401020900+0000^", "^20240132^", 1),
			ErrInvalidField, "siu: SCH-11.4 (segment 2): start date/time: " + errTimestamp.Error()},
		{"no start", strings.Replace(strings.Replace(valid, "TQ1|", "ZQ1|", 1), "^202401020900+0000^202401021000+0000", "", 1),
			ErrMissingField, "siu: TQ1-7: start date/time is missing (neither TQ1-7 nor SCH-11.4 is valued)"},
		{"no end and bad SCH-10", strings.Replace(strings.Replace(valid, "|202401021100+0000", "|", 1), "|60|min|", "|60|m|", 1),
			ErrInvalidField, "siu: SCH-10 (segment 2): " + errDurationUnits.Error()},
		{"no end and bad SCH-9", strings.Replace(strings.Replace(valid, "|202401021100+0000", "|", 1), "|60|min|", "|-60|min|", 1),
			ErrInvalidField, "siu: SCH-9 (segment 2): " + errDurationValue.Error()},
		{"no end and no duration", strings.Replace(strings.Replace(valid, "|202401021100+0000", "|", 1), "|60|min|", "|||", 1),
			ErrMissingField, "siu: TQ1-8: end date/time is missing and no duration is given (TQ1-8, SCH-11.5, SCH-9, TQ1-13, AIS-7)"},
		{"unknown trigger", strings.Replace(valid, "SIU^S12", "SIU^S18", 1), ErrUnsupportedEvent,
			`siu: MSH-9.2 (segment 1): trigger event "S18" is not supported (want S12, S13, S14, S15, S16, S17 or S26)`},
		{"missing trigger", strings.Replace(valid, "SIU^S12^SIU_S12", "SIU", 1), ErrMissingField,
			"siu: MSH-9.2 (segment 1): trigger event is missing"},
		{"not SIU", strings.Replace(valid, "SIU^S12", "ADT^A04", 1), ErrUnsupportedEvent,
			`siu: MSH-9.1 (segment 1): message type "ADT" is not SIU`},
		{"garbage message type", strings.Replace(valid, "SIU^S12", "Jane Doe^S12", 1), ErrUnsupportedEvent,
			`siu: MSH-9.1 (segment 1): message type (a value of 8 characters) is not SIU`},
		{"name as message type", strings.Replace(valid, "SIU^S12", "Quincy^S12", 1), ErrUnsupportedEvent,
			`siu: MSH-9.1 (segment 1): message type (a value of 6 characters) is not SIU`},
		{"name as trigger", strings.Replace(valid, "SIU^S12", "SIU^Quincy", 1), ErrUnsupportedEvent,
			`siu: MSH-9.2 (segment 1): trigger event (a value of 6 characters) is not supported (want S12, S13, S14, S15, S16, S17 or S26)`},
		{"long message type", strings.Replace(valid, "SIU^S12", "SCHEDULING^S12", 1), ErrUnsupportedEvent,
			`siu: MSH-9.1 (segment 1): message type (a value of 10 characters) is not SIU`},
		{"missing message type", strings.Replace(valid, "SIU^S12^SIU_S12", "", 1), ErrMissingField,
			"siu: MSH-9.1 (segment 1): message type is missing"},
		{"no PID", strings.Replace(valid, "PID|", "ZID|", 1), ErrMissingField,
			"siu: PID: no PID segment: the appointment has no client"},
		{"missing PID-3", valid + "PID|2||^^^X||Roe^Richard\r", ErrMissingField,
			"siu: PID-3.1 (segment 5): patient identifier of patient 2 is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want one wrapping %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if got := err.Error(); got != tt.text {
				t.Errorf("error text:\n got %s\nwant %s", got, tt.text)
			}
			for _, phi := range []string{"Jane", "Doe", "Richard", "Roe", "jane@example.org", "Quincy"} {
				if strings.Contains(err.Error(), phi) {
					t.Errorf("error text %q holds patient data %q", err, phi)
				}
			}
		})
	}
}

func TestConvertNilMessage(t *testing.T) {
	t.Parallel()
	for _, m := range []*Message{nil, {}} {
		if _, err := Convert(m); !errors.Is(err, ErrSyntax) {
			t.Errorf("Convert(%v) error = %v, want ErrSyntax", m, err)
		}
	}
}

// TestDurationFallbacks checks where the duration comes from when no end time is given.
func TestDurationFallbacks(t *testing.T) {
	t.Parallel()
	base := "MSH|^~\\&|App|Fac|||20240101120000+0000||SIU^S12|C1|P|2.5.1\r" +
		"SCH||F-1|||||||%SCH9%|%SCH10%\r" +
		"TQ1|||||||202401021000+0000||||||%TQ113%\r" +
		"PID|1||P-1\r" +
		"AIS|1||X^Service||||%AIS7%|%AIS8%\r"
	build := func(sch9, sch10, tq113, ais7, ais8 string) string {
		return strings.NewReplacer("%SCH9%", sch9, "%SCH10%", sch10, "%TQ113%", tq113, "%AIS7%", ais7, "%AIS8%", ais8).Replace(base)
	}
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{"SCH-9 without units is seconds", build("600", "", "", "", ""), 10 * time.Minute},
		{"SCH-9 with SCH-10 code and text", build("2", "h^hours^ISO+", "", "", ""), 2 * time.Hour},
		{"SCH-9 wins over TQ1-13 and AIS-7", build("30", "min", "40^min", "50", "min"), 30 * time.Minute},
		{"TQ1-13", build("", "", "40^min&minutes", "50", "min"), 40 * time.Minute},
		{"AIS-7", build("", "", "", "50", "min^Minutes^ISO"), 50 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Appointment.Duration; got != tt.want {
				t.Errorf("Duration = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEmail checks which telecom repetitions give the email address.
func TestEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pid, want string
	}{
		{"none", "PID|1||P-1", ""},
		{"phone only", "PID|1||P-1||||||||||555-0100^PRN^PH", ""},
		{"Internet without address", "PID|1||P-1||||||||||89898989^WPN^Internet", ""},
		{"XTN-4 in PID-13", "PID|1||P-1||||||||||^NET^Internet^a@example.org", "a@example.org"},
		{"v2.3 style XTN-1 with NET", "PID|1||P-1||||||||||b@example.org^NET", "b@example.org"},
		{"XTN-1 not marked as email", "PID|1||P-1||||||||||c@example.org^PRN^PH", ""},
		{"second repetition", "PID|1||P-1||||||||||555^PRN^PH~^NET^X.400^d@example.org", "d@example.org"},
		{"PID-40 before PID-14", "PID|1||P-1|||||||||||^WPN^Internet^work@example.org" + strings.Repeat("|", 26) + "^NET^Internet^e@example.org", "e@example.org"},
		{"PID-14", "PID|1||P-1|||||||||||^WPN^Internet^work@example.org", "work@example.org"},
		{"not an address", "PID|1||P-1||||||||||^NET^Internet^not an address", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte("MSH|^~\\&|\r" + tt.pid))
			if err != nil {
				t.Fatal(err)
			}
			if got := email(m.Segment("PID")); got != tt.want {
				t.Errorf("email = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultSource(t *testing.T) {
	t.Parallel()
	tests := []struct{ msh3, msh4, want string }{
		{"SCHApp", "GHHSFacility^2.16.840^ISO", "SCHApp@GHHSFacility"},
		{"^1.2.3^ISO", "", "1.2.3"},
		{"", "Fac", "Fac"},
		{`""`, "", ""},
	}
	for _, tt := range tests {
		msg := strings.Replace(message("S12", "Booked", ""), "|App|Fac|", "|"+tt.msh3+"|"+tt.msh4+"|", 1)
		s, err := Decode([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Appointment.Source; got != tt.want {
			t.Errorf("MSH-3 %q, MSH-4 %q: Source = %q, want %q", tt.msh3, tt.msh4, got, tt.want)
		}
	}
}
