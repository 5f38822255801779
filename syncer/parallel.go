package syncer

import (
	"fmt"
	"maps"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/oncallsync/oncall-go/carelogic"
)

// planBlock is how many appointments a goroutine reads or plans at a time. Planning one costs about a microsecond,
// so a block is a few hundred microseconds of work: starting a goroutine and merging a block's output cost a
// thousandth of that, and blocks this small keep every goroutine busy until the end on a machine that other work
// shares.
const planBlock = 256

// inBlocks calls do(w, lo, hi) once for each block [lo, hi) of [0, n), planBlock long, on at most workers
// goroutines (or on the caller's, when there is one block or workers is 1); w numbers the goroutine calling, from 0
// to workers-1, so that do may keep what it writes apart. A panic in do (a bug) stops the handing out of blocks and
// reaches inBlocks' caller once every goroutine has stopped, rather than ending the program: as a *blockPanic
// carrying the stack where it happened, which unwraps to the value panicked with when that is an error.
func inBlocks(n, workers int, do func(w, lo, hi int)) {
	blocks := (n + planBlock - 1) / planBlock
	if workers = min(workers, blocks); workers <= 1 {
		for lo := 0; lo < n; lo += planBlock {
			do(0, lo, min(lo+planBlock, n))
		}
		return
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		once    sync.Once
		panicky *blockPanic
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					stack := debug.Stack()
					next.Store(int64(blocks)) // no more blocks for anyone
					once.Do(func() { panicky = &blockPanic{r, stack} })
				}
			}()
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks {
					return
				}
				do(w, b*planBlock, min((b+1)*planBlock, n))
			}
		}()
	}
	wg.Wait()
	if panicky != nil {
		panic(panicky)
	}
}

// blockPanic is a panic on one of inBlocks' goroutines, raised again in its caller: the value panicked with, and
// the stack of the goroutine where it happened, which the caller's own stack no longer shows.
type blockPanic struct {
	value any
	stack []byte
}

func (p *blockPanic) Error() string {
	return fmt.Sprintf("%v\n\n[on a goroutine of syncer's planner]:\n%s", p.value, p.stack)
}

// Unwrap returns the value panicked with when it is an error (a runtime.Error, for one), else nil.
func (p *blockPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// planEHR plans each EHR appointment listed (see plan), a block at a time, on at most workers goroutines: once
// built, the index is only read, and planning one appointment depends on nothing planned for another. It returns
// each block's output, in the EHR's order, and the sources of the appointments planned with those of read. The
// changeset does not depend on how the blocks were shared out (see assemble).
func (pl *planner) planEHR(ehr []carelogic.Appointment, listed []int32, read map[string]bool, workers int) ([]output, map[string]bool) {
	shared := *pl // the index, which the goroutines share, and no output or scratch
	shared.out, shared.scratch = output{}, scratch{}
	planners := make([]*planner, workers)
	sources := make([]map[string]bool, workers)
	parts := make([]output, (len(ehr)+planBlock-1)/planBlock)
	inBlocks(len(ehr), workers, func(w, lo, hi int) {
		if planners[w] == nil {
			p := shared
			planners[w], sources[w] = &p, map[string]bool{}
		}
		p := planners[w]
		p.planRange(ehr, listed, lo, hi, sources[w])
		parts[lo/planBlock], p.out = p.out, output{}
	})
	all := maps.Clone(read)
	if all == nil {
		all = map[string]bool{}
	}
	for w, p := range planners {
		if p != nil {
			maps.Copy(all, sources[w])
			pl.warmth ^= p.warmth
		}
	}
	return parts, all
}
