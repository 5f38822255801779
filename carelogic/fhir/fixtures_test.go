package fhir

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// siuFixture is what the four Appointment-from-SIU-*.json fixtures share; they differ in status only (and S12 in
// its comment).
func siuFixture(status carelogic.Status) carelogic.Appointment {
	return carelogic.Appointment{
		// SCH-2 (filler id), typed FILL but without identifier.system: the value alone is the id, and only
		// Source tells it apart from another server's 36996.
		ID:         "36996",
		Source:     "fhir",
		Kind:       carelogic.Individual,
		ProviderID: "cf8dbd4d-8d1c-57fc-1609-c069ee81b4cb",
		// 2021-09-24T12:45:00+05:30, the same instant as the SIU's 20210924093000+0215.
		Start: time.Date(2021, 9, 24, 7, 15, 0, 0, time.UTC),
		// end - start, not minutesDuration (1: SCH-9/10 "60 s" divided by 60).
		Duration: 50 * time.Minute,
		Activity: "Emergency appointment",
		Participants: []carelogic.Participant{
			// The patient stays "accepted" on every status; its status comes from the appointment's.
			{ClientID: "9e909e52-61a1-be50-1878-a12ef8c36346", Status: status},
		},
	}
}

func TestDecodeAppointmentFixtures(t *testing.T) {
	t.Parallel()
	peter := carelogic.Participant{ClientID: "example", Name: "Peter James Chalmers", Status: carelogic.StatusScheduled}
	mriComment := "Further expand on the results of the MRI and determine the next actions that may be appropriate."

	s12 := siuFixture(carelogic.StatusScheduled)
	s12.Comments = "Appointment booked for emergency procedure"
	// No cancelationReason: a cancellation without a patient reason is the clinic's (CBT).
	s15 := siuFixture(carelogic.StatusCBT)
	s17 := siuFixture(carelogic.StatusError)
	s17.Deleted = true
	s26 := siuFixture(carelogic.StatusDNS)

	tests := []struct {
		name      string
		dir, file string
		opts      []Option
		want      carelogic.Appointment
	}{
		{
			dir: "fhir-r4", file: "Appointment-example.json",
			want: carelogic.Appointment{
				ID: "example", Source: "fhir", Kind: carelogic.Individual,
				ProviderID: "example", // the ATND participant
				Start:      time.Date(2013, 12, 10, 9, 0, 0, 0, time.UTC), Duration: 2 * time.Hour,
				Activity:     "General Discussion", // serviceType wins over appointmentType and description
				Participants: []carelogic.Participant{peter},
				Comments:     mriComment,
			},
		},
		{
			name: "Appointment-example.json with options",
			dir:  "fhir-r4", file: "Appointment-example.json",
			opts: []Option{WithSource("hospital-a"), WithDefaultModality(carelogic.InPerson)},
			want: carelogic.Appointment{
				ID: "example", Source: "hospital-a", Kind: carelogic.Individual, Modality: carelogic.InPerson,
				ProviderID: "example",
				Start:      time.Date(2013, 12, 10, 9, 0, 0, 0, time.UTC), Duration: 2 * time.Hour,
				Activity:     "General Discussion",
				Participants: []carelogic.Participant{peter},
				Comments:     mriComment,
			},
		},
		{
			// Two practitioners, neither typed: the first is the provider. The participant with no actor
			// reference ("Phone Call") is neither patient nor provider.
			dir: "fhir-r4", file: "Appointment-2docs.json",
			want: carelogic.Appointment{
				ID: "2docs", Source: "fhir", Kind: carelogic.Individual,
				ProviderID: "example",
				Start:      time.Date(2013, 12, 9, 9, 0, 0, 0, time.UTC), Duration: 2 * time.Hour,
				Activity:     "General Discussion",
				Participants: []carelogic.Participant{peter},
				Comments:     "Clarify the results of the MRI to ensure context of test was correct",
			},
		},
		{
			// Proposed, with no start yet: it decodes (Validate then reports the missing start). Its identifier
			// is not typed FILL, so the resource id is the ID; the ATND participant has no actor, so there is no
			// provider.
			dir: "fhir-r4", file: "Appointment-examplereq.json",
			want: carelogic.Appointment{
				ID: "examplereq", Source: "fhir", Kind: carelogic.Individual,
				Duration:     15 * time.Minute,
				Activity:     "A previously unscheduled walk-in visit",
				Participants: []carelogic.Participant{peter},
				Comments:     mriComment,
			},
		},
		{
			name: "Appointment-examplereq.json with identifier system",
			dir:  "fhir-r4", file: "Appointment-examplereq.json",
			opts: []Option{WithIdentifierSystem("http://example.org/sampleappointment-identifier")},
			want: carelogic.Appointment{
				ID: "123", Source: "fhir", Kind: carelogic.Individual,
				Duration:     15 * time.Minute,
				Activity:     "A previously unscheduled walk-in visit",
				Participants: []carelogic.Participant{peter},
				Comments:     mriComment,
			},
		},
		{dir: "fhir-r4-from-siu", file: "Appointment-from-SIU-S12-01.json", want: s12},
		{dir: "fhir-r4-from-siu", file: "Appointment-from-SIU-S15-01.json", want: s15},
		{dir: "fhir-r4-from-siu", file: "Appointment-from-SIU-S17-01.json", want: s17},
		{dir: "fhir-r4-from-siu", file: "Appointment-from-SIU-S26-01.json", want: s26},
	}
	for _, tt := range tests {
		name := tt.name
		if name == "" {
			name = tt.file
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := fixtures.Read(t, "fixtures", "ehr", tt.dir, tt.file)
			got, err := DecodeAppointment(data, tt.opts...)
			if err != nil {
				t.Fatalf("DecodeAppointment: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodeAppointment mismatch (-want +got):\n%s", diff)
			}
			// Decode, which accepts either resource type, agrees.
			all, err := Decode(data, tt.opts...)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff([]carelogic.Appointment{tt.want}, all); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The SIU-derived fixtures rewrote the SIU's +0215 offset as +05:30: the instant is what matters, and the offset
// the resource was written with is kept.
func TestDecodeKeepsOffset(t *testing.T) {
	t.Parallel()
	data := fixtures.Read(t, "fixtures", "ehr", "fhir-r4-from-siu", "Appointment-from-SIU-S12-01.json")
	got, err := DecodeAppointment(data)
	if err != nil {
		t.Fatal(err)
	}
	siuStart := time.Date(2021, 9, 24, 9, 30, 0, 0, time.FixedZone("+0215", 2*3600+15*60))
	if !got.Start.Equal(siuStart) {
		t.Errorf("Start = %v, want the instant %v", got.Start, siuStart)
	}
	if s := got.Start.Format(time.RFC3339); s != "2021-09-24T12:45:00+05:30" {
		t.Errorf("Start formats as %s, want the offset as written, 2021-09-24T12:45:00+05:30", s)
	}
}

func TestDecodeAppointmentResponseFixture(t *testing.T) {
	t.Parallel()
	data := fixtures.Read(t, "fixtures", "ehr", "fhir-r4", "AppointmentResponse-exampleresp.json")
	const want = "fhir: AppointmentResponse: not an Appointment or Bundle"
	for name, decode := range map[string]func([]byte, ...Option) error{
		"Decode":            func(b []byte, o ...Option) error { _, err := Decode(b, o...); return err },
		"DecodeAppointment": func(b []byte, o ...Option) error { _, err := DecodeAppointment(b, o...); return err },
	} {
		err := decode(data)
		if !errors.Is(err, ErrUnsupportedResource) {
			t.Errorf("%s: error %v, want one wrapping ErrUnsupportedResource", name, err)
			continue
		}
		if name == "Decode" && err.Error() != want {
			t.Errorf("%s: error %q, want %q", name, err, want)
		}
	}
}

func TestReadPathFixtures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	t.Run("fhir-r4", func(t *testing.T) {
		t.Parallel()
		dir := fixtures.Path(t, "fixtures", "ehr", "fhir-r4")
		src, err := ReadPath(dir)
		if err != nil {
			t.Fatal(err)
		}
		wantSkipped := []Skip{{
			Path:   filepath.Join(dir, "AppointmentResponse-exampleresp.json"),
			Reason: "AppointmentResponse is not an Appointment or Bundle",
		}}
		if diff := cmp.Diff(wantSkipped, src.Skipped()); diff != "" {
			t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
		}
		// Ordered by start; the proposed appointment without a start is not in any window.
		var ids []string
		for a, err := range src.Appointments(ctx, time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		if diff := cmp.Diff([]string{"2docs", "example"}, ids); diff != "" {
			t.Errorf("Appointments ids mismatch (-want +got):\n%s", diff)
		}
		req, err := src.Appointment(ctx, "examplereq")
		if err != nil {
			t.Fatal(err)
		}
		var verr *carelogic.ValidationError
		if err := req.Validate(); !errors.As(err, &verr) {
			t.Fatalf("Validate of the proposed appointment = %v, want a *ValidationError", err)
		}
		wantProblems := []string{`start: missing`, `modality: "": modality not supported by OnCall`}
		if diff := cmp.Diff(wantProblems, verr.Problems); diff != "" {
			t.Errorf("Validate problems mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("fhir-r4-from-siu", func(t *testing.T) {
		t.Parallel()
		dir := fixtures.Path(t, "fixtures", "ehr", "fhir-r4-from-siu")
		src, err := ReadPath(dir)
		if err != nil {
			t.Fatal(err)
		}
		// Four snapshots of one appointment, none with meta.lastUpdated: the last read (S26, no-show) is kept.
		got, err := src.Appointment(ctx, "36996")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(siuFixture(carelogic.StatusDNS), got); diff != "" {
			t.Errorf("Appointment mismatch (-want +got):\n%s", diff)
		}
		p := func(f string) string { return filepath.Join(dir, f) }
		wantSkipped := []Skip{
			{Path: p("Appointment-from-SIU-S12-01.json"), ID: "36996", Reason: "superseded by the copy in " + p("Appointment-from-SIU-S15-01.json")},
			{Path: p("Appointment-from-SIU-S15-01.json"), ID: "36996", Reason: "superseded by the copy in " + p("Appointment-from-SIU-S17-01.json")},
			{Path: p("Appointment-from-SIU-S17-01.json"), ID: "36996", Reason: "superseded by the copy in " + p("Appointment-from-SIU-S26-01.json")},
			{Path: p("LICENSE-microsoft-FHIR-Converter-MIT.txt"), Reason: "not JSON"},
		}
		if diff := cmp.Diff(wantSkipped, src.Skipped()); diff != "" {
			t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("named AppointmentResponse file", func(t *testing.T) {
		t.Parallel()
		path := fixtures.Path(t, "fixtures", "ehr", "fhir-r4", "AppointmentResponse-exampleresp.json")
		_, err := ReadPath(path)
		if !errors.Is(err, ErrUnsupportedResource) {
			t.Fatalf("ReadPath = %v, want an error wrapping ErrUnsupportedResource", err)
		}
		if want := "carelogic: " + path + ": 1 file could not be read\n" + path + ": fhir: AppointmentResponse: not an Appointment or Bundle"; err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
}
