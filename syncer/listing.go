package syncer

import (
	"bytes"
	"encoding/json"

	"github.com/oncallsync/oncall-go/carelogic"
)

// list files each EHR appointment under its key in the index, and picks for each key the copy to plan: the EHR may
// list an appointment more than once. It returns the position of each appointment's entry in pl.keyed. The keys
// are built and hashed on at most workers goroutines (reading the appointments is most of the work) and filed on
// one.
func (pl *planner) list(ehr []carelogic.Appointment, workers int) []int32 {
	keys := make([]hashedKey, len(ehr))
	inBlocks(len(ehr), workers, func(_, lo, hi int) {
		size := 0
		for i := lo; i < hi; i++ {
			if ehr[i].Source != "" {
				size += len(ehr[i].Source) + 1 + len(ehr[i].ID)
			}
		}
		var arena keyArena
		arena.grow(size)
		for i := lo; i < hi; i++ {
			k := arena.key(ehr[i].Source, ehr[i].ID)
			keys[i] = hashedKey{k, pl.byKey.hash(k)}
		}
	})
	at := make([]int32, len(ehr))
	for lo := 0; lo < len(ehr); lo += warmBatch {
		batch := keys[lo:min(lo+warmBatch, len(ehr))]
		pl.warmth ^= pl.byKey.warm(batch, pl.keyed)
		for k := range batch {
			i := lo + k
			at[i] = pl.entry(batch[k].key, batch[k].hash)
			e := &pl.keyed[at[i]]
			if e.copies == 0 || preferred(&ehr[i], &ehr[e.ehr]) {
				e.ehr = int32(i)
			}
			e.copies++
		}
	}
	return at
}

// hashedKey is an EHR key and its hash (see keyTable.hash).
type hashedKey struct {
	key  string
	hash uint64
}

// preferred reports whether a is planned rather than b, another copy of the same appointment: the newest update,
// then the latest start, then the lesser content (their JSON encodings compared), so that which copy wins never
// depends on the order the EHR listed them in. Copies alike in all of that are identical, and either may win.
func preferred(a, b *carelogic.Appointment) bool {
	if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
		return c > 0
	}
	if c := a.Start.Compare(b.Start); c != 0 {
		return c > 0
	}
	return bytes.Compare(encoded(a), encoded(b)) < 0 // only ever reached for a key listed twice, which is rare
}

// encoded returns a's JSON encoding, which holds every field of an appointment.
func encoded(a *carelogic.Appointment) []byte {
	b, _ := json.Marshal(a) // an Appointment holds nothing json cannot encode
	return b
}
