package oncalltest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// body is a valid create body, changed by edit.
func (w *world) body(edit func(map[string]any)) map[string]any {
	b := map[string]any{
		"title":        "Counselling",
		"type":         "online",
		"datetime":     "2030-03-04T14:00:00Z",
		"duration":     50,
		"division":     fmt.Sprintf("%s/divisions/%d/", w.srv.URL(), w.div),
		"provider":     fmt.Sprintf("%s/providers/%d/", w.srv.URL(), w.prov),
		"participants": []any{map[string]any{"name": "Alex Doe", "email": "alex.doe@example.com"}},
		"metadata":     map[string]any{"emr_id": "E1"},
	}
	if edit != nil {
		edit(b)
	}
	return b
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := w.srv.AddDivision("Uptown Clinic")
	field := func(name string, msgs ...string) map[string]any {
		list := make([]any, len(msgs))
		for i, m := range msgs {
			list[i] = m
		}
		return map[string]any{name: list}
	}
	many := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"name": "P", "email": fmt.Sprintf("p%d@example.com", i)}
		}
		return out
	}
	bigMeta := map[string]any{}
	for i := range 51 {
		bigMeta[fmt.Sprint("k", i)] = i
	}
	tests := []struct {
		name string
		edit func(map[string]any)
		want any
	}{
		{"nothing", func(b map[string]any) { clear(b) }, map[string]any{
			"title": []any{"This field is required."}, "type": []any{"This field is required."},
			"duration": []any{"This field is required."}, "division": []any{"This field is required."},
			"participants": []any{"This field is required."}, "provider": []any{"This field is required."},
		}},
		{"blank title", func(b map[string]any) { b["title"] = "  " }, field("title", "This field may not be blank.")},
		{"long title", func(b map[string]any) { b["title"] = strings.Repeat("x", 256) },
			field("title", "Ensure this field has no more than 255 characters.")},
		{"title not a string", func(b map[string]any) { b["title"] = []int{1} }, field("title", "Not a valid string.")},
		{"unknown type", func(b map[string]any) { b["type"] = "video" }, field("type", `"video" is not a valid choice.`)},
		{"in_person with underscore", func(b map[string]any) { b["type"] = "in_person" },
			field("type", `"in_person" is not a valid choice.`)},
		{"no datetime", func(b map[string]any) { delete(b, "datetime") },
			field("datetime", `This field is required unless type is "message".`)},
		{"null datetime", func(b map[string]any) { b["datetime"] = nil },
			field("datetime", `This field is required unless type is "message".`)},
		{"malformed datetime", func(b map[string]any) { b["datetime"] = "04/03/2030 14:00" },
			field("datetime", "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")},
		{"impossible date", func(b map[string]any) { b["datetime"] = "2030-02-30T14:00:00Z" },
			field("datetime", "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")},
		{"datetime without zone", func(b map[string]any) { b["datetime"] = "2030-03-04T14:00:00" },
			field("datetime", "Datetime has no time zone. Send it in UTC with a Z suffix, or with a UTC offset.")},
		{"duration text", func(b map[string]any) { b["duration"] = "fifty" }, field("duration", "A valid integer is required.")},
		{"duration zero", func(b map[string]any) { b["duration"] = 0 },
			field("duration", "Ensure this value is greater than or equal to 1.")},
		{"duration beyond int32", func(b map[string]any) { b["duration"] = 1 << 31 },
			field("duration", "Ensure this value is less than or equal to 2147483647.")},
		{"division as id", func(b map[string]any) { b["division"] = int(w.div) },
			field("division", "Incorrect type. Expected URL string, received int.")},
		{"division on another host", func(b map[string]any) {
			b["division"] = fmt.Sprintf("https://api.oncallhealth.ca/divisions/%d/", w.div)
		}, field("division", "Invalid hyperlink - URL is not on this server.")},
		{"division without slash", func(b map[string]any) {
			b["division"] = fmt.Sprintf("%s/divisions/%d", w.srv.URL(), w.div)
		}, field("division", "Invalid hyperlink - No URL match.")},
		{"provider URL as division", func(b map[string]any) { b["division"] = b["provider"] },
			field("division", "Invalid hyperlink - Incorrect URL match.")},
		{"unknown division", func(b map[string]any) { b["division"] = w.srv.URL() + "/divisions/9/" },
			field("division", "Invalid hyperlink - Object does not exist.")},
		{"unknown provider", func(b map[string]any) { b["provider"] = w.srv.URL() + "/providers/9/" },
			field("provider", "Invalid hyperlink - Object does not exist.")},
		{"provider of another division", func(b map[string]any) {
			b["division"] = fmt.Sprintf("%s/divisions/%d/", w.srv.URL(), other)
		}, field("provider", "The provider is not a member of this division.")},
		{"coordinator without provider", func(b map[string]any) { delete(b, "provider") },
			field("provider", "This field is required.")},
		{"participants not a list", func(b map[string]any) { b["participants"] = map[string]any{} },
			field("participants", `Expected a list of items but got type "dict".`)},
		{"no participants", func(b map[string]any) { b["participants"] = []any{} },
			field("participants", "This list may not be empty.")},
		{"26 participants", func(b map[string]any) { b["participants"] = many(26) },
			field("participants", "Maximum 25 participants per appointment.")},
		{"bad participants", func(b map[string]any) {
			b["participants"] = []any{
				map[string]any{"name": "Alex Doe", "email": "alex@example.com"},
				map[string]any{"name": "Sam Roe", "email": "sam@", "fee": "10.123"},
				map[string]any{"email": "kim@example.com", "fee": -5},
				"someone",
			}
		}, map[string]any{"participants": []any{
			map[string]any{},
			map[string]any{"email": []any{"Enter a valid email address."}, "fee": []any{"Ensure that there are no more than 2 decimal places."}},
			map[string]any{"name": []any{"This field is required."}, "fee": []any{"Ensure this value is greater than or equal to 0."}},
			map[string]any{"non_field_errors": []any{"Invalid data. Expected a dictionary, but got str."}},
		}}},
		{"nested metadata", func(b map[string]any) { b["metadata"] = map[string]any{"ehr": map[string]any{"id": 1}} },
			field("metadata", `Metadata value of "ehr": values must be strings, integers, booleans or null; metadata must be flat.`)},
		{"metadata list", func(b map[string]any) { b["metadata"] = []any{"x"} },
			field("metadata", "Metadata must be a JSON object, not list.")},
		{"51 metadata keys", func(b map[string]any) { b["metadata"] = bigMeta },
			field("metadata", "Metadata may have at most 50 keys; it has 51.")},
		{"long metadata key", func(b map[string]any) { b["metadata"] = map[string]any{strings.Repeat("k", 101): "v"} },
			field("metadata", "Metadata keys must not exceed 100 characters.")},
		{"long metadata value", func(b map[string]any) { b["metadata"] = map[string]any{"note": strings.Repeat("é", 2001)} },
			field("metadata", `Metadata value of "note": string values must not exceed 2000 characters.`)},
		{"metadata beyond int32", func(b map[string]any) { b["metadata"] = map[string]any{"n": int64(1) << 31} },
			field("metadata", `Metadata value of "n": numeric values must fit in a 32-bit signed integer.`)},
		{"metadata fraction", func(b map[string]any) { b["metadata"] = map[string]any{"n": 1.5} },
			field("metadata", `Metadata value of "n": numbers must be integers.`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, w.srv, "POST", "/appointments/", mustJSON(t, w.body(tt.edit)))
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(w.srv.Appointments()); n != 0 {
		t.Errorf("%d appointments stored by refused creates", n)
	}
}

func TestCreateAccepts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name string
		edit func(map[string]any)
		want func(a *oncalltest.Appointment)
	}{
		{"message without datetime", func(b map[string]any) { b["type"] = "message"; delete(b, "datetime") },
			func(a *oncalltest.Appointment) { a.Type = oncall.TypeMessage; a.DateTime = time.Time{} }},
		{"one-digit hour", func(b map[string]any) { b["datetime"] = "2030-03-04T9:05:00Z" },
			func(a *oncalltest.Appointment) { a.DateTime = time.Date(2030, 3, 4, 9, 5, 0, 0, time.UTC) }},
		{"offset and fraction", func(b map[string]any) { b["datetime"] = "2030-03-04T09:00:00.25-05:00" },
			func(a *oncalltest.Appointment) { a.DateTime = time.Date(2030, 3, 4, 14, 0, 0, 250e6, time.UTC) }},
		{"duration as text", func(b map[string]any) { b["duration"] = "45" }, func(a *oncalltest.Appointment) { a.Duration = 45 }},
		{"duration as 45.0", func(b map[string]any) { b["duration"] = 45.0 }, func(a *oncalltest.Appointment) { a.Duration = 45 }},
		{"fee forms", func(b map[string]any) {
			b["participants"] = []any{
				map[string]any{"first_name": "Alex", "last_name": "Doe", "email": "alex.doe@example.com", "fee": 10},
				map[string]any{"name": "Sam Van Roe", "email": "sam@example.com", "fee": "7.5"},
			}
		}, func(a *oncalltest.Appointment) {
			a.Participants = []oncalltest.Participant{
				{Name: "Alex Doe", FirstName: "Alex", LastName: "Doe", Email: "alex.doe@example.com", Fee: "10.00"},
				{Name: "Sam Van Roe", FirstName: "Sam", LastName: "Van Roe", Email: "sam@example.com", Fee: "7.50"},
			}
		}},
		{"unknown fields ignored", func(b map[string]any) { b["colour"] = "blue"; b["url"] = "x" }, nil},
		{"null metadata", func(b map[string]any) { b["metadata"] = nil }, func(a *oncalltest.Appointment) { a.Metadata = map[string]any{} }},
		{"metadata kinds", func(b map[string]any) {
			b["metadata"] = map[string]any{"emr_id": "E1", "n": -2147483648, "urgent": false, "seen": nil}
		}, func(a *oncalltest.Appointment) {
			a.Metadata = map[string]any{"emr_id": "E1", "n": int64(-2147483648), "urgent": false, "seen": nil}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, w.srv, "POST", "/appointments/", mustJSON(t, w.body(tt.edit)))
			if r.status != http.StatusCreated {
				t.Fatalf("status %d, want 201: %s", r.status, r.body)
			}
			loc := r.header.Get("Location")
			id, _ := r.json(t).(map[string]any)["url"].(string)
			if loc == "" || loc != id {
				t.Errorf("Location %q, want the appointment's url %q", loc, id)
			}
			want := oncalltest.Appointment{
				Title: "Counselling", Type: oncall.TypeOnline, DateTime: time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC),
				Duration: 50, Status: oncall.StatusIncomplete, Division: w.div, Provider: w.prov,
				Participants: []oncalltest.Participant{{Name: "Alex Doe", FirstName: "Alex", LastName: "Doe", Email: "alex.doe@example.com"}},
				Metadata:     map[string]any{"emr_id": "E1"},
			}
			if tt.want != nil {
				tt.want(&want)
			}
			recs := w.srv.AppointmentRecords()
			got := recs[len(recs)-1]
			want.ID = got.ID
			for i := range want.Participants {
				if i < len(got.Participants) {
					want.Participants[i].ID = got.Participants[i].ID
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchAppointment(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		tokenProvider bool
		before        func(w *world, id oncall.AppointmentID) // state changes before the PATCH
		body          string
		wantStatus    int
		wantBody      any // checked when non-nil
		want          func(a *oncalltest.Appointment)
	}{
		{name: "title only", body: `{"title":"Intake"}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) { a.Title = "Intake" }},
		{name: "reschedule", body: `{"datetime":"2030-01-02T10:30:00Z","duration":"30"}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) {
				a.DateTime = start.Add(25*time.Hour + 30*time.Minute)
				a.Duration = 30
			}},
		{name: "metadata replaced", body: `{"metadata":{"emr_id":"E2"}}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) { a.Metadata = map[string]any{"emr_id": "E2"} }},
		{name: "cancel by coordinator", body: `{"cancelled":true}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) { a.Cancelled = true; a.Status = oncall.StatusCoordinatorCancelled }},
		{name: "cancel by provider", tokenProvider: true, body: `{"cancelled":"true"}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) { a.Cancelled = true; a.Status = oncall.StatusProviderCancelled }},
		{name: "cancel again is a no-op", body: `{"cancelled":true}`, wantStatus: 200,
			before: func(w *world, id oncall.AppointmentID) { _ = w.srv.CancelAsProvider(id) },
			want:   func(a *oncalltest.Appointment) { a.Cancelled = true; a.Status = oncall.StatusProviderCancelled }},
		{name: "metadata of a cancelled appointment", body: `{"metadata":{"emr_id":"E1","synced":true}}`, wantStatus: 200,
			before: func(w *world, id oncall.AppointmentID) { _ = w.srv.CancelAsProvider(id) },
			want: func(a *oncalltest.Appointment) {
				a.Cancelled = true
				a.Status = oncall.StatusProviderCancelled
				a.Metadata = map[string]any{"emr_id": "E1", "synced": true}
			}},
		{name: "cancelled cannot be moved", body: `{"datetime":"2030-02-01T09:00:00Z"}`, wantStatus: 400,
			before:   func(w *world, id oncall.AppointmentID) { _ = w.srv.CancelAsProvider(id) },
			wantBody: []any{"This appointment has been cancelled or completed and can no longer be changed."},
			want:     func(a *oncalltest.Appointment) { a.Cancelled = true; a.Status = oncall.StatusProviderCancelled }},
		{name: "completed cannot be restored", body: `{"status":"Incomplete"}`, wantStatus: 400,
			before:   func(w *world, id oncall.AppointmentID) { _ = w.srv.Complete(id) },
			wantBody: []any{"This appointment has been cancelled or completed and can no longer be changed."},
			want:     func(a *oncalltest.Appointment) { a.Status = oncall.StatusComplete }},
		{name: "datetime removed", body: `{"datetime":null}`, wantStatus: 400,
			wantBody: map[string]any{"datetime": []any{`This field is required unless type is "message".`}}},
		{name: "becomes a message", body: `{"type":"message","datetime":null}`, wantStatus: 200,
			want: func(a *oncalltest.Appointment) { a.Type = oncall.TypeMessage; a.DateTime = time.Time{} }},
		{name: "unknown status", body: `{"status":"Done"}`, wantStatus: 400,
			wantBody: map[string]any{"status": []any{`"Done" is not a valid choice.`}}},
		{name: "not JSON", body: `{"title":`, wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tt.tokenProvider {
				if err := w.srv.SetTokenProvider(w.prov); err != nil {
					t.Fatal(err)
				}
			}
			seed := oneToOne("E1", start)
			seed.Provider = w.prov
			id := w.seed(t, seed)
			if tt.before != nil {
				tt.before(w, id)
			}
			want, _ := w.srv.AppointmentRecord(id)
			r := do(t, w.srv, "PATCH", fmt.Sprintf("/appointments/%d/", id), tt.body)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			if tt.want != nil {
				tt.want(&want)
			}
			got, _ := w.srv.AppointmentRecord(id)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantBody    any
	}{
		{"list", "application/json", `[1]`, 400,
			map[string]any{"non_field_errors": []any{"Invalid data. Expected a dictionary, but got list."}}},
		{"syntax", "application/json", `{"title": }`, 400,
			map[string]any{"detail": "JSON parse error - invalid JSON at byte 11"}},
		{"trailing data", "application/json", `{} {}`, 400,
			map[string]any{"detail": "JSON parse error - extra data after the JSON value"}},
		{"form", "application/x-www-form-urlencoded", `title=x`, 415,
			map[string]any{"detail": `Unsupported media type "application/x-www-form-urlencoded" in request.`}},
		{"no content type", "", `{}`, 415, map[string]any{"detail": `Unsupported media type "" in request.`}},
		{"too large", "application/json", `{"title":"` + strings.Repeat("x", 1<<20) + `"}`, 413,
			map[string]any{"detail": "Request body too large."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", w.srv.URL()+"/appointments/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Token "+w.srv.Token())
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := w.srv.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			r := rawResponse{status: resp.StatusCode, header: resp.Header}
			r.body, _ = readAll(resp)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}
