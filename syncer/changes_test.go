package syncer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// reconcile runs a full reconcile into ledger and fails the test on anything but a clean run.
func (h *harness) reconcile(r *syncer.Runner, ledger syncer.Ledger) *syncer.Report {
	h.t.Helper()
	rep, err := finished(r.Reconcile(h.t.Context(), h.mem, ledger, h.window, h.policy))
	if err != nil {
		h.t.Fatalf("reconcile: %v\n%s", err, rep)
	}
	return rep
}

// changesOf names appts as changes.
func changesOf(appts ...carelogic.Appointment) []syncer.Change {
	out := make([]syncer.Change, len(appts))
	for i := range appts {
		out[i] = syncer.ChangeOf(&appts[i])
	}
	return out
}

// ledgerEntries returns ledger's entries, for comparison, without their times.
func ledgerEntries(t testing.TB, l syncer.Ledger) []syncer.LedgerEntry {
	t.Helper()
	var out []syncer.LedgerEntry
	for e, err := range l.All(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		e.Updated = time.Time{}
		out = append(out, e)
	}
	return out
}

// TestSyncChangesCalls: with a ledger built by a full reconcile, k changed EHR appointments cost one read and one
// write each, a new one one write, and no listing; the same changes notified again cost nothing; and the state is
// the oracle's, as a full sync would leave it (issue 14).
func TestSyncChangesCalls(t *testing.T) {
	t.Parallel()
	const n = 300
	h := newHarness(t, append(testSchedule(n-2), testGroup("g-1", 500, 503), testGroup("g-2", 510, 513)))
	o := newOracle(h.policy)
	o.sync(h.ehr())
	ledger := syncer.NewMemoryLedger()
	r := &syncer.Runner{Client: h.client, Concurrency: 4, PageSize: 100}
	h.reconcile(r, ledger)
	if ledger.Len() != n {
		t.Fatalf("ledger holds %d entries after the reconcile, want %d", ledger.Len(), n)
	}

	var changed []carelogic.Appointment
	o.sync(h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		for i := range appts {
			a := &appts[i]
			switch a.ID {
			case "r-003", "r-050":
				a.Start = a.Start.Add(30 * time.Minute)
			case "r-007":
				a.Activity = "Family Therapy"
			case "r-010":
				a.Participants[0].Status = carelogic.StatusDNS
			case "r-020":
				a.Participants[0].Status = carelogic.StatusCBT
			case "r-030":
				a.Deleted = true
			case "g-1":
				a.Participants[0] = testClient(504)
				a.Participants[1].Status = carelogic.StatusCBC
			case "r-040":
				a.UpdatedAt = e2eNow // a resend: nothing the sync reads
			default:
				continue
			}
			changed = append(changed, *a)
		}
		fresh := testSchedule(n + 1)[n]
		fresh.ID = "r-new"
		changed = append(changed, fresh)
		return append(appts, fresh)
	}))

	h.srv.ResetRequests()
	rep, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(changed...), h.policy))
	if err != nil {
		t.Fatalf("SyncChanges: %v\n%s", err, rep)
	}
	want := map[string]int{
		"GET /appointments/{id}/":   7, // each changed appointment but the resend and the new one
		"PATCH /appointments/{id}/": 7,
		"POST /appointments/":       1,
	}
	if diff := cmp.Diff(want, requestCounts(h.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if rep.Listing != nil || rep.Reconcile {
		t.Errorf("Listing %v, Reconcile %v: want nil, false", rep.Listing, rep.Reconcile)
	}
	h.checkState(o, "after SyncChanges")

	// The same changes again: every digest is recorded, nothing is read or written.
	h.srv.ResetRequests()
	if _, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(changed...), h.policy)); err != nil {
		t.Fatal(err)
	}
	if got := requestCounts(h.srv); len(got) != 0 {
		t.Errorf("the same changes again sent %v, want nothing", got)
	}

	// The ledger is what a full reconcile would rebuild from OnCall's metadata, to the digest.
	incremental := ledgerEntries(t, ledger)
	rebuilt := syncer.NewMemoryLedger()
	h.reconcile(r, rebuilt)
	if diff := cmp.Diff(incremental, ledgerEntries(t, rebuilt)); diff != "" {
		t.Errorf("ledger kept by SyncChanges against one rebuilt by Reconcile (-kept +rebuilt):\n%s", diff)
	}
}

// TestSyncChangesGone: an appointment the EHR no longer has is cancelled in OnCall, as Sync cancels an orphan;
// one the ledger does not know and the EHR does not have costs nothing.
func TestSyncChangesGone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(3))
	o := newOracle(h.policy)
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	gone := h.mem.All()[1]
	if err := h.mem.Delete(gone.ID); err != nil {
		t.Fatal(err)
	}
	o.sync(h.ehr())
	h.srv.ResetRequests()
	changes := append(changesOf(gone), syncer.Change{Key: testSource + "/never", ID: "never"})
	rep, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changes, h.policy))
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	if diff := cmp.Diff(map[syncer.ActionKind]int{syncer.ActionCancel: 1}, rep.Applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s\n%s", diff, rep)
	}
	want := map[string]int{"GET /appointments/{id}/": 1, "PATCH /appointments/{id}/": 1}
	if diff := cmp.Diff(want, requestCounts(h.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, m := range h.srv.Appointments() {
		if id, _ := m.Metadata.String(syncer.KeyEMRID); id == gone.ID && !m.Cancelled {
			t.Errorf("appointment %d of the deleted EHR appointment is live", m.ID)
		}
	}
}

// TestSyncChangesCreateCrash: a create is recorded as Pending before it is sent, so that a process that dies
// before it records the outcome never creates the appointment twice: the next SyncChanges leaves it to a full
// reconcile, which finds it in OnCall.
func TestSyncChangesCreateCrash(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(2))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	fresh := testSchedule(3)[2]
	h.mem.Put(fresh)

	// The create reaches OnCall; the ledger write after it fails, as if the process died there.
	crashing := &failingLedger{Ledger: ledger, failPutAfter: 1}
	rep, err := r.SyncChanges(t.Context(), h.mem, crashing, changesOf(fresh), h.policy)
	if err == nil || rep.Applied[syncer.ActionCreate] != 1 {
		t.Fatalf("want the create applied and the ledger's failure reported, got %v\n%s", err, rep)
	}
	e, ok, err := ledger.Get(t.Context(), fresh.Key())
	if err != nil || !ok || !e.Pending {
		t.Fatalf("ledger entry after the lost write: %+v, %v, %v; want Pending", e, ok, err)
	}

	h.srv.ResetRequests()
	rep, err = finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(fresh), h.policy))
	if err != nil || !rep.Reconcile {
		t.Fatalf("SyncChanges of a pending create: err %v, Reconcile %v; want nil, true\n%s", err, rep.Reconcile, rep)
	}
	if got := requestCounts(h.srv); len(got) != 0 {
		t.Errorf("a pending create sent %v, want nothing until a reconcile", got)
	}
	h.reconcile(r, ledger)
	checkNoDuplicates(t, h.srv.Appointments(), "after the reconcile")
	if e, ok, _ := ledger.Get(t.Context(), fresh.Key()); !ok || e.Pending || e.Appointment == 0 || e.Digest != syncer.Digest(&fresh) {
		t.Errorf("ledger entry after the reconcile: %+v, want the appointment and its digest", e)
	}
}

// TestSyncChangesAmbiguousCreate: a create whose answer is lost is looked up before it is sent again, and the
// ledger gets the appointment that exists.
func TestSyncChangesAmbiguousCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(2))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	fresh := testSchedule(3)[2]
	h.mem.Put(fresh)
	if err := h.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
		t.Fatal(err)
	}
	rep, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(fresh), h.policy))
	if err != nil {
		t.Fatalf("%v\n%s", err, rep)
	}
	checkNoDuplicates(t, h.srv.Appointments(), "after the ambiguous create")
	e, ok, _ := ledger.Get(t.Context(), fresh.Key())
	if !ok || e.Pending || e.Appointment != rep.Actions[0].Created || e.Digest != syncer.Digest(&fresh) {
		t.Errorf("ledger entry: %+v; want appointment %d with its digest", e, rep.Actions[0].Created)
	}
}

// TestReconcileRebuildsLedger: a ledger that was lost (empty) or holds wrong entries is rebuilt from OnCall's
// metadata by a full reconcile, which writes nothing to OnCall when it is in sync.
func TestReconcileRebuildsLedger(t *testing.T) {
	t.Parallel()
	h := newHarness(t, append(testSchedule(5), testGroup("g-1", 500, 503)))
	r := h.runner()
	want := syncer.NewMemoryLedger()
	h.reconcile(r, want)
	wrong := syncer.NewMemoryLedger()
	if err := wrong.Put(t.Context(),
		syncer.LedgerEntry{Key: testSource + "/r-001", Appointment: 99999, Digest: "stale"},
		syncer.LedgerEntry{Key: testSource + "/ghost", Pending: true}); err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*syncer.MemoryLedger{"lost": syncer.NewMemoryLedger(), "wrong": wrong} {
		h.srv.ResetRequests()
		rep := h.reconcile(r, l)
		if rep.Changed() {
			t.Errorf("%s: the reconcile planned changes:\n%s", name, rep)
		}
		if diff := cmp.Diff(ledgerEntries(t, want), ledgerEntries(t, l)); diff != "" {
			t.Errorf("%s: rebuilt ledger (-want +got):\n%s", name, diff)
		}
	}
	for _, e := range ledgerEntries(t, want) {
		if e.Digest == "" || e.Appointment == 0 {
			t.Errorf("entry %+v: want an appointment and a digest", e)
		}
	}
}

// TestDigest: the digest follows every field the sync reads and none it does not.
func TestDigest(t *testing.T) {
	t.Parallel()
	base := testGroup("g-1", 1, 3)
	d := syncer.Digest(&base)
	same := []func(*carelogic.Appointment){
		func(a *carelogic.Appointment) { a.UpdatedAt = e2eNow },
		func(a *carelogic.Appointment) { a.OnCallURL = "https://api.oncallhealth.ca/appointments/1/" },
		func(a *carelogic.Appointment) { a.Comments = "called ahead" },
		func(a *carelogic.Appointment) { a.Start = a.Start.In(time.FixedZone("EST", -5*3600)) },
	}
	for i, f := range same {
		c := base.Clone()
		f(&c)
		if got := syncer.Digest(&c); got != d {
			t.Errorf("same[%d]: digest changed", i)
		}
	}
	differ := []func(*carelogic.Appointment){
		func(a *carelogic.Appointment) { a.Start = a.Start.Add(time.Minute) },
		func(a *carelogic.Appointment) { a.Duration++ },
		func(a *carelogic.Appointment) { a.Activity += "x" },
		func(a *carelogic.Appointment) { a.ProviderID = "staff-999" },
		func(a *carelogic.Appointment) { a.Participants[1].Status = carelogic.StatusCBC },
		func(a *carelogic.Appointment) { a.Participants[2].Email = "other@example.org" },
		func(a *carelogic.Appointment) { a.Participants = a.Participants[:2] },
		func(a *carelogic.Appointment) { a.Deleted = true },
		func(a *carelogic.Appointment) { a.Modality = carelogic.InPerson },
	}
	seen := map[string]int{d: -1}
	for i, f := range differ {
		c := base.Clone()
		f(&c)
		got := syncer.Digest(&c)
		if j, dup := seen[got]; dup {
			t.Errorf("differ[%d]: same digest as %d", i, j)
		}
		seen[got] = i
	}
}

// TestLedgerEntryValidate covers the entries a ledger refuses.
func TestLedgerEntryValidate(t *testing.T) {
	t.Parallel()
	long := string(make([]byte, syncer.MaxLedgerKeyBytes+1))
	for _, tt := range []struct {
		e       syncer.LedgerEntry
		wantErr bool
		isKey   bool
	}{
		{syncer.LedgerEntry{Key: "s/1", Appointment: 1}, false, false},
		{syncer.LedgerEntry{Key: "s/1", Pending: true}, false, false},
		{syncer.LedgerEntry{Key: "", Appointment: 1}, true, true},
		{syncer.LedgerEntry{Key: long, Appointment: 1}, true, true},
		{syncer.LedgerEntry{Key: "s/1"}, true, false},
		{syncer.LedgerEntry{Key: "s/1", Pending: true, Appointment: 2}, true, false},
	} {
		err := tt.e.Validate()
		if (err != nil) != tt.wantErr || errors.Is(err, syncer.ErrLedgerKey) != tt.isKey {
			t.Errorf("Validate(%q, %d, pending %v) = %v", tt.e.Key[:min(len(tt.e.Key), 8)], tt.e.Appointment, tt.e.Pending, err)
		}
	}
}

// failingLedger fails every Put after the first failPutAfter.
type failingLedger struct {
	syncer.Ledger
	failPutAfter int
	puts         int
}

var errLedgerDown = errors.New("ledger: disk gone")

func (l *failingLedger) Put(ctx context.Context, entries ...syncer.LedgerEntry) error {
	l.puts++
	if l.puts > l.failPutAfter {
		return errLedgerDown
	}
	return l.Ledger.Put(ctx, entries...)
}

// TestSyncChangesRecreateCrash: a recreate (a 1:1 whose client changed) is recorded as Pending before it is sent,
// as a create is, so that a process dying before it records the new appointment leaves no pairing with the old,
// superseded one for a later event to take as gone.
func TestSyncChangesRecreateCrash(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testSchedule(2))
	ledger := syncer.NewMemoryLedger()
	r := h.runner()
	h.reconcile(r, ledger)
	edited := h.edit(func(appts []carelogic.Appointment) []carelogic.Appointment {
		appts[0].Participants[0] = testClient(900)
		return appts[:1]
	})
	crashing := &failingLedger{Ledger: ledger, failPutAfter: 1}
	rep, err := r.SyncChanges(t.Context(), h.mem, crashing, changesOf(edited...), h.policy)
	if err == nil || rep.Applied[syncer.ActionRecreate] != 1 {
		t.Fatalf("want the recreate applied and the ledger's failure reported, got %v\n%s", err, rep)
	}
	if e, ok, err := ledger.Get(t.Context(), edited[0].Key()); err != nil || !ok || !e.Pending {
		t.Fatalf("ledger entry after the lost write: %+v, %v, %v; want Pending", e, ok, err)
	}
	h.srv.ResetRequests()
	if rep, err := finished(r.SyncChanges(t.Context(), h.mem, ledger, changesOf(edited...), h.policy)); err != nil || !rep.Reconcile {
		t.Fatalf("the next event: %v, Reconcile %v; want it left to a reconcile", err, rep.Reconcile)
	}
	if got := requestCounts(h.srv); len(got) != 0 {
		t.Errorf("the next event sent %v, want nothing", got)
	}
	h.reconcile(r, ledger)
	checkNoDuplicates(t, h.srv.Appointments(), "after the reconcile")
}
