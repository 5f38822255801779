package boltledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/oncallsync/oncall-go/internal/redact"
)

// maxCheckErrors bounds the problems Check reports.
const maxCheckErrors = 10

// Check reads the whole file: bbolt's consistency check (every page reachable once, none both used and free,
// keys in order) and the decoding of every ledger entry and inbox message. It returns nil for a sound file and
// otherwise an error wrapping ErrCorrupt that describes up to ten problems. It reads in one transaction, a few
// milliseconds per megabyte of file, and ctx is checked only before it starts. Writes wait while it runs: bbolt's
// check is safe beside other writers only in a read-write transaction, which Check opens and rolls back.
func (l *Ledger) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var problems []error
	note := func(err error) {
		if len(problems) < maxCheckErrors {
			problems = append(problems, err)
		}
	}
	err := l.rolledBack(func(tx *bolt.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				note(errPanicked) // bbolt asserts on some damaged pages rather than report them
			}
		}()
		for err := range tx.Check(bolt.WithKVStringer(redactedKV{})) {
			note(err)
		}
		if len(problems) > 0 {
			return nil // the buckets may not be safe to read
		}
		c := tx.Bucket(bucketLedger).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if _, err := decodeEntry(string(k), v); err != nil {
				note(err)
			}
		}
		c = tx.Bucket(bucketInbox).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if _, err := decodeMessage(string(k), v); err != nil {
				note(err)
			}
		}
		return nil
	})
	if err != nil {
		return l.txError("check", err)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s: %d problems found: %w", ErrCorrupt, l.path, len(problems), errors.Join(problems...))
}

// redactedKV shows keys and values in bbolt's check messages by the module's rule (internal/redact): a key as
// it is when it looks like an id, and otherwise by its length; a value (an inbox message may hold patient data)
// by its length.
type redactedKV struct{}

func (redactedKV) KeyToString(k []byte) string { return redact.ID(string(k)) }
func (redactedKV) ValueToString(v []byte) string {
	return "(a value of " + strconv.Itoa(len(v)) + " bytes)"
}

// rolledBack runs fn in a read-write transaction that it then rolls back.
func (l *Ledger) rolledBack(fn func(*bolt.Tx) error) error {
	tx, err := l.db.Begin(true)
	if err != nil {
		return err
	}
	err = fn(tx)
	if rerr := tx.Rollback(); err == nil {
		err = rerr
	}
	return err
}
