package fhir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
)

// TestDecodeSeeds decodes the small documents in testdata/seeds, which FuzzDecode starts from, so that the fuzzer
// starts from inputs known to decode to what they mean.
func TestDecodeSeeds(t *testing.T) {
	t.Parallel()
	est, ist := time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800)
	tests := map[string][]carelogic.Appointment{
		"appointment-minimal.json": {{
			ID: "min-1", Source: "fhir", Kind: carelogic.Individual, ProviderID: "pr-7",
			Start: time.Date(2030, 3, 4, 9, 0, 0, 0, est), Duration: 50 * time.Minute,
			Participants: []carelogic.Participant{{ClientID: "p-100", Status: carelogic.StatusScheduled}},
		}},
		"appointment-r5-virtual.json": {{
			ID: "r5-1", Source: "fhir", SeriesID: "r5-0", Kind: carelogic.Group, Modality: carelogic.Video, ProviderID: "pr-1",
			Start: time.Date(2030, 3, 11, 18, 0, 0, 0, ist), Duration: 90 * time.Minute, Activity: "DBT Skills Group",
			Participants: []carelogic.Participant{{ClientID: "p-1", Status: carelogic.StatusScheduled}},
		}},
		"bundle-searchset.json": {
			{
				ID: "4410", Source: "fhir", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "pr-3",
				Start: time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC), Duration: 50 * time.Minute, Activity: "Individual Therapy",
				Participants: []carelogic.Participant{{ClientID: "cl-2001", Name: "Sample Client", Email: "sample.client@example.org", Status: carelogic.StatusCBC}},
				Comments:     "Client cancelled: travelling", UpdatedAt: time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC),
			},
			{
				ID: "ss-2", Source: "fhir", Kind: carelogic.Group, ProviderID: "pr-9",
				Start: time.Date(2030, 3, 5, 18, 0, 0, 0, est), Duration: 90 * time.Minute, Activity: "Group Therapy",
				Participants: []carelogic.Participant{
					{ClientID: "cl-2001", Name: "Sample Client", Email: "sample.client@example.org", Status: carelogic.StatusKept},
					{ClientID: "cl-2002", Status: carelogic.StatusDNS},
				},
			},
		},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.json"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("testdata/seeds holds %d files (%v), want %d", len(files), err, len(tests))
	}
	for name, want := range tests {
		data, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}
