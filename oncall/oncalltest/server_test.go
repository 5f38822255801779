package oncalltest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name       string
		auth       string
		wantStatus int
		wantBody   any
	}{
		{"no header", "-", 401, map[string]any{"detail": "Authentication credentials were not provided."}},
		{"other scheme", "Bearer " + w.srv.Token(), 401, map[string]any{"detail": "Authentication credentials were not provided."}},
		{"no token", "Token", 401, map[string]any{"detail": "Invalid token header. No credentials provided."}},
		{"spaces", "Token a b", 401, map[string]any{"detail": "Invalid token header. Token string should not contain spaces."}},
		{"wrong token", "Token nope", 401, map[string]any{"detail": "Invalid token."}},
		{"lower-case scheme", "token " + w.srv.Token(), 200, nil},
		{"right token", "Token " + w.srv.Token(), 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, w.srv, "GET", "/divisions/", "", tt.auth)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", r.status, tt.wantStatus, r.body)
			}
			if tt.wantBody == nil {
				return
			}
			if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if got := r.header.Get("WWW-Authenticate"); got != "Token" {
				t.Errorf("WWW-Authenticate %q, want Token", got)
			}
		})
	}
}

func TestWithToken(t *testing.T) {
	t.Parallel()
	srv := oncalltest.NewServer(oncalltest.WithToken("s3cret"), oncalltest.WithToken(""))
	defer srv.Close()
	if srv.Token() != "s3cret" {
		t.Fatalf("Token() = %q, want s3cret", srv.Token())
	}
	if r := do(t, srv, "GET", "/divisions/", "", "Token "+oncalltest.DefaultToken); r.status != 401 {
		t.Errorf("default token: status %d, want 401", r.status)
	}
	if r := do(t, srv, "GET", "/divisions/", ""); r.status != 200 {
		t.Errorf("configured token: status %d, want 200", r.status)
	}
	logged := srv.Requests()
	got := []bool{logged[0].Authorized, logged[1].Authorized}
	if diff := cmp.Diff([]bool{false, true}, got); diff != "" {
		t.Errorf("Authorized in the request log (-want +got):\n%s", diff)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.seed(t, oneToOne("E1", time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)))
	appt := fmt.Sprintf("/appointments/%d/", id)
	tests := []struct {
		name        string
		method      string
		path        string
		auth        string
		wantStatus  int
		wantType    string // Content-Type prefix
		wantBody    any    // decoded JSON, when the answer is JSON
		wantHeaders map[string]string
	}{
		{name: "collection", method: "GET", path: "/appointments/", wantStatus: 200, wantType: "application/json"},
		{name: "missing slash redirects", method: "GET", path: "/appointments?page=2", wantStatus: 301,
			wantHeaders: map[string]string{"Location": "/appointments/?page=2"}},
		{name: "missing slash on an instance", method: "GET", path: strings.TrimSuffix(appt, "/"), wantStatus: 301,
			wantHeaders: map[string]string{"Location": appt}},
		{name: "missing slash on a write", method: "POST", path: "/appointments", wantStatus: 404, wantType: "text/html"},
		{name: "unknown path", method: "GET", path: "/users/", wantStatus: 404, wantType: "text/html"},
		{name: "unknown path before auth", method: "GET", path: "/users/", auth: "-", wantStatus: 404, wantType: "text/html"},
		{name: "double slash", method: "GET", path: "/appointments//", wantStatus: 404, wantType: "text/html"},
		{name: "auth before 405", method: "PUT", path: appt, auth: "-", wantStatus: 401, wantType: "application/json"},
		{name: "non-numeric id", method: "GET", path: "/appointments/abc/", wantStatus: 404,
			wantBody: map[string]any{"detail": "Not found."}},
		{name: "unknown id", method: "GET", path: "/appointments/999999/", wantStatus: 404,
			wantBody: map[string]any{"detail": "Not found."}},
		{name: "participant id as appointment id", method: "GET", path: "/appointments/5001/", wantStatus: 404,
			wantBody: map[string]any{"detail": "Not found."}},
		{name: "PUT not allowed", method: "PUT", path: appt, wantStatus: 405,
			wantBody:    map[string]any{"detail": `Method "PUT" not allowed.`},
			wantHeaders: map[string]string{"Allow": "GET, PATCH, HEAD, OPTIONS"}},
		{name: "DELETE appointment not allowed", method: "DELETE", path: appt, wantStatus: 405,
			wantBody: map[string]any{"detail": `Method "DELETE" not allowed.`}},
		{name: "POST provider not allowed", method: "POST", path: "/providers/", wantStatus: 405,
			wantHeaders: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "OPTIONS", method: "OPTIONS", path: "/participants/1/", wantStatus: 200,
			wantHeaders: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "HEAD", method: "HEAD", path: appt, wantStatus: 200, wantType: "application/json"},
		{name: "contact appointments of unknown contact", method: "GET", path: "/contacts/1/appointments/", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var auth []string
			if tt.auth != "" {
				auth = []string{tt.auth}
			}
			r := do(t, w.srv, tt.method, tt.path, "", auth...)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", r.status, tt.wantStatus, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
			}
			for k, v := range tt.wantHeaders {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if tt.wantBody != nil {
				if diff := cmp.Diff(tt.wantBody, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			if tt.method == "HEAD" && len(r.body) != 0 {
				t.Errorf("HEAD answered with a body of %d bytes", len(r.body))
			}
		})
	}
}

func TestClientFollowsSlashRedirect(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	req, err := http.NewRequestWithContext(t.Context(), "GET", w.srv.URL()+"/divisions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+w.srv.Token())
	resp, err := w.srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/divisions/" {
		t.Errorf("got %d at %s, want 200 at /divisions/", resp.StatusCode, resp.Request.URL.Path)
	}
}

func TestPaginationEnvelope(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oncalltest.WithPageSize(2, 3))
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	var ids []oncall.AppointmentID
	for i := range 5 {
		ids = append(ids, w.seed(t, oneToOne(fmt.Sprint("E", i), start.Add(time.Duration(i)*time.Hour))))
	}
	base := w.srv.URL() + "/appointments/"
	page := func(t *testing.T, query string) (count any, next, prev any, got []string) {
		t.Helper()
		r := do(t, w.srv, "GET", "/appointments/"+query, "")
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		env := r.json(t).(map[string]any)
		for _, res := range env["results"].([]any) {
			got = append(got, res.(map[string]any)["url"].(string))
		}
		return env["count"], env["next"], env["previous"], got
	}
	url := func(i int) string { return fmt.Sprintf("%s%d/", base, ids[i]) }
	tests := []struct {
		query      string
		next, prev any
		results    []string
	}{
		{"", base + "?page=2", nil, []string{url(0), url(1)}},
		{"?page=2", base + "?page=3", base, []string{url(2), url(3)}},
		{"?page=3", nil, base + "?page=2", []string{url(4)}},
		{"?page=last", nil, base + "?page=2", []string{url(4)}},
		{"?page_size=3&ordering=id&extra=x", base + "?extra=x&ordering=id&page=2&page_size=3", nil, []string{url(0), url(1), url(2)}},
		{"?page=2&page_size=3&extra=x", nil, base + "?extra=x&page_size=3", []string{url(3), url(4)}},
		{"?page_size=1000", base + "?page=2&page_size=1000", nil, []string{url(0), url(1), url(2)}}, // lowered to the maximum
		{"?page_size=0", base + "?page=2&page_size=0", nil, []string{url(0), url(1)}},               // the default
		{"?page_size=x", base + "?page=2&page_size=x", nil, []string{url(0), url(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			count, next, prev, got := page(t, tt.query)
			if diff := cmp.Diff([]any{num("5"), tt.next, tt.prev}, []any{count, next, prev}); diff != "" {
				t.Errorf("count, next, previous (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.results, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
	for _, q := range []string{"?page=4", "?page=0", "?page=x"} {
		r := do(t, w.srv, "GET", "/appointments/"+q, "")
		if diff := cmp.Diff(map[string]any{"detail": "Invalid page."}, r.json(t)); r.status != 404 || diff != "" {
			t.Errorf("%s: status %d, body diff (-want +got):\n%s", q, r.status, diff)
		}
	}
	empty := do(t, w.srv, "GET", "/contacts/", "")
	want := map[string]any{"count": num("0"), "next": nil, "previous": nil, "results": []any{}}
	if diff := cmp.Diff(want, empty.json(t)); diff != "" {
		t.Errorf("empty listing (-want +got):\n%s", diff)
	}
}

func TestOrdering(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	day := func(d int) time.Time { return time.Date(2030, 1, d, 9, 0, 0, 0, time.UTC) }
	a := w.seed(t, oneToOne("A", day(3)))
	b := w.seed(t, oneToOne("B", day(1)))
	msg := oneToOne("M", time.Time{})
	msg.Type = oncall.TypeMessage
	m := w.seed(t, msg)
	c := w.seed(t, oneToOne("C", day(2)))
	tests := []struct {
		ordering string
		want     []oncall.AppointmentID
	}{
		{"", []oncall.AppointmentID{a, b, m, c}},
		{"datetime", []oncall.AppointmentID{b, c, a, m}},
		{"-datetime", []oncall.AppointmentID{m, a, c, b}},
		{"-id", []oncall.AppointmentID{c, m, b, a}},
		{"unknown", []oncall.AppointmentID{a, b, m, c}},
		{"unknown,-datetime", []oncall.AppointmentID{m, a, c, b}},
	}
	client := w.client(t)
	for _, tt := range tests {
		var got []oncall.AppointmentID
		for appt, err := range client.Appointments.All(t.Context(), &oncall.AppointmentListOptions{Ordering: tt.ordering}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, appt.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ordering=%q (-want +got):\n%s", tt.ordering, diff)
		}
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// One token every 100 s: however long a loaded machine takes between the requests (up to 10 s), the third and
	// fourth are refused, and the wait the server asks for is 91 to 100 s.
	w := newWorld(t, oncalltest.WithRateLimit(0.01, 2))
	var statuses []int
	for range 3 {
		statuses = append(statuses, do(t, w.srv, "GET", "/divisions/", "").status)
	}
	if diff := cmp.Diff([]int{200, 200, 429}, statuses); diff != "" {
		t.Fatalf("statuses (-want +got):\n%s", diff)
	}
	r := do(t, w.srv, "GET", "/divisions/", "")
	n, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != 429 || err != nil || n < 91 || n > 100 {
		t.Fatalf("status %d, Retry-After %q; want 429 and 91 to 100", r.status, r.header.Get("Retry-After"))
	}
	if diff := cmp.Diff(map[string]any{"detail": fmt.Sprintf("Request was throttled. Expected available in %d seconds.", n)}, r.json(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if n := w.srv.FaultCounts()[oncalltest.FaultRateLimit]; n != 0 {
		t.Errorf("throttling counted as %d injected faults, want 0", n)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	w := newWorld(t, oncalltest.WithTLS())
	if !strings.HasPrefix(w.srv.URL(), "https://") {
		t.Fatalf("URL %q is not https", w.srv.URL())
	}
	d, err := w.client(t).Divisions.Get(t.Context(), w.div)
	if err != nil {
		t.Fatal(err)
	}
	want := &oncall.Division{ID: w.div, URL: fmt.Sprintf("%s/divisions/%d/", w.srv.URL(), w.div), Name: "Downtown Clinic"}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("division (-want +got):\n%s", diff)
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	client := w.client(t)
	if _, err := client.Appointments.Create(t.Context(), w.params("E1")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Appointments.Get(t.Context(), 999); err == nil {
		t.Fatal("Get of an unknown id succeeded")
	}
	do(t, w.srv, "GET", "/appointments/?page_size=5", "", "-")
	got := w.srv.Requests()
	type entry struct {
		Seq                 int
		Method, Path, Query string
		Route               string
		Status              int
		Authorized          bool
		Committed           bool
		RequestID           string
		HasBody             bool
	}
	var view []entry
	for _, r := range got {
		view = append(view, entry{r.Seq, r.Method, r.Path, r.Query, r.Route, r.Status, r.Authorized, r.Committed, r.RequestID, len(r.Body) > 0})
	}
	want := []entry{
		{1, "POST", "/appointments/", "", "/appointments/", 201, true, true, "oncalltest-000001", true},
		{2, "GET", "/appointments/999/", "", "/appointments/{id}/", 404, true, false, "oncalltest-000002", false},
		{3, "GET", "/appointments/", "page_size=5", "/appointments/", 401, false, false, "oncalltest-000003", false},
	}
	if diff := cmp.Diff(want, view); diff != "" {
		t.Errorf("request log (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(got[0].Body), `"emr_id":"E1"`) {
		t.Errorf("logged body %s lacks the metadata sent", got[0].Body)
	}
	if n := w.srv.RequestCount("GET", "/appointments/{id}/"); n != 1 {
		t.Errorf("RequestCount(GET, /appointments/{id}/) = %d, want 1", n)
	}
	if n := w.srv.RequestCount("", ""); n != 3 {
		t.Errorf("RequestCount of all = %d, want 3", n)
	}
	w.srv.ResetRequests()
	if n := len(w.srv.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

// TestRequestLoggedBeforeAnswer: a client that has its answer, or has seen its connection dropped, finds the
// request in the log already, so tests may count requests the moment a call returns. Each round races the log
// against the client, so the loop gives a late append many chances to show.
func TestRequestLoggedBeforeAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	hc := w.srv.HTTPClient() // shared with do, so connections are reused: the transport never retries a POST
	const rounds = 200
	for i := range rounds {
		kind := oncalltest.FaultDrop
		if i%2 == 1 {
			kind = oncalltest.FaultCommitThenDrop
		}
		if err := w.srv.InjectNext(kind, 1, oncalltest.Match{Method: "POST", Route: "/appointments/"}); err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), "POST", w.srv.URL()+"/appointments/", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Token "+w.srv.Token())
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("round %d: %s answered %d, want a dropped connection", i, kind, resp.StatusCode)
		}
		if n := w.srv.RequestCount("POST", "/appointments/"); n != 2*i+1 {
			t.Fatalf("round %d: %d requests in the log after the %s, want %d", i, n, kind, 2*i+1)
		}
		resp := do(t, w.srv, "POST", "/appointments/", "{}")
		if resp.status != http.StatusBadRequest {
			t.Fatalf("round %d: status %d", i, resp.status)
		}
		if n := w.srv.RequestCount("POST", "/appointments/"); n != 2*i+2 {
			t.Fatalf("round %d: %d requests in the log after an answer, want %d", i, n, 2*i+2)
		}
	}
}
