package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// Regression (found by review): damage inside the file's pages (not a cut-short file) passes Open's cheap checks, so openStore keeps the
// file; the start's load then fails (or bbolt panics) on every start: the move-aside never happens.
func TestRegressionEventsInteriorDamageBlocksStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.db")
	store, err := boltledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 300 {
		raw := siuMessage(i, 0, "S12", now)
		m, _ := siu.Parse(raw)
		s, err := siu.Convert(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SaveMessage(t.Context(), s.Appointment.Key(), raw); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	// Damage every data page but the two meta pages and the free list: bit rot, a torn write.
	for off := int64(4 * 4096); off+4096 <= info.Size(); off += 3 * 4096 {
		f.WriteAt(junk, off)
	}
	f.Close()
	s := &service{dataDir: dir, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var loadErr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				loadErr = fmt.Errorf("panic: %v", r)
			}
		}()
		st, err := s.openStore()
		t.Log("openStore returned", err)
		if err != nil {
			loadErr = fmt.Errorf("openStore: %w", err)
			return
		}
		defer st.Close()
		_, loadErr = newInbox(siu.NewFeed(), st, &syncer.Loop{}, nil).load(t.Context(), s.log)
	}()
	entries, _ := os.ReadDir(dir)
	t.Logf("files: %v", entries)
	if loadErr != nil {
		t.Errorf("the service cannot start, and the file was not moved aside: %v", loadErr)
	}
}
