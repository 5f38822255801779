package syncer

import (
	"slices"
	"strings"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// roster is the decoded KeyEMRClients value: EHR client ids with the email hash each was invited with, sorted by
// id, each id once, and for a client whose DNS, CBT or CBC the sync has carried to OnCall, that status's mark. An
// entry holds its hash either as text (decoded from metadata) or as a digest (computed).
//
// The mark is what makes a status final and sent once, whatever OnCall shows afterwards: a group client's DNS, which
// OnCall's documented API cannot show, is recorded and never sent; a status the server ignored is not sent again.
type roster []rosterEntry

type rosterEntry struct {
	id   string
	hash string
	d    digest
	// mark is the status the sync carried to OnCall for the client (see statusMark), or 0.
	mark byte
}

func (e *rosterEntry) appendHash(b []byte) []byte {
	if e.hash != "" {
		return append(b, e.hash...)
	}
	return append(b, e.d.buf[:e.d.n]...)
}

// find returns the entry of id, or nil.
func (r roster) find(id string) *rosterEntry {
	if i, ok := slices.BinarySearchFunc(r, id, func(e rosterEntry, id string) int { return strings.Compare(e.id, id) }); ok {
		return &r[i]
	}
	return nil
}

// get returns the hash recorded for id, or "".
func (r roster) get(id string) string {
	if e := r.find(id); e != nil {
		return e.hash
	}
	return ""
}

// clientFor returns the client recorded with the email d fingerprints (the least id, if several share the
// address: the roster is sorted by id).
func (r roster) clientFor(d *digest) (string, bool) {
	for i := range r {
		if d.is(r[i].hash) {
			return r[i].id, true
		}
	}
	return "", false
}

// normalize sorts the roster by id and, for an id listed twice, keeps the later entry.
func (r roster) normalize() roster {
	if slices.IsSortedFunc(r, compareRosterIDs) && !hasAdjacentIDs(r) {
		return r
	}
	slices.SortStableFunc(r, compareRosterIDs)
	out := r[:0]
	for i := range r {
		if i+1 < len(r) && r[i+1].id == r[i].id {
			continue // a later entry for the same id follows
		}
		out = append(out, r[i])
	}
	return out
}

func compareRosterIDs(a, b rosterEntry) int { return strings.Compare(a.id, b.id) }

func hasAdjacentIDs(r roster) bool {
	for i := 1; i < len(r); i++ {
		if r[i].id == r[i-1].id {
			return true
		}
	}
	return false
}

var (
	rosterEscaper   = strings.NewReplacer("%", "%25", ",", "%2C", "=", "%3D")
	rosterUnescaper = strings.NewReplacer("%2C", ",", "%3D", "=", "%25", "%")
)

// encode renders a normalized roster deterministically as "id=hash,id=hash:D", ids sorted and escaped, a status
// mark after a colon.
func (r roster) encode() string { return string(r.appendTo(nil)) }

func (r roster) appendTo(b []byte) []byte {
	for i := range r {
		if i > 0 {
			b = append(b, ',')
		}
		if id := r[i].id; strings.ContainsAny(id, "%,=") {
			b = append(b, rosterEscaper.Replace(id)...)
		} else {
			b = append(b, id...)
		}
		b = append(b, '=')
		b = r[i].appendHash(b)
		if m := r[i].mark; m != 0 {
			b = append(b, ':', m)
		}
	}
	return b
}

// revert returns r with the entry of every client that changes concern put back as it is in before (or dropped,
// if before has none): what to record when those changes were not made.
func (r roster) revert(before roster, changes []ParticipantChange) roster {
	touched := func(id string) bool {
		return slices.ContainsFunc(changes, func(c ParticipantChange) bool { return c.Client == id })
	}
	out := slices.DeleteFunc(r, func(e rosterEntry) bool { return touched(e.id) })
	for _, e := range before {
		if touched(e.id) {
			out = append(out, e)
		}
	}
	return out.normalize()
}

// decodeRoster parses a KeyEMRClients value; malformed entries are dropped.
func decodeRoster(s string) roster { return decodeRosterInto(nil, s) }

// decodeRosterInto is decodeRoster reusing dst's storage.
func decodeRosterInto(dst roster, s string) roster {
	r := dst[:0]
	for s != "" {
		var entry string
		entry, s, _ = strings.Cut(s, ",")
		id, h, ok := strings.Cut(entry, "=")
		if !ok || id == "" || h == "" {
			continue
		}
		if strings.IndexByte(id, '%') >= 0 {
			id = rosterUnescaper.Replace(id)
		}
		var mark byte
		if h2, m, ok := strings.Cut(h, ":"); ok {
			if len(m) != 1 || !validMark(m[0]) && m[0] != markKept || h2 == "" {
				continue
			}
			h, mark = h2, m[0]
		}
		r = append(r, rosterEntry{id: id, hash: h, mark: mark})
	}
	return r.normalize()
}

// pairing is how the clients of an EHR appointment pair with the participants of its OnCall appointment: first
// by the email recorded for the client when the sync put it there (which follows it across an email change), then
// by its current email. A planner keeps one and reuses its storage.
type pairing struct {
	// client[i] is the index in m.Participants of a.Participants[i]'s participant, or -1.
	client []int
	// mark[i] is the status mark the roster records for a.Participants[i], or 0.
	mark []byte
	// taken[j] reports whether m.Participants[j] is paired with a client.
	taken []bool
	// digests[j] fingerprints m.Participants[j]'s email.
	digests []digest
	// recorded is the roster m's metadata records.
	recorded roster
}

// participant returns the participant paired with a.Participants[i], or nil.
func (pr *pairing) participant(m *oncall.Appointment, i int) *oncall.Participant {
	if j := pr.client[i]; j >= 0 {
		return &m.Participants[j]
	}
	return nil
}

// pair pairs a's clients with m's participants; clients is m's KeyEMRClients value.
func (pr *pairing) pair(a *carelogic.Appointment, m *oncall.Appointment, clients metaString) {
	pr.recorded = pr.recorded[:0]
	if clients.ok {
		pr.recorded = decodeRosterInto(pr.recorded, clients.v)
	}
	n := len(m.Participants)
	pr.taken = slices.Grow(pr.taken[:0], n)[:n]
	clear(pr.taken)
	pr.digests = slices.Grow(pr.digests[:0], n)[:n]
	for j := range m.Participants {
		pr.digests[j] = digestOf(m.Participants[j].Email)
	}
	pr.client = slices.Grow(pr.client[:0], len(a.Participants))[:len(a.Participants)]
	pr.mark = slices.Grow(pr.mark[:0], len(a.Participants))[:len(a.Participants)]
	clear(pr.mark)
	for i := range pr.client {
		pr.client[i] = -1
	}
	take := func(match func(j int) bool) int {
		for j := range pr.digests {
			if !pr.taken[j] && match(j) {
				pr.taken[j] = true
				return j
			}
		}
		return -1
	}
	for i, c := range a.Participants {
		if e := pr.recorded.find(c.ClientID); e != nil {
			pr.mark[i] = e.mark
			pr.client[i] = take(func(j int) bool { return pr.digests[j].is(e.hash) })
		}
	}
	for i, c := range a.Participants {
		if pr.client[i] < 0 {
			d := digestOf(c.Email)
			pr.client[i] = take(func(j int) bool { return pr.digests[j] == d })
		}
	}
	// A 1:1 with one participant is its client, whatever the email says now: when the appointment was created
	// before the sync recorded its roster (by an earlier integration, say), or when the roster records that very
	// client and the address changed in OnCall (staff correcting it) or was not carried there. A 1:1 whose roster
	// records another client is not paired: its client changed. (PlanEHR pairs EHR appointments that were never
	// validated, so a 1:1 may have no client at all.)
	if a.Kind == carelogic.Individual && n == 1 && len(pr.client) > 0 && pr.client[0] < 0 &&
		(len(pr.recorded) == 0 || len(pr.recorded) == 1 && pr.recorded[0].id == a.Participants[0].ClientID) {
		pr.taken[0] = true
		pr.client[0] = 0
	}
}
