package boltledger

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/oncallsync/oncall-go/syncer"
)

// pageEntries is how many entries All reads in one read transaction: bbolt cannot grow the file while a read
// transaction holds the memory map, so none is held open across yields (where the caller may take its time).
const pageEntries = 1000

// Get implements syncer.Ledger.
func (l *Ledger) Get(ctx context.Context, key string) (syncer.LedgerEntry, bool, error) {
	if err := ctx.Err(); err != nil {
		return syncer.LedgerEntry{}, false, err
	}
	if !storableKey(key) {
		return syncer.LedgerEntry{}, false, nil
	}
	var (
		e     syncer.LedgerEntry
		found bool
	)
	err := l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketLedger).Get([]byte(key))
		if v == nil {
			return nil
		}
		found = true
		var err error
		e, err = decodeEntry(key, v)
		return err
	})
	if err != nil {
		return syncer.LedgerEntry{}, false, l.txError("get", err)
	}
	return e, found, nil
}

// Put implements syncer.Ledger: one transaction, synced to disk when it returns.
func (l *Ledger) Put(ctx context.Context, entries ...syncer.LedgerEntry) error {
	values, err := encodeEntries(ctx, entries)
	if err != nil || len(entries) == 0 {
		return err
	}
	err = l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLedger)
		for i, e := range entries {
			if err := b.Put([]byte(e.Key), values[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return l.txError("put", err)
}

// Delete implements syncer.Ledger: one transaction, synced to disk when it returns.
func (l *Ledger) Delete(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLedger)
		for _, k := range keys {
			if !storableKey(k) {
				continue // never stored
			}
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	return l.txError("delete", err)
}

// Replace implements syncer.Ledger: one transaction, synced to disk when it returns. Of entries with the same
// key, the last is kept.
func (l *Ledger) Replace(ctx context.Context, entries []syncer.LedgerEntry) error {
	values, err := encodeEntries(ctx, entries)
	if err != nil {
		return err
	}
	// Written in key order, bbolt fills each page in turn instead of splitting pages at random.
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return bytes.Compare([]byte(entries[i].Key), []byte(entries[j].Key)) })
	err = l.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketLedger); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketLedger)
		if err != nil {
			return err
		}
		for _, i := range order {
			if err := b.Put([]byte(entries[i].Key), values[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return l.txError("replace", err)
}

// All implements syncer.Ledger. It reads pageEntries entries per read transaction, resuming after the last key
// read, so it is not a snapshot: an entry put or deleted while it runs may or may not be seen, but each key comes
// once and in order.
func (l *Ledger) All(ctx context.Context) iter.Seq2[syncer.LedgerEntry, error] {
	return func(yield func(syncer.LedgerEntry, error) bool) {
		var after []byte
		for {
			if err := ctx.Err(); err != nil {
				yield(syncer.LedgerEntry{}, err)
				return
			}
			page := make([]syncer.LedgerEntry, 0, pageEntries)
			err := l.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bucketLedger).Cursor()
				for k, v := seekAfter(c, after); k != nil && len(page) < pageEntries; k, v = c.Next() {
					e, err := decodeEntry(string(k), v)
					if err != nil {
						return err
					}
					page = append(page, e)
				}
				return nil
			})
			if err != nil {
				yield(syncer.LedgerEntry{}, l.txError("list", err))
				return
			}
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			if len(page) < pageEntries {
				return
			}
			after = []byte(page[len(page)-1].Key)
		}
	}
}

// seekAfter positions c on the first key after after (the first key when after is nil).
func seekAfter(c *bolt.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return c.First()
	}
	k, v = c.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		return c.Next()
	}
	return k, v
}

// encodeEntries checks ctx and every entry, and encodes them, before any transaction.
func encodeEntries(ctx context.Context, entries []syncer.LedgerEntry) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	values := make([][]byte, len(entries))
	for i, e := range entries {
		if err := e.Validate(); err != nil {
			return nil, err
		}
		values[i] = encodeEntry(e)
	}
	return values, nil
}

// storableKey reports whether a ledger could hold key (syncer.LedgerEntry.Validate's rule for keys).
func storableKey(key string) bool { return key != "" && len(key) <= syncer.MaxLedgerKeyBytes }

// txError wraps an error of a transaction, naming the operation and the file. The errors of this package's own
// decoding already say what they are.
func (l *Ledger) txError(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("boltledger: %s in %s: %w", op, l.path, err)
}
