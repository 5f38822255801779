package siu

import (
	"strings"
	"testing"
)

func BenchmarkDecode(b *testing.B) {
	data := fixture(b, "SIU-S12-01.hl7")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeManyRepetitions guards against work that grows with the square of a field's repetitions.
func BenchmarkDecodeManyRepetitions(b *testing.B) {
	data := []byte(strings.Replace(message("S12", "Booked", ""), "^NET^Internet^jane@example.org",
		strings.Repeat("555^PRN^PH~", 100_000)+"^NET^Internet^jane@example.org", 1))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s, err := Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		if s.Appointment.Participants[0].Email != "jane@example.org" {
			b.Fatal("email not found")
		}
	}
}

func BenchmarkFeedApply(b *testing.B) {
	snaps := make([]Snapshot, 0, len(lifecycle01))
	for _, name := range lifecycle01 {
		s, err := Decode(fixture(b, name))
		if err != nil {
			b.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	for b.Loop() {
		f := NewFeed()
		for _, s := range snaps {
			f.ApplySnapshot(s)
		}
	}
}
