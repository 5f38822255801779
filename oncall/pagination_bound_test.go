package oncall

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
)

// endlessPager is the hostile server of issue 12 item 7: every page links a fresh next page, forever. Each page
// holds perPage appointments and claims count.
type endlessPager struct {
	count, perPage int
	grow           int // added to the count on every page
	calls          atomic.Int64
}

func (p *endlessPager) respond(req *http.Request) (*http.Response, error) {
	n := int(p.calls.Add(1))
	items := make([]string, 0, p.perPage)
	for i := range p.perPage {
		items = append(items, netAppointmentJSON(netRoot, n*100+i+1))
	}
	next := strconv.Quote(fmt.Sprintf("%sappointments/?page=%d", netRoot, n+1))
	return netJSONResponder(200, fmt.Sprintf(`{"count": %d, "next": %s, "previous": null, "results": [%s]}`,
		p.count+(n-1)*p.grow, next, strings.Join(items, ",")))(req)
}

// TestPaginationRunaway is issue 12 item 7: a server that kept sending fresh next links with empty pages was
// followed for 2961 pages in 3 s, until the context deadline. Now a listing ends with ErrPaginationRunaway as
// soon as the server's pages contradict themselves, and at WithMaxPages whatever they say.
func TestPaginationRunaway(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pager     *endlessPager
		opts      []Option
		wantPages int    // pages yielded before the error
		wantText  string // the error's text after the sentinel
	}{
		{"empty pages with fresh next links", &endlessPager{count: 0, perPage: 0}, nil, 0,
			"GET /appointments/: page 1 has no results but links a next page"},
		{"empty pages that claim a count", &endlessPager{count: 500, perPage: 0}, nil, 0,
			"GET /appointments/: page 1 has no results but links a next page"},
		{"more pages than the count needs", &endlessPager{count: 3, perPage: 1}, nil, 5,
			"GET /appointments/: page 6 links a next page, but a count of 3 needs 3 pages of 1"},
		{"no count: the page limit", &endlessPager{count: 0, perPage: 1}, []Option{WithMaxPages(10)}, 9,
			"GET /appointments/: page 10 links a next page, and the client reads at most 10 (WithMaxPages)"},
		{"a huge count: the page limit", &endlessPager{count: 1 << 30, perPage: 2}, []Option{WithMaxPages(4)}, 3,
			"GET /appointments/: page 4 links a next page, and the client reads at most 4 (WithMaxPages)"},
		{"a count that keeps growing", &endlessPager{count: 3, perPage: 1, grow: 500}, nil, 3,
			"GET /appointments/: page 4 counts 1503 results, more than the 3 the first page counted can grow to while it is read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := netMockClient(t, tt.opts...)
			p := tt.pager
			mt.RegisterResponder("GET", netRoot+"appointments/", p.respond)
			pages, errs := 0, []error(nil)
			for pg, err := range c.Appointments.Pages(t.Context(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if pages++; pages > 1000 {
					t.Fatal("the listing went on past 1000 pages")
				}
				_ = pg
			}
			if len(errs) != 1 || !errors.Is(errs[0], ErrPaginationRunaway) {
				t.Fatalf("errors = %v, want ErrPaginationRunaway once", errs)
			}
			if want := "oncall: pagination did not end: " + tt.wantText; errs[0].Error() != want {
				t.Errorf("error = %q\nwant    %q", errs[0], want)
			}
			if pages != tt.wantPages {
				t.Errorf("%d pages yielded, want %d", pages, tt.wantPages)
			}
			if n := int(p.calls.Load()); n != tt.wantPages+1 {
				t.Errorf("%d requests, want %d: the page that broke the bound, and none after it", n, tt.wantPages+1)
			}
		})
	}
}

// TestPaginationBoundAllowsAGrowingListing: a listing that grows while it is read (a count that rises from page
// to page, pages shorter than the first) still ends normally.
func TestPaginationBoundAllowsAGrowingListing(t *testing.T) {
	t.Parallel()
	c, mt := netMockClient(t)
	bodies := []string{
		`{"count": 4, "next": "` + netRoot + `appointments/?page=2", "results": [` + netAppointmentJSON(netRoot, 1) + `,` + netAppointmentJSON(netRoot, 2) + `]}`,
		`{"count": 6, "next": "` + netRoot + `appointments/?page=3", "results": [` + netAppointmentJSON(netRoot, 3) + `]}`,
		`{"count": 6, "next": "` + netRoot + `appointments/?page=4", "results": [` + netAppointmentJSON(netRoot, 4) + `,` + netAppointmentJSON(netRoot, 5) + `]}`,
		`{"count": 6, "next": null, "results": [` + netAppointmentJSON(netRoot, 6) + `]}`,
	}
	var n atomic.Int64
	mt.RegisterResponder("GET", netRoot+"appointments/", func(req *http.Request) (*http.Response, error) {
		return netJSONResponder(200, bodies[n.Add(1)-1])(req)
	})
	ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if d := cmp.Diff([]AppointmentID{1, 2, 3, 4, 5, 6}, ids); d != "" {
		t.Errorf("ids (-want +got):\n%s", d)
	}
}

// TestNextLinkLeavesTheAPIRoot is issue 12 item 9: a next link on the client's origin but outside its API root
// (a proxy prefix that separates tenants) is refused like one on another origin.
func TestNextLinkLeavesTheAPIRoot(t *testing.T) {
	t.Parallel()
	const root = "https://proxy.example.com/tenant-a/"
	c, mt := netMockClient(t, WithBaseURL(root))
	mt.RegisterResponder("GET", root+"appointments/", netJSONResponder(200,
		`{"count": 2, "next": "https://proxy.example.com/tenant-b/appointments/?page=2", "results": [`+netAppointmentJSON(root, 1)+`]}`))
	var other atomic.Int64
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		other.Add(1)
		return httpmock.NewStringResponse(404, ""), nil
	})
	ids, errs := netCollect(t, c.Appointments.All(t.Context(), nil), 100, nil)
	if d := cmp.Diff([]AppointmentID{1}, ids); d != "" {
		t.Errorf("ids (-want +got):\n%s", d)
	}
	if len(errs) != 1 || !errors.Is(errs[0], ErrCrossOrigin) || !strings.Contains(errs[0].Error(), "leaves the API root /tenant-a/") {
		t.Fatalf("errors = %v, want one ErrCrossOrigin saying the link leaves the API root", errs)
	}
	if other.Load() != 0 {
		t.Errorf("%d requests left the API root", other.Load())
	}
}
