package oncall

import (
	"encoding/json"
	"testing"
)

// The parts of BenchmarkDecodeAppointmentsPage that the client decodes itself, each beside encoding/json's plain
// reading of the same bytes: an appointment's metadata as the syncer writes it, and a reference.

func BenchmarkDecodeMetadata(b *testing.B) {
	data := []byte(`{"emr_id": "A000123", "emr_source": "carelogic", "emr_series_id": "S17",
		"emr_clients": "C246=k2j4h5g6f7,C247=a1b2c3d4e5", "series": 17, "group": true}`)
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Metadata
			if err := json.Unmarshal(data, &m); err != nil || len(m) != 6 {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil || len(m) != 6 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeRef(b *testing.B) {
	data := []byte(`"https://api.oncallhealth.ca/divisions/123/"`)
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var id DivisionID
			if err := id.UnmarshalJSON(data); err != nil || id != 123 {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s string
			if err := json.Unmarshal(data, &s); err != nil || s == "" {
				b.Fatal(err)
			}
		}
	})
}
