package syncer

import (
	"fmt"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

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
	// a short hash of the email it was invited with, and the DNS, CBT or CBC the sync carried to OnCall for the
	// client, if any ("cl-1=1x2y3z:C"). It tells those participants apart from co-hosts and third parties added
	// directly in OnCall (which the sync leaves alone), follows a client across an email change, remembers a client
	// removed for Error so that a later status does not bring them back, and makes a status final and sent once,
	// whether or not OnCall can show it.
	KeyEMRClients = "emr_clients"
	// KeyEMRSuperseded marks an appointment the sync cancelled and replaced (a 1:1 whose client changed); matching
	// ignores it.
	KeyEMRSuperseded = "emr_superseded"
	// KeyEMRIgnored records the fields OnCall did not apply when the sync wrote them (an oncall.WriteIgnoredError),
	// each with a short hash of the value sent: "status=1x2y3z,title=4a5b6c". The plan does not send that value
	// of that field again, so that a sync against a server that ignores a field converges instead of writing it on
	// every run; a new value is sent. A participants list OnCall did not apply is recorded as "participants", the
	// hash of the changes it carried (see changesValue); the roster is then put back as it was, so that it never
	// records a change OnCall did not make.
	KeyEMRIgnored = "emr_ignored"
)

// valueHash is the short hash of a field's value that KeyEMRIgnored records: FNV-1a, 48 bits in base 36. Unlike
// an email's digest it keeps case, since "Intake" and "intake" are different titles.
func valueHash(v string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(v))
	return strconv.FormatUint(h.Sum64()&(1<<48-1), 36)
}

// ignoredValue renders a field's value for valueHash, as the plan and the runner both do.
func ignoredValue(v any) string {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// decodeIgnored parses a KeyEMRIgnored value into field -> hash; malformed entries are dropped.
func decodeIgnored(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		var entry string
		entry, s, _ = strings.Cut(s, ",")
		if f, h, ok := strings.Cut(entry, "="); ok && f != "" && h != "" {
			out[f] = h
		}
	}
	return out
}

// encodeIgnored renders field -> hash as KeyEMRIgnored holds it, fields sorted.
func encodeIgnored(m map[string]string) string {
	var b strings.Builder
	for i, f := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f + "=" + m[f])
	}
	return b.String()
}

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

// withSyncKeys returns md with the keys that identify a's occurrence and the roster clients, and whether that differs
// from md (as metadataEqual compares them). It builds the copy only to return it.
func withSyncKeys(md oncall.Metadata, a *carelogic.Appointment, clients string) (oncall.Metadata, bool) {
	holds := func(key, v string) bool {
		have, ok := md.String(key)
		return ok && have == v
	}
	same := holds(KeyEMRID, a.ID) && (a.Source == "" || holds(KeyEMRSource, a.Source)) &&
		(a.SeriesID == "" || holds(KeyEMRSeries, a.SeriesID)) && holds(KeyEMRClients, clients)
	want := maps.Clone(md)
	if want == nil {
		want = oncall.Metadata{}
	}
	want[KeyEMRID] = a.ID
	if a.Source != "" {
		want[KeyEMRSource] = a.Source
	}
	if a.SeriesID != "" {
		want[KeyEMRSeries] = a.SeriesID
	}
	want[KeyEMRClients] = clients
	// A key set to another value makes the copy differ; when none is, the copy may still differ in what the text
	// of a value does not say (a value equal only to itself), which metadataEqual decides.
	if same && metadataEqual(want, md) {
		return nil, false
	}
	return want, true
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

// changesValue renders the participant changes of one update for valueHash, as the plan and the runner both do:
// each change's operation, client and new address, sorted, so that the same changes hash the same whatever their
// order.
func changesValue(changes []ParticipantChange) string {
	lines := make([]string, 0, len(changes))
	for _, c := range changes {
		email := c.Email
		if c.Add != nil {
			email = c.Add.Email
		}
		lines = append(lines, string(c.Op)+"\x00"+c.Client+"\x00"+strings.ToLower(strings.TrimSpace(email)))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\x01")
}
