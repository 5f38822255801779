package fhir_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/carelogic/fhir"
)

func ExampleDecodeAppointment() {
	resource := []byte(`{
	  "resourceType": "Appointment",
	  "id": "a-1001",
	  "status": "cancelled",
	  "cancelationReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", "code": "pat"}]},
	  "serviceType": [{"text": "Individual therapy"}],
	  "appointmentType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "VR"}]},
	  "start": "2026-03-10T09:00:00-05:00",
	  "end": "2026-03-10T09:50:00-05:00",
	  "participant": [
	    {"actor": {"reference": "Patient/c-17", "display": "Sam Example"}, "status": "accepted"},
	    {"actor": {"reference": "Practitioner/staff-4"}, "status": "accepted"}
	  ]
	}`)
	a, err := fhir.DecodeAppointment(resource, fhir.WithSource("clinic-fhir"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Key(), a.Kind, a.Modality, a.Activity)
	fmt.Println(a.Start.UTC().Format(time.RFC3339), a.Duration, "provider", a.ProviderID)
	for _, p := range a.Participants {
		fmt.Println(p.ClientID, p.Status)
	}
	// Output:
	// clinic-fhir/a-1001 individual video Individual therapy
	// 2026-03-10T14:00:00Z 50m0s provider staff-4
	// c-17 CBC
}

// A group session is one Appointment with several Patient participants. This package's participant status
// extension gives one client's outcome where the others differ.
func ExampleDecodeAppointment_group() {
	resource := []byte(`{
	  "resourceType": "Appointment",
	  "id": "g-20",
	  "status": "fulfilled",
	  "start": "2026-03-03T18:00:00Z",
	  "minutesDuration": 60,
	  "participant": [
	    {"actor": {"reference": "Patient/c-1"}, "status": "accepted"},
	    {"actor": {"reference": "Patient/c-2"}, "status": "accepted",
	     "extension": [{"url": "https://github.com/oncallsync/oncall-go/StructureDefinition/participant-status", "valueCode": "DNS"}]},
	    {"actor": {"reference": "Patient/c-3"}, "status": "declined"}
	  ]
	}`)
	a, err := fhir.DecodeAppointment(resource, fhir.WithDefaultModality(carelogic.InPerson))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.ID, a.Kind, a.Modality, a.Duration)
	for _, p := range a.Participants {
		fmt.Println(p.ClientID, p.Status)
	}
	// Output:
	// g-20 group in-person 1h0m0s
	// c-1 Kept
	// c-2 DNS
	// c-3 CBC
}

func ExampleDecode_errors() {
	_, err := fhir.Decode([]byte(`{"resourceType": "Appointment", "id": "a-7", "status": "booked", "start": "2026-03-10 09:00"}`))
	fmt.Println(err)
	var de *fhir.DecodeError
	if errors.As(err, &de) {
		fmt.Println("field:", de.Field)
	}

	_, err = fhir.Decode([]byte(`{"resourceType": "AppointmentResponse", "id": "r-1"}`))
	fmt.Println(errors.Is(err, fhir.ErrUnsupportedResource))
	// Output:
	// fhir: Appointment "a-7": start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)
	// field: start
	// true
}

func ExampleDecodeBundle() {
	bundle := []byte(`{
	  "resourceType": "Bundle",
	  "type": "searchset",
	  "entry": [
	    {"resource": {
	      "resourceType": "Appointment", "id": "a-1", "status": "booked",
	      "start": "2026-03-10T14:00:00Z", "end": "2026-03-10T15:00:00Z",
	      "participant": [
	        {"actor": {"reference": "Patient/c-1"}, "status": "accepted"},
	        {"actor": {"reference": "Patient/c-2"}, "status": "accepted"},
	        {"actor": {"reference": "Practitioner/p-9"}, "status": "accepted"}
	      ]}},
	    {"fullUrl": "https://ehr.example.org/fhir/Patient/c-1", "resource": {
	      "resourceType": "Patient", "id": "c-1",
	      "name": [{"given": ["Avery"], "family": "Example"}],
	      "telecom": [{"system": "email", "value": "avery@example.org"}]}},
	    {"fullUrl": "https://ehr.example.org/fhir/Patient/c-2", "resource": {
	      "resourceType": "Patient", "id": "c-2",
	      "name": [{"text": "Blake Example"}],
	      "telecom": [{"system": "email", "value": "blake@example.org"}]}},
	    {"fullUrl": "https://ehr.example.org/fhir/Practitioner/p-9", "resource": {
	      "resourceType": "Practitioner", "id": "p-9",
	      "identifier": [{"system": "urn:example:carelogic-staff-id", "value": "S-0042"}]}}
	  ]
	}`)
	appts, err := fhir.DecodeBundle(bundle, fhir.WithProviderIdentifierSystem("urn:example:carelogic-staff-id"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range appts {
		fmt.Println(a.ID, a.Kind, "provider", a.ProviderID)
		for _, p := range a.Participants {
			fmt.Printf("  %s %q <%s> %s\n", p.ClientID, p.Name, p.Email, p.Status)
		}
	}
	// Output:
	// a-1 group provider S-0042
	//   c-1 "Avery Example" <avery@example.org> Scheduled
	//   c-2 "Blake Example" <blake@example.org> Scheduled
}

func ExampleReadPath() {
	src, err := fhir.ReadPath("testdata", fhir.WithSource("demo-fhir"), fhir.WithDefaultModality(carelogic.InPerson))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Source is a carelogic.Adapter, ready for the syncer.
	var adapter carelogic.Adapter = src
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for a, err := range adapter.Appointments(context.Background(), from, from.AddDate(0, 1, 0)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(a.Key(), a.Start.Format(time.DateTime), a.Kind, len(a.Participants), "client(s)", a.Participants[0].Status)
	}
	// Output:
	// demo-fhir/bg-1 2026-02-24 16:00:00 group 2 client(s) Scheduled
	// demo-fhir/bg-2 2026-02-25 16:00:00 individual 1 client(s) DNS
}
