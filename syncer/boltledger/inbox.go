package boltledger

import (
	"context"
	"errors"
	"fmt"
	"iter"

	bolt "go.etcd.io/bbolt"
)

// MaxMessageBytes is the largest message the inbox stores: 4 MiB, the same as carelogic/siu's MaxMessageBytes
// (the largest HL7 message that package reads), which this package does not import.
const MaxMessageBytes = 4 << 20

// MaxMessageKeyBytes is the longest key of an inbox message, as syncer.MaxLedgerKeyBytes is of a ledger entry.
const MaxMessageKeyBytes = 512

// Paging of Messages: a read transaction reads up to pageMessages messages, or until pageMessageBytes are read
// (at least one message), so that a page of large messages stays a few MiB in memory.
const (
	pageMessages     = 1000
	pageMessageBytes = 16 << 20
)

// ErrMessage is wrapped by the error for a message the inbox cannot store: an empty key or one over
// MaxMessageKeyBytes, or an empty message or one over MaxMessageBytes.
var ErrMessage = errors.New("boltledger: message not storable")

// StoredMessage is a message in the inbox.
type StoredMessage struct {
	// Key is the message's key, chosen by the service (an HL7 message's sender and control id, MSH-3 and MSH-10).
	Key string
	// Raw is the message as received.
	Raw []byte
}

// SaveMessage stores raw under key in the inbox, replacing any message of that key, in one transaction synced
// to disk when it returns: a service saves a message before acknowledging it, and deletes it once processed. The
// inbox holds patient data (see the package documentation). raw is copied.
func (l *Ledger) SaveMessage(ctx context.Context, key string, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrMessage)
	case len(key) > MaxMessageKeyBytes:
		return fmt.Errorf("%w: key of %d bytes, over the limit of %d (MaxMessageKeyBytes)", ErrMessage, len(key), MaxMessageKeyBytes)
	case len(raw) == 0:
		return fmt.Errorf("%w: empty message", ErrMessage)
	case len(raw) > MaxMessageBytes:
		return fmt.Errorf("%w: message of %d bytes, over the limit of %d (MaxMessageBytes)", ErrMessage, len(raw), MaxMessageBytes)
	}
	v := encodeMessage(raw)
	err := l.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInbox).Put([]byte(key), v)
	})
	return l.txError("save message", err)
}

// DeleteMessages removes the messages of keys from the inbox, all or none, in one transaction synced to disk when
// it returns. A key without a message is not an error.
func (l *Ledger) DeleteMessages(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for _, k := range keys {
			if k == "" || len(k) > MaxMessageKeyBytes {
				continue // never stored
			}
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	return l.txError("delete messages", err)
}

// Messages yields the inbox's messages in key order (byte order), reading them a page at a time (up to 1,000
// messages or 16 MiB per read transaction), so it is not a snapshot: a message saved or deleted while it runs
// may or may not be seen, but each key comes once and in order. It yields an error at most once, as the last
// element.
func (l *Ledger) Messages(ctx context.Context) iter.Seq2[StoredMessage, error] {
	return func(yield func(StoredMessage, error) bool) {
		var after []byte
		for {
			if err := ctx.Err(); err != nil {
				yield(StoredMessage{}, err)
				return
			}
			var (
				page []StoredMessage
				size int
				more bool
			)
			err := l.db.View(func(tx *bolt.Tx) error {
				c := tx.Bucket(bucketInbox).Cursor()
				for k, v := seekAfter(c, after); k != nil; k, v = c.Next() {
					if len(page) == pageMessages || len(page) > 0 && size+len(v) > pageMessageBytes {
						more = true
						return nil
					}
					m, err := decodeMessage(string(k), v)
					if err != nil {
						return err
					}
					page = append(page, m)
					size += len(v)
				}
				return nil
			})
			if err != nil {
				yield(StoredMessage{}, l.txError("list messages", err))
				return
			}
			for _, m := range page {
				if !yield(m, nil) {
					return
				}
			}
			if !more {
				return
			}
			after = []byte(page[len(page)-1].Key)
		}
	}
}
