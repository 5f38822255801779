// Package ledgertest checks that an implementation of syncer.Ledger keeps the interface's contract, in the way
// testing/fstest.TestFS checks a file system: an implementation's own test calls Run with a function that opens an
// empty ledger, and Run exercises it in subtests.
//
//	func TestMyLedger(t *testing.T) {
//		ledgertest.Run(t, func(t *testing.T) syncer.Ledger {
//			l, err := myledger.Open(filepath.Join(t.TempDir(), "ledger"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { l.Close() })
//			return l
//		})
//	}
//
// What Run holds an implementation to, beyond the interface's doc comments:
//   - Get returns exactly what Put recorded: every field, with LedgerEntry.Updated the same instant to the
//     nanosecond. Its location and monotonic clock reading need not survive (they are compared with time.Time's
//     Equal, as cmp.Diff does).
//   - A key is a string of bytes: any key of 1 to syncer.MaxLedgerKeyBytes bytes (unicode, '/', NUL, spaces,
//     invalid UTF-8) is stored as it is, and All yields keys in byte order.
//   - Put and Replace check every entry before changing anything; an entry with a key that cannot be stored makes
//     an error wrapping syncer.ErrLedgerKey.
//   - Every method returns (All yields) ctx.Err() when ctx is done before it starts, and changes nothing then.
//   - It is safe for concurrent use.
package ledgertest

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

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

// Run checks the Ledger that open returns against the interface's contract, in subtests. open is called once
// for each subtest and must return an empty ledger; it closes what it opens with t.Cleanup. Run leaves the
// ledgers as the subtests left them.
func Run(t *testing.T, open func(t *testing.T) syncer.Ledger) {
	tests := []struct {
		name string
		f    func(*testing.T, syncer.Ledger)
	}{
		{"GetMissing", testGetMissing},
		{"PutGet", testPutGet},
		{"PutReplaces", testPutReplaces},
		{"PutAllOrNone", testPutAllOrNone},
		{"Delete", testDelete},
		{"AllKeyOrder", testAllKeyOrder},
		{"AllBreak", testAllBreak},
		{"AllCancelled", testAllCancelled},
		{"Replace", testReplace},
		{"ReplaceAllOrNone", testReplaceAllOrNone},
		{"CancelledContext", testCancelledContext},
		{"KeyLimits", testKeyLimits},
		{"OddKeys", testOddKeys},
		{"Concurrent", testConcurrent},
		{"Many", testMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := open(t)
			if l == nil {
				t.Fatal("open returned a nil Ledger")
			}
			tt.f(t, l)
		})
	}
}

// updated is an Updated time with nanoseconds and a zone other than UTC, so that a ledger that keeps less than
// the instant to the nanosecond fails.
var updated = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("EST", -5*60*60))

// synced returns a valid entry synced to OnCall appointment id.
func synced(key string, id oncall.AppointmentID) syncer.LedgerEntry {
	return syncer.LedgerEntry{
		Key:         key,
		Appointment: id,
		Digest:      fmt.Sprintf("sha256:%064x", int64(id)),
		Updated:     updated.Add(time.Duration(id) * time.Second),
	}
}

// pending returns a valid pending entry.
func pending(key string) syncer.LedgerEntry {
	return syncer.LedgerEntry{Key: key, Digest: "sha256:pending", Pending: true, Updated: updated}
}

// invalid is an entry with a storable key that LedgerEntry.Validate refuses: neither pending nor synced.
func invalid(key string) syncer.LedgerEntry {
	return syncer.LedgerEntry{Key: key, Digest: "sha256:x", Updated: updated}
}

// all collects what l.All yields, failing the test on an error.
func all(t *testing.T, l syncer.Ledger) []syncer.LedgerEntry {
	t.Helper()
	var got []syncer.LedgerEntry
	for e, err := range l.All(t.Context()) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		got = append(got, e)
	}
	return got
}

// sorted returns entries in key order, as All yields them.
func sorted(entries ...syncer.LedgerEntry) []syncer.LedgerEntry {
	out := slices.Clone(entries)
	slices.SortFunc(out, func(a, b syncer.LedgerEntry) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// put puts entries, and checks that Put leaves its argument as it was: the caller's slice is the caller's.
func put(t *testing.T, l syncer.Ledger, entries ...syncer.LedgerEntry) {
	t.Helper()
	arg := slices.Clone(entries)
	if err := l.Put(t.Context(), arg...); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if d := cmp.Diff(entries, arg); d != "" {
		t.Errorf("Put changed the entries it was given (-before +after):\n%s", d)
	}
}

// checkAll checks that l holds exactly want (in any order given).
func checkAll(t *testing.T, l syncer.Ledger, want ...syncer.LedgerEntry) {
	t.Helper()
	if d := cmp.Diff(sorted(want...), all(t, l)); d != "" {
		t.Errorf("All (-want +got):\n%s", d)
	}
}

// checkGet checks that Get(key) finds want (found) or nothing (!found).
func checkGet(t *testing.T, l syncer.Ledger, key string, want syncer.LedgerEntry, found bool) {
	t.Helper()
	got, ok, err := l.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if ok != found {
		t.Errorf("Get(%q) found = %t, want %t", key, ok, found)
	}
	if !found {
		want = syncer.LedgerEntry{}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Get(%q) (-want +got):\n%s", key, d)
	}
}

func testGetMissing(t *testing.T, l syncer.Ledger) {
	checkGet(t, l, "carelogic/1", syncer.LedgerEntry{}, false)
	checkGet(t, l, "", syncer.LedgerEntry{}, false)
	put(t, l, synced("carelogic/1", 1))
	checkGet(t, l, "carelogic/2", syncer.LedgerEntry{}, false)
	checkGet(t, l, "carelogic/1\x00", syncer.LedgerEntry{}, false)
	checkGet(t, l, "carelogic/", syncer.LedgerEntry{}, false)
}

func testPutGet(t *testing.T, l syncer.Ledger) {
	now := time.Now() // with a monotonic clock reading, which a ledger need not keep
	entries := []syncer.LedgerEntry{
		synced("carelogic/1", 101),
		pending("carelogic/2"),
		{Key: "carelogic/3", Appointment: 1<<63 - 1, Digest: strings.Repeat("d", 1000), Updated: now},
		{Key: "carelogic/4", Appointment: 1},                              // no digest, zero Updated
		{Key: "carelogic/5", Pending: true, Updated: now.In(time.UTC)},    // nothing but pending
		{Key: "carelogic/6", Appointment: 6, Updated: time.Unix(0, 1)},    // 1970, one nanosecond in
		{Key: "carelogic/7", Appointment: 7, Updated: time.Unix(-1, 999)}, // before 1970
	}
	put(t, l, entries...)
	for _, e := range entries {
		want := e
		want.Updated = e.Updated.Round(0) // strips the monotonic reading: the instant is what must survive
		checkGet(t, l, e.Key, want, true)
	}
	checkAll(t, l, entries...)
	if err := l.Put(t.Context()); err != nil {
		t.Errorf("Put of no entries: %v", err)
	}
	checkAll(t, l, entries...)
}

func testPutReplaces(t *testing.T, l syncer.Ledger) {
	put(t, l, pending("carelogic/1"), synced("carelogic/2", 2))
	later := synced("carelogic/1", 11)
	later.Updated = updated.Add(time.Hour)
	put(t, l, later)
	checkGet(t, l, "carelogic/1", later, true)
	// A synced entry back to pending, with no digest: every field is replaced, none merged.
	back := syncer.LedgerEntry{Key: "carelogic/2", Pending: true}
	put(t, l, back)
	checkGet(t, l, "carelogic/2", back, true)
	checkAll(t, l, later, back)
}

func testPutAllOrNone(t *testing.T, l syncer.Ledger) {
	before := []syncer.LedgerEntry{synced("carelogic/1", 1), synced("carelogic/2", 2)}
	put(t, l, before...)
	changed := synced("carelogic/1", 100)
	tests := []struct {
		name    string
		bad     syncer.LedgerEntry
		wantKey bool // the error wraps syncer.ErrLedgerKey
	}{
		{"empty key", synced("", 9), true},
		{"key over MaxLedgerKeyBytes", synced(strings.Repeat("k", syncer.MaxLedgerKeyBytes+1), 9), true},
		{"neither pending nor synced", invalid("carelogic/9"), false},
		{"pending with an appointment", syncer.LedgerEntry{Key: "carelogic/9", Appointment: 9, Pending: true}, false},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			err := l.Put(t.Context(), changed, synced("carelogic/3", 3), tt.bad, pending("carelogic/4"))
			if err == nil {
				t.Fatal("Put with an invalid entry: no error")
			}
			if got := errors.Is(err, syncer.ErrLedgerKey); got != tt.wantKey {
				t.Errorf("Put: errors.Is(%v, ErrLedgerKey) = %t, want %t", err, got, tt.wantKey)
			}
			if want := tt.bad.Validate(); want == nil || !strings.Contains(err.Error(), want.Error()) {
				t.Errorf("Put: error %q does not report the entry's Validate error %v", err, want)
			}
			checkAll(t, l, before...)
		})
	}
}

func testDelete(t *testing.T, l syncer.Ledger) {
	a, b, c, d := synced("carelogic/a1", 1), pending("carelogic/b2"), synced("carelogic/c3", 3), synced("carelogic/d4", 4)
	put(t, l, a, b, c, d)
	if err := l.Delete(t.Context(), "carelogic/b2", "carelogic/missing", "carelogic/d4", ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	checkAll(t, l, a, c)
	checkGet(t, l, "carelogic/b2", syncer.LedgerEntry{}, false)
	if err := l.Delete(t.Context(), "carelogic/missing"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	if err := l.Delete(t.Context()); err != nil {
		t.Errorf("Delete of no keys: %v", err)
	}
	if err := l.Delete(t.Context(), "carelogic/a1", "carelogic/a1"); err != nil {
		t.Errorf("Delete of a key twice: %v", err)
	}
	checkAll(t, l, c)
	// A deleted key can be put again.
	put(t, l, b)
	checkAll(t, l, b, c)
}

func testAllKeyOrder(t *testing.T, l syncer.Ledger) {
	if got := all(t, l); len(got) != 0 {
		t.Errorf("All of an empty ledger yielded %d entries", len(got))
	}
	// Byte order, not numeric or unicode collation: "a/10" before "a/2", "Z" before "a", "é" (0xC3 0xA9) after "z".
	keys := []string{"a/2", "é/1", "Z/1", "a/10", "a", "a/1", "\x00", "z", "a/1/x", " a", "A"}
	var entries []syncer.LedgerEntry
	for i, k := range keys {
		entries = append(entries, synced(k, oncall.AppointmentID(i+1)))
	}
	put(t, l, entries...)
	var gotKeys []string
	for _, e := range all(t, l) {
		gotKeys = append(gotKeys, e.Key)
	}
	want := []string{"\x00", " a", "A", "Z/1", "a", "a/1", "a/1/x", "a/10", "a/2", "z", "é/1"}
	if d := cmp.Diff(want, gotKeys); d != "" {
		t.Errorf("All's keys (-want +got):\n%s", d)
	}
	checkAll(t, l, entries...)
}

func testAllBreak(t *testing.T, l syncer.Ledger) {
	var entries []syncer.LedgerEntry
	for i := range 2500 { // more than one page for an implementation that pages through, as boltledger does
		entries = append(entries, synced(fmt.Sprintf("carelogic/%05d", i), oncall.AppointmentID(i+1)))
	}
	put(t, l, entries...)
	for _, stop := range []int{1, 3, 1000, 1001} {
		var got []syncer.LedgerEntry
		for e, err := range l.All(t.Context()) { // the runtime panics if All yields after the loop broke
			if err != nil {
				t.Fatalf("All: %v", err)
			}
			got = append(got, e)
			if len(got) == stop {
				break
			}
		}
		if d := cmp.Diff(entries[:stop], got); d != "" {
			t.Errorf("All, breaking after %d (-want +got):\n%s", stop, d)
		}
	}
	// Breaking out leaves the ledger usable (no transaction or lock left held).
	put(t, l, synced("carelogic/x", 1))
	checkGet(t, l, "carelogic/x", synced("carelogic/x", 1), true)
}

func testAllCancelled(t *testing.T, l syncer.Ledger) {
	var entries []syncer.LedgerEntry
	for i := range 2500 {
		entries = append(entries, synced(fmt.Sprintf("carelogic/%05d", i), oncall.AppointmentID(i+1)))
	}
	put(t, l, entries...)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var got []error
	for e, err := range l.All(ctx) {
		if d := cmp.Diff(syncer.LedgerEntry{}, e); err != nil && d != "" {
			t.Errorf("All with a cancelled context yielded an entry with its error (-want +got):\n%s", d)
		}
		got = append(got, err)
	}
	if len(got) != 1 || !errors.Is(got[0], context.Canceled) {
		t.Errorf("All with a cancelled context yielded %v, want context.Canceled once and nothing else", got)
	}

	// Cancelled while iterating: the entries yielded are in order, and an error, if any, comes once and last.
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	var (
		yielded []syncer.LedgerEntry
		errs    []error
	)
	for e, err := range l.All(ctx) {
		if len(errs) > 0 {
			t.Fatalf("All yielded after its error %v", errs[0])
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		yielded = append(yielded, e)
		cancel()
	}
	if d := cmp.Diff(entries[:len(yielded)], yielded); d != "" {
		t.Errorf("All cancelled while iterating: the entries yielded are not a prefix (-want +got):\n%s", d)
	}
	if len(errs) == 1 && !errors.Is(errs[0], context.Canceled) {
		t.Errorf("All cancelled while iterating yielded %v, want context.Canceled", errs[0])
	}
	if len(errs) == 0 && len(yielded) != len(entries) {
		t.Errorf("All cancelled while iterating stopped after %d of %d entries without an error", len(yielded), len(entries))
	}
}

func testReplace(t *testing.T, l syncer.Ledger) {
	put(t, l, synced("carelogic/1", 1), synced("carelogic/2", 2), pending("carelogic/3"))
	b2 := synced("carelogic/2", 22)
	next := []syncer.LedgerEntry{synced("carelogic/4", 4), b2, pending("carelogic/5")}
	if err := l.Replace(t.Context(), next); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	checkAll(t, l, next...)
	checkGet(t, l, "carelogic/1", syncer.LedgerEntry{}, false)
	checkGet(t, l, "carelogic/2", b2, true)
	// The ledger works as before after a Replace.
	put(t, l, synced("carelogic/1", 11))
	checkAll(t, l, append(next, synced("carelogic/1", 11))...)
	if err := l.Replace(t.Context(), nil); err != nil {
		t.Fatalf("Replace with nothing: %v", err)
	}
	checkAll(t, l)
	put(t, l, synced("carelogic/6", 6))
	checkAll(t, l, synced("carelogic/6", 6))
}

func testReplaceAllOrNone(t *testing.T, l syncer.Ledger) {
	before := []syncer.LedgerEntry{synced("carelogic/1", 1), pending("carelogic/2")}
	put(t, l, before...)
	for _, bad := range []syncer.LedgerEntry{
		synced(strings.Repeat("k", syncer.MaxLedgerKeyBytes+1), 9),
		synced("", 9),
	} {
		err := l.Replace(t.Context(), []syncer.LedgerEntry{synced("carelogic/3", 3), bad})
		if !errors.Is(err, syncer.ErrLedgerKey) {
			t.Errorf("Replace with a key of %d bytes: error %v, want one wrapping ErrLedgerKey", len(bad.Key), err)
		}
		checkAll(t, l, before...)
	}
	err := l.Replace(t.Context(), []syncer.LedgerEntry{invalid("carelogic/3"), synced("carelogic/4", 4)})
	if err == nil || errors.Is(err, syncer.ErrLedgerKey) {
		t.Errorf("Replace with an invalid entry: error %v, want one (not about the key)", err)
	}
	checkAll(t, l, before...)
}

func testCancelledContext(t *testing.T, l syncer.Ledger) {
	before := synced("carelogic/1", 1)
	put(t, l, before)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Get", func() error {
			e, ok, err := l.Get(ctx, "carelogic/1")
			if ok || e != (syncer.LedgerEntry{}) {
				t.Errorf("Get with a cancelled context returned %+v, %t", e, ok)
			}
			return err
		}},
		{"Put", func() error { return l.Put(ctx, synced("carelogic/2", 2)) }},
		{"Put of nothing", func() error { return l.Put(ctx) }},
		{"Delete", func() error { return l.Delete(ctx, "carelogic/1") }},
		{"Delete of nothing", func() error { return l.Delete(ctx) }},
		{"Replace", func() error { return l.Replace(ctx, []syncer.LedgerEntry{synced("carelogic/3", 3)}) }},
		{"Replace with nothing", func() error { return l.Replace(ctx, nil) }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error %v, want context.Canceled", c.name, err)
		}
	}
	// A deadline passed is reported as such.
	dctx, dcancel := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer dcancel()
	if err := l.Put(dctx, synced("carelogic/2", 2)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put after the deadline: error %v, want context.DeadlineExceeded", err)
	}
	checkAll(t, l, before)
}

func testKeyLimits(t *testing.T, l syncer.Ledger) {
	longest := strings.Repeat("k", syncer.MaxLedgerKeyBytes)
	// The limit is in bytes: 255 two-byte runes and two more bytes.
	longestUnicode := strings.Repeat("é", (syncer.MaxLedgerKeyBytes-2)/2) + "/1"
	if len(longestUnicode) != syncer.MaxLedgerKeyBytes {
		t.Fatalf("test key has %d bytes, want %d", len(longestUnicode), syncer.MaxLedgerKeyBytes)
	}
	entries := []syncer.LedgerEntry{synced(longest, 1), synced(longestUnicode, 2)}
	put(t, l, entries...)
	checkGet(t, l, longest, entries[0], true)
	checkGet(t, l, longestUnicode, entries[1], true)

	for _, key := range []string{longest + "k", "é" + longestUnicode, strings.Repeat("k", 1<<16)} {
		err := l.Put(t.Context(), synced(key, 3))
		if !errors.Is(err, syncer.ErrLedgerKey) {
			t.Errorf("Put of a %d-byte key: error %v, want one wrapping ErrLedgerKey", len(key), err)
		}
		if err != nil && strings.Contains(err.Error(), key[:syncer.MaxLedgerKeyBytes]) {
			t.Errorf("Put of a %d-byte key: the error repeats the key", len(key))
		}
	}
	checkAll(t, l, entries...)
}

func testOddKeys(t *testing.T, l syncer.Ledger) {
	keys := []string{
		"a", "a\x00", "a\x00b", "\x00", "a b", " a", "a ", "a/b/c", "/", "//", "a/", "/a",
		"日本/予約", "e\u0301", "é", "\xff\xfe", "a\nb", "a\tb", `a"b`, "a\\b", "%2F", "..", "-1", "0",
	}
	var entries []syncer.LedgerEntry
	for i, k := range keys {
		entries = append(entries, synced(k, oncall.AppointmentID(i+1)))
	}
	put(t, l, entries...)
	for _, e := range entries {
		checkGet(t, l, e.Key, e, true)
	}
	checkAll(t, l, entries...)
	if err := l.Delete(t.Context(), "a\x00", "/"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	checkGet(t, l, "a", entries[0], true)
	checkGet(t, l, "a\x00", syncer.LedgerEntry{}, false)
	checkGet(t, l, "a\x00b", entries[2], true)
	checkGet(t, l, "//", entries[9], true)
}

func testConcurrent(t *testing.T, l syncer.Ledger) {
	const (
		workers = 8
		keys    = 20
	)
	ctx := t.Context()
	key := func(w, i int) string { return fmt.Sprintf("carelogic/w%d-%03d", w, i) }
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range keys {
				e := synced(key(w, i), oncall.AppointmentID(w*1000+i+1))
				if err := l.Put(ctx, pending(e.Key)); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				if err := l.Put(ctx, e); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				// Only this worker writes its keys, so it reads its own write.
				got, ok, err := l.Get(ctx, e.Key)
				if err != nil || !ok {
					t.Errorf("Get(%q) = %t, %v after Put", e.Key, ok, err)
					return
				}
				if d := cmp.Diff(e, got); d != "" {
					t.Errorf("Get(%q) (-want +got):\n%s", e.Key, d)
				}
				if i%2 == 0 {
					if err := l.Delete(ctx, e.Key); err != nil {
						t.Errorf("Delete: %v", err)
						return
					}
				}
			}
		})
	}
	// Readers at the same time: every listing is in key order.
	for range 2 {
		wg.Go(func() {
			for range 5 {
				var prev string
				for e, err := range l.All(ctx) {
					if err != nil {
						t.Errorf("All: %v", err)
						return
					}
					if e.Key <= prev {
						t.Errorf("All yielded %q after %q", e.Key, prev)
					}
					prev = e.Key
				}
			}
		})
	}
	wg.Wait()
	var want []syncer.LedgerEntry
	for w := range workers {
		for i := 1; i < keys; i += 2 {
			want = append(want, synced(key(w, i), oncall.AppointmentID(w*1000+i+1)))
		}
	}
	checkAll(t, l, want...)
}

func testMany(t *testing.T, l syncer.Ledger) {
	const n, batch = 10_000, 500
	entries := make([]syncer.LedgerEntry, n)
	for i := range entries {
		// Keys put out of order (a stride coprime with n), so that the order All yields is the ledger's own.
		j := (i * 7919) % n
		entries[i] = synced(fmt.Sprintf("carelogic/%d", j), oncall.AppointmentID(j+1))
		if j%3 == 0 {
			entries[i] = pending(entries[i].Key)
		}
	}
	for i := 0; i < n; i += batch {
		put(t, l, entries[i:i+batch]...)
	}
	got := all(t, l)
	if d := cmp.Diff(sorted(entries...), got); d != "" {
		t.Errorf("All after %d entries (-want +got):\n%s", n, d)
	}
}
