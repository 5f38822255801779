package main

import (
	"fmt"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// The demo account: seedCount appointments, seedPerDay a day on the hour from 08:00 UTC, over the days from
// seedFirstDay (relative to today) on. The past days' appointments are completed or no-shows, and every seventh
// appointment is cancelled.
const (
	seedCount    = 60
	seedPerDay   = 10
	seedFirstDay = -2
)

// seedAppointments returns the demo account's appointments, in the order they are booked. That order is not the
// order of their times, so that a listing by id (the API's default) and one by datetime differ visibly.
func seedAppointments(div oncall.DivisionID, prov oncall.ProviderID, now time.Time) []oncalltest.Appointment {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	types := []oncall.AppointmentType{oncall.TypeOnline, oncall.TypeInPerson, oncall.TypePhone}
	out := make([]oncalltest.Appointment, 0, seedCount)
	for i := range seedCount {
		slot := i * 37 % seedCount // 37 is coprime with 60: every slot once, in a scrambled order
		day := seedFirstDay + slot/seedPerDay
		a := oncalltest.Appointment{
			Title:    "Individual Therapy",
			Type:     types[i%len(types)],
			DateTime: today.AddDate(0, 0, day).Add(time.Duration(8+slot%seedPerDay) * time.Hour),
			Duration: 50,
			Division: div,
			Provider: prov,
			// Invented people on a domain reserved for documentation; the program prints neither.
			Participants: []oncalltest.Participant{{
				Name:  fmt.Sprintf("Client %02d", i+1),
				Email: fmt.Sprintf("client%02d@example.org", i+1),
			}},
		}
		switch {
		case i%7 == 3:
			a.Cancelled, a.Status = true, oncall.StatusPatientCancelled
			a.Participants[0].Cancelled, a.Participants[0].Status = true, oncall.ParticipantCancelledByClient
		case day < 0 && i%4 == 0:
			a.Status = oncall.StatusNoShow
		case day < 0:
			a.Status = oncall.StatusComplete
		}
		out = append(out, a)
	}
	return out
}

// startFake starts the in-memory OnCall server holding the demo account, and a client of it.
func startFake(now time.Time) (*oncalltest.Server, *oncall.Client, error) {
	srv := oncalltest.NewServer()
	div := srv.AddDivision("Demo clinic")
	prov := srv.AddProvider("Demo Provider", "provider@clinic.example.org", div)
	for _, a := range seedAppointments(div, prov, now) {
		if _, err := srv.AddAppointment(a); err != nil {
			srv.Close()
			return nil, nil, err
		}
	}
	// The fake has no rate limit of its own; the client's is raised so the demo runs at loopback speed.
	client, err := srv.Client(oncall.WithRateLimit(500, 50))
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, client, nil
}
