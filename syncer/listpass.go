package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// listing is what a listing pass read: the appointments, and when each page was read.
type listing struct {
	appts   []oncall.Appointment
	pageEnd []int       // index in appts after each page's last appointment
	pageAt  []time.Time // when each page was read
	// repeated is how many appointments were read twice and kept once; unsteady says the listing moved while it
	// was read in a way that may have skipped an appointment (see list), and did so again when read again.
	repeated int
	unsteady bool
	// When the listing was read twice, pagesBefore is how many pages the first reading took, and earlier holds
	// the EHR keys its appointments carried (see list).
	pagesBefore int
	earlier     map[string]earlierAppointment

	once sync.Once
	byID map[oncall.AppointmentID]int
}

func (l *listing) pages() int { return len(l.pageEnd) }

// recent returns the appointment id as the listing read it, if it was read within maxAge of now, else nil.
func (l *listing) recent(id oncall.AppointmentID, maxAge time.Duration, now time.Time) *oncall.Appointment {
	if l == nil || maxAge < 0 {
		return nil
	}
	l.once.Do(func() {
		l.byID = make(map[oncall.AppointmentID]int, len(l.appts))
		for i := range l.appts {
			l.byID[l.appts[i].ID] = i
		}
	})
	i, ok := l.byID[id]
	if !ok {
		return nil
	}
	page, _ := slices.BinarySearch(l.pageEnd, i+1)
	if page >= len(l.pageAt) || now.Sub(l.pageAt[page]) > maxAge {
		return nil
	}
	return &l.appts[i]
}

// list reads every OnCall appointment the token can see, calling progress, if not nil, after each page. OnCall's
// pages are numbered, so a listing that changes while it is read shifts under the reader: an appointment booked or
// moved ahead of the page being read pushes one already read onto the next page (read twice, kept once, as last
// read), and one that leaves the pages already read, or moves back into them, pulls one unread into them, which
// the listing then never shows. A sync that took such an appointment for missing would book it a second time.
//
// So a listing that may have skipped one is read again, once, and the second reading is used, with the EHR keys
// the first one showed (listing.earlier): an appointment the second reading skipped was shown by the first unless
// it moved across the reader during both, and the sync does not create what the first reading showed (see
// holdCreates).
func (r *Runner) list(ctx context.Context, progress func(Progress)) (*listing, error) {
	l, err := r.listOnce(ctx, progress)
	if err != nil || !l.unsteady {
		return l, err
	}
	again, err := r.listOnce(ctx, progress)
	if err != nil {
		return nil, err
	}
	again.pagesBefore, again.earlier = l.pages(), earlierKeys(l.appts)
	return again, nil
}

// earlierAppointment is an appointment of a first reading that carried an EHR key: the live one, if any.
type earlierAppointment struct {
	id   oncall.AppointmentID
	url  string
	live bool // not cancelled
}

// earlierKeys returns the EHR keys that appts carry (superseded appointments aside, which stand for no key), each
// with its oldest live appointment, or one that is not.
func earlierKeys(appts []oncall.Appointment) map[string]earlierAppointment {
	out := map[string]earlierAppointment{}
	for i := range appts {
		m := &appts[i]
		key := appointmentKey(m.Metadata)
		if key == "" || superseded(m.Metadata) {
			continue
		}
		live := !m.Cancelled
		if prev, ok := out[key]; !ok || live && (!prev.live || m.ID < prev.id) {
			out[key] = earlierAppointment{m.ID, m.URL, live}
		}
	}
	return out
}

// listOnce reads the listing once (see list).
func (r *Runner) listOnce(ctx context.Context, progress func(Progress)) (*listing, error) {
	l := &listing{}
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: cmpOr(r.PageSize, 100)}}
	first, last, fell := -1, -1, false
	for page, err := range r.Client.Appointments.Pages(ctx, opts) {
		if err != nil {
			return nil, fmt.Errorf("syncer: listing OnCall appointments: %w", err)
		}
		if first < 0 {
			first = page.Count
		}
		fell = fell || page.Count < last
		last = page.Count
		l.appts = append(l.appts, page.Results...)
		l.pageEnd = append(l.pageEnd, len(l.appts))
		l.pageAt = append(l.pageAt, time.Now())
		if progress != nil {
			progress(Progress{Listed: len(l.appts)})
		}
	}
	l.repeated = l.dropRepeats()
	// Each appointment added ahead of the reader pushes at most one onto the next page. More repeats than
	// additions, or a count that fell, mean that something moved back or left: something may have been skipped.
	l.unsteady = fell || l.repeated > max(last-first, 0)
	return l, nil
}

// dropRepeats keeps one copy of each appointment read more than once, the last read, and returns how many it
// dropped; the index by id it builds on the way serves recent. An appointment without an id (which OnCall always
// gives) is kept as it is.
func (l *listing) dropRepeats() int {
	at := make(map[oncall.AppointmentID]int, len(l.appts))
	for i := range l.appts {
		if id := l.appts[i].ID; id > 0 {
			at[id] = i
		}
	}
	kept, page := 0, 0
	for i := range l.appts {
		for page < len(l.pageEnd) && i >= l.pageEnd[page] {
			l.pageEnd[page] = kept
			page++
		}
		if id := l.appts[i].ID; id <= 0 || at[id] == i {
			if id > 0 {
				at[id] = kept
			}
			l.appts[kept] = l.appts[i]
			kept++
		}
	}
	for ; page < len(l.pageEnd); page++ {
		l.pageEnd[page] = kept
	}
	dropped := len(l.appts) - kept
	clear(l.appts[kept:])
	l.appts = l.appts[:kept]
	l.once.Do(func() { l.byID = at }) // where each appointment now is, for recent
	return dropped
}

// heldCreate is why the create of a key the first reading of a moving listing showed is held back: its appointment
// may exist though the second reading did not show it.
const heldCreate = "not created: OnCall's listing moved while it was read, and its first reading showed this appointment; the next sync creates it if it is missing"

// holdCreates returns cs with the creates of the keys in hold (for the reason hold gives) and in earlier (for
// heldCreate) held back, each as a skip needing attention, and those keys. The next sync creates what is really
// missing.
func holdCreates(cs *Changeset, hold map[string]string, earlier map[string]earlierAppointment) (*Changeset, []string) {
	out := *cs
	out.Actions = nil
	out.Skipped = slices.Clone(cs.Skipped)
	var held []string
	for _, a := range cs.Actions {
		reason, ok := hold[a.Key]
		if _, shown := earlier[a.Key]; shown && !ok {
			reason, ok = heldCreate, true
		}
		if a.Kind != ActionCreate || !ok {
			out.Actions = append(out.Actions, a)
			continue
		}
		held = append(held, a.Key)
		out.Skipped = append(out.Skipped, Skip{Key: a.Key, Attention: true, Reason: reason})
	}
	return &out, held
}

// unlisted reads, by id, the OnCall appointment of each EHR appointment that cs would create although it was
// synced before: its record holds its OnCall URL (carelogic.URLStore), or ledger, if not nil, its appointment. A
// listing that moved while it was read can skip an appointment without showing any sign of it (a booking elsewhere
// in the listing can hide the shift), and such a one would otherwise be booked a second time. It returns the
// appointments found that still carry their key (and are not superseded), and the keys whose appointment could not be read, with why.
func (r *Runner) unlisted(ctx context.Context, cs *Changeset, appts []carelogic.Appointment, ledger Ledger) ([]oncall.Appointment, map[string]string) {
	var byKey map[string]*carelogic.Appointment
	var found []oncall.Appointment
	unsure := map[string]string{}
	for _, a := range cs.Actions {
		if a.Kind != ActionCreate {
			continue
		}
		if byKey == nil {
			byKey = make(map[string]*carelogic.Appointment, len(appts))
			for i := range appts {
				byKey[appts[i].Key()] = &appts[i]
			}
		}
		var id oncall.AppointmentID
		if e := byKey[a.Key]; e != nil && e.OnCallURL != "" {
			id, _ = r.Client.ParseAppointmentURL(e.OnCallURL) // a URL of another host or shape names nothing here
		}
		if id == 0 && ledger != nil {
			if e, ok, err := ledger.Get(ctx, a.Key); err == nil && ok && !e.Pending {
				id = e.Appointment
			}
		}
		if id <= 0 {
			continue // never synced: a new booking
		}
		m, err := r.Client.Appointments.Get(ctx, id)
		switch {
		case errors.Is(err, oncall.ErrNotFound):
			// Gone from OnCall: it is booked again.
		case err != nil:
			unsure[a.Key] = fmt.Sprintf("not created: OnCall appointment %d was synced with it and is missing from the listing, and reading it failed (%s); the next sync tries again", id, err)
		case appointmentKey(m.Metadata) == a.Key && !superseded(m.Metadata):
			found = append(found, *m) // a superseded one stands for no key: planning again would change nothing
		}
	}
	return found, unsure
}
