package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

func ExampleNewHandler() {
	// A stand-in for OnCall's API that holds one appointment; oncall/oncalltest is the full fake.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/appointments/1234/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"url": "https://api.oncallhealth.ca/appointments/1234/", "title": "Sample API appointment",
			"datetime": "2026-01-15T0:00:00Z", "duration": 60, "type": "online", "cancelled": false,
			"division": "https://api.oncallhealth.ca/divisions/123/", "participants": [], "metadata": {"emr_id": "12345"}}`)
	}))
	defer api.Close()

	client, err := oncall.NewClient(oncall.RegionCA, "api-key", oncall.WithBaseURL(api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := webhook.NewHandler(client, func(ctx context.Context, d webhook.Delivery) error {
		if d.Appointment == nil {
			return nil // an unknown event, or an appointment the API does not show
		}
		a := d.Appointment
		emrID, _ := a.Metadata.String("emr_id")
		fmt.Printf("%s: appointment %d %q at %s, EHR id %s\n", d.Event.Type, a.ID, a.Title, a.DateTime.Format(time.RFC3339), emrID)
		return nil // or put it on a queue, and return once it is there
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// In a server: http.Handle("POST /oncall/webhook", h).

	body := `{"event": "appointment_updated", "url": "https://api.oncallhealth.com/appointments/1234"}`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/oncall/webhook", strings.NewReader(body)))
	fmt.Println(rec.Code)

	// The same id on the US host is another appointment, which a Canadian client must not read.
	body = `{"event": "appointment_updated", "url": "https://api.oncallhealth.us/appointments/1234"}`
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/oncall/webhook", strings.NewReader(body)))
	fmt.Println(rec.Code)
	// Output:
	// appointment_updated: appointment 1234 "Sample API appointment" at 2026-01-15T00:00:00Z, EHR id 12345
	// 200
	// 422
}

func ExampleParse() {
	e, err := webhook.Parse([]byte(`{"event": "appointment_created", "url": "https://api.oncallhealth.com/appointments/1"}`))
	fmt.Println(e.Type, e.Type.Known(), e.AppointmentID, err)

	e, err = webhook.Parse([]byte(`{"event": "appointment_archived", "url": "https://api.oncallhealth.com/appointments/1"}`))
	fmt.Println(e.Type, e.Type.Known(), e.AppointmentID, err)

	_, err = webhook.Parse([]byte(`{"event": "appointment_created", "url": "https://api.oncallhealth.ca.example.com/appointments/1"}`))
	fmt.Println(errors.Is(err, webhook.ErrOriginNotAllowed))
	// Output:
	// appointment_created true 1 <nil>
	// appointment_archived false 0 <nil>
	// true
}

func ExampleAppointmentIDFromURL() {
	id, err := webhook.AppointmentIDFromURL("https://api.oncallhealth.com/appointments/1")
	fmt.Println(id, err)

	// A fake server's URL is accepted when its root is given.
	id, err = webhook.AppointmentIDFromURL("http://127.0.0.1:8080/appointments/42/", "http://127.0.0.1:8080/")
	fmt.Println(id, err)

	_, err = webhook.AppointmentIDFromURL("https://api.oncallhealth.com/appointments/1?page=2")
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// 42 <nil>
	// webhook: malformed payload: url has a query
}

func ExampleSharedSecretHeader() {
	// An empty (say, unset) secret is an error, never a verifier that lets everything through.
	_, err := webhook.SharedSecretHeader("X-OnCall-Secret", "")
	fmt.Println(err)

	verify, err := webhook.SharedSecretHeader("X-OnCall-Secret", "a-secret-agreed-with-oncall")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Give it to the handler with webhook.WithVerifier(verify); here it is called directly.
	r := httptest.NewRequest(http.MethodPost, "/oncall/webhook", nil)
	fmt.Println(verify(r, nil))
	r.Header.Set("X-OnCall-Secret", "a-secret-agreed-with-oncall")
	fmt.Println(verify(r, nil))
	// Output:
	// webhook: SharedSecretHeader: secret 0 is empty or shorter than 16 bytes
	// webhook: request not verified: header X-OnCall-Secret is missing
	// <nil>
}

func ExampleHMACScheme() {
	scheme := webhook.HMACScheme{SignatureHeader: "X-Signature", TimestampHeader: "X-Signature-Timestamp"}
	verify, err := scheme.Verifier("a-secret-agreed-with-the-sender")
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte(`{"event": "appointment_created", "url": "https://api.oncallhealth.com/appointments/1"}`)
	r := httptest.NewRequest(http.MethodPost, "/oncall/webhook", nil)
	if err := scheme.Sign(r.Header, "a-secret-agreed-with-the-sender", time.Now(), body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(verify(r, body))
	fmt.Println(verify(r, []byte(`{"event": "appointment_created", "url": "https://api.oncallhealth.com/appointments/2"}`)))
	// Output:
	// <nil>
	// webhook: request not verified: signature does not match
}
