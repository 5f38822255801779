package syncer

import (
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

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
	id, ok := m.String(KeyEMRID)
	if !ok || id == "" {
		return ""
	}
	if src, ok := m.String(KeyEMRSource); ok && src != "" {
		return src + "/" + id
	}
	return id
}

func superseded(m oncall.Metadata) bool {
	v, ok := m[KeyEMRSuperseded].(bool)
	return ok && v
}

// emailHash is a short, stable fingerprint of an email address, compared case-insensitively. It identifies a
// participant within one appointment; it is not a security measure (the address itself is on the participant).
func emailHash(email string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return strconv.FormatUint(h.Sum64()&(1<<48-1), 36)
}

// roster is the decoded KeyEMRClients value: EHR client id to email hash.
type roster map[string]string

var rosterEscaper = strings.NewReplacer("%", "%25", ",", "%2C", "=", "%3D")

// encode renders the roster deterministically as "id=hash,id=hash", ids sorted and escaped.
func (r roster) encode() string {
	var b strings.Builder
	for i, id := range slices.Sorted(maps.Keys(r)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rosterEscaper.Replace(id))
		b.WriteByte('=')
		b.WriteString(r[id])
	}
	return b.String()
}

// decodeRoster parses a KeyEMRClients value; malformed entries are dropped.
func decodeRoster(s string) roster {
	r := roster{}
	for entry := range strings.SplitSeq(s, ",") {
		id, h, ok := strings.Cut(entry, "=")
		if !ok || id == "" || h == "" {
			continue
		}
		if strings.IndexByte(id, '%') >= 0 {
			id = unescapeRosterID(id)
		}
		r[id] = h
	}
	return r
}

func unescapeRosterID(s string) string {
	return strings.NewReplacer("%2C", ",", "%3D", "=", "%25", "%").Replace(s)
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
