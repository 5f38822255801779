package siu

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/fixtures"
)

const fixtureKey = "SCHApp@GHHSFacility/36996"

var lifecycle01 = []string{
	"SIU-S12-01.hl7", "SIU-S13-01.hl7", "SIU-S14-01.hl7", "SIU-S15-01.hl7",
	"SIU-S16-01.hl7", "SIU-S17-01.hl7", "SIU-S26-01.hl7",
}

// decodeAll converts the named shared samples, after rewriting their segment ends with endings (nil: as they are).
func decodeAll(t *testing.T, names []string, ending string) []Snapshot {
	t.Helper()
	out := make([]Snapshot, len(names))
	for i, name := range names {
		data := fixture(t, name)
		if ending != "" {
			data = segmentEndings(data)[ending]
		}
		s, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[i] = s
	}
	return out
}

// permutations calls f with every ordering of 0..n-1 (Heap's algorithm).
func permutations(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	c := make([]int, n)
	f(p)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			f(p)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

// TestFeedConvergesInEveryOrder applies sets of the shared samples in every order and checks that each ends in
// the one expected state.
func TestFeedConvergesInEveryOrder(t *testing.T) {
	t.Parallel()
	want := wantFixtures()
	tests := []struct {
		name  string
		files []string
		// winner is the sample whose snapshot must be the final state.
		winner string
		perms  int
	}{
		// The whole -01 lifecycle: the deletion wins, whatever came before or after it.
		{"-01 lifecycle", lifecycle01, "SIU-S17-01.hl7", 5040},
		// Without the deletion: the latest closed message, the no-show at 10:00 after the 09:30 start, wins over
		// the cancellation and the 1989 discontinuation.
		{"-01 lifecycle without S17", slices.DeleteFunc(slices.Clone(lifecycle01), func(s string) bool {
			return s == "SIU-S17-01.hl7"
		}), "SIU-S26-01.hl7", 720},
		// The 1989 discontinuation, stamped long before the booking, still cancels it.
		{"booking and a stale-dated discontinuation", []string{
			"SIU-S12-01.hl7", "SIU-S13-01.hl7", "SIU-S14-01.hl7", "SIU-S16-01.hl7",
		}, "SIU-S16-01.hl7", 24},
		// S13 and S14 share MSH-7: the modification, later in the lifecycle, wins the tie.
		{"S13 and S14 tied on MSH-7", []string{"SIU-S12-01.hl7", "SIU-S13-01.hl7", "SIU-S14-01.hl7"}, "SIU-S14-01.hl7", 6},
		// S12-01 and S12-02 share SCH-2 and MSH-10: one occurrence, and the later booking wins.
		{"reused ids", []string{"SIU-S12-01.hl7", "SIU-S12-02.hl7"}, "SIU-S12-01.hl7", 2},
		// The -02 no-show (closed) outranks the -01 booking (open) although it is older.
		{"closed outranks open", []string{"SIU-S12-01.hl7", "SIU-S26-02.hl7"}, "SIU-S26-02.hl7", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			snaps := decodeAll(t, tt.files, "")
			wantSnap, err := Decode(fixture(t, tt.winner))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[tt.winner], wantSnap, ignoreHash); diff != "" {
				t.Fatalf("winner converts wrongly (-want +got):\n%s", diff)
			}
			n, failures := 0, 0
			permutations(len(snaps), func(order []int) {
				n++
				f := NewFeed()
				for _, i := range order {
					f.ApplySnapshot(snaps[i])
				}
				got, ok := f.Snapshot(fixtureKey)
				if diff := cmp.Diff(wantSnap, got); (!ok || diff != "" || f.Len() != 1) && failures < 3 {
					failures++
					t.Errorf("order %v: %d keys, final state mismatch (-want +got):\n%s", order, f.Len(), diff)
				}
			})
			if n != tt.perms {
				t.Errorf("ran %d orders, want %d", n, tt.perms)
			}
		})
	}
}

// TestFeedAllFixturesSampled applies all nine samples, each delivered twice and some three times, in 2,000
// random orders (9! is too many to run in full; the seeded generator makes every run identical).
func TestFeedAllFixturesSampled(t *testing.T) {
	t.Parallel()
	snaps := decodeAll(t, fixtureNames, "")
	want, err := Decode(fixture(t, "SIU-S17-01.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 2000 {
		deliveries := append(slices.Clone(snaps), snaps...)
		deliveries = append(deliveries, snaps[:run%len(snaps)]...)
		rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
		f := NewFeed()
		for _, s := range deliveries {
			f.ApplySnapshot(s)
		}
		got, _ := f.Snapshot(fixtureKey)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("run %d: final state mismatch (-want +got):\n%s", run, diff)
		}
	}
}

// TestFeedSegmentEnds checks that the lifecycle read with CR or CRLF ends converges to the very state it
// reaches with the samples' LF ends, and that a duplicate with other line ends is recognised as one.
func TestFeedSegmentEnds(t *testing.T) {
	t.Parallel()
	lf := decodeAll(t, lifecycle01, "")
	wantFeed := NewFeed()
	for _, s := range lf {
		wantFeed.ApplySnapshot(s)
	}
	want, _ := wantFeed.Snapshot(fixtureKey)
	for _, ending := range []string{"CR", "CRLF"} {
		t.Run(ending, func(t *testing.T) {
			t.Parallel()
			snaps := decodeAll(t, lifecycle01, ending)
			f := NewFeed()
			for i := len(snaps) - 1; i >= 0; i-- {
				f.ApplySnapshot(snaps[i])
			}
			got, _ := f.Snapshot(fixtureKey)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-LF +%s):\n%s", ending, diff)
			}
			for i, s := range lf {
				if f.ApplySnapshot(s) {
					t.Errorf("%s with LF ends changed a feed that holds it with %s ends", lifecycle01[i], ending)
				}
			}
		})
	}
}

// TestFeedApplyReportsChanges: Apply reports whether the Feed changed, and Outranks says so beforehand.
func TestFeedApplyReportsChanges(t *testing.T) {
	t.Parallel()
	parse := func(name string) *Message {
		m, err := Parse(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	f := NewFeed()
	var got []string
	for _, name := range []string{
		"SIU-S13-01.hl7", "SIU-S13-01.hl7", "SIU-S12-01.hl7", "SIU-S14-01.hl7", "SIU-S16-01.hl7",
		"SIU-S14-01.hl7", "SIU-S15-01.hl7", "SIU-S17-01.hl7", "SIU-S26-01.hl7", "SIU-S17-01.hl7",
	} {
		m := parse(name)
		snap, err := Convert(m)
		if err != nil {
			t.Fatal(err)
		}
		outranks := f.Outranks(snap)
		changed, err := f.Apply(m)
		if err != nil {
			t.Fatal(err)
		}
		if outranks != changed {
			t.Errorf("%s: Outranks said %v before Apply reported %v", name, outranks, changed)
		}
		got = append(got, fmt.Sprintf("%s %v", name, changed))
	}
	want := []string{
		"SIU-S13-01.hl7 true",
		"SIU-S13-01.hl7 false", // duplicate
		"SIU-S12-01.hl7 false", // older booking
		"SIU-S14-01.hl7 true",  // tie on MSH-7, later in the lifecycle
		"SIU-S16-01.hl7 true",  // closed outranks open despite 1989
		"SIU-S14-01.hl7 false", // cannot reopen
		"SIU-S15-01.hl7 true",  // closed, later than 1989
		"SIU-S17-01.hl7 true",  // deleted
		"SIU-S26-01.hl7 false", // cannot undo a deletion
		"SIU-S17-01.hl7 false", // duplicate
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if _, err := f.Apply(nil); !errors.Is(err, ErrSyntax) {
		t.Errorf("Apply(nil) error = %v, want ErrSyntax", err)
	}
}

// TestFeedSequenceNumber checks that MSH-13 orders messages with the same MSH-7.
func TestFeedSequenceNumber(t *testing.T) {
	t.Parallel()
	msg := func(seq, filler string) []byte {
		return []byte(strings.Replace(message("S14", filler, ""), "P|2.5.1", "P|2.5.1|"+seq, 1))
	}
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		f := NewFeed()
		inputs := [][]byte{msg("7", "Started"), msg("8", "Booked")}
		for _, i := range order {
			s, err := Decode(inputs[i])
			if err != nil {
				t.Fatal(err)
			}
			f.ApplySnapshot(s)
		}
		got, _ := f.Snapshot("App@Fac/F-1")
		if got.Sequence != 8 || got.Appointment.Participants[0].Status != carelogic.StatusScheduled {
			t.Errorf("order %v: final sequence %d status %q, want 8 and Scheduled", order, got.Sequence, got.Appointment.Participants[0].Status)
		}
	}
}

func TestFeedAdapter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := NewFeed()
	for _, file := range []string{"group.hl7", "recurring.hl7", "mllp.hl7"} {
		for _, s := range readTestdata(t, file) {
			f.ApplySnapshot(s)
		}
	}
	other := readTestdata(t, "mllp.hl7", WithSource("other"))
	f.ApplySnapshot(other[0])

	collect := func(from, to time.Time) []string {
		var ids []string
		for a, err := range f.Appointments(ctx, from, to) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.Key())
		}
		return ids
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	type window struct{ From, To time.Time }
	tests := []struct {
		w    window
		want []string
	}{
		{window{day(1, 1), day(12, 31)}, []string{
			"CareLogic@Northside Clinic/M-9", "other/M-9", "CareLogic@Northside Clinic/G-7001^CLINIC",
			"CareLogic@Northside Clinic/A-500^CARELOGIC#1", "CareLogic@Northside Clinic/A-500^CARELOGIC#2",
			"CareLogic@Northside Clinic/A-500^CARELOGIC#3",
		}},
		// [from, to): an occurrence starting exactly at to is left out, one starting at from is in.
		{window{time.Date(2024, 4, 8, 10, 0, 0, 0, time.UTC), time.Date(2024, 4, 22, 10, 0, 0, 0, time.UTC)}, []string{
			"CareLogic@Northside Clinic/A-500^CARELOGIC#1", "CareLogic@Northside Clinic/A-500^CARELOGIC#2",
		}},
		{window{day(5, 1), day(6, 1)}, nil},
		{window{day(6, 1), day(5, 1)}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, collect(tt.w.From, tt.w.To)); diff != "" {
			t.Errorf("Appointments(%v, %v) mismatch (-want +got):\n%s", tt.w.From, tt.w.To, diff)
		}
	}

	// Lookup by key and by bare id give the same copy; changing it does not change the feed.
	byKey, err := f.Appointment(ctx, "CareLogic@Northside Clinic/G-7001^CLINIC")
	if err != nil {
		t.Fatal(err)
	}
	byID, err := f.Appointment(ctx, "G-7001^CLINIC")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(byKey, byID); diff != "" {
		t.Errorf("by key and by id differ (-key +id):\n%s", diff)
	}
	byID.Participants[0].Status = carelogic.StatusDNS
	again, _ := f.Appointment(ctx, "G-7001^CLINIC")
	if again.Participants[0].Status != carelogic.StatusScheduled {
		t.Error("changing a returned appointment changed the feed")
	}
	if mllp, err := f.Appointment(ctx, "CareLogic@Northside Clinic/M-9"); err != nil || mllp.Participants[0].Status != carelogic.StatusDNS {
		t.Errorf("M-9 = %v, %v; want the no-show", mllp.Participants, err)
	}

	if _, err := f.Appointment(ctx, "nope"); !errors.Is(err, carelogic.ErrNotFound) {
		t.Errorf("unknown id: error = %v, want ErrNotFound", err)
	}
	if _, err := f.Appointment(ctx, "M-9"); err == nil || errors.Is(err, carelogic.ErrNotFound) ||
		err.Error() != `siu: appointment id "M-9" is used by 2 sources; look it up by source/id` {
		t.Errorf("ambiguous id: error = %v", err)
	}
	if _, ok := f.Snapshot("nope"); ok {
		t.Error("Snapshot of an unknown id reported found")
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Appointment(cancelled, "G-7001^CLINIC"); !errors.Is(err, context.Canceled) {
		t.Errorf("Appointment with a cancelled context: error = %v", err)
	}
	var errs []error
	n := 0
	for _, err := range f.Appointments(cancelled, day(1, 1), day(12, 31)) {
		n++
		errs = append(errs, err)
	}
	if n != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("Appointments with a cancelled context yielded %d elements %v, want one context.Canceled", n, errs)
	}
	// Stopping early is allowed.
	for range f.Appointments(ctx, day(1, 1), day(12, 31)) {
		break
	}
}

// TestFeedConcurrent applies the lifecycle from several goroutines, each in its own order, while others read.
func TestFeedConcurrent(t *testing.T) {
	t.Parallel()
	snaps := decodeAll(t, lifecycle01, "")
	want, err := Decode(fixture(t, "SIU-S17-01.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	f := NewFeed()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			order := slices.Clone(snaps)
			rand.New(rand.NewPCG(uint64(g), 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, s := range order {
				f.ApplySnapshot(s)
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				for a, err := range f.Appointments(context.Background(), time.Time{}, time.Now()) {
					if err != nil || a.ID != "36996" {
						t.Errorf("Appointments yielded %v, %v", a.ID, err)
					}
				}
				_, _ = f.Appointment(context.Background(), "36996")
			}
		}()
	}
	wg.Wait()
	got, _ := f.Snapshot(fixtureKey)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("final state mismatch (-want +got):\n%s", diff)
	}
}

func TestReadDirFixtures(t *testing.T) {
	t.Parallel()
	dir := fixtures.Path(t, "fixtures", "ehr", "hl7v2-siu")
	f, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := wantFixtures()["SIU-S17-01.hl7"].Appointment
	var got []carelogic.Appointment
	for a, err := range f.Appointments(context.Background(), time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if diff := cmp.Diff([]carelogic.Appointment{want}, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestReadDirTestdata(t *testing.T) {
	t.Parallel()
	f, err := ReadDir("testdata", WithSource("clinic"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for a, err := range f.Appointments(context.Background(), time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, a.Key()+" "+string(a.Participants[0].Status))
	}
	want := []string{
		"clinic/FL-88 CBT",
		"clinic/E-42 Checked-in",
		"clinic/M-9 DNS",
		"clinic/G-7001^CLINIC Scheduled",
		"clinic/I-301^CLINIC Error",
		"clinic/A-500^CARELOGIC#1 Scheduled",
		"clinic/A-500^CARELOGIC#2 Scheduled",
		"clinic/A-500^CARELOGIC#3 Scheduled",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestReadDirErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := message("S12", "Booked", "")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a-good.hl7", good)
	// The second message has no filler id; the third is good and must still be read.
	write("b-mixed.HL7", good+strings.Replace(good, "|F-1|", "||", 1)+strings.Replace(good, "|F-1|", "|F-2|", 1))
	write("c-garbage.hl7", "Jane Doe, 1 Main St\n")
	write("notes.txt", "not a message")
	if err := os.Mkdir(filepath.Join(dir, "sub.hl7"), 0o700); err != nil {
		t.Fatal(err)
	}

	f, err := ReadDir(dir)
	if f == nil || f.Len() != 2 {
		t.Fatalf("ReadDir returned %v, want a feed of the two good appointments", f)
	}
	for _, want := range []error{ErrMissingField, ErrSyntax} {
		if !errors.Is(err, want) {
			t.Errorf("error %v does not wrap %v", err, want)
		}
	}
	// A file named .hl7 that is not HL7 fails rather than being skipped, as notes.txt is.
	wantText := "carelogic: " + dir + ": 2 files could not be read, 1 other file skipped\n" +
		filepath.Join(dir, "b-mixed.HL7") + ": siu: message 2: SCH-2.1 (segment 2): filler appointment id is missing\n" +
		filepath.Join(dir, "c-garbage.hl7") + ": siu: message 1: segment 1: message does not start with an MSH segment"
	if err == nil || err.Error() != wantText {
		t.Errorf("error text:\n got %v\nwant %s", err, wantText)
	}
	if err != nil && (strings.Contains(err.Error(), "Jane") || strings.Contains(err.Error(), "Main St")) {
		t.Errorf("error text holds patient data: %v", err)
	}

	if _, err := ReadDir(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadDir of a missing directory: error = %v, want os.ErrNotExist", err)
	}
}

func TestApplyReaderStreamError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	err := NewFeed().ApplyReader(failingReader{boom})
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
}

func TestFeedZeroValue(t *testing.T) {
	t.Parallel()
	var f Feed
	if _, err := f.Appointment(context.Background(), "36996"); !errors.Is(err, carelogic.ErrNotFound) {
		t.Errorf("empty feed: error = %v, want ErrNotFound", err)
	}
	m, err := Parse(fixture(t, "SIU-S12-01.hl7"))
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := f.Apply(m); !changed || err != nil {
		t.Fatalf("Apply = %v, %v; want true, nil", changed, err)
	}
	got, err := f.Appointment(context.Background(), "36996")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFixtures()["SIU-S12-01.hl7"].Appointment, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestFeedPrune: Prune forgets the occurrences that ended before the time given, and only those.
func TestFeedPrune(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	f := NewFeed()
	for i, start := range []time.Time{at.AddDate(0, 0, -40), at.AddDate(0, 0, -31), at.AddDate(0, 0, -29), at} {
		f.ApplySnapshot(Snapshot{Hash: fmt.Sprint(i), Appointment: carelogic.Appointment{
			ID: fmt.Sprintf("A-%d", i), Source: "src", Start: start, Duration: 50 * time.Minute}})
	}
	got := f.Prune(at.AddDate(0, 0, -30))
	if diff := cmp.Diff([]string{"src/A-0", "src/A-1"}, got); diff != "" {
		t.Errorf("pruned (-want +got):\n%s", diff)
	}
	if f.Len() != 2 {
		t.Errorf("Len = %d after pruning, want 2", f.Len())
	}
	if _, ok := f.Snapshot("src/A-2"); !ok {
		t.Error("an occurrence that ended after the cut was pruned")
	}
	if got := f.Prune(at.AddDate(0, 0, -30)); len(got) != 0 {
		t.Errorf("second Prune removed %v, want nothing", got)
	}
}
