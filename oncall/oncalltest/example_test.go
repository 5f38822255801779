package oncalltest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func ExampleNewServer() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)

	client, err := srv.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	appt, err := client.Appointments.Create(ctx, &oncall.AppointmentCreateParams{
		Title:        "Counselling",
		Type:         oncall.TypeOnline,
		DateTime:     time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC),
		Duration:     50,
		Division:     div,
		Provider:     prov,
		Participants: []oncall.ParticipantParams{{Name: "Alex Doe", Email: "alex.doe@example.com"}},
		Metadata:     oncall.Metadata{"emr_id": "4410"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created", appt.ID, appt.Status)

	for a, err := range client.Appointments.All(ctx, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		emrID, _ := a.Metadata.String("emr_id")
		fmt.Println(a.ID, a.DateTime.Format(time.RFC3339), a.Title, "emr_id="+emrID)
	}
	fmt.Println(srv.RequestCount("POST", "/appointments/"), "create,", srv.RequestCount("GET", "/appointments/"), "listing")
	// Output:
	// created 1001 Incomplete
	// 1001 2030-03-04T14:00:00Z Counselling emr_id=4410
	// 1 create, 1 listing
}

// A create that the server stores but whose answer never arrives: the client reports that the request may have
// been sent, and the server holds the appointment.
func ExampleServer_InjectNext() {
	srv := oncalltest.NewServer()
	defer srv.Close()
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	client, _ := srv.Client()

	_ = srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"})
	_, err := client.Appointments.Create(context.Background(), &oncall.AppointmentCreateParams{
		Title: "Counselling", Type: oncall.TypeOnline, DateTime: time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC),
		Duration: 50, Division: div, Provider: prov,
		Participants: []oncall.ParticipantParams{{Name: "Alex Doe", Email: "alex.doe@example.com"}},
		Metadata:     oncall.Metadata{"emr_id": "4410"},
	})
	var reqErr *oncall.RequestError
	fmt.Println("request may have been sent:", errors.As(err, &reqErr) && reqErr.Sent)
	fmt.Println("appointments stored:", len(srv.Appointments()))
	fmt.Println("faults injected:", srv.FaultCounts())
	// Output:
	// request may have been sent: true
	// appointments stored: 1
	// faults injected: map[commit_then_drop:1]
}

// A patient cancels in OnCall's app; the server posts appointment_updated to the registered URL.
func ExampleServer_CancelAsPatient() {
	received := make(chan string, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- string(b)
	}))
	defer receiver.Close()

	srv := oncalltest.NewServer(oncalltest.WithWebhookBase("https://api.oncallhealth.com"))
	defer srv.Close()
	srv.SetWebhookURL(receiver.URL)
	div := srv.AddDivision("Downtown Clinic")
	id, _ := srv.AddAppointment(oncalltest.Appointment{
		Title: "Counselling", Type: oncall.TypeOnline, DateTime: time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC),
		Duration: 50, Division: div,
		Participants: []oncalltest.Participant{{Name: "Alex Doe", Email: "alex.doe@example.com"}},
	})

	_ = srv.CancelAsPatient(id, "Feeling unwell")
	_ = srv.WaitWebhooks(context.Background())
	fmt.Println(<-received)
	rec, _ := srv.AppointmentRecord(id)
	fmt.Println(rec.Status, "/", rec.Participants[0].Status, "/", rec.Cancellation)
	// Output:
	// {"event":"appointment_updated","url":"https://api.oncallhealth.com/appointments/1001"}
	// Patient cancelled / Cancelled by Client / Feeling unwell
}
