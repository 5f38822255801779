package syncer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// keyed is the OnCall appointments that carry one EHR key, oldest first, and whether the EHR listed that key.
type keyed struct {
	key  string
	list []candidate
	one  [1]candidate // list's storage while it holds one appointment, the usual case
	seen bool
}

// candidate is an OnCall appointment with the sync's metadata read once, when the planner indexes it: reading it
// again when the appointment is planned would fetch the map from memory a second time.
type candidate struct {
	m       *oncall.Appointment
	id      metaString
	source  metaString
	series  metaString
	clients metaString
}

// scanMeta reads the sync's keys from md in one pass over the map, each as oncall.Metadata.String reads it.
func scanMeta(md oncall.Metadata) (c candidate, superseded bool) {
	for name, v := range md {
		switch name {
		case KeyEMRID:
			c.id.v, c.id.ok = metaText(v)
		case KeyEMRSource:
			c.source.v, c.source.ok = metaText(v)
		case KeyEMRSeries:
			c.series.v, c.series.ok = metaText(v)
		case KeyEMRClients:
			c.clients.v, c.clients.ok = metaText(v)
		case KeyEMRSuperseded:
			b, ok := v.(bool)
			superseded = ok && b
		}
	}
	return c, superseded
}

// metaText is oncall.Metadata.String for one value: a string, or an integer in base 10.
func metaText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	}
	return "", false
}

type unownedKey struct {
	provider oncall.ProviderID
	date     string
}

func (pl *planner) index(existing []oncall.Appointment) {
	// The OnCall appointments are grouped by EHR key by sorting rather than hashing: with tens of thousands of
	// keys, a hash table is probed at random, while a sorted list is walked in step with the sorted EHR.
	type owned struct {
		key string
		c   candidate
	}
	byKey := make([]owned, 0, len(existing))
	pl.unowned = map[unownedKey][]*oncall.Appointment{}
	for i := range existing {
		m := &existing[i]
		c, sup := scanMeta(m.Metadata)
		if sup {
			continue
		}
		c.m = m
		switch key := joinKey(c.source.v, c.id.v); {
		case key != "":
			byKey = append(byKey, owned{key, c})
		case !m.Cancelled && !m.DateTime.IsZero():
			k := unownedKey{m.Provider, m.DateTime.UTC().Format(time.DateOnly)}
			pl.unowned[k] = append(pl.unowned[k], m)
		}
	}
	slices.SortFunc(byKey, func(a, b owned) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.c.m.ID, b.c.m.ID)) })
	pl.keyed = make([]keyed, 0, len(byKey)) // never grows past its capacity, so pointers into it stay valid
	for _, o := range byKey {
		if n := len(pl.keyed); n > 0 && pl.keyed[n-1].key == o.key {
			pl.keyed[n-1].list = append(pl.keyed[n-1].list, o.c)
			continue
		}
		pl.keyed = append(pl.keyed, keyed{key: o.key})
		e := &pl.keyed[len(pl.keyed)-1]
		e.list = append(e.one[:0], o.c)
	}
	for _, list := range pl.unowned {
		slices.SortFunc(list, func(a, b *oncall.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	}
}

// match picks the OnCall appointment for a key: the oldest live one, else the newest cancelled one. More than one
// live appointment is reported: they are duplicates a person must resolve (cancelling one would notify patients).
func (pl *planner) match(key string, e *keyed) *candidate {
	if e == nil {
		return nil
	}
	var first *candidate
	live := 0
	for i := range e.list {
		if !e.list[i].m.Cancelled {
			if live == 0 {
				first = &e.list[i]
			}
			live++
		}
	}
	switch {
	case live > 1:
		ids := make([]string, 0, live)
		for _, c := range e.list {
			if !c.m.Cancelled {
				ids = append(ids, fmt.Sprint(c.m.ID))
			}
		}
		pl.attend(key, "", fmt.Sprintf("duplicate OnCall appointments %s carry this EHR id; syncing %d, review the others", strings.Join(ids, ", "), first.m.ID))
		return first
	case live == 1:
		return first
	case len(e.list) > 0:
		return &e.list[len(e.list)-1]
	}
	return nil
}

// anyIgnored reports whether OnCall ignored anything the sync sent to c's appointment (see KeyEMRIgnored).
func (c *candidate) anyIgnored() bool {
	_, ok := c.m.Metadata[KeyEMRIgnored]
	return ok
}

// ignored reports whether OnCall ignored field when the sync last sent it this same value (see KeyEMRIgnored). It
// reads the metadata only when asked, which is when a field differs: the index entries stay small.
func (c *candidate) ignored(field, value string) bool {
	raw, ok := c.m.Metadata.String(KeyEMRIgnored)
	if !ok {
		return false
	}
	h, ok := decodeIgnored(raw)[field]
	return ok && h == valueHash(value)
}

// metadataCurrent reports whether c's metadata already holds the keys that identify a (id, source and series),
// so that the usual case, nothing to record, costs no copy of the metadata.
func metadataCurrent(c *candidate, a *carelogic.Appointment) bool {
	return c.id == metaString{a.ID, true} && (a.Source == "" || c.source == metaString{a.Source, true}) &&
		(a.SeriesID == "" || c.series == metaString{a.SeriesID, true})
}

// metaString is a metadata value as oncall.Metadata.String reads it.
type metaString struct {
	v  string
	ok bool
}

func readMeta(md oncall.Metadata, key string) metaString {
	v, ok := md.String(key)
	return metaString{v, ok}
}
