package syncer

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/oncallsync/oncall-go/carelogic"
)

// planBlock is how many EHR appointments a goroutine plans at a time. Planning one costs about a microsecond, so a
// block is a few hundred microseconds of work: starting a goroutine and merging a block's output cost a thousandth
// of that, and blocks this small keep every goroutine busy until the end on a machine that other work shares.
const planBlock = 256

// planEHR plans each EHR appointment listed (see plan), in blocks of planBlock, on as many goroutines as workers
// allows and the blocks need: once built, the index is only read, and planning one appointment depends on nothing
// planned for another. It returns each block's output, in the EHR's order, and the sources of the appointments
// planned with those of read. The changeset does not depend on how the blocks were shared out (see assemble).
func (pl *planner) planEHR(ehr []carelogic.Appointment, listed []int32, read map[string]bool, workers int) ([]output, map[string]bool) {
	sources := maps.Clone(read)
	if sources == nil {
		sources = map[string]bool{}
	}
	blocks := (len(ehr) + planBlock - 1) / planBlock
	workers = min(workers, blocks)
	if workers <= 1 {
		pl.planRange(ehr, listed, 0, len(ehr), sources)
		parts := []output{pl.out}
		pl.out = output{}
		return parts, sources
	}
	var (
		parts   = make([]output, blocks)
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex // guards sources, warmth and panicky
		warmth  byte
		panicky any
	)
	shared := *pl // the index, which the goroutines share, and no scratch
	shared.scratch = scratch{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := shared
			mine := map[string]bool{}
			defer func() {
				// A panic is a bug; it reaches the caller of Plan, as it would have without these goroutines,
				// rather than ending the program from one of them.
				r := recover()
				mu.Lock()
				defer mu.Unlock()
				if r != nil && panicky == nil {
					panicky = r
				}
				maps.Copy(sources, mine)
				warmth ^= w.warmth
			}()
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks {
					return
				}
				w.planRange(ehr, listed, b*planBlock, min((b+1)*planBlock, len(ehr)), mine)
				parts[b], w.out = w.out, output{}
			}
		}()
	}
	wg.Wait()
	if panicky != nil {
		panic(panicky)
	}
	pl.warmth ^= warmth
	return parts, sources
}
