package boltledger

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

func TestEncodeEntry(t *testing.T) {
	e := syncer.LedgerEntry{
		Key:         "carelogic/1",
		Appointment: 300,
		Digest:      "ab",
		Updated:     time.Unix(1, 5),
	}
	// The documented layout: version, flags, varint 300, uvarint 2 "ab", varint 1, uvarint 5.
	want := []byte{1, 0, 0xd8, 0x04, 2, 'a', 'b', 2, 5}
	if d := cmp.Diff(want, encodeEntry(e)); d != "" {
		t.Errorf("encodeEntry (-want +got):\n%s", d)
	}
	e = syncer.LedgerEntry{Key: "k", Pending: true}
	got, err := decodeEntry("k", encodeEntry(e))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e, got); d != "" {
		t.Errorf("round trip of a pending entry with zero Updated (-want +got):\n%s", d)
	}
	if !got.Updated.IsZero() {
		t.Errorf("zero Updated came back as %v", got.Updated)
	}
}

func TestDecodeEntryRefuses(t *testing.T) {
	good := encodeEntry(syncer.LedgerEntry{Key: "k", Appointment: 1, Digest: "d", Updated: time.Unix(1, 1)})
	tests := map[string][]byte{
		"empty":           {},
		"version only":    {1},
		"version 0":       append([]byte{0}, good[1:]...),
		"version 2":       append([]byte{2}, good[1:]...),
		"unknown flag":    append([]byte{1, 2}, good[2:]...),
		"cut short":       good[:len(good)-1],
		"trailing byte":   append(append([]byte(nil), good...), 0),
		"digest too long": {1, 0, 2, 9, 'd'},
		"nanoseconds 1e9": {1, 0, 2, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03},
		"not valid":       {1, 0, 0, 0, 0, 0},                         // neither pending nor synced
		"pending with id": {1, 1, 2, 0, 0, 0},                         // both
		"negative id":     {1, 0, 1, 0, 0, 0},                         // appointment -1
		"varint overflow": append([]byte{1, 0}, bytesOf(0xff, 11)...), // more than 64 bits
	}
	for name, v := range tests {
		if _, err := decodeEntry("carelogic/1", v); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v, want one wrapping ErrCorrupt", name, err)
		}
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// FuzzDecodeEntry decodes any bytes without panicking, and checks that what it accepts is a valid entry that
// encodes to a value decoding the same.
func FuzzDecodeEntry(f *testing.F) {
	for _, e := range []syncer.LedgerEntry{
		{Key: "k", Appointment: 1, Digest: "sha256:00", Updated: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)},
		{Key: "k", Pending: true},
		{Key: "k", Appointment: oncall.AppointmentID(1<<63 - 1), Updated: time.Unix(-1, 999)},
	} {
		f.Add(encodeEntry(e))
	}
	f.Add([]byte{1, 0, 0x80})
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEntry("carelogic/1", v)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("decoded an invalid entry: %v", err)
		}
		again, err := decodeEntry("carelogic/1", encodeEntry(e))
		if err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
		if d := cmp.Diff(e, again); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}
