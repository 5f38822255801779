// Package boltledger keeps a syncer.Ledger, and a service's inbox of messages not yet processed, in one file on
// disk, with go.etcd.io/bbolt: the embedded B+tree store etcd uses.
//
// A Ledger is safe for concurrent use by the goroutines of one process. Put, Delete, Replace, SaveMessage and
// DeleteMessages each run one read-write transaction, written and synced to disk (fdatasync) before they return,
// so what they record survives the process being killed and the machine losing power. bbolt never overwrites a
// committed page (copy-on-write) and switches to a new state by writing one of two checksummed meta pages last,
// so a crash at any moment leaves the last committed state; see the README's "Dependencies" for why bbolt.
//
// The ledger is a cache of what OnCall's metadata says (syncer.Ledger): a file that is lost, or refused with
// ErrCorrupt, is moved aside and rebuilt by a full reconcile.
//
// # Patient data
//
// The ledger's entries hold EHR keys, OnCall ids and digests, no patient data. The inbox holds messages as they
// were received, and HL7 messages carry patients' names, birth dates and email addresses: the file is therefore
// created readable by its owner only (mode 0600), and its folder should be as well protected (owned by the
// service's user, mode 0700, on an encrypted volume where the deployment requires one). Open does not change the
// mode of a file that exists. Error texts name keys only as internal/redact allows (an id-like key as it is,
// anything else by its length), and never quote a message.
//
// # Format
//
// The file holds three buckets: "meta" (the key "format", "oncall-go/boltledger 1"), "ledger" (an entry's value
// keyed by its EHR key's bytes) and "inbox" (a message keyed by its key's bytes). An entry's value is, in order:
// a version byte (1); a flags byte (bit 0: Pending; the others 0); the OnCall appointment id as a varint
// (encoding/binary's signed varint); the digest's length as a uvarint, then its bytes; Updated as a varint of
// seconds since 1970 UTC and a uvarint of nanoseconds (under 1e9). Updated is read back in UTC. A message's value
// is a version byte (1) then the message's bytes. A value of another version, or that does not decode, is an
// error wrapping ErrCorrupt.
package boltledger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/oncallsync/oncall-go/syncer"
)

// ErrCorrupt is wrapped by the error for a file that is not a ledger this package can read: not a bbolt
// database, one cut short or damaged, one made by another program, or a value that does not decode. A service
// moves the file aside (it may hold inbox messages worth reading) and rebuilds the ledger with a full reconcile.
var ErrCorrupt = errors.New("boltledger: not a ledger this version can read")

// ErrLocked is wrapped by Open's error when another process, or another Ledger of this one, still has the file
// open after the wait set by WithLockWait. bbolt locks the file (flock) so that two writers cannot damage it.
var ErrLocked = errors.New("boltledger: the file is in use by another Ledger")

// DefaultLockWait is how long Open waits for another Ledger to close the file, unless WithLockWait changes it.
const DefaultLockWait = time.Second

// Ledger is a syncer.Ledger and a message inbox in one bbolt file. Open one with Open, and Close it when done.
type Ledger struct {
	db   *bolt.DB
	path string
}

var _ syncer.Ledger = (*Ledger)(nil)

// An Option configures Open. An invalid one makes Open fail.
type Option func(*config) error

type config struct {
	lockWait time.Duration
}

// WithLockWait sets how long Open waits for another Ledger (in this process or another) to close the file
// before failing with ErrLocked. It must be positive; the default is DefaultLockWait. bbolt retries the lock every
// 50 ms.
func WithLockWait(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("boltledger: WithLockWait(%v): the wait must be positive", d)
		}
		c.lockWait = d
		return nil
	}
}

// Bucket names and the format stamp (see the package documentation).
var (
	bucketMeta   = []byte("meta")
	bucketLedger = []byte("ledger")
	bucketInbox  = []byte("inbox")
	keyFormat    = []byte("format")
	formatStamp  = []byte("oncall-go/boltledger 1")
)

// Open opens the ledger in the file at path, creating it (mode 0600; the folder must exist) when there is none.
// It fails with an error wrapping ErrCorrupt for a file that is not a ledger, and one wrapping ErrLocked when the
// file stays in use by another Ledger for the lock wait (WithLockWait).
//
// Open checks what it can cheaply: the file is a bbolt database whose pages all lie within the file (a file cut
// short is refused) and that holds this package's buckets. Damage inside the pages is found by Check, or by the
// operation that reads the damaged page.
func Open(path string, opts ...Option) (*Ledger, error) {
	cfg := config{lockWait: DefaultLockWait}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := precheck(path, cfg.lockWait); err != nil {
		return nil, err
	}
	db, err := openBolt(path, &bolt.Options{Timeout: cfg.lockWait})
	if err != nil {
		return nil, openError(path, cfg.lockWait, err)
	}
	if err := update(db, initBuckets(path)); err != nil {
		_ = db.Close()
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		if errors.Is(err, errPanicked) {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
		}
		return nil, fmt.Errorf("boltledger: open %s: %w", path, err)
	}
	return &Ledger{db: db, path: path}, nil
}

// update is db.Update, turning a panic of bbolt's on a damaged page (an assertion about a page's id) into
// errPanicked, as openBolt does.
func update(db *bolt.DB, fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanicked
		}
	}()
	return db.Update(fn)
}

// precheck refuses, before bbolt opens it for writing (which reads its free-page list), a file whose meta page
// names pages beyond its end: a file cut short. bbolt maps the file to memory, and reading a page past its end
// would kill the process with SIGBUS rather than return an error.
func precheck(path string, lockWait time.Duration) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("boltledger: open: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("boltledger: open %s: not a regular file", path)
	}
	if info.Size() == 0 {
		return nil // bbolt initialises an empty file
	}
	db, err := openBolt(path, &bolt.Options{Timeout: lockWait, ReadOnly: true})
	if err != nil {
		return openError(path, lockWait, err)
	}
	var size int64
	err = db.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("boltledger: open %s: %w", path, err)
	}
	if size > info.Size() {
		return fmt.Errorf("%w: %s holds %d bytes of the %d its last commit wrote (cut short)", ErrCorrupt, path, info.Size(), size)
	}
	return nil
}

// openBolt is bolt.Open, turning a panic of bbolt's on a damaged file (it panics on some malformed pages) into
// an error wrapping ErrCorrupt, so that a service can move the file aside instead of crashing. The file bbolt had
// opened is then closed, and its lock released, only when the garbage collector finalizes it.
func openBolt(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, errPanicked
		}
	}()
	return bolt.Open(path, 0o600, opts)
}

// errPanicked stands for a panic of bbolt's in openBolt.
var errPanicked = errors.New("bbolt could not read it")

// openError describes an error of bolt.Open. bbolt reports a file it cannot read as a database with sentinels
// (ErrInvalid, ErrVersionMismatch, ErrChecksum) or, for a file shorter than two pages, with an error of its own
// text; the file system's errors come as *fs.PathError or syscall.Errno. Everything but those and the lock's
// timeout therefore says the file is not a database.
func openError(path string, lockWait time.Duration, err error) error {
	var (
		pathErr *fs.PathError
		errno   syscall.Errno
	)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s still locked after %v (%w)", ErrLocked, path, lockWait, err)
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("boltledger: open %s: %w", path, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
}

// initBuckets creates the buckets of a new file, and checks those of a file that exists.
func initBuckets(path string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			var other bool
			if err := tx.ForEach(func([]byte, *bolt.Bucket) error { other = true; return nil }); err != nil {
				return err
			}
			if other {
				return fmt.Errorf("%w: %s is a bbolt database of another program", ErrCorrupt, path)
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyFormat, formatStamp); err != nil {
				return err
			}
		}
		if got := meta.Get(keyFormat); string(got) != string(formatStamp) {
			return fmt.Errorf("%w: %s has an unknown format stamp (%d bytes)", ErrCorrupt, path, len(got))
		}
		for _, name := range [][]byte{bucketLedger, bucketInbox} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}
}

// Path returns the path the Ledger was opened with.
func (l *Ledger) Path() string { return l.path }

// Close closes the file, after the transactions under way have ended. Operations after Close fail.
func (l *Ledger) Close() error {
	if err := l.db.Close(); err != nil {
		return fmt.Errorf("boltledger: close %s: %w", l.path, err)
	}
	return nil
}
