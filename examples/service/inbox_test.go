package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic/siu"
	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/boltledger"
)

// TestInbox: a message is stored before it is applied; a duplicate or an outranked message writes nothing; prune
// forgets past appointments in the feed and in the store alike.
func TestInbox(t *testing.T) {
	t.Parallel()
	store, err := boltledger.Open(filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	feed := siu.NewFeed()
	loop := &syncer.Loop{}
	in := newInbox(feed, store, loop, nil)
	now := time.Now()
	send := func(m []byte) {
		t.Helper()
		parsed, err := siu.Parse(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := in.HandleMessage(t.Context(), parsed, m); err != nil {
			t.Fatal(err)
		}
	}
	stored := func() map[string]string {
		out := map[string]string{}
		for key, snap := range storedSnapshots(t, store) {
			out[key] = string(snap.Event)
		}
		return out
	}
	send(siuMessage(1, 0, "S12", now.Add(-time.Hour)))
	send(siuMessage(1, 1, "S13", now))
	send(siuMessage(1, 0, "S12", now.Add(-time.Hour))) // late: outranked, not stored
	send(siuMessage(2, 0, "S12", now))
	key1, key2 := "CareLogic@Eastside/A-1^CLINIC", "CareLogic@Eastside/A-2^CLINIC"
	if diff := cmp.Diff(map[string]string{key1: "S13", key2: "S12"}, stored()); diff != "" {
		t.Errorf("stored messages by appointment (-want +got):\n%s", diff)
	}
	if got := loop.Stats().Queued; got != 2 {
		t.Errorf("%d changes queued, want 2", got)
	}

	// Appointment 1 starts an hour before appointment 2 (siuMessage spaces them by an hour); prune between.
	a1, _ := feed.Snapshot(key1)
	n, err := in.prune(t.Context(), a1.Appointment.End().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("prune = %d, %v; want 1, nil", n, err)
	}
	if diff := cmp.Diff(map[string]string{key2: "S12"}, stored()); diff != "" {
		t.Errorf("stored after prune (-want +got):\n%s", diff)
	}
	if feed.Len() != 1 {
		t.Errorf("feed holds %d after prune, want 1", feed.Len())
	}
}
