package oncalltest_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// patchFixture is what a PATCH-participants case builds its body from: a group appointment with Ann and Bob,
// another appointment with Cy, and the id the next new participant gets.
type patchFixture struct {
	srv      *oncalltest.Server
	id       oncall.AppointmentID
	ann, bob string // participant URLs of the appointment patched
	cy       string // a participant URL of another appointment
	division string
	next     oncall.ParticipantID
}

// entry is a participants-array entry naming an existing participant.
func entry(url, name, email string, more ...any) map[string]any {
	e := map[string]any{"url": url, "name": name, "email": email}
	for i := 0; i+1 < len(more); i += 2 {
		e[more[i].(string)] = more[i+1]
	}
	return e
}

func newParticipant(name, email string, more ...any) map[string]any {
	e := entry("", name, email, more...)
	delete(e, "url")
	return e
}

const msgPast = "This appointment has been cancelled or completed and can no longer be changed."

func TestPatchParticipants(t *testing.T) {
	t.Parallel()
	many := func(f patchFixture, n int) []any {
		out := []any{entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.bob, "Bob Ray", "bob@example.com")}
		for i := len(out); i < n; i++ {
			out = append(out, newParticipant(fmt.Sprint("P ", i), fmt.Sprintf("p%d@example.com", i)))
		}
		return out
	}
	tests := []struct {
		name      string
		extension bool
		before    func(f patchFixture) error // state changes before the PATCH
		body      func(f patchFixture) map[string]any
		wantCode  int
		wantBody  any // checked when non-nil
		// want edits the participants as they were before (Ann, then Bob) into those expected after; nil expects
		// no change.
		want func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant
	}{
		{name: "the same list changes nothing", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com", "fee", "10.00", "cancelled", false),
					entry(f.bob, "Bob Ray", "bob@example.com", "fee", 0, "cancelled", false)}}
			}},
		{name: "update a kept participant", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Marie Lee", "ann.lee@example.com", "fee", "12.5"),
					entry(f.bob, "Bob Ray", "bob@example.com")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[0].Name, ps[0].FirstName, ps[0].LastName = "Ann Marie Lee", "Ann", "Marie Lee"
				ps[0].Email, ps[0].Fee = "ann.lee@example.com", "12.50"
				return ps
			}},
		{name: "the same name keeps first and last names", wantCode: 200,
			before: func(f patchFixture) error {
				return f.srv.UpdateAsUser(f.id, func(a *oncalltest.Appointment) {
					a.Participants[0].Name, a.Participants[0].FirstName, a.Participants[0].LastName = "Mary Ann Lee", "Mary Ann", "Lee"
				})
			},
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Mary Ann Lee", "ann@example.com"), entry(f.bob, "Bob Ray", "bob@example.com")}}
			}},
		{name: "first and last names of a kept participant", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				e := entry(f.ann, "", "", "first_name", "Annie")
				delete(e, "name")
				delete(e, "email")
				return map[string]any{"participants": []any{e, entry(f.bob, "Bob Ray", "bob@example.com")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[0].Name, ps[0].FirstName = "Annie Lee", "Annie"
				return ps
			}},
		{name: "add one", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.bob, "Bob Ray", "bob@example.com"),
					newParticipant("Dan Poe", "dan@example.com", "fee", 5)}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				return append(ps, oncalltest.Participant{ID: f.next, Name: "Dan Poe", FirstName: "Dan", LastName: "Poe",
					Email: "dan@example.com", Fee: "5.00"})
			}},
		{name: "add one by first and last names, cancelled", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				dan := map[string]any{"first_name": "Dan", "last_name": "Poe", "email": "dan@example.com", "cancelled": true}
				return map[string]any{"participants": []any{entry(f.ann, "Ann Lee", "ann@example.com"), dan}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				return []oncalltest.Participant{ps[0], {ID: f.next, Name: "Dan Poe", FirstName: "Dan", LastName: "Poe",
					Email: "dan@example.com", Cancelled: true}}
			}},
		{name: "remove one", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.bob, "Bob Ray", "bob@example.com")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant { return ps[1:] }},
		{name: "replace one: the new one gets a new id", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), newParticipant("Bob Ray", "bob@example.com")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[1].ID, ps[1].Fee = f.next, ""
				return ps
			}},
		{name: "cancel one", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.bob, "Bob Ray", "bob@example.com", "cancelled", true)}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[1].Cancelled = true
				return ps
			}},
		{name: "un-cancelling clears a status the client cannot see", wantCode: 200,
			before: func(f patchFixture) error {
				rec, _ := f.srv.AppointmentRecord(f.id)
				return f.srv.CancelParticipantAsPatient(rec.Participants[1].ID, "")
			},
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.bob, "Bob Ray", "bob@example.com", "cancelled", false)}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[1].Cancelled, ps[1].Status = false, ""
				return ps
			}},
		{name: "25 in the final list", wantCode: 200,
			body: func(f patchFixture) map[string]any { return map[string]any{"participants": many(f, 25)} },
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				for i := 2; i < 25; i++ {
					ps = append(ps, oncalltest.Participant{ID: f.next + oncall.ParticipantID(i-2), Name: fmt.Sprint("P ", i),
						FirstName: "P", LastName: fmt.Sprint(i), Email: fmt.Sprintf("p%d@example.com", i)})
				}
				return ps
			}},
		{name: "26 in the final list", wantCode: 400,
			body:     func(f patchFixture) map[string]any { return map[string]any{"participants": many(f, 26)} },
			wantBody: map[string]any{"participants": []any{"Maximum 25 participants per appointment."}}},
		{name: "empty list", wantCode: 400,
			body:     func(f patchFixture) map[string]any { return map[string]any{"participants": []any{}} },
			wantBody: map[string]any{"participants": []any{"This list may not be empty."}}},
		{name: "null", wantCode: 400,
			body:     func(f patchFixture) map[string]any { return map[string]any{"participants": nil} },
			wantBody: map[string]any{"participants": []any{"This field may not be null."}}},
		{name: "not a list", wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": entry(f.ann, "Ann Lee", "ann@example.com")}
			},
			wantBody: map[string]any{"participants": []any{`Expected a list of items but got type "dict".`}}},
		{name: "the same url twice", wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.ann, "Ann Lee", "ann@example.com")}}
			},
			wantBody: map[string]any{"participants": []any{map[string]any{},
				map[string]any{"url": []any{"This participant is listed more than once."}}}}},
		{name: "url of another appointment's participant", wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com"), entry(f.cy, "Cy Doe", "cy@example.com")}}
			},
			wantBody: map[string]any{"participants": []any{map[string]any{},
				map[string]any{"url": []any{"Invalid hyperlink - Object does not exist."}}}}},
		{name: "url of a division", wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.division, "Ann Lee", "ann@example.com")}}
			},
			wantBody: map[string]any{"participants": []any{
				map[string]any{"url": []any{"Invalid hyperlink - Incorrect URL match."}}}}},
		{name: "invalid entries", wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@"), newParticipant("Dan Poe", ""), map[string]any{"name": "Eve"}, "Fay"}}
			},
			wantBody: map[string]any{"participants": []any{
				map[string]any{"email": []any{"Enter a valid email address."}},
				map[string]any{"email": []any{"This field may not be blank."}},
				map[string]any{"email": []any{"This field is required."}},
				map[string]any{"non_field_errors": []any{"Invalid data. Expected a dictionary, but got str."}},
			}}},
		{name: "unknown and read-only keys ignored", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com", "colour", "blue", "appointment", f.srv.URL()+"/appointments/1/", "user_id", 9),
					entry(f.bob, "Bob Ray", "bob@example.com")}}
			}},
		{name: "status ignored", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com", "status", "No Show"),
					entry(f.bob, "Bob Ray", "bob@example.com", "status", "DNS"),
					newParticipant("Dan Poe", "dan@example.com", "status", "Cancelled by Client")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				return append(ps, oncalltest.Participant{ID: f.next, Name: "Dan Poe", FirstName: "Dan", LastName: "Poe",
					Email: "dan@example.com"})
			}},
		{name: "status under the extension", extension: true, wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com", "status", "No Show"),
					entry(f.bob, "Bob Ray", "bob@example.com", "status", "Cancelled by Provider")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant {
				ps[0].Status = oncall.ParticipantNoShow
				ps[1].Status, ps[1].Cancelled = oncall.ParticipantCancelledByProvider, true
				return ps
			}},
		{name: "unknown status under the extension", extension: true, wantCode: 400,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.ann, "Ann Lee", "ann@example.com", "status", "DNS")}}
			},
			wantBody: map[string]any{"participants": []any{map[string]any{"status": []any{`"DNS" is not a valid choice.`}}}}},
		{name: "with other fields", wantCode: 200,
			body: func(f patchFixture) map[string]any {
				return map[string]any{"title": "Group session", "participants": []any{entry(f.ann, "Ann Lee", "ann@example.com")}}
			},
			want: func(f patchFixture, ps []oncalltest.Participant) []oncalltest.Participant { return ps[:1] }},
		{name: "cancelled appointment refuses a change", wantCode: 400,
			before: func(f patchFixture) error { return f.srv.CancelAsProvider(f.id) },
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.ann, "Ann Lee", "ann@example.com", "cancelled", true),
					entry(f.bob, "Bob Ray", "bob@example.com")}}
			},
			wantBody: []any{msgPast}},
		{name: "completed appointment refuses an addition", wantCode: 400,
			before: func(f patchFixture) error { return f.srv.Complete(f.id) },
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.ann, "Ann Lee", "ann@example.com"),
					entry(f.bob, "Bob Ray", "bob@example.com"), newParticipant("Dan Poe", "dan@example.com")}}
			},
			wantBody: []any{msgPast}},
		{name: "completed appointment refuses a removal", wantCode: 400,
			before: func(f patchFixture) error { return f.srv.Complete(f.id) },
			body: func(f patchFixture) map[string]any {
				return map[string]any{"participants": []any{entry(f.ann, "Ann Lee", "ann@example.com")}}
			},
			wantBody: []any{msgPast}},
		{name: "completed appointment takes the same list", wantCode: 200,
			before: func(f patchFixture) error { return f.srv.Complete(f.id) },
			body: func(f patchFixture) map[string]any {
				return map[string]any{"metadata": map[string]any{"emr_id": "G1"}, "participants": []any{
					entry(f.ann, "Ann Lee", "ann@example.com", "fee", 10), entry(f.bob, "Bob Ray", "bob@example.com", "fee", "0.00")}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			opts := []oncalltest.Option{oncalltest.WithWebhookURL(rcv.URL)}
			if tt.extension {
				opts = append(opts, oncalltest.WithUndocumentedParticipantAPI())
			}
			w := newWorld(t, opts...)
			g := group("G1", "Ann Lee", "Bob Ray")
			g.Participants[0].Email, g.Participants[0].Fee = "ann@example.com", "10"
			g.Participants[1].Email = "bob@example.com"
			id := w.seed(t, g)
			other := w.seed(t, group("G2", "Cy Doe"))
			rec, _ := w.srv.AppointmentRecord(id)
			otherRec, _ := w.srv.AppointmentRecord(other)
			pURL := func(pid oncall.ParticipantID) string { return fmt.Sprintf("%s/participants/%d/", w.srv.URL(), pid) }
			f := patchFixture{srv: w.srv, id: id, ann: pURL(rec.Participants[0].ID), bob: pURL(rec.Participants[1].ID),
				cy: pURL(otherRec.Participants[0].ID), division: fmt.Sprintf("%s/divisions/%d/", w.srv.URL(), w.div),
				next: otherRec.Participants[0].ID + 1}
			if tt.before != nil {
				if err := tt.before(f); err != nil {
					t.Fatal(err)
				}
			}
			waitWebhooks(t, w.srv)
			hooksBefore := len(rcv.received())
			before, _ := w.srv.AppointmentRecord(id)

			r := do(t, w.srv, "PATCH", fmt.Sprintf("/appointments/%d/", id), mustJSON(t, tt.body(f)))
			if r.status != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantCode, r.body)
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			want := before.Participants
			if tt.want != nil {
				want = tt.want(f, before.Participants)
			}
			got, _ := w.srv.AppointmentRecord(id)
			if diff := cmp.Diff(want, got.Participants); diff != "" {
				t.Errorf("participants (-want +got):\n%s", diff)
			}
			// Each participant is found at its own URL, and one removed is not.
			for _, p := range append(before.Participants, got.Participants...) {
				wantStatus := http.StatusNotFound
				if slices.ContainsFunc(got.Participants, func(q oncalltest.Participant) bool { return q.ID == p.ID }) {
					wantStatus = http.StatusOK
				}
				if r := do(t, w.srv, "GET", fmt.Sprintf("/participants/%d/", p.ID), ""); r.status != wantStatus {
					t.Errorf("GET participant %d: status %d, want %d", p.ID, r.status, wantStatus)
				}
			}
			waitWebhooks(t, w.srv)
			wantHooks := 0
			if tt.wantCode == http.StatusOK {
				wantHooks = 1
			}
			if n := len(rcv.received()) - hooksBefore; n != wantHooks {
				t.Errorf("%d webhooks for the PATCH, want %d", n, wantHooks)
			}
		})
	}
}

// TestUpdateParticipantsThroughClient changes who is on an appointment the documented way, through the real
// client, in both modes: the client's check of the answer must pass. Only under the extension does the client's
// SetStatus work; without it, it is a 405.
func TestUpdateParticipantsThroughClient(t *testing.T) {
	t.Parallel()
	inBothModes(t, func(t *testing.T, extension bool, opts []oncalltest.Option) {
		w := newWorld(t, opts...)
		client := w.client(t)
		ctx := t.Context()
		g := group("G1", "Ann Lee", "Bob Ray", "Cy Doe")
		for i, email := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
			g.Participants[i].Email = email
		}
		id := w.seed(t, g)
		appt, err := client.Appointments.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ann, bob := appt.Participants[0].Entry(), appt.Participants[1].Entry()
		bob.Cancelled = true
		bob.Email = "bob.ray@example.com"
		dan := oncall.ParticipantEntry{Name: "Dan Poe", Email: "dan@example.com", Fee: oncall.MustDecimal("25")}
		updated, err := client.Appointments.Update(ctx, id, &oncall.AppointmentUpdateParams{
			Participants: []oncall.ParticipantEntry{ann, bob, dan}, // Cy is removed
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		stored, _ := w.srv.Appointment(id)
		if diff := cmp.Diff(stored, *updated); diff != "" {
			t.Errorf("answer vs Appointment() (-server +client):\n%s", diff)
		}
		type view struct {
			ID        oncall.ParticipantID
			Email     string
			Fee       string
			Cancelled bool
		}
		var got []view
		for _, p := range updated.Participants {
			got = append(got, view{p.ID, p.Email, p.Fee.String(), p.Cancelled})
		}
		want := []view{
			{appt.Participants[0].ID, "ann@example.com", "0.00", false},
			{appt.Participants[1].ID, "bob.ray@example.com", "0.00", true},
			{appt.Participants[2].ID + 1, "dan@example.com", "25.00", false},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("participants (-want +got):\n%s", diff)
		}
		for _, r := range w.srv.Requests() {
			if r.Undocumented {
				t.Errorf("%s %s is logged as undocumented", r.Method, r.Path)
			}
		}

		_, err = client.Participants.SetStatus(ctx, appt.Participants[0].ID, oncall.ParticipantNoShow)
		switch {
		case extension && err != nil:
			t.Errorf("SetStatus under the extension: %v", err)
		case !extension && !errors.Is(err, oncall.ErrMethodNotAllowed):
			t.Errorf("SetStatus without the extension: %v, want ErrMethodNotAllowed", err)
		}
		reqs := w.srv.Requests()
		if last := reqs[len(reqs)-1]; !last.Undocumented || last.Method != "PATCH" {
			t.Errorf("the SetStatus request is logged as %s %s, undocumented %v; want an undocumented PATCH",
				last.Method, last.Path, last.Undocumented)
		}
	})
}

// WithIgnoredFields drops the named fields from writes, answering as usual: the client sees the write did not take.
func TestIgnoredFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		field  string
		update func(a *oncall.Appointment) *oncall.AppointmentUpdateParams
		want   []string
	}{
		{"appointment status", "status", func(*oncall.Appointment) *oncall.AppointmentUpdateParams {
			return &oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusNoShow), Title: oncall.Ptr("Renamed")}
		}, []string{"status"}},
		{"participants list", "participants", func(a *oncall.Appointment) *oncall.AppointmentUpdateParams {
			return &oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{a.Participants[0].Entry()}}
		}, []string{"participants"}},
		{"a participant's cancelled flag", "participant.cancelled", func(a *oncall.Appointment) *oncall.AppointmentUpdateParams {
			e := a.Participants[0].Entry()
			e.Cancelled = true
			return &oncall.AppointmentUpdateParams{Participants: []oncall.ParticipantEntry{e, a.Participants[1].Entry()}}
		}, []string{"participants"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, oncalltest.WithIgnoredFields(tt.field))
			client := w.client(t)
			g := group("G1", "Ann Lee", "Bob Ray")
			g.Participants[0].Email, g.Participants[1].Email = "ann@example.com", "bob@example.com"
			id := w.seed(t, g)
			before, _ := w.srv.Appointment(id)
			got, err := client.Appointments.Update(t.Context(), id, tt.update(&before))
			var wi *oncall.WriteIgnoredError
			if !errors.As(err, &wi) {
				t.Fatalf("Update = %v, want a *WriteIgnoredError", err)
			}
			if diff := cmp.Diff(tt.want, wi.Fields); diff != "" {
				t.Errorf("ignored fields (-want +got):\n%s", diff)
			}
			after, _ := w.srv.Appointment(id)
			if diff := cmp.Diff(after, *got); diff != "" {
				t.Errorf("the answer is not the stored appointment (-stored +answer):\n%s", diff)
			}
			after.Title = before.Title // the one field written that is not ignored
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("an ignored field changed the appointment (-before +after):\n%s", diff)
			}
		})
	}
}
