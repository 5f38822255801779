package carelogic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

// quote returns v as a JSON string.
func quote(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestErrorsCarryNoPlantedValues plants patient-looking values (phitest) in every place a JSON schedule can carry
// one, alone and as a field name, and checks that no error of ReadJSON repeats them: not its text, its %+v form
// or a Debug log line of it. Each schedule is broken somewhere, so that there is an error to check.
func TestErrorsCarryNoPlantedValues(t *testing.T) {
	t.Parallel()
	// Templates with %[1]s for a planted value as a JSON string and %[2]s for it inside a string.
	templates := []string{
		// Each field of an appointment, the appointment broken by the value or by a duration of 0.
		`{"appointments": [{"id": %[1]s, "kind": "group", "modality": "video", "start": "2030-03-04T09:00:00Z", "duration_minutes": 0, "participants": [{"client_id": "c-1"}]}]}`,
		`{"appointments": [{"id": "a-1", "source": %[1]s, "series_id": %[1]s, "provider_id": %[1]s, "activity": %[1]s, "comments": %[1]s, "oncall_url": %[1]s, "duration_minutes": 0}]}`,
		`{"appointments": [{"id": "a-1", "kind": %[1]s, "modality": %[1]s, "start": %[1]s, "updated_at": %[1]s, "duration_minutes": %[1]s, "deleted": %[1]s}]}`,
		`{"appointments": [{"id": "a-1", "participants": %[1]s}]}`,
		`{"appointments": [{"id": "a-1", "participants": [%[1]s, {"client_id": %[1]s, "name": %[1]s, "email": %[1]s, "status": %[1]s}, {"client_id": %[1]s}]}]}`,
		`{"appointments": [{"id": "a-1", "participants": [{"client_id": 1, "name": [%[1]s], "email": {"x": %[1]s}, "status": 5}]}]}`,
		`{"appointments": [%[1]s]}`,
		`{"appointments": %[1]s}`,
		`[%[1]s]`,
		`%[1]s`,
		// Two appointments with the same id.
		`{"appointments": [{"id": %[1]s, "source": %[1]s, "duration_minutes": 0}, {"id": %[1]s, "source": %[1]s}]}`,
		// The value as a field name, at every level, and as the key of a map nested in an unknown field.
		`{"appointments": [], %[1]s: 1}`,
		`{%[1]s: [], "appointments": []}`,
		`{"appointments": [{"id": "a-1", %[1]s: 1, "x": {%[1]s: {%[1]s: [%[1]s]}}}]}`,
		`{"appointments": [{"id": "a-1", "participants": [{"client_id": "c-1", %[1]s: %[1]s}]}]}`,
		// Broken JSON just after the value.
		`{"appointments": [{"id": %[1]s`,
		`{"appointments": [{"id": %[1]s,, }]}`,
		`{"appointments": [{"id": "%[2]s\q"}]}`,
		`{"appointments": [{"id": %[2]s}]}`,
		`{"appointments": []} %[1]s`,
		// Limits passed under a member named by the value.
		`{"appointments": [{"id": "a-1", %[1]s: {"participants": [` + strings.Repeat(`1,`, carelogic.MaxParticipants) + `1]}}]}`,
		`{"appointments": [{"id": "a-1", %[1]s: ` + strings.Repeat("[", carelogic.MaxJSONDepth) + strings.Repeat("]", carelogic.MaxJSONDepth) + `}]}`,
	}
	for _, v := range phitest.All() {
		inner := strings.Trim(quote(v), `"`)
		for i, tmpl := range templates {
			doc := fmt.Sprintf(tmpl, quote(v), inner)
			_, err := carelogic.ReadJSON(strings.NewReader(doc))
			if err == nil {
				t.Errorf("template %d with %q: no error", i, v)
				continue
			}
			phitest.CheckValue(t, fmt.Sprintf("ReadJSON, template %d", i), err)
		}
	}
}

// TestWriteAndValidateErrorsCarryNoPlantedValues plants the values in an appointment's fields for Validate,
// WriteJSON and Memory, which report on appointments a caller built.
func TestWriteAndValidateErrorsCarryNoPlantedValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, v := range phitest.All() {
		a := carelogic.Appointment{
			ID: v, Source: v, SeriesID: v, Kind: carelogic.Kind(v), Modality: carelogic.Modality(v), ProviderID: v,
			Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC), Duration: 50*time.Minute + time.Second, Activity: v,
			Participants: []carelogic.Participant{
				{ClientID: v, Name: v, Email: v, Status: carelogic.Status(v)},
				{ClientID: v, Name: v, Email: v, Status: "kept"},
				{Name: v},
			},
			Comments: v, OnCallURL: v,
		}
		err := a.Validate()
		phitest.CheckValue(t, "Validate", err)
		err = carelogic.WriteJSON(&strings.Builder{}, []carelogic.Appointment{a, a})
		phitest.CheckValue(t, "WriteJSON", err)

		m := carelogic.NewMemory()
		for name, err := range map[string]error{
			"Delete":               m.Delete(v),
			"SetParticipantStatus": m.SetParticipantStatus(ctx, v, v, carelogic.StatusDNS),
			"AddComment":           m.AddComment(ctx, v, v),
			"SetOnCallURL":         m.SetOnCallURL(ctx, v, v),
			"UpdateAppointment":    m.UpdateAppointment(ctx, a),
		} {
			if err == nil {
				t.Errorf("Memory.%s(%q): no error", name, v)
			}
			phitest.CheckValue(t, "Memory."+name, err)
		}
		_, err = m.Appointment(ctx, v)
		phitest.CheckValue(t, "Memory.Appointment", err)
		_, err = m.CreateAppointment(ctx, a)
		phitest.CheckValue(t, "Memory.CreateAppointment", err)

		valid := carelogic.Appointment{ID: "g-1", Kind: carelogic.Group, Modality: carelogic.Video, Start: a.Start,
			Duration: time.Hour, Participants: []carelogic.Participant{{ClientID: "c-1"}}}
		m.Put(valid)
		err = m.SetParticipantStatus(ctx, "g-1", v, carelogic.StatusDNS)
		if err == nil {
			t.Errorf("SetParticipantStatus of a client not on the appointment: no error")
		}
		phitest.CheckValue(t, "Memory.SetParticipantStatus", err)
	}
}

// TestSourceErrorCarriesNoPlantedValues reads a folder of schedules broken in every way with planted values,
// and checks the *SourceError's lines.
func TestSourceErrorCarriesNoPlantedValues(t *testing.T) {
	t.Parallel()
	files := map[string]string{"good.json": carelogic.Schedule(carelogic.OkAppt)}
	for i, v := range phitest.All() {
		files[fmt.Sprintf("bad-%d.json", i)] = `{"appointments": [{"id": ` + quote(v) + `, ` + quote(v) + `: 1, "kind": ` + quote(v) + `}]}`
		files[fmt.Sprintf("cut-%d.json", i)] = `{"appointments": [{"id": ` + quote(v)
		files[fmt.Sprintf("again-%d.json", i)] = carelogic.Schedule(carelogic.WithField("id", `"a-1"`), carelogic.WithField("name", quote(v)))
		files[fmt.Sprintf("notes-%d.txt", i)] = "Call " + v
	}
	dir := sourcetest.WriteTree(t, files, nil)
	appts, err := carelogic.ReadJSONPath(dir)
	if len(appts) != 1 || err == nil {
		t.Fatalf("ReadJSONPath: %d appointments, %v", len(appts), err)
	}
	phitest.CheckValue(t, "ReadJSONPath", err)
	for i := range phitest.All() {
		_, err := carelogic.ReadJSONPath(filepath.Join(dir, fmt.Sprintf("notes-%d.txt", i)))
		phitest.CheckValue(t, "ReadJSONPath of a file named on its own", err)
	}
}
