package boltledger_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// The crash test re-executes the test binary (as Go's own tests of os/exec and os/signal do) with these
// variables set: the child writes batches to the ledger until it is killed.
const (
	crashChildEnv = "BOLTLEDGER_CRASH_CHILD" // the ledger's path
	crashStartEnv = "BOLTLEDGER_CRASH_START" // the first batch the child writes
)

const batchEntries = 100 // a batch spans several pages, so a commit writes many

// batch returns batch i: batchEntries entries, written in one Put, and one message, saved after them.
func batch(i int) ([]syncer.LedgerEntry, boltledger.StoredMessage) {
	entries := make([]syncer.LedgerEntry, batchEntries)
	for j := range entries {
		entries[j] = entry(fmt.Sprintf("carelogic/%06d-%03d", i, j), i*1000+j+1)
	}
	raw := bytes.Repeat(fmt.Appendf(nil, "MSH|batch %06d|", i), 500)
	return entries, boltledger.StoredMessage{Key: fmt.Sprintf("siu/%06d", i), Raw: raw}
}

// crashChild writes batches from start on, printing "committed N" after each, until it is killed.
func crashChild(t *testing.T, path string) {
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		t.Fatal(err)
	}
	l, err := boltledger.Open(path, boltledger.WithLockWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for i := start; ; i++ {
		entries, msg := batch(i)
		if err := l.Put(t.Context(), entries...); err != nil {
			t.Fatal(err)
		}
		if err := l.SaveMessage(t.Context(), msg.Key, msg.Raw); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", i)
	}
}

// TestCrashSafety kills a process that is writing to a ledger (SIGKILL, at a random moment after a random number
// of commits), again and again on the same file, and checks after each kill that the file opens, passes bbolt's
// consistency check, and holds a prefix of the batches, each whole or absent, including every batch the child
// reported committed. This is a process crash: the kernel still writes what was handed to it, so it does not show
// what a power cut does (bbolt's fdatasync per commit is what covers that).
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("kills processes; skipped with -short")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	kills := 25
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	next := 0 // the batch the next child starts with
	var (
		outcomes                       []string
		midBatch, unreported, onTheDot int
	)
	for kill := range kills {
		cmd := exec.Command(exe, "-test.run=^TestCrashSafety$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashStartEnv+"="+strconv.Itoa(next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		target := 3 + rng.IntN(20) // commits to see before the kill
		reported := next - 1
		lines := bufio.NewScanner(stdout)
		for seen := 0; seen < target && lines.Scan(); {
			if n, ok := strings.CutPrefix(lines.Text(), "committed "); ok {
				if reported, err = strconv.Atoi(n); err != nil {
					t.Fatal(err)
				}
				seen++
			}
		}
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond) // somewhere in the next commit, or between
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if reported < next+target-1 {
			t.Fatalf("kill %d: the child stopped after batch %d, before the kill: %v\n%s", kill, reported, err, stderr.Bytes())
		}

		entriesThrough, messagesThrough := checkCrashed(t, path, reported)
		outcomes = append(outcomes, fmt.Sprintf("reported %d, entries through %d, messages through %d", reported, entriesThrough, messagesThrough))
		switch {
		case entriesThrough > messagesThrough:
			midBatch++ // killed between a batch's Put and its SaveMessage
		case messagesThrough > reported:
			unreported++ // killed after a commit, before the child said so
		default:
			onTheDot++
		}
		next = messagesThrough + 1 // the child writes batch next again: a Put of the same entries changes nothing
		if t.Failed() {
			break
		}
	}
	t.Logf("%d kills: %d between a batch's entries and its message, %d after commits not yet reported, %d right after the last report:\n%s",
		len(outcomes), midBatch, unreported, onTheDot, strings.Join(outcomes, "\n"))
}

// sameEntry is cmp.Equal for entries, faster.
func sameEntry(a, b syncer.LedgerEntry) bool {
	return a.Key == b.Key && a.Appointment == b.Appointment && a.Digest == b.Digest && a.Pending == b.Pending &&
		a.Updated.Equal(b.Updated)
}

// checkCrashed checks the ledger a killed child left, and returns the last batch whose entries, and the last
// whose message, it holds.
func checkCrashed(t *testing.T, path string, reported int) (entriesThrough, messagesThrough int) {
	t.Helper()
	// bbolt's own consistency check, on the file as the kill left it, before Open writes anything.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("bbolt cannot open the file a kill left: %v", err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		var problems []string
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			return fmt.Errorf("bbolt's check: %s", strings.Join(problems, "; "))
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	l, err := boltledger.Open(path)
	if err != nil {
		t.Fatalf("Open of the file a kill left: %v", err)
	}
	defer l.Close()
	if err := l.Check(t.Context()); err != nil {
		t.Errorf("Check: %v", err)
	}
	got := allEntries(t, l)
	if len(got)%batchEntries != 0 {
		t.Errorf("%d entries, not a whole number of batches of %d", len(got), batchEntries)
	}
	var want []syncer.LedgerEntry
	for i := 0; len(want) < len(got); i++ {
		entries, _ := batch(i)
		want = append(want, entries...)
	}
	// cmp.Diff shows what differs, but takes seconds on tens of thousands of entries under -race: it runs only when
	// a plain comparison finds a difference.
	if !slices.EqualFunc(want, got, sameEntry) {
		t.Errorf("entries are not a prefix of the batches (-want +got):\n%s", cmp.Diff(want, got))
	}
	entriesThrough = len(got)/batchEntries - 1

	msgs := allMessages(t, l)
	var wantMsgs []boltledger.StoredMessage
	for i := range msgs {
		_, m := batch(i)
		wantMsgs = append(wantMsgs, m)
	}
	if !slices.EqualFunc(wantMsgs, msgs, func(a, b boltledger.StoredMessage) bool { return a.Key == b.Key && bytes.Equal(a.Raw, b.Raw) }) {
		t.Errorf("messages are not a prefix of the batches (-want +got):\n%s", cmp.Diff(wantMsgs, msgs, equalBytes))
	}
	messagesThrough = len(msgs) - 1

	// Every batch reported committed is there; the batch being written at the kill may be, entries first.
	if messagesThrough < reported {
		t.Errorf("batch %d was reported committed, but the ledger holds messages through %d only", reported, messagesThrough)
	}
	if entriesThrough != messagesThrough && entriesThrough != messagesThrough+1 {
		t.Errorf("entries through batch %d and messages through %d: a batch's message is saved right after its entries", entriesThrough, messagesThrough)
	}
	return entriesThrough, messagesThrough
}
