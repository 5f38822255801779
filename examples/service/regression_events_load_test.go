package main

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// Regression (found by review): one stored message that no longer converts (a stricter parser after an upgrade, a changed option) makes
// load fail, and run returns "reading the stored messages": the service cannot start until a person edits the
// store. Here: a message stored by a receiver without options, loaded by one whose options reject it is stood in for
// by bytes the parser refuses.
func TestRegressionEventsUnreadableStoredMessageBlocksStart(t *testing.T) {
	store, err := boltledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.SaveMessage(t.Context(), "CareLogic@Eastside/A-9", []byte("MSH|^~\\&|x\rSCH|")); err != nil {
		t.Fatal(err)
	}
	in := newInbox(siu.NewFeed(), store, &syncer.Loop{}, nil)
	n, err := in.load(t.Context(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Errorf("load read %d messages and failed: %v -- the service refuses to start on every restart", n, err)
	}
}
