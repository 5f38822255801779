package fhir

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/internal/memtest"
	"github.com/oncallsync/oncall-go/internal/sourcetest"
)

// TestHostileDecode feeds Decode, and ReadPath from a file, 50 MB inputs of the shapes that cost a decoder most,
// each within or over the limits, and bounds the peak heap of the call.
//
// The bound for Decode is 2 × carelogic.MaxSourceBytes (128 MiB) above the input itself, which the caller holds:
// a refused input costs nothing but a scan; an accepted one costs its decoded form (here a 50 MB string, copied
// once into the appointment) and the garbage the collector has not yet taken back, which Go lets grow to the size
// of the live heap before it collects. ReadPath reads the file into memory first: one MaxSourceBytes more.
func TestHostileDecode(t *testing.T) {
	memtest.Hostile(t)
	size := memtest.HostileSize
	random := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name  string
		input []byte
		limit bool // the error wraps carelogic.ErrLimit
		ok    bool // it decodes
	}{
		{
			name:  "a 50 MB string",
			input: []byte(`{"resourceType":"Appointment","id":"a-1","status":"booked","comment":"` + string(bytes.Repeat([]byte("x"), size)) + `"}`),
			ok:    true,
		},
		{
			name:  "millions of tiny entries",
			input: memtest.Repeated(size, `{"resourceType":"Bundle","entry":[`, `{}`, ",", `]}`),
			limit: true,
		},
		{
			name:  "deeply nested arrays",
			input: memtest.Repeated(size, `{"resourceType":"Bundle","entry":`, `[`, "", ``),
			limit: true,
		},
		{
			name:  "a million participants",
			input: memtest.Repeated(size, `{"resourceType":"Appointment","id":"a-1","status":"booked","participant":[`, `{"actor":{"reference":"Patient/1"}}`, ",", `]}`),
			limit: true,
		},
		{
			name:  "millions of tiny identifiers",
			input: memtest.Repeated(size, `{"resourceType":"Appointment","id":"a-1","status":"booked","identifier":[`, `{}`, ",", `]}`),
			limit: true,
		},
		{
			name:  "random bytes",
			input: random,
		},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var appts []carelogic.Appointment
			var err error
			memtest.Check(t, "Decode: "+tt.name, 2*carelogic.MaxSourceBytes, func() {
				appts, err = Decode(tt.input)
			})
			t.Logf("Decode: %s: %d bytes in, error text %d bytes: %.200v", tt.name, len(tt.input), len(sourcetest.ErrText(err)), err)
			sourcetest.CheckHostile(t, len(appts), err, tt.ok, tt.limit)

			// ReadPath reads the file into memory first, as the caller of Decode did.
			path := filepath.Join(dir, "hostile.json")
			if err := os.WriteFile(path, tt.input, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			var src *Source
			memtest.Check(t, "ReadPath: "+tt.name, 3*carelogic.MaxSourceBytes, func() {
				src, err = ReadPath(path)
			})
			t.Logf("ReadPath: %s: error text %d bytes", tt.name, len(sourcetest.ErrText(err)))
			if !tt.ok && errors.Is(err, carelogic.ErrEmptySource) {
				t.Errorf("ReadPath: the error is an empty source, want the file's")
			}
			sourcetest.CheckHostile(t, len(src.appts), err, tt.ok, tt.limit)
		})
	}
}

// TestHostileUnderTheLimit feeds Decode the costliest documents the limits let through: just under
// carelogic.MaxSourceBytes, with fhir.MaxBundleEntries entries and about carelogic.MaxJSONElements array elements,
// shaped so that every element becomes a decoded struct that is kept to the end.
//
// The bound is 6 × carelogic.MaxSourceBytes (384 MiB): the input (64 MiB), what the limits let decoding keep (a
// million elements of at most 72 bytes, the Patients of a Bundle each with their index entries, the appointments
// returned), and as much garbage again before the collector runs.
func TestHostileUnderTheLimit(t *testing.T) {
	memtest.Hostile(t)
	pad := func(n int) string { return string(bytes.Repeat([]byte("x"), n)) }
	tests := []struct {
		name  string
		entry func(i int) string
	}{
		{
			// Patients are kept whole in the Bundle's index until its appointments are decoded.
			name: "Patients with many names",
			entry: func(i int) string {
				id := strconv.Itoa(i)
				return `{"fullUrl":"urn:uuid:` + id + `","resource":{"resourceType":"Patient","id":"p` + id +
					`","name":[{},{},{},{},{},{},{},{},{}],"text":{"div":"` + pad(520) + `"}}}`
			},
		},
		{
			// Appointments are returned: each with a carelogic.Participant per patient.
			name: "Appointments with many patients",
			entry: func(i int) string {
				id := strconv.Itoa(i)
				return `{"resource":{"resourceType":"Appointment","id":"a` + id + `","status":"booked",` +
					`"start":"2030-01-01T10:00:00Z","end":"2030-01-01T11:00:00Z","participant":[` +
					`{"actor":{"reference":"Patient/1"}},{"actor":{"reference":"Patient/2"}},{"actor":{"reference":"Patient/3"}},` +
					`{"actor":{"reference":"Patient/4"}},{"actor":{"reference":"Patient/5"}},{"actor":{"reference":"Patient/6"}},` +
					`{"actor":{"reference":"Patient/7"}},{"actor":{"reference":"Patient/8"}},{"actor":{"reference":"Patient/9"}}],` +
					`"comment":"` + pad(160) + `"}}`
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString(`{"resourceType":"Bundle","entry":[`)
			for i := range MaxBundleEntries {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(tt.entry(i))
			}
			b.WriteString(`]}`)
			checkUnderTheLimit(t, tt.name, b.Bytes())
		})
	}
	// One Appointment of a thousand participants holding a million elements between them, and a string that
	// brings it to the limit.
	elements := carelogic.MaxJSONElements - 2*carelogic.MaxParticipants
	perParticipant := elements / carelogic.MaxParticipants
	for _, shape := range []struct{ name, element string }{
		{"one Appointment with a million participant types", `{"coding":[]}`},
		{"one Appointment with a million identifiers", `{"system":"s","value":"v"}`},
	} {
		t.Run(shape.name, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString(`{"resourceType":"Appointment","id":"a-1","status":"booked","participant":[`)
			for i := range carelogic.MaxParticipants {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`{"actor":{"reference":"Patient/` + strconv.Itoa(i) + `"},"type":[`)
				if shape.element[1] == 's' { // identifiers go on the reference
					b.Truncate(b.Len() - len(`"},"type":[`))
					b.WriteString(`","identifier":[`)
				}
				for j := range perParticipant {
					if j > 0 {
						b.WriteByte(',')
					}
					b.WriteString(shape.element)
				}
				b.WriteString("]}")
				if shape.element[1] == 's' {
					b.WriteString("}")
				}
			}
			b.WriteString(`],"comment":"`)
			b.WriteString(pad(carelogic.MaxSourceBytes - b.Len() - 2))
			b.WriteString(`"}`)
			checkUnderTheLimit(t, shape.name, b.Bytes())
		})
	}
}

// checkUnderTheLimit decodes input, which must be within the limits, bounding the peak heap as
// TestHostileUnderTheLimit says.
func checkUnderTheLimit(t *testing.T, name string, input []byte) {
	t.Helper()
	if len(input) > carelogic.MaxSourceBytes {
		t.Fatalf("the input is %d bytes, over the limit", len(input))
	}
	var appts []carelogic.Appointment
	var err error
	memtest.Check(t, name, 6*carelogic.MaxSourceBytes, func() {
		appts, err = Decode(input)
	})
	t.Logf("%s: %d bytes in, %d appointments, error %v", name, len(input), len(appts), err)
	if err != nil {
		t.Errorf("Decode: %v", err)
	}
}

// TestHostileReadPath reads hostile files through ReadPath: one over carelogic.MaxSourceBytes, refused from its
// size before it is read, and a folder of files that together pass it.
func TestHostileReadPath(t *testing.T) {
	memtest.Hostile(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(carelogic.MaxSourceBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var src *Source
	memtest.Check(t, "a file over the limit", 1<<20, func() {
		src, err = ReadPath(big)
	})
	t.Logf("error text %d bytes: %v", len(sourcetest.ErrText(err)), err)
	if !errors.Is(err, carelogic.ErrLimit) || src == nil {
		t.Errorf("ReadPath = %v, %v; want a Source and an error wrapping ErrLimit", src, err)
	}
}
