package syncer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
)

// TestValidAgreesWithValidate holds valid to carelogic's Validate: valid never accepts an appointment Validate
// refuses, and it accepts the usual ones, so that the planner's fast path is taken.
func TestValidAgreesWithValidate(t *testing.T) {
	t.Parallel()
	base := oneToOne("a1", days(1), client(1))
	grp := group("g1", days(1), clients(1, 8)...)
	tests := []struct {
		name string
		edit func(a *carelogic.Appointment)
		from carelogic.Appointment
		// valid is what valid answers; refused, whether Validate refuses it.
		valid, refused bool
	}{
		{"1:1", func(*carelogic.Appointment) {}, base, true, false},
		{"group", func(*carelogic.Appointment) {}, grp, true, false},
		{"in person", func(a *carelogic.Appointment) { a.Modality = carelogic.InPerson }, base, true, false},
		{"group of 25", func(a *carelogic.Appointment) { a.Participants = clients(1, 25) }, grp, true, false},
		{"no id", func(a *carelogic.Appointment) { a.ID = "" }, base, false, true},
		{"no start", func(a *carelogic.Appointment) { a.Start = time.Time{} }, base, false, true},
		{"no duration", func(a *carelogic.Appointment) { a.Duration = 0 }, base, false, true},
		{"negative duration", func(a *carelogic.Appointment) { a.Duration = -time.Minute }, base, false, true},
		{"phone", func(a *carelogic.Appointment) { a.Modality = "phone" }, base, false, true},
		{"no modality", func(a *carelogic.Appointment) { a.Modality = "" }, base, false, true},
		{"unknown kind", func(a *carelogic.Appointment) { a.Kind = "couple" }, base, false, true},
		{"1:1 with two", func(a *carelogic.Appointment) { a.Participants = clients(1, 2) }, base, false, true},
		{"1:1 with none", func(a *carelogic.Appointment) { a.Participants = nil }, base, false, true},
		{"empty group", func(a *carelogic.Appointment) { a.Participants = nil }, grp, false, true},
		{"group of 26", func(a *carelogic.Appointment) { a.Participants = clients(1, 26) }, grp, false, true},
		{"group of 26, one in Error", func(a *carelogic.Appointment) {
			a.Participants = clients(1, 26)
			a.Participants[3].Status = carelogic.StatusError
		}, grp, false, false}, // valid leaves it to Validate, which counts only those not in Error
		{"client without id", func(a *carelogic.Appointment) { a.Participants[0].ClientID = "" }, base, false, true},
		{"client twice", func(a *carelogic.Appointment) { a.Participants[5] = a.Participants[2] }, grp, false, true},
	}
	for _, tt := range tests {
		a := tt.from.Clone()
		tt.edit(&a)
		if got := valid(&a); got != tt.valid {
			t.Errorf("%s: valid = %v, want %v", tt.name, got, tt.valid)
		}
		if err := a.Validate(); (err != nil) != tt.refused {
			t.Errorf("%s: Validate = %v, want refused = %v", tt.name, err, tt.refused)
		}
	}
	// Random appointments, most of them broken somewhere.
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	for i := range 20000 {
		a := carelogic.Appointment{
			ID: pick("", "a1"), Kind: carelogic.Kind(pick("individual", "group", "", "x")),
			Modality: carelogic.Modality(pick("video", "in-person", "phone", "")),
			Duration: time.Duration(r.IntN(3)-1) * time.Hour,
		}
		if r.IntN(4) > 0 {
			a.Start = days(1)
		}
		for range r.IntN(28) {
			a.Participants = append(a.Participants, carelogic.Participant{ClientID: pick("", "c1", "c2", fmt.Sprint("c", r.IntN(40))),
				Status: carelogic.Status(pick("", "Error", "Kept"))})
		}
		if valid(&a) && a.Validate() != nil {
			t.Fatalf("case %d: valid accepts %+v, which Validate refuses: %v", i, a, a.Validate())
		}
	}
}
