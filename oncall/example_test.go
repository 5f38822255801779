package oncall_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

func ExampleNewClient() {
	// The region is required: there is no default, so that patient data cannot reach the wrong country. The
	// token is the caller's to read (from the environment or a secret store); NewClient reads nothing itself.
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key",
		oncall.WithUserAgent("acme-ehr-sync/1.0 oncall-go/"+oncall.Version),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Region(), client.BaseURL())
	fmt.Println(client.AppointmentURL(1234))

	_, err = oncall.NewClient("", "your-api-key")
	fmt.Println(err)
	// Output:
	// ca https://api.oncallhealth.ca/
	// https://api.oncallhealth.ca/appointments/1234/
	// oncall: NewClient: unknown region: use RegionCA or RegionUS
}

func ExampleParseRegion() {
	// A region from configuration, e.g. an environment variable.
	region, err := oncall.ParseRegion("US")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(region, region.BaseURL())
	// Output:
	// us https://api.oncallhealth.us/
}

func ExampleAppointmentsService_All() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key", oncall.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// All fetches the next page only when the loop reaches it; breaking out of the loop stops fetching.
	ctx := context.Background()
	for appt, err := range client.Appointments.All(ctx, &oncall.AppointmentListOptions{Ordering: "datetime"}) {
		if err != nil {
			log.Fatal(err)
		}
		emrID, _ := appt.Metadata.String("emr_id")
		fmt.Println(appt.ID, appt.DateTime.Format(time.RFC3339), appt.Type, emrID)
	}
	// Output:
	// 1001 2026-01-15T09:00:00Z online CL-5001
	// 1002 2026-01-15T10:30:00Z inperson CL-5002
	// 1003 2026-01-16T09:00:00Z phone CL-5003
}

func ExampleAppointmentsService_Create() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key", oncall.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	appt, err := client.Appointments.Create(context.Background(), &oncall.AppointmentCreateParams{
		Title:    "Intake",
		Type:     oncall.TypeOnline,
		DateTime: time.Date(2026, time.January, 15, 9, 0, 0, 0, time.UTC),
		Duration: 60,
		Division: 123,
		Participants: []oncall.ParticipantParams{
			{Name: "Test Patient", Email: "test.patient@example.com", Fee: oncall.MustDecimal("10.00")},
		},
		// The EHR's id of the appointment makes it findable again, and a retried create detectable.
		Metadata: oncall.Metadata{"emr_id": "CL-5001"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(appt.ID, appt.Title, appt.DateTime.Format(time.RFC3339), appt.Status)
	fmt.Println("fee:", appt.Participants[0].Fee)
	// Output:
	// 1234 Intake 2026-01-15T09:00:00Z Incomplete
	// fee: 10.00
}

func ExampleAppointmentCreateParams_Validate() {
	params := &oncall.AppointmentCreateParams{
		Title:    "Group session",
		Type:     "video", // the API calls it "online"
		Duration: 90,
		Division: 123,
		Participants: []oncall.ParticipantParams{
			{Name: "Test Patient", Email: "test.patient@example.com"},
		},
	}
	// Create validates too, and sends nothing when the parameters are invalid.
	err := params.Validate()
	fmt.Println(errors.Is(err, oncall.ErrInvalidParams))
	fmt.Println(err)
	// Output:
	// true
	// oncall: invalid appointment: type (a value of 5 characters): must be one of online, inperson, phone, message; datetime is required unless type is "message"
}

func ExampleParticipantParams_Validate() {
	// An EHR client with no email on file: set aside rather than have the whole list refused.
	newcomer := oncall.ParticipantParams{Name: "Test Patient"}
	err := newcomer.Validate()
	fmt.Println(errors.Is(err, oncall.ErrInvalidParams))
	fmt.Println(err)
	// Output:
	// true
	// oncall: invalid participant: email is missing or malformed
}

func ExampleAppointmentsService_Update() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key", oncall.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// Only the fields set are sent (a PATCH); the rest of the appointment is left as it is.
	appt, err := client.Appointments.Update(context.Background(), 1234, &oncall.AppointmentUpdateParams{
		DateTime: oncall.Ptr(time.Date(2026, time.January, 15, 14, 0, 0, 0, time.UTC)),
		Duration: oncall.Ptr(45),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(appt.ID, appt.Title, appt.DateTime.Format(time.RFC3339), appt.Duration)
	// Output:
	// 1234 Intake 2026-01-15T14:00:00Z 45
}

func ExampleAppointmentsService_Cancel() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key", oncall.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	appt, err := client.Appointments.Cancel(context.Background(), 1234)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(appt.ID, appt.Cancelled, appt.Status)
	// Output:
	// 1234 true Provider cancelled
}

func ExampleAPIError() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key", oncall.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.Appointments.Get(context.Background(), 999)
	if errors.Is(err, oncall.ErrNotFound) {
		fmt.Println("no such appointment")
	}
	// The error text names the request, never the body; the parsed messages are there for a caller that wants them.
	var apiErr *oncall.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Messages)
	}
	fmt.Println(err)
	// Output:
	// no such appointment
	// 404 [Not found.]
	// oncall: GET /appointments/999/: 404 Not Found
}

func ExampleClient_ParseAppointmentURL() {
	client, err := oncall.NewClient(oncall.RegionCA, "your-api-key")
	if err != nil {
		log.Fatal(err)
	}
	// A URL stored on an EHR record turns back into an id, but only on the client's own region.
	id, err := client.ParseAppointmentURL("https://api.oncallhealth.ca/appointments/1234/")
	fmt.Println(id, err)
	_, err = client.ParseAppointmentURL("https://api.oncallhealth.us/appointments/1234/")
	fmt.Println(errors.Is(err, oncall.ErrCrossOrigin))
	// Output:
	// 1234 <nil>
	// true
}

func ExampleDecimal() {
	// Fees keep the digits the API sent; Equal compares values.
	a, b := oncall.MustDecimal("10"), oncall.MustDecimal("10.0")
	fmt.Println(a, b, a.Equal(b))
	c, _ := oncall.ParseDecimal("1.5e2")
	fmt.Println(c)
	// Output:
	// 10 10.0 true
	// 150
}

// newExampleServer starts a small stand-in for the OnCall API that answers the examples' calls with canned JSON,
// in the API's own shapes (URLs as references, a one-digit hour, the pagination envelope). Tests of real
// integrations would use the oncalltest package instead.
func newExampleServer() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /appointments/{$}", func(w http.ResponseWriter, r *http.Request) {
		root := "http://" + r.Host + "/"
		if r.URL.Query().Get("page") == "2" {
			exampleReply(w, http.StatusOK, map[string]any{"count": 3, "next": nil, "previous": root + "appointments/?ordering=datetime",
				"results": []any{exampleAppointment(root, 1003, "2026-01-16T9:00:00Z", "phone")}})
			return
		}
		exampleReply(w, http.StatusOK, map[string]any{"count": 3, "next": root + "appointments/?ordering=datetime&page=2", "previous": nil,
			"results": []any{
				exampleAppointment(root, 1001, "2026-01-15T9:00:00Z", "online"),
				exampleAppointment(root, 1002, "2026-01-15T10:30:00Z", "inperson"),
			}})
	})
	mux.HandleFunc("POST /appointments/{$}", func(w http.ResponseWriter, r *http.Request) {
		root := "http://" + r.Host + "/"
		var appt map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber() // keeps a fee's digits, as OnCall does
		if err := dec.Decode(&appt); err != nil {
			exampleReply(w, http.StatusBadRequest, map[string]any{"detail": "JSON parse error."})
			return
		}
		appt["url"] = root + "appointments/1234/"
		appt["status"], appt["cancelled"] = "Incomplete", false
		for i, p := range appt["participants"].([]any) {
			p.(map[string]any)["url"] = fmt.Sprintf("%sparticipants/%d/", root, 56+i)
		}
		exampleReply(w, http.StatusCreated, appt)
	})
	mux.HandleFunc("PATCH /appointments/1234/", func(w http.ResponseWriter, r *http.Request) {
		appt := exampleAppointment("http://"+r.Host+"/", 1234, "2026-01-15T9:00:00Z", "online")
		var patch map[string]any
		if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
			exampleReply(w, http.StatusBadRequest, map[string]any{"detail": "JSON parse error."})
			return
		}
		maps.Copy(appt, patch)
		if patch["cancelled"] == true {
			appt["status"] = "Provider cancelled"
		}
		exampleReply(w, http.StatusOK, appt)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		exampleReply(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
	})
	return httptest.NewServer(mux)
}

func exampleAppointment(root string, id int, datetime, typ string) map[string]any {
	title := "Intake"
	if id != 1234 {
		title = fmt.Sprintf("Session %d", id)
	}
	return map[string]any{
		"url":          fmt.Sprintf("%sappointments/%d/", root, id),
		"title":        title,
		"datetime":     datetime,
		"duration":     60,
		"type":         typ,
		"status":       "Incomplete",
		"cancelled":    false,
		"division":     root + "divisions/123/",
		"participants": []any{},
		"metadata":     map[string]any{"emr_id": fmt.Sprintf("CL-%d", id+4000)},
	}
}

func exampleReply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
