package carelogic

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

// appt returns a valid 1:1 starting offset after t0.
func appt(id string, offset time.Duration) Appointment {
	return Appointment{
		ID:           id,
		Source:       "test",
		Kind:         Individual,
		Modality:     Video,
		ProviderID:   "staff-101",
		Start:        t0.Add(offset),
		Duration:     50 * time.Minute,
		Participants: []Participant{{ClientID: "c-" + id, Name: "Fake Person", Email: "fake@example.com"}},
	}
}

// collect runs the iterator to the end and returns what it yielded.
func collect(t *testing.T, m *Memory, ctx context.Context, from, to time.Time) ([]Appointment, []error) {
	t.Helper()
	var got []Appointment
	var errs []error
	for a, err := range m.Appointments(ctx, from, to) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, a)
	}
	return got, errs
}

func ids(appts []Appointment) []string {
	var out []string
	for _, a := range appts {
		out = append(out, a.ID)
	}
	return out
}

func TestMemoryAppointmentsWindowAndOrder(t *testing.T) {
	t.Parallel()
	deleted := appt("deleted", 3*time.Hour)
	deleted.Deleted = true
	otherSource := appt("b", time.Hour)
	otherSource.Source = "a-source" // sorts before "test/..." at the same start
	m := NewMemory(
		appt("late", 5*time.Hour),
		appt("before", -time.Minute),
		appt("at-to", 6*time.Hour),
		appt("z", time.Hour),
		appt("a", time.Hour),
		otherSource,
		appt("at-from", 0),
		deleted,
	)
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{
			name: "from inclusive, to exclusive, by start then key",
			from: t0, to: t0.Add(6 * time.Hour),
			want: []string{"at-from", "b", "a", "z", "deleted", "late"},
		},
		{name: "empty window", from: t0, to: t0, want: nil},
		{name: "reversed window", from: t0.Add(time.Hour), to: t0, want: nil},
		{
			name: "everything",
			from: t0.Add(-time.Hour), to: t0.Add(7 * time.Hour),
			want: []string{"before", "at-from", "b", "a", "z", "deleted", "late", "at-to"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, errs := collect(t, m, t.Context(), tt.from, tt.to)
			if errs != nil {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMemoryAppointmentsYieldsWholeValues(t *testing.T) {
	t.Parallel()
	a := appt("a", 0)
	a.Comments = "note"
	a.OnCallURL = "https://api.oncallhealth.ca/appointments/1/"
	m := NewMemory(a)
	got, errs := collect(t, m, t.Context(), t0, t0.Add(time.Hour))
	if errs != nil {
		t.Fatal(errs)
	}
	if diff := cmp.Diff([]Appointment{a}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMemoryAppointmentsContext(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0), appt("b", time.Hour), appt("c", 2*time.Hour))
	from, to := t0, t0.Add(24*time.Hour)

	t.Run("cancelled before", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		got, errs := collect(t, m, ctx, from, to)
		if len(got) != 0 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("got %v and errors %v, want nothing and one context.Canceled", ids(got), errs)
		}
	})

	t.Run("cancelled during", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var got []string
		var errs []error
		for a, err := range m.Appointments(ctx, from, to) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			got = append(got, a.ID)
			cancel()
		}
		if diff := cmp.Diff([]string{"a"}, got); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
		if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("errors = %v, want one context.Canceled", errs)
		}
	})

	t.Run("break stops", func(t *testing.T) {
		t.Parallel()
		n := 0
		for range m.Appointments(t.Context(), from, to) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("loop ran %d times after break, want 1", n)
		}
	})
}

// The iterator works on a snapshot, so the loop body can edit the EHR without deadlocking or changing what the
// loop sees.
func TestMemoryAppointmentsEditWhileIterating(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0), appt("b", time.Hour))
	var seen []string
	for a, err := range m.Appointments(t.Context(), t0, t0.Add(24*time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, a.ID)
		m.Put(appt("new-"+a.ID, 2*time.Hour))
		if err := m.Delete("b"); err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"a", "b"}, seen); diff != "" {
		t.Errorf("ids seen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "new-a", "new-b"}, ids(m.All())); diff != "" {
		t.Errorf("ids after (-want +got):\n%s", diff)
	}
}

func TestMemoryCopies(t *testing.T) {
	t.Parallel()
	in := appt("a", 0)
	want := in.Clone()
	m := NewMemory(in)

	in.Participants[0].Email = "changed-by-caller@example.com" // the caller's slice, after NewMemory
	got, err := m.Appointment(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	got.Participants[0].Status = StatusDNS // a returned copy
	all := m.All()
	all[0].Participants[0].Name = "Changed"
	for a, err := range m.Appointments(t.Context(), t0, t0.Add(time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		a.Participants[0].ClientID = "changed"
	}
	put := appt("b", 0)
	m.Put(put)
	put.Participants[0].Status = StatusKept

	if diff := cmp.Diff([]Appointment{want, appt("b", 0)}, m.All()); diff != "" {
		t.Errorf("stored state changed through a copy (-want +got):\n%s", diff)
	}
}

func TestMemoryPutDeleteAll(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", time.Hour), appt("a", 2*time.Hour)) // the later one wins
	if diff := cmp.Diff([]Appointment{appt("a", 2*time.Hour)}, m.All()); diff != "" {
		t.Errorf("NewMemory with a repeated id (-want +got):\n%s", diff)
	}

	edited := appt("a", 3*time.Hour)
	edited.ProviderID = "staff-202"
	m.Put(edited)
	m.Put(appt("b", 0))
	if diff := cmp.Diff([]Appointment{appt("b", 0), edited}, m.All()); diff != "" {
		t.Errorf("after Put (-want +got):\n%s", diff)
	}

	if err := m.Delete("b"); err != nil {
		t.Fatalf("Delete(b) = %v", err)
	}
	if err := m.Delete("b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete(b) = %v, want ErrNotFound", err)
	}
	if _, err := m.Appointment(t.Context(), "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Appointment(b) after Delete = %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff([]Appointment{edited}, m.All()); diff != "" {
		t.Errorf("after Delete (-want +got):\n%s", diff)
	}
}

func TestMemoryPutKeepsInvalid(t *testing.T) {
	t.Parallel()
	bad := appt("bad", 0)
	bad.Modality = "phone"
	bad.Participants = nil
	m := NewMemory()
	m.Put(bad)
	got, err := m.Appointment(t.Context(), "bad")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bad, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMemoryZeroValue(t *testing.T) {
	t.Parallel()
	var m Memory
	if got := m.All(); len(got) != 0 {
		t.Errorf("All() of the zero Memory = %v", got)
	}
	if _, err := m.Appointment(t.Context(), "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Appointment = %v, want ErrNotFound", err)
	}
	created, err := m.CreateAppointment(t.Context(), appt("", 0))
	if err != nil {
		t.Fatal(err)
	}
	m.Put(appt("a", time.Hour))
	if diff := cmp.Diff([]string{created.ID, "a"}, ids(m.All())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMemoryAppointmentNotFound(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0))
	_, err := m.Appointment(t.Context(), "missing-7")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if want := `carelogic: appointment "missing-7" not found`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestMemoryCreateAppointment(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt(CreatedIDPrefix+"2", 0)) // already taken, so skipped
	var got []string
	for i := range 3 {
		in := appt("ignored", time.Duration(i)*time.Hour)
		a, err := m.CreateAppointment(t.Context(), in)
		if err != nil {
			t.Fatalf("CreateAppointment #%d: %v", i, err)
		}
		want := in.Clone()
		want.ID = a.ID
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("returned appointment (-want +got):\n%s", diff)
		}
		stored, err := m.Appointment(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, stored); diff != "" {
			t.Errorf("stored appointment (-want +got):\n%s", diff)
		}
		got = append(got, a.ID)
	}
	if diff := cmp.Diff([]string{"oncall-1", "oncall-3", "oncall-4"}, got); diff != "" {
		t.Errorf("assigned ids (-want +got):\n%s", diff)
	}
	if _, err := m.Appointment(t.Context(), "ignored"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the caller's id was stored: %v", err)
	}
}

func TestMemoryCreateAppointmentInvalid(t *testing.T) {
	t.Parallel()
	m := NewMemory()
	bad := appt("", 0)
	bad.Modality = "phone"
	_, err := m.CreateAppointment(t.Context(), bad)
	if !errors.Is(err, ErrUnsupportedModality) {
		t.Fatalf("err = %v, want ErrUnsupportedModality", err)
	}
	if n := len(m.All()); n != 0 {
		t.Errorf("an invalid appointment was stored (%d appointments)", n)
	}
	// A refused create does not use up an id.
	a, err := m.CreateAppointment(t.Context(), appt("", 0))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "oncall-1" {
		t.Errorf("id after a refused create = %q, want oncall-1", a.ID)
	}
}

func TestMemoryUpdateAppointment(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0))
	changed := appt("a", time.Hour)
	changed.Modality = InPerson
	if err := m.UpdateAppointment(t.Context(), changed); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Appointment{changed}, m.All()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	if err := m.UpdateAppointment(t.Context(), appt("missing", 0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing appointment = %v, want ErrNotFound", err)
	}

	invalid := changed.Clone()
	invalid.Participants = nil
	var ve *ValidationError
	if err := m.UpdateAppointment(t.Context(), invalid); !errors.As(err, &ve) {
		t.Errorf("invalid update = %v, want a *ValidationError", err)
	}
	if diff := cmp.Diff([]Appointment{changed}, m.All()); diff != "" {
		t.Errorf("a refused update changed the appointment (-want +got):\n%s", diff)
	}
}

func TestMemorySetParticipantStatus(t *testing.T) {
	t.Parallel()
	group := appt("g", 0)
	group.Kind = Group
	group.Participants = clients(3)
	m := NewMemory(group)

	for _, s := range []Status{StatusDNS, StatusKept, "Checked-in"} {
		if err := m.SetParticipantStatus(t.Context(), "g", "c-2", s); err != nil {
			t.Fatalf("SetParticipantStatus(%q): %v", s, err)
		}
		want := group.Clone()
		want.Participants[1].Status = s
		got, err := m.Appointment(t.Context(), "g")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after status %q (-want +got):\n%s", s, diff)
		}
	}

	err := m.SetParticipantStatus(t.Context(), "missing-1", "c-1", StatusCBC)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `appointment "missing-1"`) {
		t.Errorf("missing appointment: err = %v, want ErrNotFound naming the appointment", err)
	}
	err = m.SetParticipantStatus(t.Context(), "g", "c-404", StatusCBC)
	// "g" has no digit, so it is shown by its length, as an id that may be a name.
	if want := `carelogic: client "c-404" is not on appointment (a value of 1 character)`; !errors.Is(err, ErrNotFound) || err == nil || err.Error() != want {
		t.Errorf("missing client: err = %v, want ErrNotFound with text %q", err, want)
	}
	got, _ := m.Appointment(t.Context(), "g")
	if s := got.Participant("c-1").Status; s != "" {
		t.Errorf("a failed call changed another client's status to %q", s)
	}
}

func TestMemoryAddComment(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0))
	for _, text := range []string{"Client cancelled: feeling unwell", "", "Rebooked for next week"} {
		if err := m.AddComment(t.Context(), "a", text); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := m.Appointment(t.Context(), "a")
	if want := "Client cancelled: feeling unwell\nRebooked for next week"; got.Comments != want {
		t.Errorf("Comments = %q, want %q", got.Comments, want)
	}
	if err := m.AddComment(t.Context(), "missing", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing appointment: err = %v, want ErrNotFound", err)
	}
}

func TestMemorySetOnCallURL(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0))
	for _, url := range []string{"https://api.oncallhealth.ca/appointments/1/", "https://api.oncallhealth.ca/appointments/2/"} {
		if err := m.SetOnCallURL(t.Context(), "a", url); err != nil {
			t.Fatal(err)
		}
		got, _ := m.Appointment(t.Context(), "a")
		if got.OnCallURL != url {
			t.Errorf("OnCallURL = %q, want %q", got.OnCallURL, url)
		}
	}
	if err := m.SetOnCallURL(t.Context(), "missing", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing appointment: err = %v, want ErrNotFound", err)
	}
}

func TestMemoryHonoursCancelledContext(t *testing.T) {
	t.Parallel()
	m := NewMemory(appt("a", 0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"Appointment": func() error { _, err := m.Appointment(ctx, "a"); return err },
		"CreateAppointment": func() error {
			_, err := m.CreateAppointment(ctx, appt("", 0))
			return err
		},
		"UpdateAppointment":    func() error { return m.UpdateAppointment(ctx, appt("a", time.Hour)) },
		"SetParticipantStatus": func() error { return m.SetParticipantStatus(ctx, "a", "c-a", StatusDNS) },
		"AddComment":           func() error { return m.AddComment(ctx, "a", "x") },
		"SetOnCallURL":         func() error { return m.SetOnCallURL(ctx, "a", "x") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	if diff := cmp.Diff([]Appointment{appt("a", 0)}, m.All()); diff != "" {
		t.Errorf("a cancelled call changed the store (-want +got):\n%s", diff)
	}
}

// TestMemoryConcurrent is meant for -race: readers and writers of every kind at once, then a check that no write
// was lost.
func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	const workers, rounds = 16, 20
	group := appt("g", 0)
	group.Kind = Group
	group.Participants = clients(workers)
	m := NewMemory(group)
	ctx := t.Context()

	var wg sync.WaitGroup
	created := make([][]string, workers)
	for w := range workers {
		wg.Go(func() {
			client := fmt.Sprintf("c-%d", w+1)
			for r := range rounds {
				a, err := m.CreateAppointment(ctx, appt("", time.Duration(r)*time.Minute))
				if err != nil {
					t.Error(err)
					return
				}
				created[w] = append(created[w], a.ID)
				m.Put(appt(fmt.Sprintf("w%d-r%d", w, r), time.Duration(r)*time.Minute))
				if err := m.SetParticipantStatus(ctx, "g", client, Status(fmt.Sprint(r))); err != nil {
					t.Error(err)
				}
				if err := m.AddComment(ctx, "g", client); err != nil {
					t.Error(err)
				}
				if err := m.SetOnCallURL(ctx, a.ID, "https://api.oncallhealth.ca/appointments/1/"); err != nil {
					t.Error(err)
				}
				for a, err := range m.Appointments(ctx, t0, t0.Add(time.Hour)) {
					if err != nil {
						t.Error(err)
					}
					a.Participants[0].Status = StatusKept // must not reach the store
				}
				if _, err := m.Appointment(ctx, "g"); err != nil {
					t.Error(err)
				}
				if r%5 == 0 {
					_ = m.All()
				}
				if r%10 == 0 {
					if err := m.Delete(fmt.Sprintf("w%d-r%d", w, r)); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()

	var all []string
	for _, c := range created {
		all = append(all, c...)
	}
	slices.Sort(all)
	if n := len(slices.Compact(slices.Clone(all))); n != workers*rounds || len(all) != workers*rounds {
		t.Errorf("created %d ids, %d distinct, want %d distinct", len(all), n, workers*rounds)
	}
	for i := range workers * rounds {
		if _, err := slices.BinarySearch(all, fmt.Sprintf("oncall-%d", i+1)); !err {
			t.Errorf("id oncall-%d was never assigned", i+1)
		}
	}

	g, err := m.Appointment(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(g.Comments, "\n")); n != workers*rounds {
		t.Errorf("comments hold %d lines, want %d", n, workers*rounds)
	}
	for _, p := range g.Participants {
		if want := Status(fmt.Sprint(rounds - 1)); p.Status != want {
			t.Errorf("client %s status = %q, want %q (the last one set)", p.ClientID, p.Status, want)
		}
	}
	wantStored := 1 + workers*rounds + workers*(rounds-rounds/10)
	if n := len(m.All()); n != wantStored {
		t.Errorf("stored %d appointments, want %d", n, wantStored)
	}
}
