package webhook_test

import (
	"testing"

	"github.com/oncallsync/oncall-go/internal/fixtures"
)

// readFixture reads one of the shared OnCall payloads in place, skipping the test where they are absent.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	return fixtures.Read(tb, "fixtures", "oncall", name)
}
