package boltledger_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
	"github.com/oncallsync/oncall-go/syncer/ledgertest"
)

// equalBytes compares messages' bytes as a whole: cmp's element-by-element walk takes seconds on 4 MiB.
var equalBytes = cmp.Comparer(bytes.Equal)

// open opens a ledger at path and closes it when the test ends.
func open(t testing.TB, path string, opts ...boltledger.Option) *boltledger.Ledger {
	t.Helper()
	l, err := boltledger.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func TestLedger(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) syncer.Ledger {
		return open(t, filepath.Join(t.TempDir(), "ledger.db"))
	})
}

// entry is a valid synced entry.
func entry(key string, id int) syncer.LedgerEntry {
	return syncer.LedgerEntry{
		Key:         key,
		Appointment: oncall.AppointmentID(id),
		Digest:      fmt.Sprintf("sha256:%064x", id),
		Updated:     time.Date(2026, 5, 1, 8, 0, 0, id, time.UTC),
	}
}

func allEntries(t testing.TB, l *boltledger.Ledger) []syncer.LedgerEntry {
	t.Helper()
	var got []syncer.LedgerEntry
	for e, err := range l.All(context.Background()) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		got = append(got, e)
	}
	return got
}

func allMessages(t testing.TB, l *boltledger.Ledger) []boltledger.StoredMessage {
	t.Helper()
	var got []boltledger.StoredMessage
	for m, err := range l.Messages(context.Background()) {
		if err != nil {
			t.Fatalf("Messages: %v", err)
		}
		got = append(got, m)
	}
	return got
}

func TestNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := open(t, path)
	if got := l.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode(); got != 0o600 {
		t.Errorf("mode of a new file = %v, want -rw-------", got)
	}
	if err := l.Check(t.Context()); err != nil {
		t.Errorf("Check of a new file: %v", err)
	}
}

func TestOpenMissingFolder(t *testing.T) {
	_, err := boltledger.Open(filepath.Join(t.TempDir(), "no such folder", "ledger.db"))
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, boltledger.ErrCorrupt) {
		t.Errorf("Open in a missing folder: error %v, want one wrapping fs.ErrNotExist and not ErrCorrupt", err)
	}
	if _, err := boltledger.Open(t.TempDir()); err == nil || errors.Is(err, boltledger.ErrCorrupt) {
		t.Errorf("Open of a folder: error %v, want one not wrapping ErrCorrupt", err)
	}
}

func TestWithLockWaitInvalid(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := boltledger.Open(filepath.Join(t.TempDir(), "ledger.db"), boltledger.WithLockWait(d)); err == nil {
			t.Errorf("WithLockWait(%v): no error", d)
		}
	}
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := boltledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	entries := []syncer.LedgerEntry{entry("carelogic/1", 1), entry("carelogic/2", 2), {Key: "siu/3", Pending: true}}
	messages := []boltledger.StoredMessage{
		{Key: "SCHApp@GHHS/0001", Raw: []byte("MSH|^~\\&|SCHApp|GHHS|||20260501||SIU^S12|0001|P|2.5\r")},
		{Key: "SCHApp@GHHS/0002", Raw: bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)},
	}
	if err := l.Put(ctx, entries...); err != nil {
		t.Fatal(err)
	}
	for _, m := range messages {
		if err := l.SaveMessage(ctx, m.Key, m.Raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, entry("carelogic/4", 4)); err == nil {
		t.Error("Put after Close: no error")
	}

	l = open(t, path)
	if d := cmp.Diff(entries, allEntries(t, l)); d != "" {
		t.Errorf("entries after reopening (-want +got):\n%s", d)
	}
	if d := cmp.Diff(messages, allMessages(t, l), equalBytes); d != "" {
		t.Errorf("messages after reopening (-want +got):\n%s", d)
	}
	if err := l.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestUpdatedUTC(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	e := entry("carelogic/1", 1)
	e.Updated = time.Date(2026, 5, 1, 8, 0, 0, 123456789, time.FixedZone("EDT", -4*60*60))
	if err := l.Put(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	got, _, err := l.Get(t.Context(), e.Key)
	if err != nil {
		t.Fatal(err)
	}
	// Compared as text, which shows the location that Equal (and cmp.Diff) would not.
	if want := "2026-05-01 12:00:00.123456789 +0000 UTC"; got.Updated.String() != want {
		t.Errorf("Updated = %s, want %s", got.Updated, want)
	}
}

func TestGarbage(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	files := map[string][]byte{
		"one byte":            {0},
		"text":                []byte("MSH|^~\\&|this is not a database\r"),
		"5000 random bytes":   random(5000), // longer than a page, shorter than two
		"64 KiB random bytes": random(64 << 10),
		"64 KiB of zeros":     make([]byte, 64<<10),
	}
	for name, body := range files {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ledger.db")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := boltledger.Open(path, boltledger.WithLockWait(100*time.Millisecond))
			if !errors.Is(err, boltledger.ErrCorrupt) {
				t.Errorf("Open: error %v, want one wrapping ErrCorrupt", err)
			}
			if l != nil {
				_ = l.Close()
			}
			// The file is left as it was, for a person to look at.
			if got, _ := os.ReadFile(path); !bytes.Equal(got, body) {
				t.Errorf("Open changed the file")
			}
		})
	}
}

func TestOtherProgramsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("members"))
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = boltledger.Open(path)
	if !errors.Is(err, boltledger.ErrCorrupt) {
		t.Errorf("Open of another program's bbolt database: error %v, want one wrapping ErrCorrupt", err)
	}
}

// writeLedger writes a ledger of n entries and a few messages at path and returns the entries.
func writeLedger(t *testing.T, path string, n int) []syncer.LedgerEntry {
	t.Helper()
	l, err := boltledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []syncer.LedgerEntry
	for i := range n {
		entries = append(entries, entry(fmt.Sprintf("carelogic/%06d", i), i+1))
	}
	for i := 0; i < n; i += 1000 {
		if err := l.Put(t.Context(), entries[i:min(i+1000, n)]...); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := l.SaveMessage(t.Context(), fmt.Sprintf("m/%d", i), bytes.Repeat([]byte("x"), 100_000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return entries
}

// committedSize is the size of the database at path as its last commit wrote it: its pages, up to the high-water
// mark bbolt's meta page records.
func committedSize(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	if err := db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return size
}

// TestTruncated cuts a real ledger short. bbolt grows a file ahead of its use, so a cut may fall in space no
// commit has used yet: then the file opens and holds everything. A cut into committed pages is refused with
// ErrCorrupt (bbolt would otherwise read past the end of its memory map and the process would die of SIGBUS).
// Either way Open does not panic.
func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.db")
	entries := writeLedger(t, orig, 20_000)
	body, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	committed := committedSize(t, orig)
	t.Logf("file of %d bytes, %d of them committed", len(body), committed)
	cuts := map[string]int64{
		"half":                     int64(len(body)) / 2,
		"one page short":           committed - 4096,
		"at the high-water mark":   committed,
		"the meta pages only":      8192,
		"part of the first page":   100,
		"just over the high-water": committed + 1,
	}
	for name, size := range cuts {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ledger.db")
			if err := os.WriteFile(path, body[:size], 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := boltledger.Open(path, boltledger.WithLockWait(100*time.Millisecond))
			if size < committed {
				if !errors.Is(err, boltledger.ErrCorrupt) {
					t.Errorf("Open of a file cut to %d of %d committed bytes: error %v, want one wrapping ErrCorrupt", size, committed, err)
				}
				if l != nil {
					_ = l.Close()
				}
				return
			}
			if err != nil {
				t.Fatalf("Open of a file cut to %d bytes, past the %d committed: %v", size, committed, err)
			}
			defer l.Close()
			if err := l.Check(t.Context()); err != nil {
				t.Errorf("Check: %v", err)
			}
			if d := cmp.Diff(entries, allEntries(t, l)); d != "" {
				t.Errorf("entries (-want +got):\n%s", d)
			}
			if got := len(allMessages(t, l)); got != 3 {
				t.Errorf("%d messages, want 3", got)
			}
		})
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	first, err := boltledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]boltledger.Option{{boltledger.WithLockWait(100 * time.Millisecond)}, nil} {
		second, err := boltledger.Open(path, opts...)
		if !errors.Is(err, boltledger.ErrLocked) || !errors.Is(err, berrors.ErrTimeout) {
			t.Errorf("Open of a file open elsewhere: error %v, want one wrapping ErrLocked and bbolt's ErrTimeout", err)
		}
		if second != nil {
			_ = second.Close()
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Once the first is closed, the file opens.
	open(t, path)
}

func TestValueCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := boltledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	good := entry("carelogic/1", 1)
	if err := l.Put(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveMessage(t.Context(), "m/1", []byte("MSH|")); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Values damaged behind the ledger's back, under a key that names a person and under an id.
	const person = "Jane Roe/JaneRoe@example.org"
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("ledger"))
		if err := b.Put([]byte(person), []byte{2, 0, 1, 0, 0, 0}); err != nil {
			return err
		}
		if err := b.Put([]byte("carelogic/9"), []byte{1, 0, 0x80}); err != nil {
			return err
		}
		return tx.Bucket([]byte("inbox")).Put([]byte(person), []byte{7, 'M', 'S', 'H'})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	l = open(t, path)
	check := func(what string, err error, wantText string) {
		t.Helper()
		if !errors.Is(err, boltledger.ErrCorrupt) {
			t.Errorf("%s: error %v, want one wrapping ErrCorrupt", what, err)
			return
		}
		for _, leak := range []string{"Jane", "Roe", "example"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: error %q repeats the key", what, err)
			}
		}
		if !strings.Contains(err.Error(), wantText) {
			t.Errorf("%s: error %q, want it to say %q", what, err, wantText)
		}
	}
	_, _, err = l.Get(t.Context(), person)
	check("Get", err, "ledger entry (a value of 28 characters): encoding version 2 unknown")
	_, _, err = l.Get(t.Context(), "carelogic/9")
	check("Get", err, `ledger entry "carelogic/9": appointment id malformed`)
	var errs []error
	var keys []string
	for e, err := range l.All(t.Context()) {
		if err != nil {
			errs = append(errs, err)
		} else {
			keys = append(keys, e.Key)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("All yielded %d errors, want 1", len(errs))
	}
	check("All", errs[0], "ledger entry (a value of 28 characters)")
	if len(keys) != 0 { // "Jane Roe/..." sorts first and stops the listing
		t.Errorf("All yielded %q before its error", keys)
	}
	errs = nil
	for _, err := range l.Messages(t.Context()) {
		errs = append(errs, err)
	}
	if len(errs) != 1 {
		t.Fatalf("Messages yielded %d errors, want 1", len(errs))
	}
	check("Messages", errs[0], "inbox message (a value of 28 characters): encoding version 7 unknown")
	check("Check", l.Check(t.Context()), "3 problems found")

	// The good entry is still there, and the damaged ones can be replaced.
	if got, ok, err := l.Get(t.Context(), good.Key); err != nil || !ok || !cmp.Equal(got, good) {
		t.Errorf("Get of the good entry = %+v, %t, %v", got, ok, err)
	}
	if err := l.Replace(t.Context(), []syncer.LedgerEntry{good}); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteMessages(t.Context(), person); err != nil {
		t.Fatal(err)
	}
	if err := l.Check(t.Context()); err != nil {
		t.Errorf("Check after a Replace: %v", err)
	}
}

func TestMessages(t *testing.T) {
	ctx := t.Context()
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	if got := allMessages(t, l); len(got) != 0 {
		t.Errorf("a new inbox holds %d messages", len(got))
	}
	largest := bytes.Repeat([]byte("A"), boltledger.MaxMessageBytes)
	want := []boltledger.StoredMessage{
		{Key: "b", Raw: []byte("second")},
		{Key: "a\x00", Raw: largest},
		{Key: "a", Raw: []byte("first")},
		{Key: strings.Repeat("k", boltledger.MaxMessageKeyBytes), Raw: []byte{0}},
	}
	for _, m := range want {
		if err := l.SaveMessage(ctx, m.Key, m.Raw); err != nil {
			t.Fatalf("SaveMessage(%d-byte key, %d bytes): %v", len(m.Key), len(m.Raw), err)
		}
	}
	// SaveMessage copies: changing the caller's slice afterwards changes nothing stored.
	raw := []byte("replaced")
	if err := l.SaveMessage(ctx, "b", raw); err != nil {
		t.Fatal(err)
	}
	raw[0] = 'X'
	want[0].Raw = []byte("replaced")
	want = []boltledger.StoredMessage{want[2], want[1], want[0], want[3]}
	if d := cmp.Diff(want, allMessages(t, l), equalBytes); d != "" {
		t.Errorf("Messages (-want +got):\n%s", d)
	}

	refused := []struct {
		name string
		key  string
		raw  []byte
	}{
		{"empty key", "", []byte("x")},
		{"long key", strings.Repeat("k", boltledger.MaxMessageKeyBytes+1), []byte("x")},
		{"empty message", "c", nil},
		{"message over MaxMessageBytes", "c", append(largest, 'A')},
	}
	for _, r := range refused {
		if err := l.SaveMessage(ctx, r.key, r.raw); !errors.Is(err, boltledger.ErrMessage) {
			t.Errorf("SaveMessage of a %s: error %v, want one wrapping ErrMessage", r.name, err)
		}
	}

	if err := l.DeleteMessages(ctx, "a", "missing", "b", ""); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]boltledger.StoredMessage{want[1], want[3]}, allMessages(t, l), equalBytes); d != "" {
		t.Errorf("Messages after DeleteMessages (-want +got):\n%s", d)
	}
	// The ledger's entries and the inbox's messages are apart: a Replace leaves the inbox as it is.
	if err := l.Replace(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(allMessages(t, l)); got != 2 {
		t.Errorf("%d messages after the ledger's Replace, want 2", got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.SaveMessage(cancelled, "c", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("SaveMessage with a cancelled context: error %v", err)
	}
	if err := l.DeleteMessages(cancelled, "a\x00"); !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteMessages with a cancelled context: error %v", err)
	}
	var errs []error
	for m, err := range l.Messages(cancelled) {
		if m.Key != "" || m.Raw != nil {
			t.Errorf("Messages with a cancelled context yielded a message")
		}
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("Messages with a cancelled context yielded %v, want context.Canceled once", errs)
	}
	if got := len(allMessages(t, l)); got != 2 {
		t.Errorf("%d messages after calls with a cancelled context, want 2", got)
	}
}

// TestMessagesPaged lists more messages than a page holds, by count and by size, and breaks out of the listing.
func TestMessagesPaged(t *testing.T) {
	ctx := t.Context()
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	var want []boltledger.StoredMessage
	for i := range 1050 {
		want = append(want, boltledger.StoredMessage{Key: fmt.Sprintf("small/%04d", i), Raw: fmt.Appendf(nil, "message %d", i)})
	}
	for i := range 5 { // 20 MiB: two pages by size
		want = append(want, boltledger.StoredMessage{Key: fmt.Sprintf("tall/%d", i), Raw: bytes.Repeat([]byte{byte('a' + i)}, boltledger.MaxMessageBytes)})
	}
	for _, m := range want {
		if err := l.SaveMessage(ctx, m.Key, m.Raw); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff(want, allMessages(t, l), equalBytes); d != "" {
		t.Errorf("Messages (-want +got):\n%s", d)
	}
	var got []boltledger.StoredMessage
	for m, err := range l.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
		if len(got) == 1052 {
			break
		}
	}
	if d := cmp.Diff(want[:1052], got, equalBytes); d != "" {
		t.Errorf("Messages, breaking out (-want +got):\n%s", d)
	}
}

// TestCheckWhileWriting runs Check beside writers: bbolt's check is safe beside them only in a read-write
// transaction.
func TestCheckWhileWriting(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	var (
		wg   sync.WaitGroup
		want []syncer.LedgerEntry
	)
	for w := range 4 {
		var mine []syncer.LedgerEntry
		for i := range 30 {
			mine = append(mine, entry(fmt.Sprintf("carelogic/%d-%02d", w, i), w*100+i+1))
		}
		want = append(want, mine...)
		wg.Go(func() {
			for _, e := range mine {
				if err := l.Put(t.Context(), e); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if err := l.Check(t.Context()); err != nil {
				t.Errorf("Check: %v", err)
				return
			}
		}
	})
	wg.Wait()
	if d := cmp.Diff(want, allEntries(t, l)); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
}
