package syncer

// orphans cancels live, future OnCall appointments of the sources just read, inside the window, whose EHR
// appointment was not among those read. Nothing is cancelled when the EHR returned nothing at all, which more
// likely means a failed read than an emptied schedule.
func (pl *planner) orphans(readAny bool, sources map[string]bool) {
	if !pl.policy.CancelOrphans || !readAny {
		return
	}
	for i := range pl.keyed { // in key order
		e := &pl.keyed[i]
		if e.seen {
			continue
		}
		for _, c := range e.list {
			m := c.m
			if m.Cancelled || !sources[c.source.v] || !pl.window.contains(m.DateTime) || (!pl.policy.Now.IsZero() && !m.DateTime.After(pl.policy.Now)) {
				continue
			}
			pl.add(Action{Kind: ActionCancel, Key: e.key, Appointment: m.ID, Reason: "no longer in the EHR"})
		}
	}
}
