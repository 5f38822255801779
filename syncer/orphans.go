package syncer

import (
	"fmt"
	"slices"
	"strings"
)

// orphans cancels live, open, future OnCall appointments of the sources just read, inside the window, whose EHR
// appointment was not among those read. Nothing is cancelled when the EHR returned nothing at all, which more
// likely means a failed read than an emptied schedule.
func (pl *planner) orphans(readAny bool, sources map[string]bool) {
	if pl.policy.DisableOrphanCancel || !readAny {
		return
	}
	var unread []*keyed
	for i := range pl.keyed {
		if e := &pl.keyed[i]; e.ehr < 0 {
			unread = append(unread, e)
		}
	}
	slices.SortFunc(unread, func(a, b *keyed) int { return strings.Compare(a.key, b.key) })
	for _, e := range unread {
		for ci := e.first; ci >= 0; ci = pl.cands[ci].next {
			c := &pl.cands[ci]
			m := c.m
			if m.Cancelled || !sources[c.source(e.key)] || !pl.window.contains(m.DateTime) || (!pl.policy.Now.IsZero() && !m.DateTime.After(pl.policy.Now)) {
				continue
			}
			if closed(m.Status) {
				// Cancelling it would undo what was recorded or charged in OnCall, as for a deletion.
				pl.skip(e.key, "", fmt.Sprintf("no longer in the EHR, but OnCall appointment %d is closed (%s); it is not cancelled", m.ID, oncallStatusText(m.Status)))
				continue
			}
			pl.cancel(e.key, c, "", "no longer in the EHR")
		}
	}
}
