package boltledger_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/oncallsync/oncall-go/syncer"
)

// BenchmarkPut measures a Put of one entry and of 100, on a ledger on disk and, as the baseline in the same run,
// on syncer.MemoryLedger. It reports the cost per entry (ns/entry): on disk, each Put is a commit synced to disk
// (fdatasync), which dominates, so batching entries into one Put divides it.
func BenchmarkPut(b *testing.B) {
	ledgers := []struct {
		name string
		open func(b *testing.B) syncer.Ledger
	}{
		{"memory", func(*testing.B) syncer.Ledger { return syncer.NewMemoryLedger() }},
		{"bolt", func(b *testing.B) syncer.Ledger { return open(b, filepath.Join(b.TempDir(), "ledger.db")) }},
	}
	for _, size := range []int{1, 100} {
		for _, lg := range ledgers {
			b.Run(fmt.Sprintf("%s/entries=%d", lg.name, size), func(b *testing.B) {
				l := lg.open(b)
				entries := make([]syncer.LedgerEntry, size)
				n := 0
				for b.Loop() {
					for j := range entries {
						entries[j] = entry(fmt.Sprintf("carelogic/%08d", n), n+1)
						n++
					}
					if err := l.Put(b.Context(), entries...); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/entry")
			})
		}
	}
}
