package boltledger

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/oncallsync/oncall-go/internal/redact"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

// The encodings of values, described in the package documentation.
const (
	entryV1   = 1
	messageV1 = 1

	flagPending = 1 << 0
)

// encodeEntry returns the value stored for e (its key is the bucket's key).
func encodeEntry(e syncer.LedgerEntry) []byte {
	b := make([]byte, 0, 2+3*binary.MaxVarintLen64+len(e.Digest))
	var flags byte
	if e.Pending {
		flags |= flagPending
	}
	b = append(b, entryV1, flags)
	b = binary.AppendVarint(b, int64(e.Appointment))
	b = binary.AppendUvarint(b, uint64(len(e.Digest)))
	b = append(b, e.Digest...)
	b = binary.AppendVarint(b, e.Updated.Unix())
	b = binary.AppendUvarint(b, uint64(e.Updated.Nanosecond()))
	return b
}

// decodeEntry decodes the value stored for key. It copies what it keeps: v may be bbolt's memory, valid only
// during its transaction. A value that does not decode to a valid entry is an error wrapping ErrCorrupt.
func decodeEntry(key string, v []byte) (syncer.LedgerEntry, error) {
	e, what := decodeEntryValue(key, v)
	if what != "" {
		return syncer.LedgerEntry{}, fmt.Errorf("%w: ledger entry %s: %s", ErrCorrupt, redact.ID(key), what)
	}
	if err := e.Validate(); err != nil {
		return syncer.LedgerEntry{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return e, nil
}

// decodeEntryValue decodes v, or says what is wrong with it.
func decodeEntryValue(key string, v []byte) (e syncer.LedgerEntry, what string) {
	if len(v) < 2 {
		return e, fmt.Sprintf("a value of %d bytes", len(v))
	}
	if v[0] != entryV1 {
		return e, fmt.Sprintf("encoding version %d unknown", v[0])
	}
	flags := v[1]
	if flags&^flagPending != 0 {
		return e, fmt.Sprintf("flags %#x unknown", flags)
	}
	r := v[2:]
	id, n := binary.Varint(r)
	if n <= 0 {
		return e, "appointment id malformed"
	}
	r = r[n:]
	dlen, n := binary.Uvarint(r)
	if n <= 0 || dlen > uint64(len(r)-n) {
		return e, "digest length malformed"
	}
	r = r[n:]
	digest := string(r[:dlen])
	r = r[dlen:]
	sec, n := binary.Varint(r)
	if n <= 0 {
		return e, "updated time malformed"
	}
	r = r[n:]
	nsec, n := binary.Uvarint(r)
	if n <= 0 || nsec >= uint64(time.Second) {
		return e, "updated time malformed"
	}
	if len(r) != n {
		return e, fmt.Sprintf("%d bytes after the value", len(r)-n)
	}
	return syncer.LedgerEntry{
		Key:         key,
		Appointment: oncall.AppointmentID(id),
		Digest:      digest,
		Pending:     flags&flagPending != 0,
		Updated:     time.Unix(sec, int64(nsec)).UTC(),
	}, ""
}

// encodeMessage returns the value stored for a message.
func encodeMessage(raw []byte) []byte {
	return append([]byte{messageV1}, raw...)
}

// decodeMessage decodes the value stored for the message key, copying it out of bbolt's memory.
func decodeMessage(key string, v []byte) (StoredMessage, error) {
	switch {
	case len(v) < 2:
		return StoredMessage{}, fmt.Errorf("%w: inbox message %s: a value of %d bytes", ErrCorrupt, redact.ID(key), len(v))
	case v[0] != messageV1:
		return StoredMessage{}, fmt.Errorf("%w: inbox message %s: encoding version %d unknown", ErrCorrupt, redact.ID(key), v[0])
	}
	return StoredMessage{Key: key, Raw: append([]byte(nil), v[1:]...)}, nil
}
