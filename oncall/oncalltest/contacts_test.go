package oncalltest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func TestContacts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	emrField := w.srv.AddCustomField("EMR id")
	formsField := w.srv.AddCustomField("Has submitted forms?")
	seeded, err := w.srv.AddContact(oncalltest.Contact{Name: "Jane Doe", Email: "jane.doe@example.com", Phone: "2125551542",
		DateOfBirth: "1970-01-01", Division: w.div, CustomFieldValues: map[string]any{emrField: "Ax1A2", formsField: true}})
	if err != nil {
		t.Fatal(err)
	}
	client := w.client(t)
	ctx := t.Context()
	u := w.srv.URL()
	names := map[string]string{emrField: "EMR id", formsField: "Has submitted forms?"}

	created, err := client.Contacts.Create(ctx, &oncall.ContactCreateParams{FirstName: "Alex", LastName: "Doe",
		Email: "alex.doe@example.com", Sex: "Female", Division: w.div, Provider: w.prov})
	if err != nil {
		t.Fatal(err)
	}
	want := oncall.Contact{ID: created.ID, URL: fmt.Sprintf("%s/contacts/%d/", u, created.ID), Name: "Alex Doe",
		Email: "alex.doe@example.com", Sex: "Female", CustomFieldNames: names, CustomFieldValues: map[string]any{},
		AppointmentsURL: fmt.Sprintf("%s/contacts/%d/appointments/", u, created.ID)}
	if diff := cmp.Diff(&want, created); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}

	updated, err := client.Contacts.Update(ctx, seeded, &oncall.ContactUpdateParams{
		Phone: oncall.Ptr("4165550000"), CustomFieldValues: map[string]any{emrField: "Mx978A"}})
	if err != nil {
		t.Fatal(err)
	}
	wantSeeded := oncall.Contact{ID: seeded, URL: fmt.Sprintf("%s/contacts/%d/", u, seeded), Name: "Jane Doe",
		Email: "jane.doe@example.com", Phone: "4165550000", Sex: "Unknown", DateOfBirth: "1970-01-01",
		CustomFieldNames: names, CustomFieldValues: map[string]any{emrField: "Mx978A", formsField: true},
		AppointmentsURL: fmt.Sprintf("%s/contacts/%d/appointments/", u, seeded)}
	if diff := cmp.Diff(&wantSeeded, updated); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]oncall.Contact{wantSeeded, want}, w.srv.Contacts()); diff != "" {
		t.Errorf("Contacts() (-want +got):\n%s", diff)
	}

	_, err = client.Contacts.Update(ctx, seeded, &oncall.ContactUpdateParams{CustomFieldValues: map[string]any{"999": "x"}})
	if !isStatus(err, 400) {
		t.Errorf("unknown custom field: %v, want 400", err)
	}

	var found []oncall.ContactID
	for c, err := range client.Contacts.All(ctx, &oncall.ContactListOptions{Query: "JANE"}) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, c.ID)
	}
	if diff := cmp.Diff([]oncall.ContactID{seeded}, found); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}

	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	mine := oneToOne("E1", start)
	mine.Participants[0].Email = "JANE.DOE@example.com"
	mineID := w.seed(t, mine)
	w.seed(t, oneToOne("E2", start))
	var appts []oncall.AppointmentID
	for a, err := range client.Contacts.Appointments(ctx, seeded, nil) {
		if err != nil {
			t.Fatal(err)
		}
		appts = append(appts, a.ID)
	}
	if diff := cmp.Diff([]oncall.AppointmentID{mineID}, appts); diff != "" {
		t.Errorf("contact's appointments (-want +got):\n%s", diff)
	}
}

func TestContactRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id, err := w.srv.AddContact(oncalltest.Contact{Name: "Jane Doe", Email: "jane@example.com", Division: w.div})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, body string
		want                     any
	}{
		{"create without fields", "POST", "/contacts/", `{}`, map[string]any{
			"first_name": []any{"This field is required."}, "last_name": []any{"This field is required."},
			"email": []any{"This field is required."}, "division": []any{"This field is required."}}},
		{"bad date of birth", "PATCH", fmt.Sprintf("/contacts/%d/", id), `{"date_of_birth":"01/01/1970"}`,
			map[string]any{"date_of_birth": []any{"Date has wrong format. Use one of these formats instead: YYYY-MM-DD."}}},
		{"nested custom value", "PATCH", fmt.Sprintf("/contacts/%d/", id), `{"custom_field_values":{"1":{"a":1}}}`,
			map[string]any{"custom_field_values": []any{"Unknown custom field 1."}}},
		{"bad email", "PATCH", fmt.Sprintf("/contacts/%d/", id), `{"email":"jane"}`,
			map[string]any{"email": []any{"Enter a valid email address."}}},
	}
	for _, tt := range tests {
		r := do(t, w.srv, tt.method, tt.path, tt.body)
		if r.status != 400 {
			t.Errorf("%s: status %d, want 400: %s", tt.name, r.status, r.body)
			continue
		}
		if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", tt.name, diff)
		}
	}
	if _, err := w.srv.AddContact(oncalltest.Contact{Name: "X", Division: 1}); err == nil {
		t.Error("AddContact with an unknown division succeeded")
	}
	if _, err := w.srv.AddContact(oncalltest.Contact{Name: "X", Division: w.div, CustomFieldValues: map[string]any{"1": "x"}}); err == nil {
		t.Error("AddContact with an unknown custom field succeeded")
	}
}
