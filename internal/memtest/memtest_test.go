package memtest

import "testing"

var sink []byte

func TestMeasureSeesAnAllocation(t *testing.T) {
	r := Measure(func() {
		sink = make([]byte, 32<<20)
		for i := range sink {
			sink[i] = 1
		}
	})
	sink = nil
	if r.PeakHeap < 32<<20 {
		t.Errorf("PeakHeap = %d, want at least %d for a 32 MiB slice", r.PeakHeap, 32<<20)
	}
}
