package syncer

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Metadata keys the syncer writes on every OnCall appointment it creates. They are what makes matching exact
// (OnCall's own guide advises storing the EHR's key in metadata) and are visible only through the API.
const (
	// KeyEMRID holds the EHR's id of the occurrence (carelogic.Appointment.ID).
	KeyEMRID = "emr_id"
	// KeyEMRSource holds the EHR source (carelogic.Appointment.Source), when there is one.
	KeyEMRSource = "emr_source"
	// KeyEMRSeries holds the recurring series id, when there is one.
	KeyEMRSeries = "emr_series_id"
	// KeyEMRClients records which OnCall participants the sync put on the appointment: for each EHR client id,
	// a short hash of the email it was invited with. It tells those participants apart from co-hosts and third
	// parties added directly in OnCall (which the sync leaves alone), follows a client across an email change, and
	// remembers a client removed for Error so that a later status does not bring them back.
	KeyEMRClients = "emr_clients"
	// KeyEMRSuperseded marks an appointment the sync cancelled and replaced (a 1:1 whose client changed); matching
	// ignores it.
	KeyEMRSuperseded = "emr_superseded"
)

// appointmentKey returns the EHR key an OnCall appointment's metadata names, or "" if it names none.
func appointmentKey(m oncall.Metadata) string {
	id, _ := m.String(KeyEMRID)
	src, _ := m.String(KeyEMRSource)
	return joinKey(src, id)
}

// joinKey renders an EHR key from the metadata's source and id as carelogic.Appointment.Key does, or "" when there
// is no id.
func joinKey(source, id string) string {
	switch {
	case id == "":
		return ""
	case source == "":
		return id
	}
	return source + "/" + id
}

func superseded(m oncall.Metadata) bool {
	v, ok := m[KeyEMRSuperseded].(bool)
	return ok && v
}

// emailHash is a short, stable fingerprint of an email address, compared case-insensitively. It identifies a
// participant within one appointment; it is not a security measure (the address itself is on the participant).
func emailHash(email string) string {
	d := digestOf(email)
	return d.String()
}

// digest is an email's fingerprint as emailHash renders it (at most 10 base-36 digits), held in place so that
// computing and comparing one allocates nothing: the planner compares thousands per run.
type digest struct {
	n   uint8
	buf [10]byte
}

// digestOf is the FNV-1a hash of the trimmed, lower-cased address, cut to 48 bits.
func digestOf(email string) digest {
	s := strings.TrimSpace(email)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = strings.ToLower(s)
	}
	h := uint64(14695981039346656037) // FNV-1a 64-bit offset basis
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ascii && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211 // FNV-1a 64-bit prime
	}
	// Rendered in base 36 as strconv.FormatUint does, with a constant divisor the compiler turns into a multiply.
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var tmp [10]byte
	i := len(tmp)
	v := h & (1<<48 - 1)
	for v >= 36 {
		q := v / 36
		i--
		tmp[i] = digits[v-q*36]
		v = q
	}
	i--
	tmp[i] = digits[v]
	var d digest
	d.n = uint8(copy(d.buf[:], tmp[i:]))
	return d
}

func (d *digest) String() string { return string(d.buf[:d.n]) }

// is reports whether s is the rendered digest.
func (d *digest) is(s string) bool { return string(d.buf[:d.n]) == s }

// roster is the decoded KeyEMRClients value: EHR client ids with the email hash each was invited with, sorted by
// id, each id once. An entry holds its hash either as text (decoded from metadata) or as a digest (computed).
type roster []rosterEntry

type rosterEntry struct {
	id   string
	hash string
	d    digest
}

func (e *rosterEntry) appendHash(b []byte) []byte {
	if e.hash != "" {
		return append(b, e.hash...)
	}
	return append(b, e.d.buf[:e.d.n]...)
}

// get returns the hash recorded for id, or "".
func (r roster) get(id string) string {
	if i, ok := slices.BinarySearchFunc(r, id, func(e rosterEntry, id string) int { return strings.Compare(e.id, id) }); ok {
		return r[i].hash
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

// encode renders a normalized roster deterministically as "id=hash,id=hash", ids sorted and escaped.
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
	}
	return b
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
		r = append(r, rosterEntry{id: id, hash: h})
	}
	return r.normalize()
}

// baseMetadata returns the keys that identify a's occurrence.
func baseMetadata(a *carelogic.Appointment) oncall.Metadata {
	m := oncall.Metadata{KeyEMRID: a.ID}
	if a.Source != "" {
		m[KeyEMRSource] = a.Source
	}
	if a.SeriesID != "" {
		m[KeyEMRSeries] = a.SeriesID
	}
	return m
}

// metadataEqual compares two metadata maps, with integers compared by value whatever their Go type.
func metadataEqual(a, b oncall.Metadata) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			return false
		}
		if sa, ok := a.String(k); ok {
			if sb, ok := b.String(k); ok && sa == sb {
				continue
			}
			return false
		}
		if !reflect.DeepEqual(va, vb) {
			return false
		}
	}
	return true
}

func quote(s string) string { return strconv.Quote(s) }
