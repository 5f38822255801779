package syncer

import (
	"hash/fnv"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// rosterFrom builds a roster from client ids and hashes, in map order, as the planner builds one before
// normalizing it.
func rosterFrom(m map[string]string) roster {
	var r roster
	for id, h := range m {
		r = append(r, rosterEntry{id: id, hash: h})
	}
	return r.normalize()
}

// rosterMap returns a roster's ids and hashes, failing the test unless it is normalized.
func rosterMap(t testing.TB, r roster) map[string]string {
	t.Helper()
	m := map[string]string{}
	for i, e := range r {
		if i > 0 && r[i-1].id >= e.id {
			t.Errorf("roster not sorted by id, or an id twice: %q then %q", r[i-1].id, e.id)
		}
		m[e.id] = string(e.appendHash(nil))
	}
	return m
}

func TestRosterEncode(t *testing.T) {
	t.Parallel()
	m := map[string]string{"plain": "h5", "a,b": "h1", "c=d": "h2", "e%f": "h3", "%2C": "h4"}
	// Ids sorted byte-wise, then escaped: '%' first, so that an id that looks escaped stays itself.
	const want = "%252C=h4,a%2Cb=h1,c%3Dd=h2,e%25f=h3,plain=h5"
	if got := rosterFrom(m).encode(); got != want {
		t.Errorf("encode() = %q, want %q", got, want)
	}
	if diff := cmp.Diff(m, rosterMap(t, decodeRoster(want))); diff != "" {
		t.Errorf("decodeRoster(encode()) (-want +got):\n%s", diff)
	}
	if got := (roster{}).encode(); got != "" {
		t.Errorf("empty roster encodes as %q, want \"\"", got)
	}
	// A computed hash encodes like the same hash decoded.
	computed := roster{{id: "c1", d: digestOf("client1@example.com")}}
	if got, want := computed.encode(), "c1="+emailHash("client1@example.com"); got != want {
		t.Errorf("encode() of a computed hash = %q, want %q", got, want)
	}
}

func TestRosterLookups(t *testing.T) {
	t.Parallel()
	// Written by hand: out of order, with an id twice (the later entry counts, as when the roster was a map).
	r := decodeRoster("c3=" + emailHash("three@example.com") + ",c1=old,c2=x,c1=" + emailHash("one@example.com"))
	tests := []struct{ id, want string }{
		{"c1", emailHash("one@example.com")}, {"c2", "x"}, {"c3", emailHash("three@example.com")}, {"c4", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := r.get(tt.id); got != tt.want {
			t.Errorf("get(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
	for email, want := range map[string]string{"ONE@example.com": "c1", "three@example.com": "c3", "two@example.com": "", "old": ""} {
		d := digestOf(email)
		if got, ok := r.clientFor(&d); got != want || ok != (want != "") {
			t.Errorf("clientFor(%s) = %q, %v; want %q", email, got, ok, want)
		}
	}
	if got, want := r.encode(), "c1="+emailHash("one@example.com")+",c2=x,c3="+emailHash("three@example.com"); got != want {
		t.Errorf("encode() = %q, want %q", got, want)
	}
}

func TestDecodeRoster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"c1=abc", map[string]string{"c1": "abc"}},
		{"c2=def,c1=abc", map[string]string{"c1": "abc", "c2": "def"}},
		// Malformed entries are dropped, the rest kept.
		{"c1=abc,,=nohash,noid=,bare,c2=def", map[string]string{"c1": "abc", "c2": "def"}},
		{",,,", map[string]string{}},
		{"c1=a,c1=b", map[string]string{"c1": "b"}},
		{"c1=a=b", map[string]string{"c1": "a=b"}},
		{"%25%2C%3D=x", map[string]string{"%,=": "x"}},
		// A '%' not followed by a known escape is kept as it is.
		{"50%off=x", map[string]string{"50%off": "x"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, rosterMap(t, decodeRoster(tt.in))); diff != "" {
			t.Errorf("decodeRoster(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzRosterRoundTrip(f *testing.F) {
	f.Add("c1", "c2", "client1@example.com")
	f.Add("a,b", "c=d", "")
	f.Add("%2C", "%", "X@Y")
	f.Add("", "=", ",")
	f.Fuzz(func(t *testing.T, id1, id2, email string) {
		m := map[string]string{}
		for _, id := range []string{id1, id2} {
			if id != "" {
				m[id] = emailHash(email + id)
			}
		}
		enc := rosterFrom(m).encode()
		if diff := cmp.Diff(m, rosterMap(t, decodeRoster(enc))); diff != "" {
			t.Errorf("round trip of %q via %q (-want +got):\n%s", []string{id1, id2}, enc, diff)
		}
		// Decoding anything at all must not panic, and what it decodes must round-trip.
		d := decodeRoster(id1 + "," + id2 + "=" + email)
		if diff := cmp.Diff(rosterMap(t, d), rosterMap(t, decodeRoster(d.encode()))); diff != "" {
			t.Errorf("decoded roster does not round-trip (-want +got):\n%s", diff)
		}
	})
}

func TestEmailHash(t *testing.T) {
	t.Parallel()
	// The value is pinned: every roster stored in OnCall holds these hashes, so changing the function would make
	// the sync lose track of every client it invited.
	if got, want := emailHash("client1@example.com"), "1mx2ohz6e8"; got != want {
		t.Errorf("emailHash(client1@example.com) = %q, want %q", got, want)
	}
	same := []string{"client1@example.com", "Client1@Example.COM", "  client1@example.com\t", "CLIENT1@EXAMPLE.COM "}
	for _, s := range same {
		if got := emailHash(s); got != emailHash(same[0]) {
			t.Errorf("emailHash(%q) = %q, want the hash of %q", s, got, same[0])
		}
	}
	for _, s := range []string{"client2@example.com", "client1@example.org", "client1 @example.com", ""} {
		if emailHash(s) == emailHash(same[0]) {
			t.Errorf("emailHash(%q) equals the hash of %q", s, same[0])
		}
	}
	for _, s := range []string{"", "a@b", strings.Repeat("x", 500) + "@example.com"} {
		h := emailHash(s)
		if h == "" || len(h) > 10 || strings.ContainsAny(h, ",=%") {
			t.Errorf("emailHash(%q) = %q: want 1 to 10 characters without roster separators", s, h)
		}
	}
}

// referenceEmailHash is emailHash written the plain way: FNV-1a of the trimmed, lower-cased address.
func referenceEmailHash(email string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return strconv.FormatUint(h.Sum64()&(1<<48-1), 36)
}

func FuzzEmailHash(f *testing.F) {
	for _, s := range []string{"", "client1@example.com", " Client1@Example.COM\t", "ÉMILE@exemple.fr", "\xff\xfeA@B", "İ@x", "ǅ@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		if got, want := emailHash(email), referenceEmailHash(email); got != want {
			t.Errorf("emailHash(%q) = %q, want %q", email, got, want)
		}
		d := digestOf(email)
		if !d.is(referenceEmailHash(email)) {
			t.Errorf("digestOf(%q) is not %q", email, referenceEmailHash(email))
		}
		if ascii := !strings.ContainsFunc(email, func(r rune) bool { return r >= 0x80 }); ascii && d != digestOf(strings.ToUpper(email)) {
			t.Errorf("digestOf(%q) differs from the digest of its upper case", email)
		}
	})
}

func TestAppointmentKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		md   oncall.Metadata
		want string
	}{
		{"id and source", oncall.Metadata{KeyEMRID: "a1", KeyEMRSource: "ehr"}, "ehr/a1"},
		{"id only", oncall.Metadata{KeyEMRID: "a1"}, "a1"},
		{"empty source", oncall.Metadata{KeyEMRID: "a1", KeyEMRSource: ""}, "a1"},
		{"numeric id", oncall.Metadata{KeyEMRID: int64(123), KeyEMRSource: "ehr"}, "ehr/123"},
		{"numeric source", oncall.Metadata{KeyEMRID: "a1", KeyEMRSource: int64(7)}, "7/a1"},
		{"no id", oncall.Metadata{KeyEMRSource: "ehr"}, ""},
		{"empty id", oncall.Metadata{KeyEMRID: "", KeyEMRSource: "ehr"}, ""},
		{"id of another type", oncall.Metadata{KeyEMRID: true}, ""},
		{"nil metadata", nil, ""},
	}
	for _, tt := range tests {
		if got := appointmentKey(tt.md); got != tt.want {
			t.Errorf("%s: appointmentKey(%v) = %q, want %q", tt.name, tt.md, got, tt.want)
		}
	}
	// The key an OnCall appointment names is the key of the EHR appointment it was created for.
	for _, a := range []carelogic.Appointment{{ID: "a1", Source: "ehr"}, {ID: "a1"}, {ID: "a1", Source: "ehr", SeriesID: "s1"}} {
		if got := appointmentKey(baseMetadata(&a)); got != a.Key() {
			t.Errorf("appointmentKey(baseMetadata(%+v)) = %q, want %q", a, got, a.Key())
		}
	}
}

func TestBaseMetadata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    carelogic.Appointment
		want oncall.Metadata
	}{
		{carelogic.Appointment{ID: "a1"}, oncall.Metadata{KeyEMRID: "a1"}},
		{carelogic.Appointment{ID: "a1", Source: "ehr"}, oncall.Metadata{KeyEMRID: "a1", KeyEMRSource: "ehr"}},
		{carelogic.Appointment{ID: "a1", Source: "ehr", SeriesID: "s1"}, oncall.Metadata{KeyEMRID: "a1", KeyEMRSource: "ehr", KeyEMRSeries: "s1"}},
	}
	for _, tt := range tests {
		got := baseMetadata(&tt.a)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("baseMetadata(%+v) (-want +got):\n%s", tt.a, diff)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("baseMetadata(%+v) is not valid metadata: %v", tt.a, err)
		}
	}
}

func TestSuperseded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		md   oncall.Metadata
		want bool
	}{
		{oncall.Metadata{KeyEMRSuperseded: true}, true},
		{oncall.Metadata{KeyEMRSuperseded: false}, false},
		{oncall.Metadata{KeyEMRSuperseded: "true"}, false},
		{oncall.Metadata{KeyEMRSuperseded: nil}, false},
		{oncall.Metadata{}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := superseded(tt.md); got != tt.want {
			t.Errorf("superseded(%v) = %v, want %v", tt.md, got, tt.want)
		}
	}
}

func TestMetadataEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b oncall.Metadata
		want bool
	}{
		{"both nil", nil, nil, true},
		{"nil and empty", nil, oncall.Metadata{}, true},
		{"same strings", oncall.Metadata{"k": "v", "n": "1"}, oncall.Metadata{"n": "1", "k": "v"}, true},
		{"different strings", oncall.Metadata{"k": "v"}, oncall.Metadata{"k": "w"}, false},
		{"int64 and string", oncall.Metadata{"k": int64(5)}, oncall.Metadata{"k": "5"}, true},
		{"string and int64", oncall.Metadata{"k": "5"}, oncall.Metadata{"k": int64(5)}, true},
		{"int and int64", oncall.Metadata{"k": 5}, oncall.Metadata{"k": int64(5)}, true},
		{"int32 and int64", oncall.Metadata{"k": int32(5)}, oncall.Metadata{"k": int64(5)}, true},
		{"different numbers", oncall.Metadata{"k": int64(5)}, oncall.Metadata{"k": int64(6)}, false},
		{"bool and string", oncall.Metadata{"k": true}, oncall.Metadata{"k": "true"}, false},
		{"string and bool", oncall.Metadata{"k": "true"}, oncall.Metadata{"k": true}, false},
		{"bools", oncall.Metadata{"k": true}, oncall.Metadata{"k": true}, true},
		{"nil values", oncall.Metadata{"k": nil}, oncall.Metadata{"k": nil}, true},
		{"nil and empty string", oncall.Metadata{"k": nil}, oncall.Metadata{"k": ""}, false},
		{"missing key", oncall.Metadata{"k": "v"}, oncall.Metadata{"j": "v"}, false},
		{"extra key", oncall.Metadata{"k": "v"}, oncall.Metadata{"k": "v", "j": "v"}, false},
		{"equal nested maps", oncall.Metadata{"k": map[string]any{"x": []any{1.0, "y"}}}, oncall.Metadata{"k": map[string]any{"x": []any{1.0, "y"}}}, true},
		{"different nested maps", oncall.Metadata{"k": map[string]any{"x": 1.0}}, oncall.Metadata{"k": map[string]any{"x": 2.0}}, false},
		{"nested map and string", oncall.Metadata{"k": map[string]any{}}, oncall.Metadata{"k": "{}"}, false},
		{"string and nested map", oncall.Metadata{"k": "{}"}, oncall.Metadata{"k": map[string]any{}}, false},
		{"slices", oncall.Metadata{"k": []any{"a"}}, oncall.Metadata{"k": []any{"a"}}, true},
		{"float and int64", oncall.Metadata{"k": 5.0}, oncall.Metadata{"k": int64(5)}, false},
	}
	for _, tt := range tests {
		if got := metadataEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: metadataEqual(%v, %v) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
		if got := metadataEqual(tt.b, tt.a); got != tt.want {
			t.Errorf("%s (swapped): metadataEqual(%v, %v) = %v, want %v", tt.name, tt.b, tt.a, got, tt.want)
		}
	}
}

// TestMetaTextAgreesWithMetadataString pins the planner's one-pass metadata reader to oncall.Metadata.String,
// which the rest of the syncer uses: matching must read a value the same way whichever path reads it.
func TestMetaTextAgreesWithMetadataString(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"A1", "", int64(12345), int64(-7), 42, int32(9), 3.5, true, nil, map[string]any{"a": 1}, []any{"x"}} {
		want, wantOK := oncall.Metadata{"k": v}.String("k")
		got, gotOK := metaText(v)
		if got != want || gotOK != wantOK {
			t.Errorf("metaText(%#v) = %q, %v; Metadata.String gives %q, %v", v, got, gotOK, want, wantOK)
		}
	}
}

func TestJoinKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ source, id, want string }{
		{"", "", ""}, {"src", "", ""}, {"", "a1", "a1"}, {"src", "a1", "src/a1"},
	} {
		if got := joinKey(tt.source, tt.id); got != tt.want {
			t.Errorf("joinKey(%q, %q) = %q, want %q", tt.source, tt.id, got, tt.want)
		}
		a := carelogic.Appointment{Source: tt.source, ID: tt.id}
		if tt.id != "" && joinKey(tt.source, tt.id) != a.Key() {
			t.Errorf("joinKey(%q, %q) differs from carelogic.Appointment.Key %q", tt.source, tt.id, a.Key())
		}
	}
}
