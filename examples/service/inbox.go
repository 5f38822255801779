package main

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/carelogic/siu/mllp"
	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// inbox is the MLLP handler: a message that changes what the feed knows of its appointment (one the feed ranks
// above what it holds) is stored durably, then applied to the feed, and only then may the server answer AA. The
// loop is told of the change; it syncs it after its debounce.
//
// A crash after the store and before the ACK is harmless: the sender resends, and the feed, which ranks messages
// by content, takes the resend as the duplicate it is. Messages that do not change the feed (duplicates, messages
// that rank lower than the one stored) are acknowledged without a write.
type inbox struct {
	feed  *siu.Feed
	store *boltledger.Ledger
	loop  *syncer.Loop
	opts  []siu.Option

	// Messages about one appointment are applied and stored one at a time, so that the stored message is always
	// the feed's winner; messages about different appointments go on in parallel.
	seed  maphash.Seed
	locks [64]sync.Mutex
}

func newInbox(feed *siu.Feed, store *boltledger.Ledger, loop *syncer.Loop, opts []siu.Option) *inbox {
	return &inbox{feed: feed, store: store, loop: loop, opts: opts, seed: maphash.MakeSeed()}
}

// HandleMessage implements mllp.Handler.
func (in *inbox) HandleMessage(ctx context.Context, m *siu.Message, raw []byte) error {
	snap, err := siu.Convert(m, in.opts...)
	if err != nil {
		return err // a *siu.Error: the server answers AR, as a resend would fail the same way
	}
	key := snap.Appointment.Key()
	if len(key) > syncer.MaxLedgerKeyBytes {
		return fmt.Errorf("%w: an appointment key of %d bytes, over %d", mllp.ErrReject, len(key), syncer.MaxLedgerKeyBytes)
	}
	mu := &in.locks[maphash.String(in.seed, key)%uint64(len(in.locks))]
	mu.Lock()
	defer mu.Unlock()
	if !in.feed.Outranks(snap) {
		return nil // a duplicate, or outranked by the message already stored: nothing to record
	}
	if err := in.store.SaveMessage(ctx, key, raw); err != nil {
		return errors.New("the message could not be stored") // AE: the sender resends it
	}
	in.feed.ApplySnapshot(snap)
	in.loop.Notify(syncer.ChangeOf(&snap.Appointment))
	return nil
}

// prune forgets the appointments that ended before before, in the feed and in the store, so that neither grows
// with the years. It holds every lock, so that no message is stored and applied while it runs.
func (in *inbox) prune(ctx context.Context, before time.Time) (int, error) {
	for i := range in.locks {
		in.locks[i].Lock()
	}
	defer func() {
		for i := range in.locks {
			in.locks[i].Unlock()
		}
	}()
	keys := in.feed.Prune(before)
	if len(keys) == 0 {
		return 0, nil
	}
	return len(keys), in.store.DeleteMessages(ctx, keys...)
}

// load applies every stored message to the feed, as the service starts, tells the loop of each appointment (so
// that a change queued when the service stopped, or given up after its retries, is synced even outside the full
// reconcile's window; one already synced costs nothing, its digest being in the ledger), and returns how many it
// read. A message that no longer reads (a stricter reader, other options) is logged by its key and left out, so
// that one message cannot keep the service from starting; the EHR's next message about it replaces it.
func (in *inbox) load(ctx context.Context, log *slog.Logger) (int, error) {
	n := 0
	var changes []syncer.Change
	for msg, err := range in.store.Messages(ctx) {
		if err != nil {
			return n, err
		}
		m, perr := siu.Parse(msg.Raw)
		var snap siu.Snapshot
		if perr == nil {
			snap, perr = siu.Convert(m, in.opts...)
		}
		if perr != nil {
			log.Warn("service: a stored message no longer reads: left out", slog.String("key", redact.ID(msg.Key)), slog.String("error", perr.Error()))
			continue
		}
		in.feed.ApplySnapshot(snap)
		changes = append(changes, syncer.ChangeOf(&snap.Appointment))
		n++
	}
	in.loop.Notify(changes...)
	return n, nil
}
