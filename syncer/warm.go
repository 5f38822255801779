package syncer

import (
	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// A plan of 100000 appointments waits mostly for memory: whichever order the EHR lists its appointments in, the
// OnCall appointment matched with each, and the index entry of each OnCall key, lie somewhere at random among
// hundreds of megabytes. The planner therefore works in batches, and reads ahead for a whole batch what it is about
// to read for each appointment (warm): one level of pointers at a time across the batch, so that the reads of
// different appointments wait for memory together rather than one after the other. Warming reads and changes
// nothing else; the bytes it reads are folded into planner.warmth only so that the reads are not optimized away.
const warmBatch = 16

// warm reads a batch of EHR appointments about to be planned, ehr[i] filed under pl.keyed[listed[i]], and the
// OnCall appointments matched with them: the appointments, their participants and the strings planning compares.
func (pl *planner) warm(ehr []carelogic.Appointment, listed []int32) {
	var x byte
	for i := range ehr {
		a := &ehr[i]
		x ^= first(a.Activity) ^ first(a.ProviderID) ^ first(string(a.Kind)) ^ first(string(a.Modality))
		for j := range a.Participants {
			c := &a.Participants[j]
			x ^= first(c.ClientID) ^ first(c.Email) ^ first(string(c.Status))
		}
	}
	var ms [warmBatch]*oncall.Appointment
	n := 0
	for _, at := range listed {
		if e := &pl.keyed[at]; e.first >= 0 {
			c := &pl.cands[e.first]
			ms[n] = c.m
			n++
			x ^= first(c.clients.v) ^ first(c.series)
		}
	}
	for _, m := range ms[:n] {
		x ^= byte(len(m.Title) + len(m.Status) + len(m.Type) + len(m.Participants))
	}
	for _, m := range ms[:n] {
		x ^= first(m.Title) ^ first(string(m.Status)) ^ first(string(m.Type))
		for j := range m.Participants {
			p := &m.Participants[j]
			x ^= byte(len(p.Email) + len(p.Status))
		}
	}
	for _, m := range ms[:n] {
		for j := range m.Participants {
			x ^= first(m.Participants[j].Email)
		}
	}
	pl.warmth ^= x
}

// warm reads what finding a batch of keys (see hash) will read: their slots, the entries these name, and those
// entries' keys. (A key that is not there costs a read of the table's first slot.)
func (t *keyTable) warm(keys []hashedKey, entries []keyed) byte {
	var slots [warmBatch]int32
	mask := uint64(len(t.slots) - 1)
	for k, hk := range keys {
		slots[k] = t.slots[hk.hash&mask]
	}
	var found [warmBatch]string
	for k, s := range slots[:len(keys)] {
		if s != 0 {
			found[k] = entries[s-1].key
		}
	}
	var x byte
	for _, key := range found[:len(keys)] {
		x ^= first(key)
	}
	return x
}

// warmEntries reads the entries a batch of OnCall appointments is about to be filed under (see index), where
// filing them will read first.
func warmEntries(filed []int32, entries []keyed) byte {
	var x byte
	for _, at := range filed {
		if at >= 0 {
			x ^= byte(entries[at].first)
		}
	}
	return x
}

// warmMetadata reads what looking up keys in a batch of OnCall appointments' metadata will read first: each map's
// header, then its slots (a lookup of the empty key, which no sync key is, compares their lengths only).
func warmMetadata(batch []oncall.Appointment) byte {
	var x byte
	for k := range batch {
		x ^= byte(len(batch[k].Metadata))
	}
	for k := range batch {
		if _, ok := batch[k].Metadata[""]; ok {
			x ^= 1
		}
	}
	return x
}

// first returns s's first byte, or 0.
func first(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}
