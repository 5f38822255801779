package oncalltest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// receiver is a webhook endpoint that records what it is sent and answers with the statuses it is given, then 200.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	events   []map[string]string
	headers  []http.Header
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var ev map[string]string
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("webhook body %q: %v", b, err)
		}
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.headers = append(r.headers, req.Header.Clone())
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]string(nil), r.events...)
}

func waitWebhooks(t *testing.T, srv *oncalltest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookEvents(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	w := newWorld(t, oncalltest.WithWebhookURL(rcv.URL), oncalltest.WithUndocumentedParticipantAPI())
	client := w.client(t)
	ctx := t.Context()
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

	seeded := w.seed(t, oneToOne("S1", start)) // seeding sends nothing
	a, err := client.Appointments.Create(ctx, w.params("E1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Appointments.Update(ctx, a.ID, &oncall.AppointmentUpdateParams{Title: oncall.Ptr("Intake")}); err != nil {
		t.Fatal(err)
	}
	p, err := client.Participants.Create(ctx, &oncall.ParticipantCreateParams{Appointment: a.ID,
		ParticipantParams: oncall.ParticipantParams{Name: "Sam Roe", Email: "sam@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Participants.SetStatus(ctx, p.ID, oncall.ParticipantNoShow); err != nil {
		t.Fatal(err)
	}
	if err := client.Participants.Delete(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.CancelAsPatient(a.ID, "Feeling unwell"); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Complete(seeded); err != nil {
		t.Fatal(err)
	}
	book := oneToOne("", start)
	book.Division = w.div
	booked, err := w.srv.BookAsUser(book)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Appointments.Get(ctx, a.ID); err != nil { // reads send nothing
		t.Fatal(err)
	}
	waitWebhooks(t, w.srv)

	ev := func(event string, id oncall.AppointmentID) map[string]string {
		return map[string]string{"event": event, "url": fmt.Sprintf("%s/appointments/%d", w.srv.URL(), id)}
	}
	want := []map[string]string{
		ev("appointment_created", a.ID),
		ev("appointment_updated", a.ID), // title
		ev("appointment_updated", a.ID), // participant added
		ev("appointment_updated", a.ID), // participant status
		ev("appointment_updated", a.ID), // participant removed
		ev("appointment_updated", a.ID), // cancelled by the patient
		ev("appointment_updated", seeded),
		ev("appointment_created", booked),
	}
	if diff := cmp.Diff(want, rcv.received()); diff != "" {
		t.Errorf("webhooks received (-want +got):\n%s", diff)
	}
	for i, d := range w.srv.WebhookDeliveries() {
		if !d.Delivered || d.Attempts != 1 || d.StatusCode != 200 || d.Target != rcv.URL || d.URL != want[i]["url"] || d.Event != want[i]["event"] {
			t.Errorf("delivery %d: %+v", i, d)
		}
	}
	h := rcv.headers[0]
	if h.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 500, 503)
	w := newWorld(t, oncalltest.WithWebhookURL(rcv.URL), oncalltest.WithWebhookRetry(3, time.Millisecond))
	id := w.seed(t, oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	if err := w.srv.Complete(id); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, w.srv)
	ev := map[string]string{"event": "appointment_updated", "url": fmt.Sprintf("%s/appointments/%d", w.srv.URL(), id)}
	if diff := cmp.Diff([]map[string]string{ev, ev, ev}, rcv.received()); diff != "" {
		t.Errorf("posts received (-want +got):\n%s", diff)
	}
	d := w.srv.WebhookDeliveries()
	if len(d) != 1 || !d[0].Delivered || d[0].Attempts != 3 || d[0].StatusCode != 200 || d[0].Finished.IsZero() {
		t.Errorf("deliveries %+v, want one delivered on the third attempt", d)
	}
}

func TestWebhookGivesUpAndKeepsOrder(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 500, 500, 500)
	w := newWorld(t, oncalltest.WithWebhookURL(rcv.URL), oncalltest.WithWebhookRetry(2, time.Millisecond))
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	a := w.seed(t, oneToOne("A", start))
	b := w.seed(t, oneToOne("B", start))
	if err := w.srv.Complete(a); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.CancelAsProvider(b); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, w.srv)
	type view struct {
		URL        string
		Attempts   int
		StatusCode int
		Delivered  bool
	}
	var got []view
	for _, d := range w.srv.WebhookDeliveries() {
		got = append(got, view{d.URL, d.Attempts, d.StatusCode, d.Delivered})
	}
	u := func(id oncall.AppointmentID) string { return fmt.Sprintf("%s/appointments/%d", w.srv.URL(), id) }
	want := []view{{u(a), 3, 500, false}, {u(b), 1, 200, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	var urls []string
	for _, e := range rcv.received() {
		urls = append(urls, e["url"])
	}
	if diff := cmp.Diff([]string{u(a), u(a), u(a), u(b)}, urls); diff != "" {
		t.Errorf("posts in order (-want +got):\n%s", diff)
	}
}

func TestWebhookBaseAndHeader(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	w := newWorld(t, oncalltest.WithWebhookBase("https://api.oncallhealth.com/"), oncalltest.WithWebhookHeader("X-Webhook-Secret", "s3"))
	w.srv.SetWebhookURL(rcv.URL)
	book := oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC))
	book.Division = w.div
	id, err := w.srv.BookAsUser(book)
	if err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, w.srv)
	want := []map[string]string{{"event": "appointment_created", "url": fmt.Sprintf("https://api.oncallhealth.com/appointments/%d", id)}}
	if diff := cmp.Diff(want, rcv.received()); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if got := rcv.headers[0].Get("X-Webhook-Secret"); got != "s3" {
		t.Errorf("X-Webhook-Secret %q, want s3", got)
	}
	w.srv.SetWebhookURL("")
	if err := w.srv.Complete(id); err != nil {
		t.Fatal(err)
	}
	waitWebhooks(t, w.srv)
	if n := len(w.srv.WebhookDeliveries()); n != 1 {
		t.Errorf("%d deliveries after unregistering, want 1", n)
	}
}

func TestWebhookAfterCommitThenDrop(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	w := newWorld(t, oncalltest.WithWebhookURL(rcv.URL))
	if err := w.srv.InjectNext(oncalltest.FaultCommitThenDrop, 1, oncalltest.Match{Method: "POST"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client(t).Appointments.Create(t.Context(), w.params("E1")); err == nil {
		t.Fatal("Create succeeded through a dropped connection")
	}
	waitWebhooks(t, w.srv)
	got := rcv.received()
	if len(got) != 1 || got[0]["event"] != "appointment_created" {
		t.Errorf("received %v, want one appointment_created", got)
	}
}

func TestCloseAbandonsWebhooks(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer rcv.Close()
	defer close(release)
	srv := oncalltest.NewServer(oncalltest.WithWebhookURL(rcv.URL))
	div := srv.AddDivision("Downtown Clinic")
	for range 3 {
		if _, err := srv.BookAsUser(oncalltest.Appointment{Title: "T", Type: oncall.TypeMessage, Duration: 5, Division: div}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := srv.WaitWebhooks(ctx); err == nil {
		t.Error("WaitWebhooks returned nil while the receiver hangs")
	}
	srv.Close()
	if err := srv.WaitWebhooks(t.Context()); err != nil {
		t.Errorf("WaitWebhooks after Close: %v", err)
	}
	for i, d := range srv.WebhookDeliveries() {
		if d.Delivered || d.Err == "" || d.Finished.IsZero() {
			t.Errorf("delivery %d after Close: %+v, want abandoned", i, d)
		}
	}
}
