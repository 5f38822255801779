package oncall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
)

// netPager serves a paginated listing of appointments at root+"appointments/", as Django REST Framework does:
// page n holds the ids pages[n-1], and its next link is the request's own URL with page set to n+1 (so filters
// and page_size carry over) unless next overrides it ("" for null).
type netPager struct {
	root    string
	pages   [][]int
	next    map[int]string
	status  map[int]int    // a page answered with this error status instead
	body    map[int]string // a page answered with this body instead
	cursors map[string]int // the page a ?cursor= value stands for

	mu   sync.Mutex
	urls []string // every request's URL, in order
}

func (p *netPager) register(mt *httpmock.MockTransport) {
	mt.RegisterResponder("GET", p.root+"appointments/", p.respond)
}

func (p *netPager) respond(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.urls = append(p.urls, req.URL.String())
	p.mu.Unlock()

	page := 1
	if s := req.URL.Query().Get("page"); s != "" {
		page, _ = strconv.Atoi(s)
	}
	if n, ok := p.cursors[req.URL.Query().Get("cursor")]; ok {
		page = n
	}
	if page < 1 || page > len(p.pages) {
		return netJSONResponder(404, `{"detail": "Invalid page."}`)(req)
	}
	if st, ok := p.status[page]; ok {
		return netJSONResponder(st, `{"detail": "broken"}`)(req)
	}
	if b, ok := p.body[page]; ok {
		return netJSONResponder(200, b)(req)
	}
	link := func(n int) string {
		if n < 1 || n > len(p.pages) {
			return "null"
		}
		u := *req.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		u.RawQuery = q.Encode()
		return strconv.Quote(u.String())
	}
	next := link(page + 1)
	if n, ok := p.next[page]; ok {
		next = "null"
		if n != "" {
			next = strconv.Quote(n)
		}
	}
	count := 0
	for _, pg := range p.pages {
		count += len(pg)
	}
	items := []string{}
	for _, id := range p.pages[page-1] {
		items = append(items, netAppointmentJSON(p.root, id))
	}
	return netJSONResponder(200, fmt.Sprintf(`{"count": %d, "next": %s, "previous": %s, "results": [%s]}`,
		count, next, link(page-1), strings.Join(items, ",")))(req)
}

func (p *netPager) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.urls...)
}

const netRoot = "https://api.oncallhealth.ca/"

// netFivePages is nine appointments on five pages of two.
func netFivePages() [][]int { return [][]int{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9}} }

// netCollect ranges over seq, gathering ids and errors; it stops after limit steps so that a test of a broken
// iterator cannot loop forever.
func netCollect(t *testing.T, seq func(func(*Appointment, error) bool), limit int, body func(*Appointment) bool) (ids []AppointmentID, errs []error) {
	t.Helper()
	steps := 0
	for a, err := range seq {
		if steps++; steps > limit {
			t.Fatalf("the iterator went on past %d steps", limit)
		}
		if err != nil {
			errs = append(errs, err)
			continue // an iterator must end by itself after an error
		}
		ids = append(ids, a.ID)
		if body != nil && !body(a) {
			break
		}
	}
	return ids, errs
}

func TestAllAcrossPages(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	p := &netPager{root: netRoot, pages: netFivePages()}
	p.register(mt)

	seq := c.Appointments.All(t.Context(), &AppointmentListOptions{Ordering: "-datetime", ListOptions: ListOptions{PageSize: 2}})
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Fatalf("%d requests before the loop started, want 0: iteration must be lazy", n)
	}
	var fetchedAt []int // requests made when each item was reached
	ids, errs := netCollect(t, seq, 100, func(*Appointment) bool {
		fetchedAt = append(fetchedAt, mt.GetTotalCallCount())
		return true
	})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if diff := cmp.Diff([]AppointmentID{1, 2, 3, 4, 5, 6, 7, 8, 9}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	// Page n+1 is fetched only once every item of page n has been consumed.
	if diff := cmp.Diff([]int{1, 1, 2, 2, 3, 3, 4, 4, 5}, fetchedAt); diff != "" {
		t.Errorf("requests made when each item was reached (-want +got):\n%s", diff)
	}
	want := []string{
		netRoot + "appointments/?ordering=-datetime&page_size=2",
		netRoot + "appointments/?ordering=-datetime&page=2&page_size=2",
		netRoot + "appointments/?ordering=-datetime&page=3&page_size=2",
		netRoot + "appointments/?ordering=-datetime&page=4&page_size=2",
		netRoot + "appointments/?ordering=-datetime&page=5&page_size=2",
	}
	if diff := cmp.Diff(want, p.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestPagesFields(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	p := &netPager{root: netRoot, pages: [][]int{{1, 2}, {3, 4}, {5}}}
	p.register(mt)
	type summary struct {
		Count          int
		Next, Previous string
		NextPage       int
		IDs            []AppointmentID
	}
	var got []summary
	for pg, err := range c.Appointments.Pages(t.Context(), &AppointmentListOptions{ListOptions: ListOptions{PageSize: 2}}) {
		if err != nil {
			t.Fatalf("Pages: %v", err)
		}
		s := summary{Count: pg.Count, Next: pg.Next, Previous: pg.Previous, NextPage: pg.NextPage}
		for _, a := range pg.Results {
			s.IDs = append(s.IDs, a.ID)
		}
		got = append(got, s)
	}
	want := []summary{
		{Count: 5, Next: netRoot + "appointments/?page=2&page_size=2", NextPage: 2, IDs: []AppointmentID{1, 2}},
		{Count: 5, Next: netRoot + "appointments/?page=3&page_size=2", Previous: netRoot + "appointments/?page=1&page_size=2",
			NextPage: 3, IDs: []AppointmentID{3, 4}},
		{Count: 5, Previous: netRoot + "appointments/?page=2&page_size=2", IDs: []AppointmentID{5}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

// A caller that checkpoints Page.NextPage resumes the listing from it through ListOptions.Page.
func TestPagesResumeFromNextPage(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	p := &netPager{root: netRoot, pages: netFivePages()}
	p.register(mt)
	opts := &AppointmentListOptions{ListOptions: ListOptions{PageSize: 2}}

	var checkpoint int
	for pg, err := range c.Appointments.Pages(t.Context(), opts) {
		if err != nil {
			t.Fatalf("Pages: %v", err)
		}
		checkpoint = pg.NextPage
		if pg.Results[0].ID == 3 { // stop after page 2
			break
		}
	}
	if checkpoint != 3 {
		t.Fatalf("NextPage after page 2 = %d, want 3", checkpoint)
	}
	before := len(p.requests())

	opts.Page = checkpoint
	ids, errs := netCollect(t, c.Appointments.All(t.Context(), opts), 100, nil)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if diff := cmp.Diff([]AppointmentID{5, 6, 7, 8, 9}, ids); diff != "" {
		t.Errorf("ids after resuming (-want +got):\n%s", diff)
	}
	if got := p.requests()[before]; got != netRoot+"appointments/?page=3&page_size=2" {
		t.Errorf("resumed at %q, want page 3", got)
	}
}

// The next link is followed as the server gave it, query included, and a relative one is resolved against the
// page it came from.
func TestNextLinkFollowedAsGiven(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		base string // WithBaseURL, or "" for RegionCA
		root string
		next map[int]string
		want []string
	}{
		{
			name: "absolute links with their own query",
			root: netRoot,
			next: map[int]string{
				1: netRoot + "appointments/?cursor=abc&page=2&zz=1&aa=2",
				2: netRoot + "appointments/?page=3&ordering=datetime",
			},
			want: []string{
				netRoot + "appointments/",
				netRoot + "appointments/?cursor=abc&page=2&zz=1&aa=2",
				netRoot + "appointments/?page=3&ordering=datetime",
			},
		},
		{
			name: "relative links",
			root: netRoot,
			next: map[int]string{1: "?page=2&cursor=x", 2: "/appointments/?page=3"},
			want: []string{
				netRoot + "appointments/",
				netRoot + "appointments/?page=2&cursor=x",
				netRoot + "appointments/?page=3",
			},
		},
		{
			name: "relative links below a path prefix",
			base: "http://fake.test/api/v1",
			root: "http://fake.test/api/v1/",
			next: map[int]string{1: "?page=2", 2: "../appointments/?page=3"},
			want: []string{
				"http://fake.test/api/v1/appointments/",
				"http://fake.test/api/v1/appointments/?page=2",
				"http://fake.test/api/v1/appointments/?page=3",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tt.base != "" {
				opts = append(opts, WithBaseURL(tt.base))
			}
			c, mt := netMockClient(t, opts...)
			p := &netPager{root: tt.root, pages: [][]int{{1}, {2}, {3}}, next: tt.next}
			p.register(mt)
			ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff([]AppointmentID{1, 2, 3}, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, p.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPaginationCycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		next     map[int]string
		wantIDs  []AppointmentID
		wantReqs int
	}{
		{"page 3 back to page 2", map[int]string{3: netRoot + "appointments/?page=2&page_size=2"},
			[]AppointmentID{1, 2, 3, 4, 5, 6}, 3},
		{"page 1 to itself", map[int]string{1: netRoot + "appointments/?page_size=2"},
			[]AppointmentID{1, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			p := &netPager{root: netRoot, pages: netFivePages(), next: tt.next}
			p.register(mt)
			ids, errs := netCollect(t, c.Appointments.All(t.Context(), &AppointmentListOptions{ListOptions: ListOptions{PageSize: 2}}), 100, nil)
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if len(errs) != 1 || !errors.Is(errs[0], ErrPaginationCycle) {
				t.Fatalf("errors = %v, want ErrPaginationCycle once", errs)
			}
			if n := len(p.requests()); n != tt.wantReqs {
				t.Errorf("%d requests, want %d", n, tt.wantReqs)
			}
		})
	}
}

// A next link to another origin is refused: the token goes nowhere else, and the foreign host gets nothing.
func TestNextLinkToAnotherOrigin(t *testing.T) {
	t.Parallel()
	links := map[string]string{
		"other region":         "https://api.oncallhealth.us/appointments/?page=2",
		"other scheme":         "http://api.oncallhealth.ca/appointments/?page=2",
		"other host":           "https://evil.example/appointments/?page=2",
		"other port":           "https://api.oncallhealth.ca:8443/appointments/?page=2",
		"user info trick":      "https://api.oncallhealth.ca@evil.example/appointments/?page=2",
		"suffix trick":         "https://api.oncallhealth.ca.evil.example/appointments/?page=2",
		"scheme-relative link": "//evil.example/appointments/?page=2",
	}
	for name, link := range links {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			p := &netPager{root: netRoot, pages: [][]int{{1}, {2}}, next: map[int]string{1: link}}
			p.register(mt)
			var mu sync.Mutex
			var foreign []string
			mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
				mu.Lock()
				foreign = append(foreign, req.URL.String())
				mu.Unlock()
				return httpmock.NewStringResponse(200, `{"count": 0, "next": null, "results": []}`), nil
			})

			ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)

			if diff := cmp.Diff([]AppointmentID{1}, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if len(errs) != 1 || !errors.Is(errs[0], ErrCrossOrigin) {
				t.Fatalf("errors = %v, want ErrCrossOrigin once", errs)
			}
			if strings.Contains(errs[0].Error(), "?") {
				t.Errorf("error %q holds a query string", errs[0])
			}
			mu.Lock()
			defer mu.Unlock()
			if len(foreign) != 0 {
				t.Errorf("requests reached another origin: %q", foreign)
			}
			if n := mt.GetTotalCallCount(); n != 1 {
				t.Errorf("%d requests in all, want 1", n)
			}
		})
	}
}

func TestPaginationContextCancelled(t *testing.T) {
	t.Parallel()
	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		c, mt := netMockClient(t)
		p := &netPager{root: netRoot, pages: netFivePages()}
		p.register(mt)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var pages int
		var errs []error
		for pg, err := range c.Appointments.Pages(ctx, nil) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if pages++; pages > 10 {
				t.Fatal("iteration did not stop")
			}
			if pg.NextPage == 2 {
				cancel()
			}
		}
		if pages != 1 {
			t.Errorf("%d pages, want 1", pages)
		}
		if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Fatalf("errors = %v, want context.Canceled once", errs)
		}
		if n := len(p.requests()); n != 1 {
			t.Errorf("%d requests, want 1: the page after the cancellation must not be fetched", n)
		}
	})
	t.Run("All", func(t *testing.T) {
		t.Parallel()
		c, mt := netMockClient(t)
		p := &netPager{root: netRoot, pages: netFivePages()}
		p.register(mt)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ids, errs := netCollect(t, c.Appointments.All(ctx, nil), 100, func(a *Appointment) bool {
			if a.ID == 2 { // the last item of page 1
				cancel()
			}
			return true
		})
		if diff := cmp.Diff([]AppointmentID{1, 2}, ids); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
		if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Fatalf("errors = %v, want context.Canceled once", errs)
		}
		if n := len(p.requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestPaginationBreakStopsFetching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		stopAt    AppointmentID
		wantFetch int
	}{
		{"first item", 1, 1},
		{"last item of page 1", 2, 1},
		{"last item of page 2", 4, 2},
		{"first item of page 3", 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			p := &netPager{root: netRoot, pages: netFivePages()}
			p.register(mt)
			ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, func(a *Appointment) bool { return a.ID != tt.stopAt })
			if len(errs) != 0 || len(ids) == 0 || ids[len(ids)-1] != tt.stopAt {
				t.Fatalf("ids %v, errors %v; want a clean stop at %d", ids, errs, tt.stopAt)
			}
			if n := len(p.requests()); n != tt.wantFetch {
				t.Errorf("%d requests, want %d", n, tt.wantFetch)
			}
		})
	}
	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		c, mt := netMockClient(t)
		p := &netPager{root: netRoot, pages: netFivePages()}
		p.register(mt)
		for _, err := range c.Appointments.Pages(t.Context(), nil) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if n := len(p.requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

// An error on a later page is yielded once, after the earlier pages' items, and ends the iteration.
func TestPaginationErrorMidway(t *testing.T) {
	t.Parallel()
	isDecodeError := func(err error) bool { var de *DecodeError; return errors.As(err, &de) }
	tests := []struct {
		name   string
		status map[int]int
		body   map[int]string
		check  func(error) bool
	}{
		{"server error", map[int]int{3: 500}, nil,
			func(err error) bool { var ae *APIError; return errors.As(err, &ae) && ae.StatusCode == 500 }},
		{"page vanished", map[int]int{3: 404}, nil, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"no results", nil, map[int]string{3: `{"count": 9, "next": null, "previous": null}`}, isDecodeError},
		{"null results", nil, map[int]string{3: `{"count": 9, "next": null, "results": null}`}, isDecodeError},
		{"not an envelope", nil, map[int]string{3: `[]`}, isDecodeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			p := &netPager{root: netRoot, pages: netFivePages(), status: tt.status, body: tt.body}
			p.register(mt)
			ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)
			if diff := cmp.Diff([]AppointmentID{1, 2, 3, 4}, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if len(errs) != 1 || !tt.check(errs[0]) {
				t.Fatalf("errors = %v, want one of the expected kind", errs)
			}
			if n := len(p.requests()); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
		})
	}
}

func TestPaginationEmptyPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pages [][]int
		want  []AppointmentID
	}{
		{"empty listing", [][]int{{}}, nil},
		{"empty last page", [][]int{{1, 2}, {3}, {}}, []AppointmentID{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t)
			p := &netPager{root: netRoot, pages: tt.pages}
			p.register(mt)
			ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if n := len(p.requests()); n != len(tt.pages) {
				t.Errorf("%d requests, want %d", n, len(tt.pages))
			}
		})
	}
}

// Neither All nor Pages sends anything until the loop runs; each range starts over from the first page.
func TestPaginationLazy(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	p := &netPager{root: netRoot, pages: [][]int{{1}, {2}}}
	p.register(mt)
	all := c.Appointments.All(t.Context(), nil)
	pages := c.Appointments.Pages(t.Context(), nil)
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Fatalf("%d requests before ranging, want 0", n)
	}
	for range 2 {
		ids, errs := netCollect(t, all, 100, nil)
		if len(errs) != 0 || !cmp.Equal(ids, []AppointmentID{1, 2}) {
			t.Errorf("All: ids %v, errors %v", ids, errs)
		}
	}
	for _, err := range pages {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{netRoot + "appointments/", netRoot + "appointments/?page=2"}
	if diff := cmp.Diff(append(append(want, want...), want...), p.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A next link without a page number (a cursor) is still followed; NextPage is then 0.
func TestNextPageWithoutPageNumber(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	cursor := netRoot + "appointments/?cursor=cD0yMDI2"
	p := &netPager{root: netRoot, pages: [][]int{{1}, {2}}, next: map[int]string{1: cursor}, cursors: map[string]int{"cD0yMDI2": 2}}
	p.register(mt)
	var nextPages []int
	var nexts []string
	for pg, err := range c.Appointments.Pages(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		nextPages = append(nextPages, pg.NextPage)
		nexts = append(nexts, pg.Next)
		if len(nexts) > 5 {
			t.Fatal("iteration did not stop")
		}
	}
	if diff := cmp.Diff([]int{0, 0}, nextPages); diff != "" {
		t.Errorf("NextPage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{cursor, ""}, nexts); diff != "" {
		t.Errorf("Next (-want +got):\n%s", diff)
	}
	if got := p.requests(); len(got) != 2 || got[1] != cursor {
		t.Errorf("requests %q, want the cursor link followed", got)
	}
}
