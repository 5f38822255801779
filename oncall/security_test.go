package oncall

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
)

// A redirect to another origin is refused before anything is sent there, and is not retried.
func TestRedirectToAnotherOriginRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		status int
		// local sends the redirect to the same server under another host name: a different origin all the same.
		local bool
	}{
		{"GET 302", "GET", http.StatusFound, false},
		{"GET 307", "GET", http.StatusTemporaryRedirect, false},
		{"GET 301", "GET", http.StatusMovedPermanently, false},
		{"POST 307", "POST", http.StatusTemporaryRedirect, false},
		{"PATCH 308", "PATCH", http.StatusPermanentRedirect, false},
		{"DELETE 303", "DELETE", http.StatusSeeOther, false},
		{"GET 302 to another host name", "GET", http.StatusFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var foreign atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				foreign.Add(1)
				t.Errorf("the other origin got %s %s (Authorization present: %v)", r.Method, r.URL.Path, r.Header.Get("Authorization") != "")
			}))
			defer other.Close()
			var home atomic.Int32
			var homeURL string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				home.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				target := other.URL + "/appointments/7/"
				if tt.local {
					u, _ := url.Parse(homeURL)
					target = "http://localhost:" + u.Port() + "/appointments/8/"
				}
				w.Header().Set("Location", target)
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			homeURL = srv.URL
			var userChecks atomic.Int32
			c := netServerClient(t, srv.URL, WithHTTPClient(&http.Client{
				Transport:     netTransport(t),
				CheckRedirect: func(*http.Request, []*http.Request) error { userChecks.Add(1); return nil },
			}))

			err := netCall(t.Context(), c, tt.method)

			if !errors.Is(err, ErrCrossOrigin) {
				t.Fatalf("%s = %v, want an error wrapping ErrCrossOrigin", tt.method, err)
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Errorf("%s = %v, want a *RequestError", tt.method, err)
			}
			if n := foreign.Load(); n != 0 {
				t.Errorf("the other origin got %d requests, want none", n)
			}
			if n := home.Load(); n != 1 {
				t.Errorf("the API got %d requests, want 1 (a refused redirect is not retried)", n)
			}
			if n := userChecks.Load(); n != 0 {
				t.Errorf("the caller's CheckRedirect ran %d times for a cross-origin redirect", n)
			}
			if strings.Contains(err.Error(), netToken) {
				t.Errorf("error %q holds the token", err)
			}
		})
	}
}

// A redirect of a read on the API's own origin is followed, with the token. A write's is not: net/http would turn
// a POST or PATCH meeting a 301, 302 or 303 into a GET, whose answer would pass for the write's.
func TestRedirectSameOrigin(t *testing.T) {
	t.Parallel()
	type seen struct{ method, path, auth string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Authorization")})
		mu.Unlock()
		switch r.URL.Path {
		case "/appointments/1/":
			http.Redirect(w, r, "/appointments/2/", http.StatusFound)
		case "/appointments/":
			http.Redirect(w, r, "/appointments/new/", http.StatusTemporaryRedirect)
		case "/appointments/7/":
			http.Redirect(w, r, "/appointments/2/", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, netAppointmentJSON("http://"+r.Host+"/", 2))
		}
	}))
	defer srv.Close()
	c := netServerClient(t, srv.URL)

	a, err := c.Appointments.Get(t.Context(), 1)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if a.ID != 2 {
		t.Errorf("Get(1) = appointment %d, want the redirect's 2", a.ID)
	}
	_, errPost := c.Appointments.Create(t.Context(), netCreateParams())
	_, errPatch := c.Appointments.Update(t.Context(), 7, &AppointmentUpdateParams{Title: Ptr("x")})
	for name, err := range map[string]error{"POST 307": errPost, "PATCH 302": errPatch} {
		var re *RequestError
		if !errors.As(err, &re) || !re.Sent {
			t.Errorf("%s = %v, want a *RequestError with Sent: the redirect of a write is not followed", name, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := []seen{
		{"GET", "/appointments/1/", "Token " + netToken},
		{"GET", "/appointments/2/", "Token " + netToken},
		{"POST", "/appointments/", "Token " + netToken},
		{"PATCH", "/appointments/7/", "Token " + netToken},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(seen{})); diff != "" {
		t.Errorf("requests the server saw (-want +got):\n%s", diff)
	}
}

// netSecrets are the values that no log line and no error text may hold.
var netSecrets = []string{
	netToken,
	"jane.patient@example.com",
	"Jane Q. Patient",
	"Patient", // part of the name, in case it is split
	"QSECRET", // a query parameter value
	"page_size",
	"BODYSECRET", // a title, only ever in bodies
	"?",          // no query string at all
}

// A run of requests with patient data in their queries, bodies and answers, and every kind of failure, leaves no
// token, name, email, query or body in the logs (at every level, under a group) or in the errors.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	t.Parallel()
	const phiAppointment = `{"url": "%sappointments/%d/", "title": "BODYSECRET intake", "datetime": "2026-01-15T10:00:00Z",
		"duration": 50, "type": "online", "division": "%sdivisions/3/", "participants": [{"url": "%sparticipants/56/",
		"name": "Jane Q. Patient", "email": "jane.patient@example.com", "fee": "10.00"}], "metadata": {"emr_id": "A-1001"}}`
	var rateLimited atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		root := "http://" + r.Host + "/"
		appt := func(id int) string { return fmt.Sprintf(phiAppointment, root, id, root, root) }
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/appointments/" && r.Method == "GET":
			if r.URL.Query().Get("page") == "" {
				fmt.Fprintf(w, `{"count": 2, "next": "%sappointments/?page=2&page_size=1&search=QSECRET", "previous": null, "results": [%s]}`, root, appt(1))
				return
			}
			fmt.Fprintf(w, `{"count": 2, "next": null, "previous": null, "results": [%s]}`, appt(2))
		case r.URL.Path == "/appointments/" && r.Method == "POST":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, appt(3))
		case r.URL.Path == "/appointments/4/":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"email": ["jane.patient@example.com is not a valid address."], "name": ["Jane Q. Patient is already booked."]}`)
		case r.URL.Path == "/appointments/5/":
			if !rateLimited.Swap(true) {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"detail": "Request was throttled for jane.patient@example.com."}`)
				return
			}
			fmt.Fprint(w, appt(5))
		case r.URL.Path == "/contacts/":
			// The connection drops: the client sees no answer at all.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case r.URL.Path == "/appointments/6/":
			fmt.Fprint(w, appt(6)) // the write's title and participants did not take
		case r.URL.Path == "/appointments/8/":
			fmt.Fprint(w, `{"url": "x", "title": "BODYSECRET", "participants": [{"name": "Jane Q. Patient", "email": 5}]}`)
		case r.URL.Path == "/appointments/9/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html>Jane Q. Patient jane.patient@example.com BODYSECRET</html>`)
		case r.URL.Path == "/appointments/10/":
			fmt.Fprint(w, `{"title": "BODYSECRET Jane Q. Patient jane.patient@example.com`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	logs := newNetLogs()
	logger := slog.New(logs).WithGroup("sdk").With(slog.String("component", "sync"))
	c := netServerClient(t, srv.URL, WithLogger(logger))
	ctx := t.Context()

	type result struct {
		name    string
		err     error
		wantErr bool
	}
	var results []result
	add := func(name string, err error, wantErr bool) { results = append(results, result{name, err, wantErr}) }

	var listed int
	opts := &AppointmentListOptions{ListOptions: ListOptions{PageSize: 1}, Filter: url.Values{"search": {"QSECRET"}}}
	for a, err := range c.Appointments.All(ctx, opts) {
		if err != nil {
			add("list", err, false)
			break
		}
		if a.Participants[0].Email != "jane.patient@example.com" {
			t.Errorf("listed appointment %d lost its participant's email", a.ID)
		}
		listed++
	}
	if listed != 2 {
		t.Errorf("listed %d appointments, want 2", listed)
	}
	p := netCreateParams()
	p.Title = "BODYSECRET intake"
	_, err := c.Appointments.Create(ctx, p)
	add("create", err, false)
	_, err = c.Appointments.Update(ctx, 4, &AppointmentUpdateParams{Title: Ptr("BODYSECRET")})
	add("400 with field errors", err, true)
	_, err = c.Appointments.Update(ctx, 6, &AppointmentUpdateParams{Title: Ptr("BODYSECRET renamed"),
		Participants: []ParticipantEntry{{Name: "Jane Q. Patient", Email: "jane.patient@example.com"}}})
	add("write ignored", err, true)
	if !errors.Is(err, ErrWriteIgnored) {
		t.Errorf("update of 6: %v, want ErrWriteIgnored", err)
	}
	_, err = c.Appointments.Get(ctx, 5)
	add("429 then success", err, false)
	for _, err := range c.Contacts.All(ctx, &ContactListOptions{Query: "Jane Q. Patient QSECRET"}) {
		add("connection dropped", err, true)
		break
	}
	_, err = c.Appointments.Get(ctx, 8)
	add("decode error: wrong type", err, true)
	_, err = c.Appointments.Get(ctx, 9)
	add("decode error: HTML", err, true)
	_, err = c.Appointments.Get(ctx, 10)
	add("decode error: truncated", err, true)

	for _, r := range results {
		if (r.err != nil) != r.wantErr {
			t.Errorf("%s: error %v, want error: %v", r.name, r.err, r.wantErr)
		}
		if r.err == nil {
			continue
		}
		for _, text := range []string{r.err.Error(), fmt.Sprintf("%v", r.err), fmt.Sprintf("%+v", r.err)} {
			for _, s := range netSecrets {
				if strings.Contains(text, s) {
					t.Errorf("%s: error %q holds %q", r.name, text, s)
				}
			}
		}
	}
	var ae *APIError
	if errors.As(results[2].err, &ae) && len(ae.Messages) == 0 {
		t.Error("the 400's messages were lost: they belong in Messages, just not in the error text")
	}

	text, n := logs.text()
	if n < 10 || !strings.Contains(text, `"/appointments/"`) || !strings.Contains(text, `"sdk":{`) {
		t.Fatalf("expected the run to be logged, under the group; got %d records:\n%s", n, text)
	}
	for _, s := range netSecrets {
		if strings.Contains(text, s) {
			t.Errorf("the logs hold %q:\n%s", s, text)
		}
	}
}

// Without WithLogger the client writes nothing anywhere, even when everything goes wrong. Not parallel: it
// replaces os.Stderr and the standard logger's output while it runs.
func TestDefaultClientWritesNothing(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	captured := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		captured <- string(b)
	}()
	oldStderr, oldLog := os.Stderr, log.Writer()
	os.Stderr = w
	log.SetOutput(w)
	restore := func() {
		os.Stderr = oldStderr
		log.SetOutput(oldLog)
	}
	defer restore()
	fmt.Fprint(os.Stderr, "probe") // shows that the capture works

	mt := httpmock.NewMockTransport()
	c, err := NewClient(RegionCA, netToken, WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryPolicy(netPolicy()), WithRateLimit(NoRateLimit, 1))
	if err != nil {
		restore()
		t.Fatal(err)
	}
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/1/", netSequenceOf(
		netStatus(429, "Retry-After", "0"), netStatus(503), netAppointment(200, 1)))
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/2/", httpmock.NewErrorResponder(errors.New("connection refused")))
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/3/", netJSONResponder(200, `{"participants": 5}`))
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/4/", netJSONResponder(404, `{"detail": "Not found."}`))
	var errs []error
	for id := range 4 {
		_, err := c.Appointments.Get(t.Context(), AppointmentID(id+1))
		errs = append(errs, err)
	}

	restore()
	w.Close()
	var out string
	select {
	case out = <-captured:
	case <-time.After(netHangGuard):
		t.Fatal("reading the captured output did not finish")
	}
	if out != "probe" {
		t.Errorf("the client wrote to stderr or the standard logger: %q", strings.TrimPrefix(out, "probe"))
	}
	if errs[0] != nil || errs[1] == nil || errs[2] == nil || errs[3] == nil {
		t.Errorf("errors %v: want success, then three failures", errs)
	}
	if n := mt.GetTotalCallCount(); n != 3+netMaxAttempts+1+1 {
		t.Errorf("%d requests, want %d", n, 3+netMaxAttempts+1+1)
	}
}
