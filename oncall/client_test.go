package oncall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
)

// Helpers shared by the client, transport, retry, pagination and security tests. Their names start with "net" so
// that they stay apart from the helpers of the resource tests in the same package.

// netToken is the token of every test client here; no error, log line or foreign host may ever see it.
const netToken = "tok_S3CRET_7f3a9c"

// netHangGuard bounds a wait for something that must happen promptly: a guard against a hang, not a timing.
const netHangGuard = 10 * time.Second

// netPolicy is a retry policy fast enough for tests.
func netPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
}

// netMockClient returns a RegionCA client that sends through a fresh httpmock transport, with a fast retry policy
// and no rate limit; opts come after those defaults and may replace them.
func netMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryPolicy(netPolicy()),
		WithRateLimit(NoRateLimit, 1),
	}, opts...)
	c, err := NewClient(RegionCA, netToken, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mt
}

// netTransport returns a transport for one test. A test against an httptest server never uses
// http.DefaultTransport: every httptest.Server.Close calls its CloseIdleConnections, which breaks requests of
// parallel tests in flight on it.
func netTransport(t *testing.T) *http.Transport {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// netServerClient returns a client for a real server at baseURL, through a transport of its own (an option
// replacing the *http.Client must bring one too: see netTransport).
func netServerClient(t *testing.T, baseURL string, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithBaseURL(baseURL),
		WithHTTPClient(&http.Client{Transport: netTransport(t)}),
		WithRetryPolicy(netPolicy()),
		WithRateLimit(NoRateLimit, 1),
	}, opts...)
	c, err := NewClient(RegionCA, netToken, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// netAppointmentJSON is an appointment as the API sends it, on the given API root (with a trailing slash).
func netAppointmentJSON(root string, id int) string {
	return fmt.Sprintf(`{"url": "%sappointments/%d/", "title": "Session %d", "datetime": "2026-01-15T10:00:00Z",
		"duration": 50, "type": "online", "cancelled": false, "division": "%sdivisions/3/", "participants": []}`,
		root, id, id, root)
}

// netJSONResponder answers with status and a JSON body.
func netJSONResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}

func TestNewClientRejectsBadArguments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		region Region
		token  string
		opts   []Option
	}{
		{"no region", "", netToken, nil},
		{"unknown region", "eu", netToken, nil},
		{"region in capitals", "CA", netToken, nil},
		{"empty token", RegionCA, "", nil},
		{"token with a space", RegionCA, "tok_S3CRET 7f3a9c", nil},
		{"token with a newline", RegionCA, "tok_S3CRET\n7f3a9c", nil},
		{"nil http client", RegionCA, netToken, []Option{WithHTTPClient(nil)}},
		{"relative base URL", RegionCA, netToken, []Option{WithBaseURL("/api")}},
		{"ftp base URL", RegionCA, netToken, []Option{WithBaseURL("ftp://example.test/")}},
		{"base URL with user info", RegionCA, netToken, []Option{WithBaseURL("https://u:p@example.test/")}},
		{"base URL with a query", RegionCA, netToken, []Option{WithBaseURL("https://example.test/?a=1")}},
		{"negative retries", RegionCA, netToken, []Option{WithRetryPolicy(RetryPolicy{MaxRetries: -1})}},
		{"max wait below min wait", RegionCA, netToken, []Option{WithRetryPolicy(RetryPolicy{MinWait: 2, MaxWait: 1})}},
		{"zero rate", RegionCA, netToken, []Option{WithRateLimit(0, 1)}},
		{"zero burst", RegionCA, netToken, []Option{WithRateLimit(10, 0)}},
		{"nil logger", RegionCA, netToken, []Option{WithLogger(nil)}},
		{"empty user agent", RegionCA, netToken, []Option{WithUserAgent("")}},
		{"user agent with a line break", RegionCA, netToken, []Option{WithUserAgent("a\r\nX-Evil: 1")}},
		{"auth scheme with a space", RegionCA, netToken, []Option{WithAuthScheme("Token x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.region, tt.token, tt.opts...)
			if err == nil {
				t.Fatalf("NewClient succeeded (%v), want an error", c.BaseURL())
			}
			if strings.Contains(err.Error(), "S3CRET") {
				t.Errorf("error %q holds the token", err)
			}
		})
	}
}

func TestNewClientRegionsAndBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region Region
		opts   []Option
		want   string
	}{
		{RegionCA, nil, "https://api.oncallhealth.ca/"},
		{RegionUS, nil, "https://api.oncallhealth.us/"},
		{RegionCA, []Option{WithBaseURL("http://fake.test/api/v1")}, "http://fake.test/api/v1/"},
		{RegionUS, []Option{WithBaseURL("http://fake.test/api/v1/")}, "http://fake.test/api/v1/"},
		{RegionCA, []Option{nil}, "https://api.oncallhealth.ca/"}, // a nil option is skipped
	}
	for _, tt := range tests {
		c, err := NewClient(tt.region, netToken, tt.opts...)
		if err != nil {
			t.Fatalf("NewClient(%v): %v", tt.region, err)
		}
		if got := c.BaseURL(); got != tt.want {
			t.Errorf("NewClient(%v).BaseURL() = %q, want %q", tt.region, got, tt.want)
		}
		if got := c.Region(); got != tt.region {
			t.Errorf("Region() = %v, want %v", got, tt.region)
		}
	}
}

// WithHTTPClient keeps the caller's transport and timeout, and never changes the caller's *http.Client.
func TestWithHTTPClientKeepsCallerClient(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/12/",
		netJSONResponder(200, netAppointmentJSON("https://api.oncallhealth.ca/", 12)))
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	userCheck := func(*http.Request, []*http.Request) error { return nil }
	hc := &http.Client{Transport: mt, Timeout: 7 * time.Second, Jar: jar, CheckRedirect: userCheck}

	c, err := NewClient(RegionCA, netToken, WithHTTPClient(hc), WithRateLimit(NoRateLimit, 1))
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Appointments.Get(t.Context(), 12)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if a.ID != 12 {
		t.Errorf("Get returned appointment %d, want 12", a.ID)
	}
	if got := mt.GetTotalCallCount(); got != 1 {
		t.Errorf("the caller's transport saw %d requests, want 1", got)
	}

	// The caller's client is as it was.
	if hc.Transport != mt {
		t.Errorf("the caller's Transport was replaced by %T", hc.Transport)
	}
	if hc.Timeout != 7*time.Second || hc.Jar != jar {
		t.Errorf("the caller's Timeout or Jar changed: %v, %v", hc.Timeout, hc.Jar)
	}
	if reflect.ValueOf(hc.CheckRedirect).Pointer() != reflect.ValueOf(userCheck).Pointer() {
		t.Error("the caller's CheckRedirect was replaced")
	}
	// The client's own copy kept them.
	if got := c.hc.HTTPClient.Timeout; got != 7*time.Second {
		t.Errorf("the client's Timeout is %v, want the caller's 7s", got)
	}
	if c.hc.HTTPClient.Jar != jar {
		t.Error("the client dropped the caller's Jar")
	}
}

// The caller's Timeout bounds each attempt: a server that never answers fails with a timeout, not a hang.
func TestWithHTTPClientTimeoutApplies(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers; returns when the client gives up
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	c, err := NewClient(RegionCA, netToken, WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: netTransport(t), Timeout: 100 * time.Millisecond}),
		WithRetryPolicy(RetryPolicy{}), WithRateLimit(NoRateLimit, 1))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), netHangGuard)
	defer cancel()
	_, err = c.Appointments.Get(ctx, 1)
	var re *RequestError
	if !errors.As(err, &re) {
		t.Fatalf("Get = %v, want a *RequestError", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Get = %v, want a timeout", err)
	}
	if ctx.Err() != nil {
		t.Error("the request lasted until the hang guard: the caller's Timeout was not applied")
	}
}

// The caller's CheckRedirect still runs, for redirects on the API's origin.
func TestWithHTTPClientCheckRedirectCalled(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var redirectedTo []string
	errNoMore := errors.New("no more redirects")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/appointments/1/":
			http.Redirect(w, r, "/appointments/2/", http.StatusFound)
		case "/appointments/2/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, netAppointmentJSON("http://"+r.Host+"/", 2))
		case "/appointments/3/":
			http.Redirect(w, r, "/appointments/4/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	check := func(req *http.Request, via []*http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		redirectedTo = append(redirectedTo, req.URL.Path)
		if req.URL.Path == "/appointments/4/" {
			return errNoMore
		}
		return nil
	}
	c := netServerClient(t, srv.URL, WithHTTPClient(&http.Client{Transport: netTransport(t), CheckRedirect: check}))

	a, err := c.Appointments.Get(t.Context(), 1)
	if err != nil {
		t.Fatalf("Get(1): %v", err)
	}
	if a.ID != 2 {
		t.Errorf("Get(1) followed the redirect to appointment %d, want 2", a.ID)
	}
	_, err = c.Appointments.Get(t.Context(), 3)
	if !errors.Is(err, errNoMore) {
		t.Errorf("Get(3) = %v, want the error of the caller's CheckRedirect", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"/appointments/2/", "/appointments/4/"}, redirectedTo); diff != "" {
		t.Errorf("CheckRedirect calls (-want +got):\n%s", diff)
	}
}

func TestWithBaseURLPathPrefix(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"http://fake.test/api/v1", "http://fake.test/api/v1/"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, WithBaseURL(base))
			root := "http://fake.test/api/v1/"
			var mu sync.Mutex
			var got []string
			record := func(r httpmock.Responder) httpmock.Responder {
				return func(req *http.Request) (*http.Response, error) {
					mu.Lock()
					got = append(got, req.Method+" "+req.URL.String())
					mu.Unlock()
					return r(req)
				}
			}
			mt.RegisterResponder("GET", root+"appointments/12/", record(netJSONResponder(200, netAppointmentJSON(root, 12))))
			mt.RegisterResponder("GET", root+"appointments/",
				record(netJSONResponder(200, `{"count": 1, "next": null, "previous": null, "results": [`+netAppointmentJSON(root, 12)+`]}`)))

			if _, err := c.Appointments.Get(t.Context(), 12); err != nil {
				t.Fatalf("Get: %v", err)
			}
			for _, err := range c.Appointments.All(t.Context(), &AppointmentListOptions{ListOptions: ListOptions{PageSize: 5}}) {
				if err != nil {
					t.Fatalf("All: %v", err)
				}
			}
			want := []string{
				"GET http://fake.test/api/v1/appointments/12/",
				"GET http://fake.test/api/v1/appointments/?page_size=5",
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if got, want := c.AppointmentURL(12), root+"appointments/12/"; got != want {
				t.Errorf("AppointmentURL(12) = %q, want %q", got, want)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		wantUA   string
		wantAuth string
	}{
		{"defaults", nil, "oncall-go/" + Version, "Token " + netToken},
		{"custom user agent", []Option{WithUserAgent("acme-ehr-sync/2.3 oncall-go/" + Version)},
			"acme-ehr-sync/2.3 oncall-go/" + Version, "Token " + netToken},
		{"bearer scheme", []Option{WithAuthScheme("Bearer")}, "oncall-go/" + Version, "Bearer " + netToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, tt.opts...)
			var mu sync.Mutex
			var got []http.Header
			mt.RegisterResponder("POST", "https://api.oncallhealth.ca/appointments/",
				func(req *http.Request) (*http.Response, error) {
					mu.Lock()
					got = append(got, req.Header.Clone())
					mu.Unlock()
					return netEcho(201, netAppointmentJSON(netRoot, 5), netRoot, 5)(req)
				})
			mt.RegisterResponder("GET", "https://api.oncallhealth.ca/appointments/5/",
				func(req *http.Request) (*http.Response, error) {
					mu.Lock()
					got = append(got, req.Header.Clone())
					mu.Unlock()
					return netJSONResponder(200, netAppointmentJSON("https://api.oncallhealth.ca/", 5))(req)
				})
			if _, err := c.Appointments.Get(t.Context(), 5); err != nil {
				t.Fatalf("Get: %v", err)
			}
			if _, err := c.Appointments.Create(t.Context(), netCreateParams()); err != nil {
				t.Fatalf("Create: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(got))
			}
			for i, h := range got {
				if ua := h.Get("User-Agent"); ua != tt.wantUA {
					t.Errorf("request %d: User-Agent %q, want %q", i, ua, tt.wantUA)
				}
				if auth := h.Get("Authorization"); auth != tt.wantAuth {
					t.Errorf("request %d: Authorization header is not %q", i, "scheme + token")
				}
				if acc := h.Get("Accept"); acc != "application/json" {
					t.Errorf("request %d: Accept %q, want application/json", i, acc)
				}
			}
			if ct := got[0].Get("Content-Type"); ct != "" {
				t.Errorf("GET carried Content-Type %q", ct)
			}
			if ct := got[1].Get("Content-Type"); ct != "application/json" {
				t.Errorf("POST Content-Type %q, want application/json", ct)
			}
		})
	}
}

// netCreateParams is a valid appointment to create, with a participant whose name and email are PHI.
func netCreateParams() *AppointmentCreateParams {
	return &AppointmentCreateParams{
		Title:        "Intake",
		Type:         TypeOnline,
		DateTime:     time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC),
		Duration:     50,
		Division:     3,
		Participants: []ParticipantParams{{Name: "Jane Q. Patient", Email: "jane.patient@example.com"}},
		Metadata:     Metadata{"emr_id": "A-1001"},
	}
}

// One client shared by many goroutines, each doing Gets and full listings against a real server.
func TestClientConcurrentUse(t *testing.T) {
	t.Parallel()
	const pages, perPage = 3, 4
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		root := "http://" + r.Host + "/"
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Token "+netToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"detail": "Invalid token."}`)
			return
		}
		if r.URL.Path == "/appointments/" {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			page = max(page, 1)
			var items []string
			for i := range perPage {
				items = append(items, netAppointmentJSON(root, (page-1)*perPage+i+1))
			}
			next := "null"
			if page < pages {
				next = fmt.Sprintf(`"%sappointments/?page=%d"`, root, page+1)
			}
			fmt.Fprintf(w, `{"count": %d, "next": %s, "previous": null, "results": [%s]}`,
				pages*perPage, next, strings.Join(items, ","))
			return
		}
		var id int
		if _, err := fmt.Sscanf(r.URL.Path, "/appointments/%d/", &id); err != nil {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, netAppointmentJSON(root, id))
	}))
	defer srv.Close()
	c := netServerClient(t, srv.URL)

	var wantAll []AppointmentID
	for i := range pages * perPage {
		wantAll = append(wantAll, AppointmentID(i+1))
	}
	const goroutines = 50
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				id := AppointmentID(100 + g)
				a, err := c.Appointments.Get(t.Context(), id)
				if err != nil {
					return fmt.Errorf("Get(%d): %w", id, err)
				}
				if a.ID != id || a.Title != fmt.Sprintf("Session %d", id) {
					return fmt.Errorf("Get(%d) returned appointment %d %q", id, a.ID, a.Title)
				}
				var got []AppointmentID
				for a, err := range c.Appointments.All(t.Context(), nil) {
					if err != nil {
						return fmt.Errorf("All: %w", err)
					}
					got = append(got, a.ID)
				}
				if !slices.Equal(got, wantAll) {
					return fmt.Errorf("All returned %v, want %v", got, wantAll)
				}
				return nil
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// netLogs is a slog.Handler that keeps every record, at every level, with every attribute and group, as JSON
// lines.
type netLogs struct {
	mu    *sync.Mutex
	buf   *strings.Builder
	inner slog.Handler
	n     *int
}

func newNetLogs() *netLogs {
	l := &netLogs{mu: new(sync.Mutex), buf: new(strings.Builder), n: new(int)}
	l.inner = slog.NewJSONHandler(netLockedWriter{l}, &slog.HandlerOptions{Level: slog.Level(-100)})
	return l
}

type netLockedWriter struct{ l *netLogs }

// Write is called by the JSON handler with l.mu held (from Handle).
func (w netLockedWriter) Write(p []byte) (int, error) { return w.l.buf.Write(p) }

func (l *netLogs) Enabled(context.Context, slog.Level) bool { return true }

func (l *netLogs) Handle(ctx context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.n++
	return l.inner.Handle(ctx, r)
}

func (l *netLogs) WithAttrs(as []slog.Attr) slog.Handler {
	c := *l
	c.inner = l.inner.WithAttrs(as)
	return &c
}

func (l *netLogs) WithGroup(name string) slog.Handler {
	c := *l
	c.inner = l.inner.WithGroup(name)
	return &c
}

// text returns the records so far and how many there were.
func (l *netLogs) text() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String(), *l.n
}
