package syncer

import "hash/maphash"

// keyTable finds an index entry by its key. It is a hash table of the entries' positions (open addressing, linear
// probing) rather than a map: a map from key to position would hold every key a second time, in six times the
// memory, and the garbage collector pays for every byte a plan allocates.
type keyTable struct {
	seed  maphash.Seed
	slots []int32 // an entry's position plus one, or 0 for an empty slot; a power of two of them
	n     int
}

// newKeyTable returns a table with room for n keys.
func newKeyTable(n int) keyTable {
	size := 8
	for size < n+n/2 {
		size *= 2
	}
	return keyTable{seed: maphash.MakeSeed(), slots: make([]int32, size)}
}

// hash returns the hash the table files key by; hashBytes, that of a key held in bytes.
func (t *keyTable) hash(key string) uint64 { return maphash.String(t.seed, key) }

func (t *keyTable) hashBytes(key []byte) uint64 { return maphash.Bytes(t.seed, key) }

// find returns the position in entries of the entry of key, whose hash is h.
func (t *keyTable) find(key string, h uint64, entries []keyed) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if entries[s-1].key == key {
			return s - 1, true
		}
	}
}

// add files entries[at], whose key (of hash h) the table does not hold yet.
func (t *keyTable) add(at int32, h uint64, entries []keyed) {
	if t.n++; len(t.slots) < t.n+t.n/2 {
		t.grow(entries)
	}
	t.put(at, h)
}

func (t *keyTable) put(at int32, h uint64) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = at + 1
}

// grow doubles the table, filing again the entries it holds.
func (t *keyTable) grow(entries []keyed) {
	old := t.slots
	t.slots = make([]int32, 2*len(old))
	for _, s := range old {
		if s != 0 {
			t.put(s-1, t.hash(entries[s-1].key))
		}
	}
}
