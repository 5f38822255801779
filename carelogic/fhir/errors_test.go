package fhir

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/oncallsync/oncall-go/carelogic"
)

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	const ext = `"url":"https://github.com/oncallsync/oncall-go/StructureDefinition/participant-status"`
	tests := []struct {
		name   string
		json   string
		want   string       // the error text
		field  string       // DecodeError.Field
		is     error        // a cause errors.Is must find, if any
		as     any          // a cause errors.As must find, if any
		decode func() error // another entry point than Decode, if any
	}{
		// encoding/json's *SyntaxError is not kept: its text quotes a character of the input.
		{name: "not JSON", json: `not json`, want: "fhir: invalid JSON at byte offset 2"},
		{name: "empty input", json: ``, want: "fhir: invalid JSON at byte offset 0"},
		{name: "truncated", json: `{"resourceType":"Appointment","status":"boo`, want: "fhir: invalid JSON at byte offset 43"},
		{name: "array", json: `[]`, want: "fhir: JSON array where an object expected", as: new(*json.UnmarshalTypeError)},
		{name: "no resourceType", json: `{}`, want: "fhir: resourceType: missing", field: "resourceType"},
		{name: "null", json: `null`, want: "fhir: resourceType: missing", field: "resourceType"},
		{name: "resourceType a number", json: `{"resourceType":5}`, want: "fhir: resourceType: JSON number where a string expected", field: "resourceType"},
		{
			name: "wrong resourceType", json: `{"resourceType":"Patient","id":"p-1"}`,
			want: "fhir: Patient: not an Appointment or Bundle", is: ErrUnsupportedResource,
		},
		{
			name: "resourceType not a type name", json: `{"resourceType":"appointment"}`,
			want: "fhir: resourceType: (a value of 11 characters) is not a FHIR R4 resource type, want an Appointment or Bundle", field: "resourceType", is: ErrUnsupportedResource,
		},
		{
			// A name where the resourceType belongs has the shape of a type name: only R4's own types are shown.
			name: "resourceType a name", json: `{"resourceType":"JaneRoe"}`,
			want: "fhir: resourceType: (a value of 7 characters) is not a FHIR R4 resource type, want an Appointment or Bundle", field: "resourceType", is: ErrUnsupportedResource,
		},
		{
			name: "Bundle given to DecodeAppointment",
			decode: func() error {
				_, err := DecodeAppointment([]byte(`{"resourceType":"Bundle","id":"b1"}`))
				return err
			},
			want: `fhir: Bundle "b1": not an Appointment (use Decode or DecodeBundle for a Bundle)`, is: ErrUnsupportedResource,
		},
		{
			name: "Appointment given to DecodeBundle",
			decode: func() error {
				_, err := DecodeBundle([]byte(`{"resourceType":"Appointment","id":"a1","status":"booked"}`))
				return err
			},
			want: `fhir: Appointment "a1": not a Bundle (use Decode or DecodeAppointment for an Appointment)`, is: ErrUnsupportedResource,
		},
		{
			name: "AppointmentResponse given to DecodeBundle",
			decode: func() error {
				_, err := DecodeBundle([]byte(`{"resourceType":"AppointmentResponse","id":"r1"}`))
				return err
			},
			want: `fhir: AppointmentResponse: not a Bundle`, is: ErrUnsupportedResource,
		},
		{name: "missing status", json: `{"resourceType":"Appointment","id":"a1"}`, want: `fhir: Appointment "a1": status: missing (it is required)`, field: "status"},
		{name: "unknown status", json: `{"resourceType":"Appointment","id":"a1","status":"done"}`, want: `fhir: Appointment "a1": status: not an R4 Appointment status code`, field: "status"},
		{name: "status in the wrong case", json: `{"resourceType":"Appointment","id":"a1","status":"Booked"}`, want: `fhir: Appointment "a1": status: not an R4 Appointment status code`, field: "status"},
		{
			name: "start a date only", json: `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2021-09-24"}`,
			want: `fhir: Appointment "a1": start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "start",
		},
		{
			name: "start without a zone", json: `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2021-09-24T09:30:00"}`,
			want: `fhir: Appointment "a1": start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "start",
		},
		{
			name: "start in HL7 v2 form", json: `{"resourceType":"Appointment","id":"a1","status":"booked","start":"20210924093000+0215"}`,
			want: `fhir: Appointment "a1": start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "start",
		},
		{
			name: "bad end", json: `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2021-09-24T09:30:00Z","end":"2021-09-24T25:00:00Z"}`,
			want: `fhir: Appointment "a1": end: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "end",
		},
		{
			name: "end before start", json: `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2021-09-24T10:00:00Z","end":"2021-09-24T11:00:00+02:00"}`,
			want: `fhir: Appointment "a1": end: before start`, field: "end",
		},
		{
			name: "minutesDuration not whole", json: `{"resourceType":"Appointment","id":"a1","status":"booked","minutesDuration":1.5}`,
			want: `fhir: Appointment "a1": minutesDuration: JSON number where an integer expected`, field: "minutesDuration", as: new(*json.UnmarshalTypeError),
		},
		{
			name: "minutesDuration zero and used", json: `{"resourceType":"Appointment","id":"a1","status":"booked","minutesDuration":0}`,
			want: `fhir: Appointment "a1": minutesDuration: must be a positive whole number of minutes, at most 153722867`, field: "minutesDuration",
		},
		{
			name: "minutesDuration too long for a Duration", json: `{"resourceType":"Appointment","id":"a1","status":"booked","minutesDuration":153722868}`,
			want: `fhir: Appointment "a1": minutesDuration: must be a positive whole number of minutes, at most 153722867`, field: "minutesDuration",
		},
		{
			name: "bad lastUpdated", json: `{"resourceType":"Appointment","id":"a1","status":"booked","meta":{"lastUpdated":"yesterday"}}`,
			want: `fhir: Appointment "a1": meta.lastUpdated: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "meta.lastUpdated",
		},
		{
			name: "status extension without valueCode",
			json: `{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/p"}},{"actor":{"reference":"Patient/q"},"extension":[{` + ext + `,"valueString":"DNS"}]}]}`,
			want: `fhir: Appointment "a1": participant[1].extension[0].valueCode: missing (the participant status extension needs a valueCode)`, field: "participant[1].extension[0].valueCode",
		},
		{
			name: "status extension with an empty valueCode",
			json: `{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/p"},"extension":[{"url":"x"},{` + ext + `,"valueCode":" "}]}]}`,
			want: `fhir: Appointment "a1": participant[0].extension[1].valueCode: empty`, field: "participant[0].extension[1].valueCode",
		},
		{
			name: "reference not a string", json: `{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":42}}]}`,
			want: `fhir: Appointment "a1": participant.actor.reference: JSON number where a string expected`, field: "participant.actor.reference",
		},
		{
			name: "participant not an array", json: `{"resourceType":"Appointment","id":"a1","status":"booked","participant":{}}`,
			want: `fhir: Appointment "a1": participant: JSON object where an array expected`, field: "participant",
		},
		{
			name: "contained resource not an object", json: `{"resourceType":"Appointment","id":"a1","status":"booked","contained":[true]}`,
			want: `fhir: Appointment "a1": contained[0]: JSON bool where an object expected`, field: "contained[0]",
		},
		{
			name: "bad contained Patient", json: `{"resourceType":"Appointment","id":"a1","status":"booked","contained":[{"resourceType":"Patient","name":{}}]}`,
			want: `fhir: Appointment "a1": contained[0].name: JSON object where an array expected`, field: "contained[0].name",
		},
		{
			name: "an id that is not a FHIR id is not repeated", json: `{"resourceType":"Appointment","id":"not an id","status":"booked","start":"x"}`,
			want: `fhir: Appointment (a value of 9 characters): start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "start",
		},
		{
			// A FHIR id may be a name: an id is shown only with a digit in it.
			name: "an id without a digit is not repeated", json: `{"resourceType":"Appointment","id":"JaneRoe","status":"booked","start":"x"}`,
			want: `fhir: Appointment (a value of 7 characters): start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`, field: "start",
		},
		{
			name: "Bundle entry not an array", json: `{"resourceType":"Bundle","id":"b1","entry":{}}`,
			want: `fhir: Bundle "b1": entry: JSON object where an array expected`, field: "entry",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.decode != nil {
				err = tt.decode()
			} else {
				_, err = Decode([]byte(tt.json))
			}
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error text\n got %q\nwant %q", err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if de.Field != tt.field {
				t.Errorf("Field = %q, want %q", de.Field, tt.field)
			}
			if de.Entry != -1 {
				t.Errorf("Entry = %d, want -1 outside a Bundle", de.Entry)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v) = false", tt.is)
			}
			if tt.as != nil && !errors.As(err, tt.as) {
				t.Errorf("errors.As(%T) = false", tt.as)
			}
		})
	}
}

func TestDecodeBundlePartial(t *testing.T) {
	t.Parallel()
	doc := `{"resourceType":"Bundle","id":"b1","type":"searchset","entry":[
		{"resource":{"resourceType":"Appointment","id":"good","status":"booked","participant":[{"actor":{"reference":"Patient/p9"}}]}},
		{"resource":{"resourceType":"Appointment","id":"bad-1","status":"booked","start":"nope"}},
		{"resource":{"resourceType":"Patient","id":"p9","telecom":{"system":"email"}}},
		{"resource":"not a resource"},
		{"resource":{"resourceType":"Observation","status":"final","code":5}},
		{"resource":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Appointment","id":"nested"}}]}}
	]}`
	got, err := DecodeBundle([]byte(doc))
	want := []carelogic.Appointment{{
		ID: "good", Source: "fhir", Kind: carelogic.Individual,
		Participants: []carelogic.Participant{{ClientID: "p9", Status: carelogic.StatusScheduled}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("appointments mismatch (-want +got):\n%s", diff)
	}
	// One error per bad entry, in entry order; the Observation and the nested Bundle are not read.
	wantText := strings.Join([]string{
		`fhir: Bundle entry[1]: Appointment "bad-1": start: not a FHIR instant (YYYY-MM-DDThh:mm:ss[.sss] and a zone)`,
		`fhir: Bundle entry[2]: Patient: telecom: JSON object where an array expected`,
		`fhir: Bundle entry[3]: resource: JSON string where an object expected`,
	}, "\n")
	if err == nil || err.Error() != wantText {
		t.Fatalf("error\n got %v\nwant %s", err, wantText)
	}
	var entries []int
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *DecodeError
		if !errors.As(e, &de) {
			t.Fatalf("%T is not a *DecodeError", e)
		}
		entries = append(entries, de.Entry)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, entries); diff != "" {
		t.Errorf("entries mismatch (-want +got):\n%s", diff)
	}
}

// No error text may carry a patient's name, email, phone number or id, wherever the bad value sits.
func TestErrorsCarryNoPHI(t *testing.T) {
	t.Parallel()
	phi := []string{"Zelda", "Phiname", "zelda@example.org", "5550199", "PAT-SECRET-7"}
	docs := []string{
		// A Patient is not an Appointment: its id is not repeated.
		`{"resourceType":"Patient","id":"PAT-SECRET-7","name":[{"text":"Zelda Phiname"}]}`,
		// Values in the wrong places.
		`{"resourceType":"Zelda Phiname"}`,
		`{"resourceType":"zelda@example.org"}`,
		`{"resourceType":"Appointment","id":"a1","status":"Zelda Phiname"}`,
		`{"resourceType":"Appointment","id":"Zelda Phiname","status":"booked","start":"zelda@example.org"}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","end":"Zelda Phiname"}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","meta":{"lastUpdated":"zelda@example.org"}}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","minutesDuration":5550199.5}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/PAT-SECRET-7","display":5550199}}]}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/PAT-SECRET-7","display":"Zelda Phiname"},"extension":[{"url":"` + ParticipantStatusExtension + `","valueCode":5550199}]}]}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","contained":[{"resourceType":"Patient","id":"PAT-SECRET-7","name":[{"text":"Zelda Phiname"}],"telecom":[{"system":"email","value":"zelda@example.org","rank":"first"}]}]}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","contained":[{"resourceType":"Patient","id":"PAT-SECRET-7","telecom":[{"system":"phone","value":5550199}]}]}`,
		`{"resourceType":"Bundle","entry":[{"fullUrl":"Patient/PAT-SECRET-7","resource":{"resourceType":"Patient","id":"PAT-SECRET-7","name":[{"given":"Zelda"}],"telecom":[{"value":"zelda@example.org"}]}}]}`,
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"PAT-SECRET-7","telecom":[{"system":"phone","value":5550199}]}}]}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/PAT-SECRET-7","display":"Zelda Phiname"}}],"start":"Zelda"}`,
		`{"resourceType":"Appointment","id":"a1","status":"booked","participant":[{"actor":{"reference":"Patient/PAT-SECRET-7"}}],"start":"2026-01-01T10:00:00Z","end":"2026-01-01T09:00:00Z"}`,
	}
	for _, doc := range docs {
		_, err := Decode([]byte(doc))
		if err == nil {
			t.Errorf("Decode(%s): no error", doc)
			continue
		}
		for _, s := range phi {
			if strings.Contains(err.Error(), s) {
				t.Errorf("Decode(%s): error %q contains %q", doc, err, s)
			}
		}
	}
}

func TestDecodeErrorFields(t *testing.T) {
	t.Parallel()
	_, err := Decode([]byte(`{"resourceType":"Bundle","id":"b1","entry":[{"resource":{"resourceType":"Appointment","id":"a7","status":"x"}}]}`))
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DecodeError", err)
	}
	want := &DecodeError{Entry: 0, Resource: "Appointment", ID: "a7", Field: "status"}
	if diff := cmp.Diff(want, de, cmpopts.IgnoreUnexported(DecodeError{})); diff != "" {
		t.Errorf("DecodeError mismatch (-want +got):\n%s", diff)
	}
}
