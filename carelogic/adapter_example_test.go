package carelogic_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// visitRow and attendeeRow are rows as the clinic's own database returns them.
type visitRow struct {
	VisitID, Clinician string
	StartsAt           string // local wall time, "2006-01-02 15:04"
	Minutes            int
	KindCode           string // "IND" (1:1 on video) or "GRP" (group at the clinic)
	Attendees          []attendeeRow
}

type attendeeRow struct{ ClientNo, FullName, Email, Status string }

// clinicDB is a carelogic.Adapter over the clinic's rows. It never changes them, so it is safe for concurrent use.
type clinicDB struct {
	loc  *time.Location
	rows []visitRow
}

var attendeeStatus = map[string]carelogic.Status{"BOOKED": carelogic.StatusScheduled, "SHOW": carelogic.StatusKept,
	"NOSHOW": carelogic.StatusDNS, "CXL-PT": carelogic.StatusCBC, "CXL-STAFF": carelogic.StatusCBT}

// Appointments yields the visits that start in [from, to). A visit whose start cannot be read may or may not
// belong to the window, so it ends the sequence with an error rather than being left out: the sync then stops
// instead of taking the visit's OnCall appointment for one deleted in the EHR. Any other problem is mapped as it
// is, and the syncer validates each appointment, reporting an invalid one for staff while it syncs the rest.
func (db *clinicDB) Appointments(ctx context.Context, from, to time.Time) iter.Seq2[carelogic.Appointment, error] {
	return func(yield func(carelogic.Appointment, error) bool) {
		for _, r := range db.rows {
			if err := ctx.Err(); err != nil {
				yield(carelogic.Appointment{}, err)
				return
			}
			a, err := db.toAppointment(r)
			if err != nil {
				yield(carelogic.Appointment{}, err)
				return
			}
			if !a.Start.Before(from) && a.Start.Before(to) && !yield(a, nil) {
				return
			}
		}
	}
}

// Appointment returns the visit with the given id, or an error wrapping carelogic.ErrNotFound.
func (db *clinicDB) Appointment(ctx context.Context, id string) (carelogic.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return carelogic.Appointment{}, err
	}
	for _, r := range db.rows {
		if r.VisitID == id {
			return db.toAppointment(r)
		}
	}
	return carelogic.Appointment{}, fmt.Errorf("clinicdb: visit %q: %w", id, carelogic.ErrNotFound)
}

// toAppointment maps a row. Its errors name the visit, never a client's name or email.
func (db *clinicDB) toAppointment(r visitRow) (carelogic.Appointment, error) {
	start, err := time.ParseInLocation("2006-01-02 15:04", r.StartsAt, db.loc)
	if err != nil {
		return carelogic.Appointment{}, fmt.Errorf("clinicdb: visit %q: start: %w", r.VisitID, err)
	}
	a := carelogic.Appointment{ID: r.VisitID, Source: "clinicdb", ProviderID: r.Clinician, Start: start,
		Duration: time.Duration(r.Minutes) * time.Minute, Kind: carelogic.Kind(r.KindCode)} // Validate reports an unknown code
	switch r.KindCode {
	case "IND":
		a.Kind, a.Modality, a.Activity = carelogic.Individual, carelogic.Video, "Individual Therapy"
	case "GRP":
		a.Kind, a.Modality, a.Activity = carelogic.Group, carelogic.InPerson, "Skills Group"
	}
	for _, at := range r.Attendees {
		status, ok := attendeeStatus[at.Status]
		if !ok {
			status = carelogic.Status(at.Status) // an agency's own status, kept by name
		}
		a.Participants = append(a.Participants,
			carelogic.Participant{ClientID: at.ClientNo, Name: at.FullName, Email: at.Email, Status: status})
	}
	return a, nil
}

// An integrator's own Adapter, synced to an in-memory OnCall server.
func ExampleAdapter() {
	toronto, err := time.LoadLocation("America/Toronto")
	if err != nil {
		fmt.Println(err)
		return
	}
	avery := attendeeRow{"C-17", "Avery Example", "avery@example.com", "BOOKED"}
	db := &clinicDB{loc: toronto, rows: []visitRow{
		{"V-990", "DR-SMITH", "2030-02-26 09:00", 50, "IND", []attendeeRow{{"C-17", "Avery Example", "avery@example.com", "SHOW"}}},
		{"V-1001", "DR-SMITH", "2030-03-05 09:00", 50, "IND", []attendeeRow{avery}},
		{"V-1002", "DR-SMITH", "2030-03-06 18:00", 90, "GRP", []attendeeRow{avery,
			{"C-23", "Sam Roe", "sam@example.com", "CXL-PT"}, {"C-31", "Kim Lee", "kim@example.com", "BOOKED"}}},
	}}

	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	smith := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	policy := syncer.DefaultPolicy(div)
	policy.Providers = map[string]oncall.ProviderID{"DR-SMITH": smith}
	policy.Now = now
	window := syncer.Window{From: now, To: now.AddDate(0, 0, 7)} // V-990 is before it, and not read

	rep, err := (&syncer.Runner{Client: client}).Sync(context.Background(), db, window, policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", rep.Applied[syncer.ActionCreate], "skipped:", len(rep.Skipped))
	held := srv.Appointments() // in order of id, which concurrent creates make vary: sort by start
	slices.SortFunc(held, func(x, y oncall.Appointment) int { return x.DateTime.Compare(y.DateTime) })
	for _, a := range held {
		fmt.Printf("%s %s (%s), %d invited, cancelled: %t\n",
			a.DateTime.Format("2006-01-02 15:04 MST"), a.Title, a.Type, len(a.Participants), a.Cancelled)
	}
	// Output:
	// created: 2 skipped: 0
	// 2030-03-05 14:00 UTC Individual Therapy (online), 1 invited, cancelled: false
	// 2030-03-06 23:00 UTC Skills Group (inperson), 2 invited, cancelled: false
}
