package fhir

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

func quote(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// privacyTemplates are FHIR documents with %[1]s for a planted value as a JSON string and %[2]s for it inside a
// string: in every element the package reads, in the wrong type, as a member name and a map key, as the
// resourceType and id, before broken JSON, and on the path to a limit. Each document is broken somewhere, so that
// there is an error to check.
var privacyTemplates = []string{
	`{"resourceType": %[1]s, "id": %[1]s}`,
	`{"resourceType": "Patient", "id": %[1]s, "name": [{"text": %[1]s}]}`,
	`{"resourceType": "Appointment", "id": %[1]s, "status": %[1]s}`,
	`{"resourceType": "Appointment", "id": %[1]s, "status": "booked", "start": %[1]s}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "end": %[1]s, "comment": %[1]s, "description": %[1]s}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "meta": {"lastUpdated": %[1]s}}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "minutesDuration": %[1]s}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "identifier": [{"value": %[1]s, "system": %[1]s}], "meta": %[1]s}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "participant": [{"actor": {"reference": %[1]s, "display": %[1]s, "type": %[1]s, "identifier": {"value": %[1]s}}, "status": %[1]s}], "start": "x"}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "participant": [{"actor": {"reference": "Patient/1", "display": %[1]s}, "extension": [{"url": "` + ParticipantStatusExtension + `", "valueString": %[1]s}]}]}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "participant": [{"actor": {"reference": %[1]s}, "extension": [{"url": "` + ParticipantStatusExtension + `", "valueCode": {%[1]s: %[1]s}}]}]}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "participant": %[1]s}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "contained": [{"resourceType": "Patient", "id": %[1]s, "name": [{"text": %[1]s}], "telecom": [{"system": "email", "value": %[1]s, "rank": %[1]s}]}]}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "contained": [%[1]s]}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", "serviceType": [{"text": %[1]s, "coding": %[1]s}]}`,
	`{"resourceType": "Bundle", "id": %[1]s, "entry": %[1]s}`,
	`{"resourceType": "Bundle", "id": %[1]s, "entry": [%[1]s]}`,
	`{"resourceType": "Bundle", "entry": [{"fullUrl": {%[1]s: 1}, "resource": {"resourceType": "Appointment", "id": %[1]s}}]}`,
	`{"resourceType": "Bundle", "entry": [{"fullUrl": %[1]s, "resource": %[1]s}, {"resource": {"resourceType": %[1]s}}]}`,
	`{"resourceType": "Bundle", "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": %[1]s, "name": {"text": %[1]s}, "telecom": [{"value": %[1]s, "rank": %[1]s}]}}, {"resource": {"resourceType": "Appointment", "id": %[1]s, "status": %[1]s, "participant": [{"actor": {"reference": "urn:uuid:1"}}]}}]}`,
	`{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Practitioner", "id": %[1]s, "identifier": %[1]s}}]}`,
	`{"resourceType": "Appointment", "id": "a-1", "status": "booked", %[1]s: {%[1]s: 1}, "start": "x"}`,
	`{"resourceType": "Appointment", "id": %[1]s, "status": "booked", "participant": [{"actor": {%[1]s: 1, "reference": 5}}]}`,
	`{"resourceType": "Appointment", "id": %[1]s`,
	`{"resourceType": "Appointment", "id": %[1]s,, }`,
	`{"resourceType": "Appointment", "id": "%[2]s\q"}`,
	`{"resourceType": "Appointment", "id": %[2]s}`,
	`{"resourceType": "Appointment", "id": "a-1"} %[1]s`,
	`%[1]s`,
	`{"resourceType": "Bundle", %[1]s: {"participant": [` + strings.Repeat(`1,`, carelogic.MaxParticipants) + `1]}}`,
	`{"resourceType": "Bundle", %[1]s: ` + strings.Repeat("[", carelogic.MaxJSONDepth) + strings.Repeat("]", carelogic.MaxJSONDepth) + `}`,
}

// TestErrorsCarryNoPlantedValues plants patient-looking values (phitest) in every place a FHIR document can carry
// one, and checks that no error of Decode, DecodeAppointment or DecodeBundle repeats them: not its text, its %+v
// form or a Debug log line of it.
func TestErrorsCarryNoPlantedValues(t *testing.T) {
	t.Parallel()
	for _, v := range phitest.All() {
		inner := strings.Trim(quote(v), `"`)
		for i, tmpl := range privacyTemplates {
			doc := []byte(fmt.Sprintf(tmpl, quote(v), inner))
			_, err := Decode(doc)
			if err == nil {
				t.Errorf("template %d with %q: no error", i, v)
				continue
			}
			phitest.CheckValue(t, fmt.Sprintf("Decode, template %d", i), err)
			_, err = DecodeAppointment(doc)
			phitest.CheckValue(t, fmt.Sprintf("DecodeAppointment, template %d", i), err)
			_, err = DecodeBundle(doc)
			phitest.CheckValue(t, fmt.Sprintf("DecodeBundle, template %d", i), err)
		}
	}
}

// TestReadPathCarriesNoPlantedValues reads a folder of those documents, and of files of other kinds holding the
// values, and checks the *carelogic.SourceError, the reasons of Skipped and Source.Appointment's error.
func TestReadPathCarriesNoPlantedValues(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"good.json": `{"resourceType": "Appointment", "id": "a-1", "status": "booked"}`,
	}
	for j, v := range phitest.All() {
		for i, tmpl := range privacyTemplates {
			files[fmt.Sprintf("doc-%d-%d.json", j, i)] = fmt.Sprintf(tmpl, quote(v), strings.Trim(quote(v), `"`))
		}
		files[fmt.Sprintf("other-%d.json", j)] = `{"resourceType": ` + quote(v) + `, "id": ` + quote(v) + `}`
		files[fmt.Sprintf("notes-%d.txt", j)] = "Call " + v
		files[fmt.Sprintf("again-%d.json", j)] = `{"resourceType": "Appointment", "id": "a-1", "status": "booked", "comment": ` + quote(v) + `}`
	}
	dir := sourcetest.WriteTree(t, files, nil)
	src, err := ReadPath(dir)
	if src == nil || err == nil {
		t.Fatalf("ReadPath: %v, %v", src, err)
	}
	phitest.CheckValue(t, "ReadPath", err)
	for _, s := range src.Skipped() {
		phitest.CheckValue(t, "Skip.Reason", s.Reason)
	}
	for j, v := range phitest.All() {
		_, err := src.Appointment(t.Context(), v)
		phitest.CheckValue(t, "Source.Appointment", err)
		_, err = ReadPath(filepath.Join(dir, fmt.Sprintf("other-%d.json", j)))
		phitest.CheckValue(t, "ReadPath of a file named on its own", err)
	}
}
