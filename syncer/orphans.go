package syncer

import "fmt"

// orphans cancels live, open, future OnCall appointments of the sources just read, inside the window, whose EHR
// appointment was not among those read. Nothing is cancelled when the EHR returned nothing at all, which more
// likely means a failed read than an emptied schedule.
func (pl *planner) orphans(readAny bool, sources map[string]bool) {
	if pl.policy.DisableOrphanCancel || !readAny {
		return
	}
	for i := range pl.keyed { // in key order
		e := &pl.keyed[i]
		if e.seen {
			continue
		}
		for i := range e.list {
			c := &e.list[i]
			m := c.m
			if m.Cancelled || !sources[c.source.v] || !pl.window.contains(m.DateTime) || (!pl.policy.Now.IsZero() && !m.DateTime.After(pl.policy.Now)) {
				continue
			}
			if closed(m.Status) {
				// Cancelling it would undo what was recorded or charged in OnCall, as for a deletion.
				pl.skip(e.key, "", fmt.Sprintf("no longer in the EHR, but OnCall appointment %d is closed (%s); it is not cancelled", m.ID, oncallStatusText(m.Status, m.Status.Known())))
				continue
			}
			pl.cancel(e.key, c, "", "no longer in the EHR")
		}
	}
}
