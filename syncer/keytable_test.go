package syncer

import (
	"fmt"
	"testing"
)

// TestKeyTable files more keys than the table was made for, so that it grows, and finds each of them again.
func TestKeyTable(t *testing.T) {
	t.Parallel()
	tab := newKeyTable(2)
	var entries []keyed
	for i := range 1000 {
		key := fmt.Sprint("ehr/", i)
		if _, ok := tab.find(key, tab.hash(key), entries); ok {
			t.Fatalf("%s found before it was added", key)
		}
		entries = append(entries, keyed{key: key})
		tab.add(int32(i), tab.hash(key), entries)
	}
	for i := range 1000 {
		if at, ok := tab.find(fmt.Sprint("ehr/", i), tab.hash(fmt.Sprint("ehr/", i)), entries); !ok || at != int32(i) {
			t.Errorf("find(ehr/%d) = %d, %v; want %d", i, at, ok, i)
		}
	}
	if _, ok := tab.find("ehr/1000", tab.hash("ehr/1000"), entries); ok {
		t.Error("found a key never added")
	}
	// The index hashes the keys it reads from OnCall's metadata in bytes, and the EHR's as strings.
	for _, key := range []string{"", "ehr/1", "a somewhat longer source/with a longer id 1234567890"} {
		if tab.hash(key) != tab.hashBytes([]byte(key)) {
			t.Errorf("hash(%q) differs from hashBytes of the same bytes", key)
		}
	}
}
