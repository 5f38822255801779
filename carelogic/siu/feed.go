package siu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/redact"
)

// Feed holds the latest state of every appointment occurrence seen in a stream of SIU messages. Messages may
// arrive in any order and more than once, as interface engines deliver them: for each occurrence the Feed
// keeps the message that ranks highest by the rules below, so the state it converges to depends only on which
// messages were applied, never on their order or on duplicates.
//
// Messages about one occurrence are ranked by, in turn:
//
//  1. The state they leave the occurrence in: deleted (S17, or SCH-25 Deleted, or every participant Error)
//     outranks closed (cancelled, discontinued, no-show or complete: CBT, CBC, DNS or Kept), which outranks
//     open (scheduled, checked in, custom statuses). So a late or stale-dated booking never resurrects a
//     deleted appointment nor reopens a cancelled one, and a deletion dated by a bad clock still deletes.
//  2. Event time, MSH-7, as an instant (a later message wins).
//  3. Sequence number, MSH-13 (a higher one wins; an absent one counts as 0).
//  4. The trigger event's place in the lifecycle: S12, S13, S14, S15, S16, S26, S17 (a later one wins), for
//     senders that stamp two messages with the same second.
//  5. The message's content hash, so that two different messages can never tie.
//
// A message identical to the winner (the same hash) changes nothing, so duplicate deliveries are harmless.
// Occurrences are keyed by Appointment.Key: the source and the filler appointment id (with the occurrence
// number). Message control ids (MSH-10) play no part, as senders reuse them.
//
// Feed implements carelogic.Adapter and is safe for concurrent use. The zero Feed is empty and converts with
// the default options.
type Feed struct {
	cfg *config
	mu  sync.RWMutex
	m   map[string]Snapshot
}

var _ carelogic.Adapter = (*Feed)(nil)

// NewFeed returns an empty Feed that converts messages with opts.
func NewFeed(opts ...Option) *Feed {
	return &Feed{cfg: newConfig(opts), m: make(map[string]Snapshot)}
}

// Apply converts m with the Feed's options and applies it. It reports whether the Feed changed: false for a
// duplicate or for a message outranked by one already applied.
func (f *Feed) Apply(m *Message) (bool, error) {
	cfg := f.cfg
	if cfg == nil {
		cfg = newConfig(nil)
	}
	s, err := cfg.convert(m)
	if err != nil {
		return false, err
	}
	return f.ApplySnapshot(s), nil
}

// ApplySnapshot applies a snapshot converted elsewhere (with Convert) and reports whether the Feed changed.
// Snapshots are ranked by the rules in the Feed documentation, with Hash identifying the message.
func (f *Feed) ApplySnapshot(s Snapshot) bool {
	s.Appointment = s.Appointment.Clone()
	key := s.Appointment.Key()
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.m[key]
	if ok && compareSnapshots(s, old) <= 0 {
		return false
	}
	if f.m == nil {
		f.m = make(map[string]Snapshot)
	}
	f.m[key] = s
	return true
}

// Outranks reports whether ApplySnapshot(s) would change the Feed: the Feed holds nothing for s's occurrence, or
// s ranks above what it holds. A receiver that acknowledges a message only once it is stored durably checks it
// first, stores the message, then applies it, so that the message stored for an occurrence is always the one the
// Feed holds; it must then serialise the messages about one occurrence itself, as the Feed's lock covers one call.
func (f *Feed) Outranks(s Snapshot) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	old, ok := f.m[s.Appointment.Key()]
	return !ok || compareSnapshots(s, old) > 0
}

// Prune forgets the occurrences that ended before before, and returns their keys in order. A long-running
// receiver calls it now and then, with a retention (a month, say) that no late message about a past appointment
// is expected to exceed, so that the Feed holds what is current rather than everything it ever heard. A message
// about a pruned occurrence that arrives afterwards is applied as if it were the first.
func (f *Feed) Prune(before time.Time) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for key, s := range f.m {
		if s.Appointment.End().Before(before) {
			keys = append(keys, key)
			delete(f.m, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// ApplyReader applies every message read from r (see Reader). A malformed message, or one over a limit, does
// not stop it: the others are applied, and the errors of those that failed are returned joined, at most
// MaxErrors of them, then one *Error wrapping ErrLimit that counts the others. An error reading r stops it and
// is returned last.
func (f *Feed) ApplyReader(r io.Reader) error {
	var (
		errs    []error
		omitted int
		stop    error
	)
	rd := NewReader(r)
	for {
		before := rd.n
		m, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := asError(err); !ok || rd.n == before {
				// The stream itself failed, or the Reader made no progress: nothing more can be read.
				stop = err
				break
			}
		} else if _, err = f.Apply(m); err != nil {
			if e, ok := asError(err); ok {
				e.Message = rd.n
			}
		}
		if err != nil {
			if len(errs) < MaxErrors {
				errs = append(errs, err)
			} else {
				omitted++
			}
		}
	}
	if omitted > 0 {
		errs = append(errs, &Error{Err: ErrLimit, Reason: "and " + strconv.Itoa(omitted) +
			" more malformed messages, not listed: over the limit of " + strconv.Itoa(MaxErrors) + " errors (MaxErrors)"})
	}
	if stop != nil {
		errs = append(errs, stop)
	}
	return errors.Join(errs...)
}

// Len returns the number of occurrences the Feed holds.
func (f *Feed) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.m)
}

// Snapshot returns the winning snapshot for an occurrence, by Appointment.Key or by id (see Appointment).
func (f *Feed) Snapshot(id string) (Snapshot, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, err := f.lookup(id)
	if err != nil {
		return Snapshot{}, false
	}
	s.Appointment = s.Appointment.Clone()
	return s, true
}

// Appointments yields, ordered by start and then key, a copy of every occurrence that starts in [from, to),
// deleted ones included (with Deleted set) so that a syncer can remove them. It stops with ctx's error when ctx
// is done.
func (f *Feed) Appointments(ctx context.Context, from, to time.Time) iter.Seq2[carelogic.Appointment, error] {
	return func(yield func(carelogic.Appointment, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(carelogic.Appointment{}, err)
			return
		}
		f.mu.RLock()
		var list []carelogic.Appointment
		for _, s := range f.m {
			if a := s.Appointment; !a.Start.Before(from) && a.Start.Before(to) {
				list = append(list, a.Clone())
			}
		}
		f.mu.RUnlock()
		slices.SortFunc(list, func(a, b carelogic.Appointment) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return cmp.Compare(a.Key(), b.Key())
		})
		for i, a := range list {
			if i > 0 {
				if err := ctx.Err(); err != nil {
					yield(carelogic.Appointment{}, err)
					return
				}
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// Appointment returns a copy of one occurrence. id is its Appointment.Key ("source/id") or its bare id; a bare
// id that two sources share is refused as ambiguous. An unknown id gives an error wrapping
// carelogic.ErrNotFound.
func (f *Feed) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return carelogic.Appointment{}, err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, err := f.lookup(id)
	if err != nil {
		return carelogic.Appointment{}, err
	}
	return s.Appointment.Clone(), nil
}

// AppointmentByKey implements carelogic.KeyReader: the occurrence with the given key (source and id), which two
// sources sharing an id cannot make ambiguous.
func (f *Feed) AppointmentByKey(ctx context.Context, key string) (carelogic.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return carelogic.Appointment{}, err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.m[key]
	if !ok {
		return carelogic.Appointment{}, fmt.Errorf("siu: appointment %s: %w", redact.ID(key), carelogic.ErrNotFound)
	}
	return s.Appointment.Clone(), nil
}

var _ carelogic.KeyReader = (*Feed)(nil)

func (f *Feed) lookup(id string) (Snapshot, error) {
	if s, ok := f.m[id]; ok {
		return s, nil
	}
	var found []Snapshot
	for _, s := range f.m {
		if s.Appointment.ID == id {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return Snapshot{}, fmt.Errorf("siu: appointment %s: %w", redact.ID(id), carelogic.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return Snapshot{}, fmt.Errorf("siu: appointment id %s is used by %d sources; look it up by source/id",
		redact.ID(id), len(found))
}

// Lifecycle states of an occurrence, the first ordering rule of a Feed.
const (
	stateOpen = iota + 1
	stateClosed
	stateDeleted
)

// state returns how final the snapshot's state is.
func state(a *carelogic.Appointment) int {
	if a.Deleted {
		return stateDeleted
	}
	st, allError := stateOpen, len(a.Participants) > 0
	for _, p := range a.Participants {
		switch p.Status {
		case carelogic.StatusCBT, carelogic.StatusCBC, carelogic.StatusDNS, carelogic.StatusKept:
			st = stateClosed
		}
		allError = allError && p.Status == carelogic.StatusError
	}
	if allError {
		return stateDeleted
	}
	return st
}

// compareSnapshots orders two snapshots of one occurrence by the Feed's rules: positive when a outranks b.
func compareSnapshots(a, b Snapshot) int {
	if c := cmp.Compare(state(&a.Appointment), state(&b.Appointment)); c != 0 {
		return c
	}
	if c := a.Appointment.UpdatedAt.Compare(b.Appointment.UpdatedAt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Sequence, b.Sequence); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Event.rank(), b.Event.rank()); c != 0 {
		return c
	}
	return cmp.Compare(a.Hash, b.Hash)
}
