package fhir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func TestDecodeTestdata(t *testing.T) {
	t.Parallel()
	minus5 := time.FixedZone("", -5*3600)
	staff := WithProviderIdentifierSystem("urn:example:carelogic:staff")

	// The group has one client who declined, one with no-show, one in error, a custom status and one the
	// appointment-level status applies to.
	attendance := carelogic.Appointment{
		ID: "grp-2", Source: "fhir", Kind: carelogic.Group,
		ProviderID: "role-9", // a PractitionerRole the input does not hold: its own id
		Start:      utc(2026, 3, 3, 18, 0), Duration: time.Hour,
		Activity: "Anger management group",
		Participants: []carelogic.Participant{
			{ClientID: "c-201", Status: carelogic.StatusKept},
			{ClientID: "c-202", Status: carelogic.StatusDNS},
			{ClientID: "c-203", Status: carelogic.StatusCBC},
			{ClientID: "c-204", Status: carelogic.StatusError},
			{ClientID: "c-205", Status: "Late arrival"},
			{ClientID: "c-206", Status: carelogic.StatusKept},
		},
	}

	tests := []struct {
		name string
		file string
		opts []Option
		want []carelogic.Appointment
	}{
		{
			name: "group with several Patient participants, virtual by R5 class extension",
			file: "group-video.json",
			want: []carelogic.Appointment{{
				ID: "G-100", Source: "fhir", Kind: carelogic.Group, Modality: carelogic.Video,
				ProviderID: "s-1", // PPRF wins over the untyped practitioner listed first
				Start:      time.Date(2026, 3, 10, 18, 0, 0, 0, minus5), Duration: 90 * time.Minute,
				Activity: "DBT Skills Group",
				Participants: []carelogic.Participant{
					{ClientID: "c-101", Name: "Avery Test", Status: carelogic.StatusScheduled},
					{ClientID: "c-102", Name: "Blake Sample", Status: carelogic.StatusScheduled},
					{ClientID: "c-103", Name: "Casey Example", Status: carelogic.StatusScheduled},
				},
				UpdatedAt: time.Date(2026, 3, 2, 19, 5, 0, 250e6, time.UTC),
			}},
		},
		{
			name: "identifier system chosen by the caller wins over FILL",
			file: "group-video.json",
			opts: []Option{WithIdentifierSystem("urn:example:carelogic:appointment"), WithSource("clinic-1")},
			want: []carelogic.Appointment{{
				ID: "CL-7001", Source: "clinic-1", Kind: carelogic.Group, Modality: carelogic.Video,
				ProviderID: "s-1",
				Start:      time.Date(2026, 3, 10, 18, 0, 0, 0, minus5), Duration: 90 * time.Minute,
				Activity: "DBT Skills Group",
				Participants: []carelogic.Participant{
					{ClientID: "c-101", Name: "Avery Test", Status: carelogic.StatusScheduled},
					{ClientID: "c-102", Name: "Blake Sample", Status: carelogic.StatusScheduled},
					{ClientID: "c-103", Name: "Casey Example", Status: carelogic.StatusScheduled},
				},
				UpdatedAt: utc(2026, 3, 2, 19, 5).Add(250 * time.Millisecond),
			}},
		},
		{
			name: "per-participant status extension in a group",
			file: "group-attendance.json",
			want: []carelogic.Appointment{attendance},
		},
		{
			name: "cancelled by the patient (pat-cpp)",
			file: "cancelled-pat.json",
			want: []carelogic.Appointment{{
				ID: "cx-pat", Source: "fhir", Kind: carelogic.Individual, ProviderID: "s-3",
				Start: utc(2026, 4, 1, 15, 0), Duration: time.Hour,
				Activity:     "Psychotherapy, 60 minutes",
				Participants: []carelogic.Participant{{ClientID: "c-301", Status: carelogic.StatusCBC}},
				Comments:     "Client cancelled online.",
			}},
		},
		{
			name: "cancelled by the provider (prov-pers)",
			file: "cancelled-prov.json",
			want: []carelogic.Appointment{{
				ID: "cx-prov", Source: "fhir", Kind: carelogic.Individual, ProviderID: "s-3",
				Start: utc(2026, 4, 2, 15, 0), Duration: time.Hour,
				Activity:     "Psychotherapy, 60 minutes",
				Participants: []carelogic.Participant{{ClientID: "c-302", Status: carelogic.StatusCBT}},
			}},
		},
		{
			name: "R5-shaped: cancellationReason, virtualService, serviceType concept, Group subject",
			file: "cancelled-r5.json",
			want: []carelogic.Appointment{{
				ID: "cx-r5", Source: "fhir", Kind: carelogic.Group, Modality: carelogic.Video, ProviderID: "s-4",
				Start: utc(2026, 4, 7, 17, 0), Duration: 90 * time.Minute,
				Activity:     "Parenting group",
				Participants: []carelogic.Participant{{ClientID: "c-303", Status: carelogic.StatusCBC}},
			}},
		},
		{
			name: "contained Patient and Practitioner",
			file: "contained.json",
			want: []carelogic.Appointment{{
				// A contained resource's id is local, so the client is identified by its identifier.
				ID: "ct-1", Source: "fhir", Kind: carelogic.Individual, Modality: carelogic.Video,
				ProviderID: "STAFF-12",
				Start:      time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC), Duration: 45 * time.Minute,
				Activity: "Intake assessment",
				Participants: []carelogic.Participant{{
					ClientID: "CL-C-55", Name: "Drew J. Sample", Email: "drew.sample@example.org", Status: StatusCheckedIn,
				}},
			}},
		},
		{
			name: "Bundle with Patients carrying emails",
			file: "bundle-group.json",
			want: []carelogic.Appointment{
				{
					ID: "bg-1", Source: "fhir", Kind: carelogic.Group,
					ProviderID: "doc-1", // the Practitioner of the ATND PractitionerRole
					Start:      utc(2026, 2, 24, 16, 0), Duration: time.Hour,
					Activity: "Family therapy",
					Participants: []carelogic.Participant{
						{ClientID: "p1", Name: "Jo Tester", Email: "jo@example.org", Status: carelogic.StatusScheduled},
						{ClientID: "MRN-0042", Name: "Riley Example", Email: "riley@example.org", Status: carelogic.StatusScheduled},
					},
					UpdatedAt: utc(2026, 2, 20, 10, 0),
				},
				{
					ID: "bg-2", Source: "fhir", Kind: carelogic.Individual,
					ProviderID: "STAFF-7", // a logical reference: Reference.type and identifier only
					Start:      utc(2026, 2, 25, 16, 0), Duration: 50 * time.Minute,
					Activity: "Individual therapy",
					Participants: []carelogic.Participant{
						{ClientID: "p1", Name: "Jo Tester", Email: "jo@example.org", Status: carelogic.StatusDNS},
					},
				},
			},
		},
		{
			name: "Bundle with the staff identifier system",
			file: "bundle-group.json",
			opts: []Option{staff, WithPatientIdentifierSystem("urn:example:mrn")},
			want: []carelogic.Appointment{
				{
					ID: "bg-1", Source: "fhir", Kind: carelogic.Group,
					ProviderID: "STAFF-1",
					Start:      utc(2026, 2, 24, 16, 0), Duration: time.Hour,
					Activity: "Family therapy",
					Participants: []carelogic.Participant{
						{ClientID: "p1", Name: "Jo Tester", Email: "jo@example.org", Status: carelogic.StatusScheduled},
						{ClientID: "MRN-0042", Name: "Riley Example", Email: "riley@example.org", Status: carelogic.StatusScheduled},
					},
					UpdatedAt: utc(2026, 2, 20, 10, 0),
				},
				{
					ID: "bg-2", Source: "fhir", Kind: carelogic.Individual,
					ProviderID: "STAFF-7",
					Start:      utc(2026, 2, 25, 16, 0), Duration: 50 * time.Minute,
					Activity: "Individual therapy",
					Participants: []carelogic.Participant{
						{ClientID: "p1", Name: "Jo Tester", Email: "jo@example.org", Status: carelogic.StatusDNS},
					},
				},
			},
		},
		{
			name: "recurring series through the R5 cross-version extensions",
			file: "recurring-series.json",
			want: []carelogic.Appointment{
				{
					ID: "weekly-1", Source: "fhir", SeriesID: "weekly-1", Kind: carelogic.Individual, ProviderID: "s-5",
					Start: utc(2026, 1, 6, 15, 0), Duration: 50 * time.Minute,
					Activity:     "A follow up visit from a previous appointment",
					Participants: []carelogic.Participant{{ClientID: "c-401", Status: carelogic.StatusKept}},
				},
				{
					ID: "weekly-2", Source: "fhir", SeriesID: "weekly-1", Kind: carelogic.Individual, ProviderID: "s-5",
					Start: utc(2026, 1, 13, 15, 0), Duration: 50 * time.Minute,
					Activity:     "A follow up visit from a previous appointment",
					Participants: []carelogic.Participant{{ClientID: "c-401", Status: carelogic.StatusScheduled}},
				},
				{
					ID: "weekly-3", Source: "fhir", SeriesID: "weekly-1", Kind: carelogic.Individual, ProviderID: "s-5",
					Start: utc(2026, 1, 20, 15, 0), Duration: 50 * time.Minute,
					Activity:     "A follow up visit from a previous appointment",
					Participants: []carelogic.Participant{{ClientID: "c-401", Status: carelogic.StatusScheduled}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode(readTestdata(t, tt.file), tt.opts...)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
			for _, a := range got {
				if err := a.Validate(); err != nil && a.Modality != "" {
					t.Errorf("Validate(%s) = %v, want nil", a.ID, err)
				}
			}
		})
	}
}

// Small variations on one appointment, for the rules that do not need a file of their own.
func TestDecodeRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		opts []Option
		want carelogic.Appointment
	}{
		{
			name: "minutesDuration used when there is no end",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-01-01T10:00:00Z","minutesDuration":30}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Start: utc(2026, 1, 1, 10, 0), Duration: 30 * time.Minute},
		},
		{
			name: "no end and no minutesDuration: zero duration for Validate to report",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-01-01T10:00:00Z"}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Start: utc(2026, 1, 1, 10, 0)},
		},
		{
			name: "an unused minutesDuration is not checked",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-01-01T10:00:00Z","end":"2026-01-01T10:20:00Z","minutesDuration":0}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Start: utc(2026, 1, 1, 10, 0), Duration: 20 * time.Minute},
		},
		{
			name: "fractional seconds",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-01-01T10:00:00.5Z","end":"2026-01-01T10:00:01.25Z"}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Start: utc(2026, 1, 1, 10, 0).Add(500 * time.Millisecond), Duration: 750 * time.Millisecond},
		},
		{
			name: "FILL identifier without a value falls back to the resource id",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","identifier":[{"type":{"coding":[{"code":"FILL"}]}}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual},
		},
		{
			name: "FILL coding of another system is not the filler number",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","identifier":[{"type":{"coding":[{"system":"urn:x","code":"FILL"}]},"value":"9"}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual},
		},
		{
			name: "activity: a bare code is skipped for appointmentType's display",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","serviceType":[{"coding":[{"code":"52"}]}],"appointmentType":{"coding":[{"code":"X","display":"Check-up"}]},"description":"d"}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Activity: "Check-up"},
		},
		{
			name: "activity: serviceCategory before description",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","serviceCategory":[{"text":"Counselling"}],"description":"d"}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Activity: "Counselling"},
		},
		{
			name: "activity: description last",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","description":"  Intake  "}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Activity: "Intake"},
		},
		{
			name: "patients: absolute reference with history, logical reference, unknown and actor-less participants",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","participant":[
				{"actor":{"reference":"https://x.example/fhir/Patient/p7/_history/2","display":"A"}},
				{"actor":{"type":"http://hl7.org/fhir/StructureDefinition/Patient","identifier":{"value":"p8"}}},
				{"actor":{"reference":"urn:uuid:0b7c","display":"not resolvable"}},
				{"actor":{"reference":"RelatedPerson/r1"}},
				{"type":[{"text":"translator"}]}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Group, Participants: []carelogic.Participant{
				{ClientID: "p7", Name: "A", Status: carelogic.StatusScheduled},
				{ClientID: "p8", Status: carelogic.StatusScheduled},
			}},
		},
		{
			name: "no patient participant: an Individual that Validate rejects",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","participant":[{"actor":{"reference":"Practitioner/d"}}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, ProviderID: "d"},
		},
		{
			name: "the R4 spelling wins when both cancellation reasons are present",
			json: `{"resourceType":"Appointment","id":"a","status":"cancelled","cancelationReason":{"coding":[{"code":"prov"}]},"cancellationReason":{"coding":[{"code":"pat"}]},"participant":[{"actor":{"reference":"Patient/p"}}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Participants: []carelogic.Participant{{ClientID: "p", Status: carelogic.StatusCBT}}},
		},
		{
			name: "originatingAppointment given by identifier",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","extension":[{"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.originatingAppointment","valueReference":{"identifier":{"value":"S-9"}}}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, SeriesID: "S-9"},
		},
		{
			name: "R5 native originatingAppointment",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","originatingAppointment":{"reference":"Appointment/first"}}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, SeriesID: "first"},
		},
		{
			name: "R5 native recurrenceTemplate makes the appointment its own series",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","recurrenceTemplate":{"recurrenceType":{"text":"weekly"}}}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, SeriesID: "a"},
		},
		{
			name: "basedOn is not a series",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","basedOn":[{"reference":"ServiceRequest/s"}]}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual},
		},
		{
			name: "unknown elements are ignored",
			json: `{"resourceType":"Appointment","id":"a","status":"booked","priority":5,"slot":[{"reference":"Slot/1"}],"_status":{"id":"x"},"futureElement":{"deep":[1,2,{"x":null}]}}`,
			want: carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual},
		},
		{
			name: "empty source name",
			json: `{"resourceType":"Appointment","id":"a","status":"booked"}`,
			opts: []Option{WithSource("")},
			want: carelogic.Appointment{ID: "a", Kind: carelogic.Individual},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeAppointment([]byte(tt.json), tt.opts...)
			if err != nil {
				t.Fatalf("DecodeAppointment: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeAppointment mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
