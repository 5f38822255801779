package syncer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// keyed is one EHR key: the OnCall appointments that carry it and the EHR appointment listed under it. It is small
// (positions, not copies): the index holds one per key.
type keyed struct {
	key string
	// first is the oldest OnCall appointment that carries the key, a position in planner.cands (the others follow
	// it in id order, through candidate.next), or -1.
	first int32
	// ehr is the EHR appointment planned for the key, a position in Plan's input, or -1 when the EHR did not list
	// the key; copies is how many times it listed it.
	ehr, copies int32
}

// candidate is an OnCall appointment with the sync's metadata read once, when the planner indexes it: reading it
// again when the appointment is planned would fetch the map from memory a second time. Its id and source are those
// of its key, "source/id" (or the id alone): it keeps the id's length.
type candidate struct {
	m       *oncall.Appointment
	clients metaString
	series  string // KeyEMRSeries, or "" when there is none
	idLen   int32
	// next is the next OnCall appointment with the same key, in id order, or -1.
	next int32
}

// source is the KeyEMRSource of c, whose key is key.
func (c *candidate) source(key string) string {
	if n := len(key) - int(c.idLen) - 1; n > 0 {
		return key[:n]
	}
	return ""
}

// syncMeta is the sync's keys in an appointment's metadata, each as oncall.Metadata.String reads it.
type syncMeta struct {
	id, source, series, clients metaString
	superseded                  bool
}

// owns reports whether the metadata names an EHR appointment the sync owns: an id, and not superseded.
func (sm *syncMeta) owns() bool { return !sm.superseded && sm.id.v != "" }

// scanMeta reads the sync's keys from md, each as oncall.Metadata.String reads it. It looks each key up rather than
// walking the map: a lookup in a map of a few keys compares lengths before bytes, so it reads the bytes of the keys
// asked for only, where a walk reads every key's (and sets up an iterator), and the metadata of 100000 appointments
// is mostly out of the caches when it is read.
func scanMeta(md oncall.Metadata) (sm syncMeta) {
	if len(md) == 0 {
		return sm
	}
	sm.id.v, sm.id.ok = metaText(md[KeyEMRID])
	sm.source.v, sm.source.ok = metaText(md[KeyEMRSource])
	sm.series.v, sm.series.ok = metaText(md[KeyEMRSeries])
	sm.clients.v, sm.clients.ok = metaText(md[KeyEMRClients])
	b, ok := md[KeyEMRSuperseded].(bool)
	sm.superseded = ok && b
	return sm
}

// metaText is oncall.Metadata.String for one value: a string, or an integer in base 10.
func metaText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	}
	return "", false
}

type unownedKey struct {
	provider oncall.ProviderID
	date     string
}

// Where index files an OnCall appointment, besides an entry's position.
const (
	fileNowhere = -1 - iota // not the sync's, and not for review
	fileReview              // not the sync's: for the review heuristic (see planner.unowned)
	fileNewKey              // under a key the EHR did not list, which index adds
)

// index reads each OnCall appointment's sync metadata once and files it under its EHR key in a hash table of small
// entries, so that matching costs the same whatever the order of either input. The metadata is read, and each key
// looked up among those the EHR listed, on at most workers goroutines (reading it from memory is most of the
// work); the appointments are filed, and keys only OnCall has added, on one, in the order listed.
func (pl *planner) index(existing []oncall.Appointment, workers int) {
	pl.cands = make([]candidate, len(existing))
	pl.unowned = map[unownedKey][]*oncall.Appointment{}
	var (
		filed   = make([]int32, len(existing))                               // where each goes: an entry, or a file* mark
		newKeys = make([][]hashedKey, (len(existing)+planBlock-1)/planBlock) // each block's fileNewKey keys, in order
		warmth  = make([]byte, workers)
	)
	inBlocks(len(existing), workers, func(w, lo, hi int) {
		var (
			metas [warmBatch]syncMeta
			ends  [warmBatch]int // where each appointment's key ends in buf
			keys  [warmBatch]hashedKey
			buf   []byte
			arena keyArena
		)
		next := int32(0) // the entry after the last one found
		for b := lo; b < hi; b += warmBatch {
			batch := existing[b:min(b+warmBatch, hi)]
			// Most keys are the EHR's, already in the index: they are looked up in scratch space, and built to keep
			// only when new.
			buf = buf[:0]
			warmth[w] ^= warmMetadata(batch)
			for k := range batch {
				start := len(buf)
				if metas[k] = scanMeta(batch[k].Metadata); metas[k].owns() {
					buf = appendKey(buf, metas[k].source.v, metas[k].id.v)
				}
				ends[k], keys[k].hash = len(buf), pl.byKey.hashBytes(buf[start:])
			}
			warmth[w] ^= pl.byKey.warm(keys[:len(batch)], pl.keyed)
			start := 0
			for k := range batch {
				m, i, sm, key := &batch[k], b+k, &metas[k], buf[start:ends[k]]
				start = ends[k]
				if !sm.owns() {
					filed[i] = fileNowhere
					if !sm.superseded && !m.Cancelled && !m.DateTime.IsZero() {
						filed[i] = fileReview
					}
					continue
				}
				pl.cands[i] = candidate{m: m, clients: sm.clients, series: sm.series.v, idLen: int32(len(sm.id.v)), next: -1}
				// An EHR and OnCall often list appointments in the same order (by start time), so the entry after
				// the last one found is tried first: it lies next to it in memory.
				at, ok := next, int(next) < len(pl.keyed) && pl.keyed[next].key == string(key)
				if !ok {
					at, ok = pl.byKey.find(string(key), keys[k].hash, pl.keyed)
				}
				if !ok {
					filed[i] = fileNewKey
					newKeys[b/planBlock] = append(newKeys[b/planBlock], hashedKey{arena.key(sm.source.v, sm.id.v), keys[k].hash})
					continue
				}
				filed[i], next = at, at+1
			}
		}
	})
	for _, x := range warmth {
		pl.warmth ^= x
	}
	for i, at := range filed {
		if i%warmBatch == 0 {
			pl.warmth ^= warmEntries(filed[i:min(i+warmBatch, len(filed))], pl.keyed)
		}
		switch at {
		case fileNowhere:
			continue
		case fileReview:
			m := &existing[i]
			day := unownedKey{m.Provider, m.DateTime.UTC().Format(time.DateOnly)}
			pl.unowned[day] = append(pl.unowned[day], m)
			continue
		case fileNewKey:
			block := &newKeys[i/planBlock]
			at = pl.entry((*block)[0].key, (*block)[0].hash)
			*block = (*block)[1:]
		}
		pl.file(&pl.keyed[at], int32(i))
	}
	for _, list := range pl.unowned {
		slices.SortFunc(list, func(a, b *oncall.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	}
}

// reserve makes room in the index for n keys, the most the EHR or OnCall lists, and an eighth more for keys only
// one of them has.
func (pl *planner) reserve(n int) {
	n += n / 8
	pl.keyed = make([]keyed, 0, n)
	pl.byKey = newKeyTable(n)
}

// entry returns the position in pl.keyed of the entry of key, whose hash is h (see keyTable.hash), which it adds if
// there is none.
func (pl *planner) entry(key string, h uint64) int32 {
	at, ok := pl.byKey.find(key, h, pl.keyed)
	if !ok {
		at = int32(len(pl.keyed))
		pl.keyed = append(pl.keyed, keyed{key: key, first: -1, ehr: -1})
		pl.byKey.add(at, h, pl.keyed)
	}
	return at
}

// file adds the candidate ci to e's list, which is kept in id order (oldest first; in listing order for equal ids).
func (pl *planner) file(e *keyed, ci int32) {
	c := &pl.cands[ci]
	link := &e.first
	for *link >= 0 && pl.cands[*link].m.ID <= c.m.ID {
		link = &pl.cands[*link].next
	}
	c.next, *link = *link, ci
}

// match picks the OnCall appointment for a key: the oldest live one, else the newest cancelled one. More than one
// live appointment is reported: they are duplicates a person must resolve (cancelling one would notify patients).
func (pl *planner) match(e *keyed) *candidate {
	var first, last *candidate
	live := 0
	for ci := e.first; ci >= 0; ci = pl.cands[ci].next {
		c := &pl.cands[ci]
		last = c
		if !c.m.Cancelled {
			if live == 0 {
				first = c
			}
			live++
		}
	}
	switch {
	case live > 1:
		ids := make([]string, 0, live)
		for ci := e.first; ci >= 0; ci = pl.cands[ci].next {
			if c := &pl.cands[ci]; !c.m.Cancelled {
				ids = append(ids, fmt.Sprint(c.m.ID))
			}
		}
		pl.attend(e.key, "", fmt.Sprintf("duplicate OnCall appointments %s carry this EHR id; syncing %d, review the others", strings.Join(ids, ", "), first.m.ID))
		return first
	case live == 1:
		return first
	}
	return last
}

// anyIgnored reports whether OnCall ignored anything the sync sent to c's appointment (see KeyEMRIgnored).
func (c *candidate) anyIgnored() bool {
	_, ok := c.m.Metadata[KeyEMRIgnored]
	return ok
}

// ignored reports whether OnCall ignored field when the sync last sent it this same value (see KeyEMRIgnored). It
// reads the metadata only when asked, which is when a field differs: the index entries stay small.
func (c *candidate) ignored(field, value string) bool {
	raw, ok := c.m.Metadata.String(KeyEMRIgnored)
	if !ok {
		return false
	}
	h, ok := decodeIgnored(raw)[field]
	return ok && h == valueHash(value)
}

// metadataCurrent reports whether c's metadata already holds the keys that identify a (id, source and series),
// so that the usual case, nothing to record, costs no copy of the metadata. c and a have the same key, and a key
// ends with the id: ids of the same length are the same, and then so are the sources.
func metadataCurrent(c *candidate, a *carelogic.Appointment) bool {
	return int(c.idLen) == len(a.ID) && (a.SeriesID == "" || c.series == a.SeriesID)
}

// metaString is a metadata value as oncall.Metadata.String reads it.
type metaString struct {
	v  string
	ok bool
}

func readMeta(md oncall.Metadata, key string) metaString {
	v, ok := md.String(key)
	return metaString{v, ok}
}
