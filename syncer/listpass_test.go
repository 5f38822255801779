package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// noURLs is an EHR that does not keep OnCall URLs: only its Adapter methods show.
type noURLs struct{ carelogic.Adapter }

// listOrdered lists appointments in the order given (ordering=...), as a server may by default: newest first
// ("-datetime"), a booking, or an appointment moved later, lands on the first page and shifts the others towards
// the last; oldest first ("datetime"), an appointment moved later pulls the next ones back.
type listOrdered struct {
	by   string
	next http.RoundTripper
}

func (t listOrdered) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Path == "/appointments/" {
		req = req.Clone(req.Context())
		q := req.URL.Query()
		q.Set("ordering", t.by)
		req.URL.RawQuery = q.Encode()
	}
	return t.next.RoundTrip(req)
}

// newestFirst lists appointments newest first (see listOrdered).
func newestFirst(next http.RoundTripper) http.RoundTripper { return listOrdered{"-datetime", next} }

// pagedRunner returns a runner on h's server that lists pageSize appointments a page, through the transport wrap
// makes of the server's.
func pagedRunner(t *testing.T, h *harness, pageSize int, wrap func(http.RoundTripper) http.RoundTripper) *syncer.Runner {
	t.Helper()
	hc := h.srv.HTTPClient()
	hc.Transport = wrap(hc.Transport)
	client, err := h.srv.Client(oncall.WithRetryPolicy(fastRetry), oncall.WithRateLimit(oncall.NoRateLimit, 1), oncall.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return &syncer.Runner{Client: client, Concurrency: 4, PageSize: pageSize}
}

// TestRunnerListingMoves: OnCall's listing can change while a sync reads it, page by page. A booking ahead of the
// reader makes it read an appointment twice, which is planned once (not reported as a duplicate). An appointment
// moved from a page not yet read to one already read is skipped, which would make the sync book it again: such a
// listing is read a second time, and when that one skips another, the first reading's showing it holds its create
// back, unless the EHR record holds its OnCall URL: it is then read by id. A new EHR booking, which no reading
// shows, is created all the same.
func TestRunnerListingMoves(t *testing.T) {
	t.Parallel()
	const n, pageSize = 35, 10
	tests := []struct {
		name string
		// move changes OnCall after the first page of each reading of the listing, numbered from 1.
		move func(t *testing.T, h *harness, reading int)
		// urls says whether the EHR keeps each appointment's OnCall URL (carelogic.URLStore).
		urls        bool
		wantListing syncer.ListingStats
		wantHeld    int
	}{
		{"a booking ahead of the reader", func(t *testing.T, h *harness, reading int) {
			if reading > 1 {
				return
			}
			_, err := h.srv.BookAsUser(oncalltest.Appointment{Title: "Booked in OnCall", Type: oncall.TypeOnline,
				DateTime: e2eNow.AddDate(1, 0, 0), Duration: 30, Division: h.policy.Division,
				Participants: []oncalltest.Participant{{Name: "Someone", Email: "someone@example.org"}}})
			if err != nil {
				t.Fatal(err)
			}
		}, false, syncer.ListingStats{Pages: 4, Appointments: n, Repeated: 1}, 0}, // the booking went onto the page already read
		{"an appointment moved ahead of the reader, once", func(t *testing.T, h *harness, reading int) {
			if reading > 1 {
				return
			}
			moveEarliest(t, h)
		}, false, syncer.ListingStats{Pages: 8, Appointments: n, ReadTwice: true}, 0},
		{"an appointment moved ahead of the reader, every time", func(t *testing.T, h *harness, reading int) {
			moveEarliest(t, h)
		}, false, syncer.ListingStats{Pages: 8, Appointments: n - 1, Repeated: 1, ReadTwice: true, Unsteady: true}, 1},
		// With its OnCall URL on the EHR record, the appointment the listing skipped is read by id, and planned.
		{"an appointment moved ahead of the reader, every time, its URL known", func(t *testing.T, h *harness, reading int) {
			moveEarliest(t, h)
		}, true, syncer.ListingStats{Pages: 8, Appointments: n - 1, Repeated: 1, ReadTwice: true, Unsteady: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testSchedule(n))
			r := pagedRunner(t, h, pageSize, newestFirst)
			var ehr carelogic.Adapter = noURLs{h.mem}
			if tt.urls {
				ehr = h.mem
			}
			rep, err := r.Sync(context.Background(), ehr, h.window, h.policy) // books them all
			checkSyncError(t, rep, err)

			// A new booking in the EHR, which no reading can show: it is created whatever the listing does.
			h.mem.Put(testSchedule(n + 1)[n])
			// OnCall changes after the first page of a reading; the listing then shifts under the reader.
			reading := 0
			r.Progress = func(p syncer.Progress) {
				if p.Listed == pageSize && p.Total == 0 {
					reading++
					tt.move(t, h, reading)
				}
			}
			rep, err = r.Sync(context.Background(), ehr, h.window, h.policy)
			if tt.wantHeld == 0 {
				checkSyncError(t, rep, err)
			}
			got := *rep.Listing
			got.InWindow = 0
			if diff := cmp.Diff(tt.wantListing, got); diff != "" {
				t.Errorf("listing (-want +got):\n%s", diff)
			}
			if c := rep.Planned[syncer.ActionCreate] + rep.Planned[syncer.ActionRecreate]; c != 1 || rep.Applied[syncer.ActionCreate] != 1 {
				t.Errorf("%d creates planned, %d applied; want the new booking alone (another would book an appointment a second time)", c, rep.Applied[syncer.ActionCreate])
			}
			held := 0
			for _, s := range rep.Skipped {
				if strings.Contains(s.Reason, "duplicate") {
					t.Errorf("skip %q: an appointment read twice was taken for a duplicate", s.Reason)
				}
				if s.Attention && strings.Contains(s.Reason, "not created: OnCall's listing moved") {
					held++
				}
			}
			if held != tt.wantHeld {
				t.Errorf("%d creates held back, want %d", held, tt.wantHeld)
			}
			if tt.wantHeld > 0 && !strings.Contains(textOf(t, rep), "nothing the first reading showed was created") {
				t.Errorf("the text report does not say what was not created:\n%s", textOf(t, rep))
			}
			perKey := map[string]int{}
			for _, a := range h.srv.Appointments() {
				if id, ok := a.Metadata.String(syncer.KeyEMRID); ok && !a.Cancelled {
					perKey[id]++
				}
			}
			for id, c := range perKey {
				if c > 1 {
					t.Errorf("EHR appointment %s is booked %d times in OnCall", id, c)
				}
			}
			if len(perKey) != n+1 {
				t.Errorf("%d EHR appointments booked in OnCall, want %d", len(perKey), n+1)
			}
		})
	}
}

// moveEarliest moves the earliest OnCall appointment of the EHR's not moved yet (on the last page, newest first) a
// year later, as someone editing it in OnCall would: onto the first page, which the reader has just read.
func moveEarliest(t *testing.T, h *harness) {
	t.Helper()
	var id oncall.AppointmentID
	var earliest time.Time
	for _, a := range h.srv.Appointments() {
		if _, ok := a.Metadata.String(syncer.KeyEMRID); ok && a.DateTime.Before(e2eNow.AddDate(0, 6, 0)) && (id == 0 || a.DateTime.Before(earliest)) {
			id, earliest = a.ID, a.DateTime
		}
	}
	if err := h.srv.UpdateAsUser(id, func(a *oncalltest.Appointment) { a.DateTime = a.DateTime.AddDate(1, 0, 0) }); err != nil {
		t.Fatal(err)
	}
}

// textOf returns rep's text form.
func textOf(t *testing.T, rep *syncer.Report) string {
	t.Helper()
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hookTransport calls before, if set, ahead of each request it sends.
type hookTransport struct {
	next   http.RoundTripper
	before atomic.Pointer[func(*http.Request)]
}

func (t *hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f := t.before.Load(); f != nil {
		(*f)(req)
	}
	return t.next.RoundTrip(req)
}

// TestRunnerLookUpListingMoves: after a create whose outcome is unknown, the runner lists OnCall to see whether it
// happened. When that listing moves while it is read, and again when read a second time, it may have skipped the
// appointment: it is not created again, and the next sync, on a listing that holds still, creates it once.
func TestRunnerLookUpListingMoves(t *testing.T) {
	t.Parallel()
	const n, pageSize = 25, 10
	h := newHarness(t, testSchedule(n))
	hook := &hookTransport{}
	r := pagedRunner(t, h, pageSize, func(next http.RoundTripper) http.RoundTripper {
		hook.next = newestFirst(next)
		return hook
	})
	r.Concurrency = 1
	h.sync(r)

	// A new booking, whose create is lost on the way; every listing after it moves under the reader.
	booking := testSchedule(n + 1)[n]
	h.mem.Put(booking)
	if err := h.srv.InjectNext(oncalltest.FaultDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
		t.Fatal(err)
	}
	armed := false
	before := func(req *http.Request) {
		switch {
		case req.Method == http.MethodPost:
			armed = true
		case armed && req.Method == http.MethodGet && req.URL.Query().Get("page") == "2":
			moveEarliest(t, h)
		}
	}
	hook.before.Store(&before)
	rep, err := r.Sync(context.Background(), h.mem, h.window, h.policy)
	if !errors.Is(err, syncer.ErrIncomplete) {
		t.Fatalf("sync: %v, want an IncompleteError", err)
	}
	var create *syncer.ActionResult
	for i := range rep.Actions {
		if rep.Actions[i].Kind == syncer.ActionCreate {
			create = &rep.Actions[i]
		}
	}
	if create == nil || create.Outcome != syncer.OutcomeFailed || !strings.Contains(create.Error, "not created again") {
		t.Fatalf("the create after a moving look-up: %+v; want failed, not created again", create)
	}
	if got := requestCounts(h.srv)["POST /appointments/"]; got != n+1 {
		t.Errorf("%d creates sent in all, want %d: the lost one was sent again", got, n+1)
	}

	hook.before.Store(nil)
	rep = h.sync(r)
	if rep.Applied[syncer.ActionCreate] != 1 {
		t.Errorf("the next sync created %d, want the booking created once", rep.Applied[syncer.ActionCreate])
	}
	checkNoDuplicates(t, h.srv.Appointments(), "after the next sync")
}

// TestReconcileListingMoves: a reconcile whose listing skipped an appointment reads it by id when the ledger pairs
// its key. When nothing records it (a ledger lost, with an EHR that keeps no OnCall URLs), it holds back the create
// of the appointment the first reading showed, and records its key as Pending, so that the next event about that
// appointment does not book it a second time either; the next reconcile, on a listing that holds still, pairs it.
func TestReconcileListingMoves(t *testing.T) {
	t.Parallel()
	for _, recorded := range []bool{false, true} {
		t.Run(fmt.Sprintf("recorded=%v", recorded), func(t *testing.T) {
			t.Parallel()
			const n, pageSize = 35, 10
			h := newHarness(t, testSchedule(n))
			r := pagedRunner(t, h, pageSize, newestFirst)
			ehr := noURLs{h.mem}
			ledger := syncer.NewMemoryLedger()
			ctx := context.Background()
			if recorded {
				rep, err := r.Reconcile(ctx, ehr, ledger, h.window, h.policy)
				checkSyncError(t, rep, err)
			} else {
				rep, err := r.Sync(ctx, ehr, h.window, h.policy)
				checkSyncError(t, rep, err)
			}

			r.Progress = func(p syncer.Progress) {
				if p.Listed == pageSize && p.Total == 0 {
					moveEarliest(t, h)
				}
			}
			rep, err := r.Reconcile(ctx, ehr, ledger, h.window, h.policy)
			if rep == nil || rep.Listing == nil || !rep.Listing.Unsteady {
				t.Fatalf("reconcile on a moving listing: %v; want an unsteady listing", err)
			}
			const skipped = testSource + "/r-001" // moved during the second reading
			e, ok, lerr := ledger.Get(ctx, skipped)
			if lerr != nil {
				t.Fatal(lerr)
			}
			held := false
			for _, s := range rep.Skipped {
				held = held || s.Key == skipped && s.Attention && strings.HasPrefix(s.Reason, "not created")
			}
			if recorded {
				checkSyncError(t, rep, err)
				if held || !ok || e.Pending || e.Appointment == 0 {
					t.Errorf("held %v, ledger entry %+v (%v); want it read by id and paired", held, e, ok)
				}
			} else if !errors.Is(err, syncer.ErrIncomplete) || !held || !ok || !e.Pending {
				t.Fatalf("error %v, held %v, ledger entry %+v (%v); want the create held and the key Pending", err, held, e, ok)
			}

			// An event about that appointment: its EHR record changed.
			r.Progress = nil
			a, err := h.mem.Appointment(ctx, "r-001")
			if err != nil {
				t.Fatal(err)
			}
			a.Activity = "Individual Therapy (moved room)"
			h.mem.Put(a)
			if _, err := r.SyncChanges(ctx, ehr, ledger, []syncer.Change{{Key: skipped, ID: "r-001"}}, h.policy); err != nil && !errors.Is(err, syncer.ErrIncomplete) {
				t.Fatal(err)
			}
			checkNoDuplicates(t, h.srv.Appointments(), "after the event")

			if rep, err := r.Reconcile(ctx, ehr, ledger, h.window, h.policy); err != nil {
				t.Fatalf("reconcile on a listing that holds still: %v\n%s", err, rep)
			}
			if e, ok, _ := ledger.Get(ctx, skipped); !ok || e.Pending || e.Appointment == 0 {
				t.Errorf("ledger entry of %s after a steady reconcile: %+v; want it paired", skipped, e)
			}
			checkNoDuplicates(t, h.srv.Appointments(), "after the last reconcile")
		})
	}
}

// TestRunnerSkipHiddenByBooking: oldest first, an appointment already read rescheduled later pulls the first one of
// the next page onto the page already read (skipped) and is read again at its new place; a booking further on,
// between the same two pages, raises the count by as much as that repeat: the listing shows no sign of the skip. The EHR record of the skipped appointment holds its OnCall URL,
// so the create the plan would make reads it by id first, and nothing is booked twice.
func TestRunnerSkipHiddenByBooking(t *testing.T) {
	t.Parallel()
	const n, pageSize = 35, 10
	h := newHarness(t, testSchedule(n))
	r := pagedRunner(t, h, pageSize, func(next http.RoundTripper) http.RoundTripper { return listOrdered{"datetime", next} })
	h.sync(r)

	moved := false
	r.Progress = func(p syncer.Progress) {
		if p.Listed != pageSize || p.Total != 0 || moved {
			return
		}
		moved = true
		var first oncall.AppointmentID
		var at time.Time
		for _, a := range h.srv.Appointments() {
			if first == 0 || a.DateTime.Before(at) {
				first, at = a.ID, a.DateTime
			}
		}
		if err := h.srv.UpdateAsUser(first, func(a *oncalltest.Appointment) { a.DateTime = a.DateTime.AddDate(0, 0, 7) }); err != nil {
			t.Fatal(err)
		}
		if _, err := h.srv.BookAsUser(oncalltest.Appointment{Title: "Booked in OnCall", Type: oncall.TypeOnline,
			DateTime: e2eNow.AddDate(0, 1, 0), Duration: 30, Division: h.policy.Division,
			Participants: []oncalltest.Participant{{Name: "Someone", Email: "someone@example.org"}}}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := r.Sync(context.Background(), h.mem, h.window, h.policy)
	checkSyncError(t, rep, err)
	if l := rep.Listing; l.ReadTwice || l.Repeated != 1 || l.Appointments != n {
		t.Fatalf("listing %+v: want one reading that skipped one appointment, read the moved one twice and showed the booking", *l)
	}
	if c := rep.Planned[syncer.ActionCreate]; c != 0 {
		t.Errorf("%d creates planned: the skipped appointment would be booked twice", c)
	}
	checkNoDuplicates(t, h.srv.Appointments(), "after a sync whose listing hid a skip")
}

// orphanCounter is an EHR that counts the appointments asked for by id (the orphan checks of a plan).
type orphanCounter struct {
	*carelogic.Memory
	asked int
}

func (o *orphanCounter) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	o.asked++
	return o.Memory.Appointment(ctx, id)
}

// TestRunnerSupersededNotReplanned: an EHR record whose OnCall URL names an appointment superseded by a recreate
// (its replacement not booked) is read by id once, but the superseded appointment stands for no key: the plan is
// not made again, so the EHR is asked about each orphan once.
func TestRunnerSupersededNotReplanned(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(5))
	h.sync(h.runner())
	for _, a := range h.srv.Appointments() {
		if id, _ := a.Metadata.String(syncer.KeyEMRID); id == "r-001" {
			if err := h.srv.UpdateAsUser(a.ID, func(a *oncalltest.Appointment) {
				a.Metadata[syncer.KeyEMRSuperseded], a.Cancelled = true, true
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := h.mem.Delete("r-002"); err != nil {
		t.Fatal(err)
	}
	h.srv.ResetRequests()
	ehr := &orphanCounter{Memory: h.mem}
	rep, err := h.runner().Sync(context.Background(), ehr, h.window, h.policy)
	checkSyncError(t, rep, err)
	if ehr.asked != 1 {
		t.Errorf("the EHR was asked about the orphan %d times, want once", ehr.asked)
	}
	want := map[string]int{"GET /appointments/": 1, "GET /appointments/{id}/": 1, "POST /appointments/": 1, "PATCH /appointments/{id}/": 1}
	if diff := cmp.Diff(want, requestCounts(h.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
