package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// LedgerEntry is what the sync last applied to OnCall for one EHR appointment. It holds ids and a digest, never
// patient data, so a ledger on disk holds no PHI.
type LedgerEntry struct {
	// Key is the EHR appointment's key (carelogic.Appointment.Key).
	Key string `json:"key"`
	// Appointment is the OnCall appointment the key is synced to. It is 0 while Pending.
	Appointment oncall.AppointmentID `json:"appointment,omitempty"`
	// Digest identifies the EHR appointment as last applied (see Digest): an EHR change whose digest equals it has
	// nothing to sync. Empty when not known (a ledger rebuilt from OnCall before the EHR was read).
	Digest string `json:"digest,omitempty"`
	// Pending reports that the appointment may exist in OnCall though no pairing is known: a create or recreate was
	// sent and its outcome is not known, or a create was held back because a look-alike was booked by hand. Only a
	// full reconcile, which lists OnCall, may create the key; events leave it alone.
	Pending bool `json:"pending,omitempty"`
	// Updated is when the entry was recorded.
	Updated time.Time `json:"updated"`
}

// Validate reports what makes e unfit to record: a key empty or over MaxLedgerKeyBytes (an error wrapping
// ErrLedgerKey), or an entry that is neither pending nor names its OnCall appointment.
func (e LedgerEntry) Validate() error {
	switch {
	case e.Key == "":
		return fmt.Errorf("%w: empty", ErrLedgerKey)
	case len(e.Key) > MaxLedgerKeyBytes:
		return fmt.Errorf("%w: %d bytes, over the limit of %d (MaxLedgerKeyBytes)", ErrLedgerKey, len(e.Key), MaxLedgerKeyBytes)
	case !e.Pending && e.Appointment <= 0:
		return fmt.Errorf("syncer: ledger entry %s: no OnCall appointment and not pending", displayKey(e.Key))
	case e.Pending && e.Appointment != 0:
		return fmt.Errorf("syncer: ledger entry %s: pending with an OnCall appointment", displayKey(e.Key))
	}
	return nil
}

// A Ledger records, for each EHR appointment, what the sync last applied to OnCall (a LedgerEntry), so that an
// event-driven sync of k changed appointments makes about k calls instead of listing the whole account: the
// ledger says which OnCall appointment a key is synced to, and whether the EHR's version differs from what was
// applied. It is a cache of what OnCall's metadata already says (every synced appointment carries its EHR key),
// so a ledger that is lost or damaged is rebuilt by a full reconcile, never trusted over OnCall.
//
// Implementations must be safe for concurrent use, and Put, Delete and Replace must be durable when they return
// (for an on-disk ledger: written and synced), since the sync relies on a Pending entry being recorded before
// the create it announces is sent. NewMemoryLedger is one for tests and for processes that can afford a full
// reconcile at each start; package syncer/boltledger keeps one on disk.
type Ledger interface {
	// Get returns the entry recorded for key, and false when there is none.
	Get(ctx context.Context, key string) (LedgerEntry, bool, error)
	// Put records entries, replacing those with the same keys, all or none. Each entry must be valid
	// (LedgerEntry.Validate).
	Put(ctx context.Context, entries ...LedgerEntry) error
	// Delete removes the entries of keys, all or none; a key without an entry is not an error.
	Delete(ctx context.Context, keys ...string) error
	// All yields every entry in key order. It yields an error at most once, as the last element.
	All(ctx context.Context) iter.Seq2[LedgerEntry, error]
	// Replace replaces every entry with entries, all or none: how a full reconcile rebuilds the ledger.
	Replace(ctx context.Context, entries []LedgerEntry) error
}

// MemoryLedger is a Ledger in memory: for tests, and for a process that rebuilds its ledger with a full reconcile
// each time it starts. The zero MemoryLedger is empty and ready to use.
type MemoryLedger struct {
	mu      sync.RWMutex
	entries map[string]LedgerEntry
}

// NewMemoryLedger returns an empty MemoryLedger.
func NewMemoryLedger() *MemoryLedger { return &MemoryLedger{} }

var _ Ledger = (*MemoryLedger)(nil)

// Get implements Ledger.
func (l *MemoryLedger) Get(ctx context.Context, key string) (LedgerEntry, bool, error) {
	if err := ctx.Err(); err != nil {
		return LedgerEntry{}, false, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.entries[key]
	return e, ok, nil
}

// Put implements Ledger.
func (l *MemoryLedger) Put(ctx context.Context, entries ...LedgerEntry) error {
	if err := checkEntries(ctx, entries); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.entries == nil {
		l.entries = make(map[string]LedgerEntry, len(entries))
	}
	for _, e := range entries {
		l.entries[e.Key] = e
	}
	return nil
}

// Delete implements Ledger.
func (l *MemoryLedger) Delete(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.entries, k)
	}
	return nil
}

// All implements Ledger. It yields the entries as they were when it started.
func (l *MemoryLedger) All(ctx context.Context) iter.Seq2[LedgerEntry, error] {
	return func(yield func(LedgerEntry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(LedgerEntry{}, err)
			return
		}
		l.mu.RLock()
		keys := slices.Sorted(maps.Keys(l.entries))
		entries := make([]LedgerEntry, len(keys))
		for i, k := range keys {
			entries[i] = l.entries[k]
		}
		l.mu.RUnlock()
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// Replace implements Ledger.
func (l *MemoryLedger) Replace(ctx context.Context, entries []LedgerEntry) error {
	if err := checkEntries(ctx, entries); err != nil {
		return err
	}
	m := make(map[string]LedgerEntry, len(entries))
	for _, e := range entries {
		m[e.Key] = e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = m
	return nil
}

// Len returns the number of entries.
func (l *MemoryLedger) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.entries)
}

// checkEntries is the validation every Ledger's Put and Replace share: ctx still live, every entry valid.
func checkEntries(ctx context.Context, entries []LedgerEntry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ErrLedgerKey is wrapped by the error for an entry whose key a ledger cannot store: empty, or over
// MaxLedgerKeyBytes.
var ErrLedgerKey = errors.New("syncer: ledger key not storable")

// MaxLedgerKeyBytes is the longest EHR key a ledger must store. EHR keys are a source and an id; a longer one is
// refused with an error wrapping ErrLedgerKey rather than truncated, which could pair two appointments.
const MaxLedgerKeyBytes = 512
