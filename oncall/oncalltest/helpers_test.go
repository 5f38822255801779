package oncalltest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

// fastRetry is a retry policy that keeps the suite fast.
var fastRetry = oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// world is a started server with one division and one provider in it.
type world struct {
	srv  *oncalltest.Server
	div  oncall.DivisionID
	prov oncall.ProviderID
}

func newWorld(t *testing.T, opts ...oncalltest.Option) *world {
	t.Helper()
	srv := oncalltest.NewServer(opts...)
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Downtown Clinic")
	prov := srv.AddProvider("Dr. Jane Smith", "jane.smith@example.com", div)
	return &world{srv: srv, div: div, prov: prov}
}

func (w *world) client(t *testing.T, opts ...oncall.Option) *oncall.Client {
	t.Helper()
	all := append([]oncall.Option{oncall.WithRetryPolicy(fastRetry), oncall.WithRateLimit(oncall.NoRateLimit, 1)}, opts...)
	c, err := w.srv.Client(all...)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	return c
}

// params returns valid create parameters for a 1:1 video appointment carrying emrID.
func (w *world) params(emrID string) *oncall.AppointmentCreateParams {
	return &oncall.AppointmentCreateParams{
		Title:        "Counselling",
		Type:         oncall.TypeOnline,
		DateTime:     time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC),
		Duration:     50,
		Division:     w.div,
		Provider:     w.prov,
		Participants: []oncall.ParticipantParams{{Name: "Alex Doe", Email: "alex.doe@example.com"}},
		Metadata:     oncall.Metadata{"emr_id": emrID},
	}
}

// seed stores an appointment directly and returns its id.
func (w *world) seed(t *testing.T, a oncalltest.Appointment) oncall.AppointmentID {
	t.Helper()
	if a.Division == 0 {
		a.Division = w.div
	}
	id, err := w.srv.AddAppointment(a)
	if err != nil {
		t.Fatalf("AddAppointment: %v", err)
	}
	return id
}

// oneToOne is a seed of a 1:1 video appointment.
func oneToOne(emrID string, start time.Time) oncalltest.Appointment {
	return oncalltest.Appointment{
		Title: "Counselling", Type: oncall.TypeOnline, DateTime: start, Duration: 50,
		Participants: []oncalltest.Participant{{Name: "Alex Doe", Email: "alex.doe@example.com", Fee: "10"}},
		Metadata:     map[string]any{"emr_id": emrID},
	}
}

// rawResponse is an answer to a request sent without the client.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body, keeping numbers as written.
func (r rawResponse) json(t *testing.T) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
	return v
}

// do sends a request straight to the server, with the server's token unless auth says otherwise ("-" for none).
// It does not follow redirects.
func do(t *testing.T, srv *oncalltest.Server, method, path, body string, auth ...string) rawResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case len(auth) == 0:
		req.Header.Set("Authorization", "Token "+srv.Token())
	case auth[0] != "-":
		req.Header.Set("Authorization", auth[0])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := *srv.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{resp.StatusCode, resp.Header, b}
}

// mustJSON encodes v for a request body.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// num is a JSON number as decoded with UseNumber.
func num(s string) json.Number { return json.Number(s) }

func readAll(resp *http.Response) ([]byte, error) { return io.ReadAll(resp.Body) }

func mustJSONBytes(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// inBothModes runs f as a parallel subtest on the documented API and with the participant extension, with the
// server options of that mode.
func inBothModes(t *testing.T, f func(t *testing.T, extension bool, opts []oncalltest.Option)) {
	t.Helper()
	for _, extension := range []bool{false, true} {
		t.Run(fmt.Sprintf("extension=%v", extension), func(t *testing.T) {
			t.Parallel()
			var opts []oncalltest.Option
			if extension {
				opts = append(opts, oncalltest.WithUndocumentedParticipantAPI())
			}
			f(t, extension, opts)
		})
	}
}
