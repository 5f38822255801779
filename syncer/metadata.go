package syncer

import (
	"reflect"
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
