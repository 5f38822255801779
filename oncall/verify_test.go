package oncall_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

// answerWith returns the canned appointment 1234 on caBase with fields replaced by those in patch (a JSON object;
// a null value removes the field).
func answerWith(t *testing.T, patch string) string {
	t.Helper()
	var a, p map[string]any
	if err := json.Unmarshal([]byte(appointmentJSON(caBase, 1234)), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(patch), &p); err != nil {
		t.Fatal(err)
	}
	for k, v := range p {
		if v == nil {
			delete(a, k)
			continue
		}
		a[k] = v
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The answer of an update is checked field by field against what was sent: a field the answer does not show as
// sent is named in a *WriteIgnoredError, and the appointment the server answered with is returned with it.
func TestUpdateVerifiesAnswer(t *testing.T) {
	t.Parallel()
	kept := caBase + "participants/123456/" // the canned appointment's one participant
	tests := []struct {
		name   string
		update oncall.AppointmentUpdateParams
		answer string // changes to the canned appointment
		want   []string
	}{
		{name: "every field taken", update: oncall.AppointmentUpdateParams{
			Title: oncall.Ptr("  Follow-up "), Type: oncall.Ptr(oncall.TypePhone), Duration: oncall.Ptr(45),
			DateTime: oncall.Ptr(time.Date(2026, 2, 1, 10, 30, 15, 999, time.UTC)), Division: oncall.Ptr(oncall.DivisionID(124)),
			Provider: oncall.Ptr(oncall.ProviderID(78)), Status: oncall.Ptr(oncall.StatusNoShow), Cancelled: oncall.Ptr(false),
			Metadata: oncall.Metadata{"emr_id": "CL-1", "n": 7, "ok": true, "gone": nil},
		}, answer: `{"title": "Follow-up", "type": "phone", "duration": 45, "datetime": "2026-02-01T10:30:15Z",
			"division": "` + caBase + `divisions/124/", "provider": "` + caBase + `providers/78/", "status": "No show",
			"cancelled": false, "metadata": {"emr_id": "CL-1", "n": 7, "ok": true, "gone": null}}`},
		{name: "status dropped", update: oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusNoShow)},
			answer: `{"status": "Incomplete"}`, want: []string{"status"}},
		{name: "status not in the answer cannot be checked", update: oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusNoShow)},
			answer: `{"status": null}`},
		{name: "provider not in the answer cannot be checked", update: oncall.AppointmentUpdateParams{Provider: oncall.Ptr(oncall.ProviderID(78))},
			answer: `{"provider": null}`},
		{name: "cancelled and title dropped", update: oncall.AppointmentUpdateParams{Title: oncall.Ptr("New"), Cancelled: oncall.Ptr(true)},
			want: []string{"title", "cancelled"}},
		{name: "metadata merged instead of replaced", update: oncall.AppointmentUpdateParams{Metadata: oncall.Metadata{"emr_id": "CL-1234"}},
			want: []string{"metadata"}},
		{name: "metadata integer read back as int64", update: oncall.AppointmentUpdateParams{
			Metadata: oncall.Metadata{"emr_id": "CL-1234", "series": int32(42), "telehealth": true}}},
		{name: "participant cancelled", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "test  PATIENT", Email: "Test.Patient@Example.com", Cancelled: true}}},
			answer: `{"participants": [{"url": "` + kept + `", "name": "Test Patient", "email": "test.patient@example.com", "cancelled": true}]}`},
		{name: "participant cancellation dropped", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "Test Patient", Email: "test.patient@example.com", Cancelled: true}}},
			want: []string{"participants"}},
		{name: "participant added", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("10.5")},
			{Name: "New Patient", Email: "new@example.com", Fee: oncall.MustDecimal("10")}}},
			answer: `{"participants": [{"url": "` + kept + `", "name": "Test Patient", "email": "test.patient@example.com", "fee": "10.50"},
				{"url": "` + caBase + `participants/9/", "name": "New Patient", "email": "new@example.com", "fee": 10.00}]}`},
		{name: "participants array ignored", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "Test Patient", Email: "test.patient@example.com"}, {Name: "New Patient", Email: "new@example.com"}}},
			want: []string{"participants"}},
		{name: "participant removed", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{Name: "New Patient", Email: "new@example.com"}}},
			answer: `{"participants": [{"url": "` + caBase + `participants/9/", "name": "New Patient", "email": "new@example.com"}]}`},
		{name: "participant removal ignored", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{Name: "New Patient", Email: "new@example.com"}}},
			answer: `{"participants": [{"url": "` + kept + `", "name": "Test Patient", "email": "test.patient@example.com"},
				{"url": "` + caBase + `participants/9/", "name": "New Patient", "email": "new@example.com"}]}`,
			want: []string{"participants"}},
		{name: "a kept participant's new email dropped", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "Test Patient", Email: "changed@example.com"}}},
			want: []string{"participants"}},
		{name: "fee dropped", update: oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: kept, Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("11")}}},
			want: []string{"participants"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			answer := appointmentJSON(caBase, 1234)
			if tt.answer != "" {
				answer = answerWith(t, tt.answer)
			}
			api.onJSON("PATCH", caBase+"appointments/1234/", 200, answer)
			got, err := c.Appointments.Update(t.Context(), 1234, &tt.update)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
				return
			}
			var wi *oncall.WriteIgnoredError
			if !errors.As(err, &wi) || !errors.Is(err, oncall.ErrWriteIgnored) {
				t.Fatalf("Update = %v, want a *WriteIgnoredError", err)
			}
			want := &oncall.WriteIgnoredError{Method: "PATCH", Path: "/appointments/1234/", Fields: tt.want}
			if diff := cmp.Diff(want, wi); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got == nil || got.ID != 1234 {
				t.Errorf("Update returned %v with the error, want the appointment as answered", got)
			}
			for _, secret := range []string{"Patient", "example.com", "New", "CL-"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error text %q holds a value the request sent (%q)", err, secret)
				}
			}
		})
	}
}

// A create is checked the same way: the answer must show the title, type, time, duration, division, every
// invitee and the metadata as sent.
func TestCreateVerifiesAnswer(t *testing.T) {
	t.Parallel()
	create := func() *oncall.AppointmentCreateParams {
		return &oncall.AppointmentCreateParams{Title: "Intake", Type: oncall.TypeOnline, Duration: 60, Division: 123, Provider: 77,
			DateTime:     time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC),
			Participants: []oncall.ParticipantParams{{Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("10.5")}},
			Metadata:     oncall.Metadata{"emr_id": "CL-1234", "series": 42, "telehealth": true}}
	}
	tests := []struct {
		name   string
		answer string
		want   []string
	}{
		{name: "taken", answer: `{"title": "Intake"}`},
		{name: "provider left out of the answer", answer: `{"title": "Intake", "provider": null}`},
		{name: "metadata dropped", answer: `{"title": "Intake", "metadata": {}}`, want: []string{"metadata"}},
		{name: "an invitee missing", answer: `{"title": "Intake", "participants": []}`, want: []string{"participants"}},
		{name: "another provider", answer: `{"title": "Intake", "provider": "` + caBase + `providers/78/"}`, want: []string{"provider"}},
		{name: "time and duration changed", answer: `{"title": "Intake", "datetime": "2026-01-15T10:00:00Z", "duration": 50}`,
			want: []string{"datetime", "duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			api.onJSON("POST", caBase+"appointments/", 201, answerWith(t, tt.answer))
			got, err := c.Appointments.Create(t.Context(), create())
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				return
			}
			want := &oncall.WriteIgnoredError{Method: "POST", Path: "/appointments/", Fields: tt.want}
			var wi *oncall.WriteIgnoredError
			if !errors.As(err, &wi) {
				t.Fatalf("Create = %v, want a *WriteIgnoredError", err)
			}
			if diff := cmp.Diff(want, wi); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got == nil || got.ID != 1234 {
				t.Errorf("Create returned %v with the error, want the appointment it created", got)
			}
		})
	}
}

// The participant extension's writes are checked too: a server without a participant status field answers
// without it, which is an ErrWriteIgnored, and one without the endpoints answers 405, an ErrMethodNotAllowed.
func TestParticipantExtensionVerified(t *testing.T) {
	t.Parallel()
	c, api := newStubAPI(t, oncall.RegionCA)
	api.onJSON("PATCH", caBase+"participants/56/", 200, participantJSON(caBase, 56))
	_, err := c.Participants.SetStatus(t.Context(), 56, oncall.ParticipantNoShow)
	want := &oncall.WriteIgnoredError{Method: "PATCH", Path: "/participants/56/", Fields: []string{"status"}}
	var wi *oncall.WriteIgnoredError
	if !errors.As(err, &wi) {
		t.Fatalf("SetStatus = %v, want a *WriteIgnoredError", err)
	}
	if diff := cmp.Diff(want, wi); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}

	api.onJSON("POST", caBase+"participants/", http.StatusMethodNotAllowed, `{"detail": "Method \"POST\" not allowed."}`)
	_, err = c.Participants.Create(t.Context(), &oncall.ParticipantCreateParams{Appointment: 1234,
		ParticipantParams: oncall.ParticipantParams{Name: "Ada Patient", Email: "ada.patient@example.com"}})
	if !errors.Is(err, oncall.ErrMethodNotAllowed) {
		t.Errorf("Create = %v, want ErrMethodNotAllowed", err)
	}
}

// A participants list is checked before anything is sent.
func TestUpdateParticipantsValidation(t *testing.T) {
	t.Parallel()
	entry := func(url string) oncall.ParticipantEntry {
		return oncall.ParticipantEntry{URL: url, Name: "Jane Roe", Email: "jane.roe@example.com"}
	}
	many := make([]oncall.ParticipantEntry, 26)
	for i := range many {
		many[i] = entry("")
	}
	tests := []struct {
		name string
		p    oncall.AppointmentUpdateParams
		want []string
	}{
		{"empty list", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{}},
			[]string{"participants: empty; an appointment keeps at least one participant (cancel it instead)"}},
		{"26 entries", oncall.AppointmentUpdateParams{Participants: many}, []string{"participants: 26 given, at most 25"}},
		{"someone new without a name or email", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: caBase + "participants/5/"}, {Cancelled: true}}},
			[]string{"participants[1]: name is required", "participants[1]: email is missing or malformed"}},
		{"a negative fee", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			{URL: caBase + "participants/5/", Fee: oncall.MustDecimal("-1")}}},
			[]string{"participants[0]: fee is negative"}},
		{"one participant twice", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			entry(caBase + "participants/5/"), entry(caBase + "participants/5/")}},
			[]string{"participants[1]: the same participant URL is listed twice"}},
		{"unknown status", oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.AppointmentStatus("Jane Roe"))},
			[]string{"status (a value of 8 characters): not one of OnCall's appointment statuses"}},
		{"participant on the other region", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			entry("https://api.oncallhealth.us/participants/5/")}},
			[]string{"participants[0]: url: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"}},
		{"another kind of resource", oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{
			entry(caBase + "contacts/5/")}},
			[]string{"participants[0]: url names a contact resource, not a participant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			_, err := c.Appointments.Update(t.Context(), 1234, &tt.p)
			var ve *oncall.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Update = %v, want a *ValidationError", err)
			}
			if diff := cmp.Diff(tt.want, ve.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			api.assertNothingSent(t)
		})
	}
}

// An existing participant without an email (a co-host OnCall holds so, say) is sent back without one: the update
// is not refused, and the request leaves the field out rather than blanking it.
func TestUpdateKeepsParticipantWithoutEmail(t *testing.T) {
	t.Parallel()
	c, api := newStubAPI(t, oncall.RegionCA)
	api.onEcho("PATCH", caBase+"appointments/1234/", 200, appointmentJSON(caBase, 1234), caBase, 1234)
	kept := oncall.ParticipantEntry{URL: caBase + "participants/123456/", Name: "Co Host"}
	if _, err := c.Appointments.Update(t.Context(), 1234, &oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{kept}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := map[string]any{"participants": []any{map[string]any{"url": kept.URL, "name": "Co Host", "cancelled": false}}}
	if diff := cmp.Diff(want, decodeBody(t, api.requests()[0].Body)); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}
