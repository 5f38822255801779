package fhir

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	const (
		pat      = `"cancelationReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason","code":"pat"}]},`
		patSWL   = `"cancelationReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason","code":"pat-swl"}]},`
		prov     = `"cancelationReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason","code":"prov"}]},`
		provDCH  = `"cancelationReason":{"coding":[{"code":"prov-dch"}]},`
		maint    = `"cancelationReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason","code":"maint"}]},`
		textOnly = `"cancelationReason":{"text":"client asked to cancel"},`
		foreign  = `"cancelationReason":{"coding":[{"system":"urn:example:reasons","code":"pat"}]},`
		noSystem = `"cancelationReason":{"coding":[{"code":"pat-fb"}]},`
		r5Pat    = `"cancellationReason":{"coding":[{"code":"pat"}]},`
		r5Prov   = `"cancellationReason":{"coding":[{"code":"prov"}]},`
		second   = `"cancelationReason":{"coding":[{"system":"urn:example:reasons","code":"late"},{"code":"pat"}]},`
	)
	tests := []struct {
		status  string
		extra   string // more elements of the Appointment
		partExt string // the patient participant's status extension code, if any
		partSt  string // the patient participant's status
		want    carelogic.Status
	}{
		{status: "proposed", want: carelogic.StatusScheduled},
		{status: "pending", want: carelogic.StatusScheduled},
		{status: "booked", want: carelogic.StatusScheduled},
		{status: "waitlist", want: carelogic.StatusScheduled},
		{status: "arrived", want: StatusCheckedIn},
		{status: "checked-in", want: StatusCheckedIn},
		{status: "fulfilled", want: carelogic.StatusKept},
		{status: "noshow", want: carelogic.StatusDNS},
		{status: "noshow", extra: pat, want: carelogic.StatusDNS},
		{status: "cancelled", want: carelogic.StatusCBT},
		{status: "cancelled", extra: pat, want: carelogic.StatusCBC},
		{status: "cancelled", extra: patSWL, want: carelogic.StatusCBC},
		{status: "cancelled", extra: noSystem, want: carelogic.StatusCBC},
		{status: "cancelled", extra: second, want: carelogic.StatusCBC},
		{status: "cancelled", extra: prov, want: carelogic.StatusCBT},
		{status: "cancelled", extra: provDCH, want: carelogic.StatusCBT},
		{status: "cancelled", extra: maint, want: carelogic.StatusCBT},
		{status: "cancelled", extra: textOnly, want: carelogic.StatusCBT},
		{status: "cancelled", extra: foreign, want: carelogic.StatusCBT},
		{status: "cancelled", extra: r5Pat, want: carelogic.StatusCBC},
		{status: "cancelled", extra: r5Prov, want: carelogic.StatusCBT},
		{status: "entered-in-error", want: carelogic.StatusError},

		// participant.status declined: the patient cancelled while the appointment goes ahead.
		{status: "booked", partSt: "declined", want: carelogic.StatusCBC},
		{status: "proposed", partSt: "declined", want: carelogic.StatusCBC},
		{status: "fulfilled", partSt: "declined", want: carelogic.StatusCBC},
		{status: "arrived", partSt: "declined", want: carelogic.StatusCBC},
		{status: "cancelled", extra: prov, partSt: "declined", want: carelogic.StatusCBT},
		{status: "noshow", partSt: "declined", want: carelogic.StatusDNS},
		{status: "entered-in-error", partSt: "declined", want: carelogic.StatusError},
		{status: "booked", partSt: "tentative", want: carelogic.StatusScheduled},
		{status: "booked", partSt: "needs-action", want: carelogic.StatusScheduled},
		{status: "cancelled", partSt: "accepted", want: carelogic.StatusCBT},

		// The extension wins over both, except on an appointment entered in error.
		{status: "booked", partExt: "CBC", want: carelogic.StatusCBC},
		{status: "booked", partExt: "cbt", want: carelogic.StatusCBT},
		{status: "fulfilled", partExt: "DNS", partSt: "accepted", want: carelogic.StatusDNS},
		{status: "fulfilled", partExt: "kept", partSt: "declined", want: carelogic.StatusKept},
		{status: "cancelled", extra: prov, partExt: "CBC", want: carelogic.StatusCBC},
		{status: "booked", partExt: "scheduled", want: carelogic.StatusScheduled},
		{status: "booked", partExt: "Checked-in", want: StatusCheckedIn},
		{status: "booked", partExt: " Error ", want: carelogic.StatusError},
		{status: "entered-in-error", partExt: "Kept", want: carelogic.StatusError},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %s ext=%q participant=%q", tt.status, tt.extra, tt.partExt, tt.partSt)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ext := ""
			if tt.partExt != "" {
				ext = fmt.Sprintf(`"extension":[{"url":%q,"valueCode":%q}],`, ParticipantStatusExtension, tt.partExt)
			}
			doc := fmt.Sprintf(`{"resourceType":"Appointment","id":"a",%s"status":%q,
				"participant":[{%s"actor":{"reference":"Patient/p"},"status":%q}]}`, tt.extra, tt.status, ext, tt.partSt)
			got, err := DecodeAppointment([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			want := carelogic.Appointment{
				ID: "a", Source: "fhir", Kind: carelogic.Individual,
				Participants: []carelogic.Participant{{ClientID: "p", Status: tt.want}},
				Deleted:      tt.status == "entered-in-error",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestModality(t *testing.T) {
	t.Parallel()
	const (
		actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
		vr      = `"appointmentType":{"coding":[{"system":"` + actCode + `","code":"VR"}]},`
		amb     = `"serviceCategory":[{"coding":[{"system":"` + actCode + `","code":"AMB"}]}],`
		hhOld   = `"serviceType":[{"coding":[{"system":"http://hl7.org/fhir/v3/ActCode","code":"HH"}]}],`
		vs      = `"extension":[{"url":"http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.virtualService","valueString":"x"}],`
		vsR5    = `"virtualService":[{"addressUrl":"https://video.example.org/1"}],`
		local   = `"appointmentType":{"coding":[{"system":"urn:example:visit-type","code":"TELE"}]},`
	)
	tests := []struct {
		name  string
		extra string
		opts  []Option
		want  carelogic.Modality
	}{
		{name: "no marker, no default", want: ""},
		{name: "no marker, default in person", opts: []Option{WithDefaultModality(carelogic.InPerson)}, want: carelogic.InPerson},
		{name: "no marker, default video", opts: []Option{WithDefaultModality(carelogic.Video)}, want: carelogic.Video},
		{name: "ActCode VR", extra: vr, opts: []Option{WithDefaultModality(carelogic.InPerson)}, want: carelogic.Video},
		{name: "ActCode AMB", extra: amb, opts: []Option{WithDefaultModality(carelogic.Video)}, want: carelogic.InPerson},
		{name: "ActCode HH, old system URL", extra: hhOld, want: carelogic.InPerson},
		{name: "virtualService extension", extra: vs, want: carelogic.Video},
		{name: "R5 virtualService", extra: vsR5, want: carelogic.Video},
		{name: "virtualService and VR agree", extra: vs + vr, want: carelogic.Video},
		{name: "VR and AMB disagree: no guess", extra: vr + amb, opts: []Option{WithDefaultModality(carelogic.InPerson)}, want: ""},
		{name: "virtualService and AMB disagree", extra: vsR5 + amb, want: ""},
		{name: "unknown local code", extra: local, want: ""},
		{name: "declared local code", extra: local, opts: []Option{WithModalityCode("urn:example:visit-type", "TELE", carelogic.Video)}, want: carelogic.Video},
		{name: "built-in code switched off", extra: vr + amb, opts: []Option{WithModalityCode(actCode, "AMB", ""), WithDefaultModality(carelogic.InPerson)}, want: carelogic.Video},
		{name: "built-in code redeclared", extra: amb, opts: []Option{WithModalityCode(actCode, "AMB", carelogic.Video)}, want: carelogic.Video},
		{name: "later option wins", extra: local, opts: []Option{WithModalityCode("urn:example:visit-type", "TELE", carelogic.InPerson), WithModalityCode("urn:example:visit-type", "TELE", carelogic.Video)}, want: carelogic.Video},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{"resourceType":"Appointment","id":"a",` + tt.extra + `"status":"booked"}`
			got, err := DecodeAppointment([]byte(doc), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			want := carelogic.Appointment{ID: "a", Source: "fhir", Kind: carelogic.Individual, Modality: tt.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
