package oncall_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall"
)

// The listing iterators promise to hold one page in memory at a time, however long the listing. These tests list
// 100000 appointments, 100 a page, from a server that writes each page when asked (so that the test's own heap
// does not hold them), and watch the live heap as they go.

const (
	memPages    = 1000
	memPageSize = 100
)

// memServer serves memPages pages of memPageSize appointments, each generated from its page number, with the
// shape of the real API's: two participants, URL references, metadata as the syncer writes it.
func memServer(t testing.TB) *httptest.Server {
	t.Helper()
	var ts *httptest.Server
	ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/appointments/" {
			http.NotFound(w, r)
			return
		}
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			page, _ = strconv.Atoi(p)
		}
		if page < 1 || page > memPages || r.URL.Query().Get("page_size") != strconv.Itoa(memPageSize) {
			http.Error(w, `{"detail": "Invalid page."}`, http.StatusNotFound)
			return
		}
		var b bytes.Buffer
		next := "null"
		if page < memPages {
			next = fmt.Sprintf(`"%s/appointments/?page=%d&page_size=%d"`, ts.URL, page+1, memPageSize)
		}
		fmt.Fprintf(&b, `{"count": %d, "next": %s, "previous": null, "results": [`, memPages*memPageSize, next)
		for i := range memPageSize {
			id := (page-1)*memPageSize + i + 1
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"url": "%[1]s/appointments/%[2]d/", "title": "Individual Therapy", "datetime": "2030-03-%02[3]dT%[4]d:00:00Z",
				"duration": 50, "type": "online", "status": "Incomplete", "cancelled": false, "division": "%[1]s/divisions/101/",
				"provider": "%[1]s/providers/201/", "participants": [`, ts.URL, id, 1+id%28, 8+id%10)
			for j := range 2 {
				if j > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"url": "%[1]s/participants/%[2]d/", "appointment": "%[1]s/appointments/%[3]d/", "name": "Client %[2]d",
					"first_name": "Client", "last_name": "%[2]d", "email": "client%[2]d@example.com", "fee": "10.00", "cancelled": false, "status": null}`,
					ts.URL, 2*id+j, id)
			}
			fmt.Fprintf(&b, `], "metadata": {"emr_id": "A%06[1]d", "emr_source": "carelogic", "emr_series_id": "S%[2]d", "emr_clients": "C%[3]d=k2j4h5g6f7,C%[4]d=a1b2c3d4e5"}}`,
				id, id/7, 2*id, 2*id+1)
		}
		b.WriteString("]}")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(ts.Close)
	return ts
}

func memClient(t testing.TB, ts *httptest.Server) *oncall.Client {
	t.Helper()
	c, err := oncall.NewClient(oncall.RegionCA, "test-token", oncall.WithBaseURL(ts.URL), oncall.WithHTTPClient(ts.Client()),
		oncall.WithRateLimit(oncall.NoRateLimit, 1),
		oncall.WithRetryPolicy(oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// memHeap returns the live heap after full collections.
func memHeap() uint64 {
	// Three collections: objects a sync.Pool keeps (regexp's, among others) survive one and go on the next, and
	// would otherwise be counted in one reading and not the other, depending on which tests ran before.
	runtime.GC()
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memPageBytes measures what one decoded page of appointments keeps alive.
func memPageBytes(t testing.TB, c *oncall.Client) uint64 {
	t.Helper()
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: memPageSize}}
	if _, err := c.Appointments.List(context.Background(), opts); err != nil { // warm up: connection, buffers
		t.Fatal(err)
	}
	before := memHeap()
	p, err := c.Appointments.List(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	after := memHeap()
	runtime.KeepAlive(p)
	if after <= before || len(p.Results) != memPageSize {
		t.Fatalf("one page of %d appointments measured %d bytes (%d results)", memPageSize, int64(after)-int64(before), len(p.Results))
	}
	return after - before
}

// memGrowth lists the appointments with All, passing each to keep, and returns the largest growth of the live
// heap over its level before the listing, sampled in the middle of every fifth page (when that page is held), and how
// many appointments were listed, in order, before stop said to stop.
func memGrowth(t testing.TB, c *oncall.Client, keep func(*oncall.Appointment), stop int) (maxGrowth uint64, n int) {
	t.Helper()
	base := memHeap()
	opts := &oncall.AppointmentListOptions{ListOptions: oncall.ListOptions{PageSize: memPageSize}}
	for a, err := range c.Appointments.All(context.Background(), opts) {
		if err != nil {
			t.Fatalf("after %d appointments: %v", n, err)
		}
		n++
		if want := oncall.AppointmentID(n); a.ID != want {
			t.Fatalf("appointment %d has id %d, want %d", n, a.ID, want)
		}
		keep(a)
		// Every fifth page: a full collection per page would triple the test's time under -race for no gain, as
		// retention only grows.
		if n%(5*memPageSize) == memPageSize/2 {
			if h := memHeap(); h > base {
				maxGrowth = max(maxGrowth, h-base)
			}
		}
		if n == stop {
			break
		}
	}
	return maxGrowth, n
}

// TestListingMemoryBounded lists 100000 appointments and checks that the live heap never grows by more than 20
// pages' worth of decoded appointments, a bound that a listing keeping what it had read would exceed fifty-fold.
//
// Measured on the 2-core development machine, with and without -race (the figures move by a few KB from run to
// run): one decoded page of 100 appointments keeps 89 to 99 KB alive, so keeping all 100000 would take 90 to
// 100 MB; the bound of 20 pages is 1.8 to 2 MB; the listing's largest growth was 252 to 255 KB. That is the page
// held (about 95 KB at the first sample) plus about 160 bytes for each page followed, which is the iterator's
// record of the links it has followed (its guard against a cycle of next links): 1000 pages add about 160 KB.
// The control shows that the measurement sees retention: keeping the appointments of 50 pages grew the heap by
// 6.6 to 7 MB, past the bound.
func TestListingMemoryBounded(t *testing.T) {
	ts := memServer(t) // not parallel: the heap measured must be this test's alone
	c := memClient(t, ts)
	page := memPageBytes(t, c)
	bound := 20 * page
	retainAll := memPages * page
	if bound*10 > retainAll {
		t.Fatalf("the bound (%d bytes) is not far below what keeping every page costs (%d bytes)", bound, retainAll)
	}

	t.Run("streaming", func(t *testing.T) {
		growth, n := memGrowth(t, c, func(*oncall.Appointment) {}, -1)
		t.Logf("one page: %d KB; bound (20 pages): %d KB; keeping all %d pages would cost %d KB; largest growth: %d KB",
			page>>10, bound>>10, memPages, retainAll>>10, growth>>10)
		if n != memPages*memPageSize {
			t.Fatalf("listed %d appointments, want %d", n, memPages*memPageSize)
		}
		if growth > bound {
			t.Errorf("listing %d appointments grew the live heap by %d KB, more than the bound of %d KB (20 pages)", n, growth>>10, bound>>10)
		}
	})

	t.Run("control: keeping every appointment", func(t *testing.T) {
		const pages = 50
		var kept []oncall.Appointment
		growth, n := memGrowth(t, c, func(a *oncall.Appointment) { kept = append(kept, *a) }, pages*memPageSize)
		t.Logf("keeping %d appointments (%d pages) grew the live heap by %d KB", n, pages, growth>>10)
		if growth <= bound {
			t.Errorf("keeping %d pages grew the heap by %d KB, within the bound of %d KB: the measurement cannot tell retention", pages, growth>>10, bound>>10)
		}
		runtime.KeepAlive(kept)
	})
}
