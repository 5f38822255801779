package syncer

import (
	"slices"
	"strings"
)

// roster is the decoded KeyEMRClients value: EHR client ids with the email hash each was invited with, sorted by
// id, each id once, and for a client whose DNS, CBT or CBC the sync has carried to OnCall, that status's mark. An
// entry holds its hash either as text (decoded from metadata, and read as a digest too when it is one) or as a
// digest (computed), so that pairing compares numbers and a roster is rendered only to be recorded.
//
// The mark is what makes a status final and sent once, whatever OnCall shows afterwards: a group client's DNS, which
// OnCall's documented API cannot show, is recorded and never sent; a status the server ignored is not sent again.
type roster []rosterEntry

type rosterEntry struct {
	id string
	// hash is the hash as the metadata records it, or "" for one the planner computed: d.
	hash string
	// d is the computed hash, or the recorded one read as a number when it is one a digest renders as (numeric).
	d       digest
	numeric bool
	// mark is the status the sync carried to OnCall for the client (see statusMark), or 0.
	mark byte
}

func (e *rosterEntry) appendHash(b []byte) []byte {
	if e.hash != "" {
		return append(b, e.hash...)
	}
	return e.d.appendTo(b)
}

// is reports whether the entry's hash is d rendered, comparing numbers where it can.
func (e *rosterEntry) is(d digest) bool {
	if e.hash == "" || e.numeric {
		return e.d == d
	}
	return d.is(e.hash)
}

// sameHash reports whether e and o hold the same hash text.
func (e *rosterEntry) sameHash(o *rosterEntry) bool {
	switch {
	case e.hash != "" && o.hash != "":
		return e.hash == o.hash
	case e.hash == "":
		return o.is(e.d)
	}
	return e.is(o.d)
}

// find returns the entry of id, or nil.
func (r roster) find(id string) *rosterEntry {
	lo, hi := 0, len(r)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := strings.Compare(r[mid].id, id); {
		case c == 0:
			return &r[mid]
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
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
		if r[i].is(*d) {
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
func decodeRoster(s string) roster {
	r, _ := decodeRosterInto(nil, s)
	return r
}

// decodeRosterInto is decodeRoster reusing dst's storage. It also reports whether s is the roster's encoding
// exactly (as encode renders it), so that comparing another roster with the entries tells whether it encodes to s.
// It may answer false for an encoding it does not check (an escaped id).
func decodeRosterInto(dst roster, s string) (r roster, canonical bool) {
	if r, ok := decodePlainRoster(dst, s); ok {
		return r, true
	}
	return decodeRosterEntries(dst, s)
}

// decodeRosterEntries is decodeRosterInto for any text: entry by entry, dropping what is malformed.
func decodeRosterEntries(dst roster, s string) (r roster, canonical bool) {
	r = dst[:0]
	canonical = true
	inOrder := true // ids ascending, each once
	for rest := s; rest != ""; {
		var entry string
		var more bool
		entry, rest, more = strings.Cut(rest, ",")
		if more && rest == "" {
			canonical = false // a trailing comma
		}
		id, h, ok := strings.Cut(entry, "=")
		if !ok || id == "" || h == "" {
			canonical = false
			continue
		}
		if strings.IndexByte(id, '%') >= 0 {
			id = rosterUnescaper.Replace(id)
			canonical = false
		}
		var mark byte
		if h2, m, ok := strings.Cut(h, ":"); ok {
			if len(m) != 1 || !validMark(m[0]) && m[0] != markKept || h2 == "" {
				canonical = false
				continue
			}
			h, mark = h2, m[0]
		}
		if n := len(r); n > 0 && r[n-1].id >= id {
			inOrder = false
		}
		d, numeric := parseDigest(h)
		r = append(r, rosterEntry{id: id, hash: h, d: d, numeric: numeric, mark: mark})
	}
	// Each entry kept reads back as written: what remains is the order.
	if !inOrder {
		return r.normalize(), false
	}
	return r, canonical
}

// decodePlainRoster decodes s in one pass when it is what the sync writes, the encoding of a roster with no id
// escaped (ids ascending, each once, every entry well formed), and reports false for anything else, which
// decodeRosterInto then reads entry by entry. Every planned appointment's roster is decoded, and nearly all of them
// are plain.
func decodePlainRoster(dst roster, s string) (roster, bool) {
	r := dst[:0]
	for i := 0; i < len(s); {
		start := i
		for i < len(s) && s[i] != '=' {
			if s[i] == ',' || s[i] == '%' {
				return r, false
			}
			i++
		}
		if i == start || i == len(s) {
			return r, false
		}
		id := s[start:i]
		i++
		start = i
		for i < len(s) && s[i] != ',' && s[i] != ':' {
			i++
		}
		if i == start {
			return r, false
		}
		h := s[start:i]
		var mark byte
		if i < len(s) && s[i] == ':' {
			if i+1 == len(s) || i+2 < len(s) && s[i+2] != ',' || !validMark(s[i+1]) && s[i+1] != markKept {
				return r, false
			}
			mark = s[i+1]
			i += 2
		}
		if i < len(s) { // a comma
			if i++; i == len(s) {
				return r, false
			}
		}
		if n := len(r); n > 0 && r[n-1].id >= id {
			return r, false
		}
		d, numeric := parseDigest(h)
		r = append(r, rosterEntry{id: id, hash: h, d: d, numeric: numeric, mark: mark})
	}
	return r, true
}

// encodes reports whether r, normalized, encodes to s, of which decoded is the decoding and canonical whether s is
// decoded's encoding exactly. An unchanged roster, the usual case, is compared entry by entry, without encoding it.
func (r roster) encodes(s string, decoded roster, canonical bool) bool {
	if canonical && r.equal(decoded) {
		return true
	}
	return string(r.appendTo(nil)) == s
}

// equal reports whether r and o hold the same entries: ids, hashes and marks.
func (r roster) equal(o roster) bool {
	if len(r) != len(o) {
		return false
	}
	for i := range r {
		if r[i].id != o[i].id || r[i].mark != o[i].mark || !r[i].sameHash(&o[i]) {
			return false
		}
	}
	return true
}
