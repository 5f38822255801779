package oncall_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/internal/memtest"
	"github.com/oncallsync/oncall-go/oncall"
)

// repeatReader yields head, then body repeated until n bytes in all have been read, then tail: a 50 MB hostile
// response without a 50 MB slice in the test's own heap.
type repeatReader struct {
	head, body, tail string
	n, off           int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && r.off < r.n {
		switch {
		case r.off < int64(len(r.head)):
			p[i] = r.head[r.off]
		case r.off >= r.n-int64(len(r.tail)):
			p[i] = r.tail[r.off-(r.n-int64(len(r.tail)))]
		default:
			p[i] = r.body[(r.off-int64(len(r.head)))%int64(len(r.body))]
		}
		i++
		r.off++
	}
	return i, nil
}

// distinctKeys is an appointment whose metadata holds n distinct keys.
func distinctKeys(n int) string {
	var b strings.Builder
	b.WriteString(`{"url": "https://api.oncallhealth.ca/appointments/7/", "metadata": {`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%07d":%d`, i, i)
	}
	b.WriteString("}}")
	return b.String()
}

// TestHostileResponses feeds the client 50 MB responses shaped to cost the most: each is refused with
// ErrResponseTooLarge, and the peak heap stays within 5 x MaxResponseBytes (the body as read, with the slack of a
// growing buffer, and the transport's own buffers). The figures go to RELIABILITY.md.
func TestHostileResponses(t *testing.T) {
	memtest.Hostile(t)
	const n = memtest.HostileSize
	const (
		pageHead = `{"count": 1, "next": null, "results": [`
		item     = `{"url": "https://api.oncallhealth.ca/appointments/7/", "title": "` + "Title of the appointment, long enough to fill a page up to the limit with forty-nine thousand of them, which takes three hundred and twenty bytes or so, each one" + `", "type": "online", "status": "Pending", "cancelled": false},`
		pageTail = `{"url": "https://api.oncallhealth.ca/appointments/8/"}]}`
	)
	tests := []struct {
		name          string
		head, body    string
		tail          string
		contentLength bool
		path          string
		size          int64 // 50 MB unless set
		wantOK        bool  // decodes: under every limit
	}{
		{name: "one 50 MB string, no Content-Length", head: `{"url": "x", "title": "`, body: "y", tail: `"}`, path: "appointments/7/"},
		{name: "one 50 MB string, with Content-Length", head: `{"url": "x", "title": "`, body: "y", tail: `"}`, contentLength: true, path: "appointments/7/"},
		{name: "a page of 17 million empty results", head: `{"count": 1, "next": null, "results": [`, body: "{},", tail: "{}]}", path: "appointments/"},
		{name: "a million participants", head: `{"url": "x", "participants": [`, body: `{"email": "a@b.c"},`, tail: "{}]}", path: "appointments/7/"},
		{name: "nested 25 million deep", head: "", body: "[", tail: "", path: "appointments/7/"},
		// Just under MaxResponseBytes, where the shape and not the size must stop it.
		{name: "16 MB page of 5 million empty results", head: `{"count": 1, "next": null, "results": [`, body: "{},", tail: "{}]}",
			path: "appointments/", size: oncall.MaxResponseBytes - 1},
		{name: "16 MB nested 16 million deep", head: "", body: "[", tail: "", path: "appointments/7/", size: oncall.MaxResponseBytes - 1},
		// A million metadata keys: one object, one map of a million entries (was 240 MiB).
		{name: "16 MB of metadata: a million keys", head: `{"url": "https://api.oncallhealth.ca/appointments/7/", "metadata": {`,
			body: `"k":0,`, tail: `"z":1}}`, path: "appointments/7/", size: oncall.MaxResponseBytes - 1},
		// Under every limit: the most a response can cost and still be decoded.
		{name: "16 MB page of 37,000 appointments", head: pageHead, body: item, tail: pageTail, path: "appointments/",
			size: int64(len(pageHead) + 36_999*len(item) + len(pageTail)), wantOK: true},
		{name: "metadata of 290,000 distinct keys", body: distinctKeys(290_000), path: "appointments/7/", wantOK: true},
		{name: "metadata of 310,000 distinct keys", body: distinctKeys(310_000), path: "appointments/7/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if tc.contentLength {
					w.Header().Set("Content-Length", "52428800")
				}
				size := int64(n)
				if tc.size > 0 {
					size = tc.size
				}
				if tc.head == "" && tc.tail == "" && strings.HasPrefix(tc.body, "{") {
					_, _ = io.WriteString(w, tc.body) // a whole document
					return
				}
				_, _ = io.Copy(w, &repeatReader{head: tc.head, body: tc.body, tail: tc.tail, n: size})
			}))
			defer srv.Close()
			c, err := oncall.NewClient(oncall.RegionCA, "t0ken", oncall.WithBaseURL(srv.URL),
				oncall.WithRateLimit(oncall.NoRateLimit, 1), oncall.WithRetryPolicy(oncall.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			var callErr error
			memtest.Check(t, tc.name, 5*oncall.MaxResponseBytes, func() {
				if strings.HasSuffix(tc.path, "7/") {
					_, callErr = c.Appointments.Get(t.Context(), 7)
					return
				}
				for _, err := range c.Appointments.All(t.Context(), nil) {
					if err != nil {
						callErr = err
						break
					}
				}
			})
			if tc.wantOK {
				if callErr != nil {
					t.Fatalf("error = %v, want none", callErr)
				}
				return
			}
			var de *oncall.DecodeError
			if !errors.As(callErr, &de) || !errors.Is(callErr, oncall.ErrResponseTooLarge) {
				t.Fatalf("error = %v, want a DecodeError wrapping ErrResponseTooLarge", callErr)
			}
			if len(callErr.Error()) > 200 {
				t.Errorf("error text of %d bytes", len(callErr.Error()))
			}
			t.Logf("error: %v", callErr)
		})
	}
}
