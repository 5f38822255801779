package syncer_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/syncer"
	"github.com/oncallsync/oncall-go/syncer/ledgertest"
)

func TestMemoryLedger(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) syncer.Ledger { return syncer.NewMemoryLedger() })
}

func TestMemoryLedgerZero(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) syncer.Ledger { return &syncer.MemoryLedger{} })
}
