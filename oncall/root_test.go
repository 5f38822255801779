package oncall_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/oncall"
)

// pathRecorder is a server that records the path of every request that carried the token.
type pathRecorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	paths []string
}

func newPathRecorder(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *pathRecorder {
	p := &pathRecorder{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			p.mu.Lock()
			p.paths = append(p.paths, r.URL.EscapedPath())
			p.mu.Unlock()
		}
		h(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pathRecorder) outside(root string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.paths {
		if !strings.HasPrefix(s, root) || strings.Contains(strings.ToLower(s), "%2e") || strings.Contains(s, "/../") {
			out = append(out, s)
		}
	}
	return out
}

// TestTokenStaysBelowTheAPIRoot: a client on a proxy's prefix (/oncall/) must not send its token to a path a
// server would read as outside it: dot segments, escaped dots, a next link or a redirect elsewhere. An adversarial
// review of the base URL checks found each of these sent with the token.
func TestTokenStaysBelowTheAPIRoot(t *testing.T) {
	t.Parallel()
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"url": "x", "count": 1, "next": null, "results": []}`)
	}
	t.Run("Do", func(t *testing.T) {
		t.Parallel()
		p := newPathRecorder(t, ok)
		c, err := oncall.NewClient(oncall.RegionCA, "tok", oncall.WithBaseURL(p.srv.URL+"/oncall/"), oncall.WithRetryPolicy(oncall.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"%2e%2e/admin/", ".%2e/admin/", "%2E%2E/%2E%2E/x/", "a/%2Fb/", "./x/",
			p.srv.URL + "/oncall/../admin/", p.srv.URL + "/oncall/%2e%2e/admin/", p.srv.URL + "/other/"} {
			if err := c.Do(t.Context(), "GET", path, nil, nil, nil); err == nil {
				t.Errorf("Do(%q) was sent", path)
			}
		}
		if got := p.outside("/oncall/"); len(got) != 0 {
			t.Errorf("the token went to %q", got)
		}
	})
	t.Run("next link", func(t *testing.T) {
		t.Parallel()
		var p *pathRecorder
		p = newPathRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"count": 2, "next": %q, "results": [{"url": "%s/oncall/providers/1/"}]}`, p.srv.URL+"/oncall/%2e%2e/admin/?page=2", p.srv.URL)
		})
		c, err := oncall.NewClient(oncall.RegionCA, "tok", oncall.WithBaseURL(p.srv.URL+"/oncall/"), oncall.WithRetryPolicy(oncall.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for _, err := range c.Providers.All(t.Context(), nil) {
			last = err
		}
		if !errors.Is(last, oncall.ErrCrossOrigin) {
			t.Errorf("listing ended with %v, want ErrCrossOrigin", last)
		}
		if got := p.outside("/oncall/"); len(got) != 0 {
			t.Errorf("the token went to %q", got)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		t.Parallel()
		var logs bytes.Buffer
		p := newPathRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/oncall/") {
				http.Redirect(w, r, "/elsewhere/Jane%20Roe/", http.StatusFound)
				return
			}
			ok(w, r)
		})
		c, err := oncall.NewClient(oncall.RegionCA, "tok", oncall.WithBaseURL(p.srv.URL+"/oncall/"), oncall.WithRetryPolicy(oncall.RetryPolicy{}),
			oncall.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Appointments.Get(t.Context(), 7); !errors.Is(err, oncall.ErrCrossOrigin) {
			t.Errorf("Get through a redirect out of the root: %v, want ErrCrossOrigin", err)
		}
		if got := p.outside("/oncall/"); len(got) != 0 {
			t.Errorf("the token went to %q", got)
		}
		phitest.Check(t, "client log", []string{logs.String()})
	})
}

// rawServer answers every request with reply, whatever it is: a broken or hostile server.
func rawServer(t *testing.T, reply string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					l, err := br.ReadString('\n')
					if err != nil || l == "\r\n" {
						break
					}
				}
				_, _ = conn.Write([]byte(reply))
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

// TestTransportErrorsQuoteNothing: net/http's errors for a malformed answer quote it ("malformed HTTP status
// code \"Jane.Roe\""); the client's RequestError shows a fixed text instead, and keeps the error for errors.As.
func TestTransportErrorsQuoteNothing(t *testing.T) {
	t.Parallel()
	email := phitest.Emails[0]
	replies := map[string]string{
		"malformed status line": phitest.Names[0] + " " + email + "\r\n\r\n",
		"bad status code":       "HTTP/1.1 Jane.Roe OK\r\n\r\n",
		"bad header":            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + phitest.Names[0] + " " + email + "\r\n\r\n{}",
		"bad Location":          "HTTP/1.1 302 Found\r\nLocation: http://[" + email + "\r\nContent-Length: 0\r\n\r\n",
		"bad Content-Length":    "HTTP/1.1 200 OK\r\nContent-Length: " + email + "\r\n\r\n",
	}
	for label, reply := range replies {
		var logs bytes.Buffer
		c, err := oncall.NewClient(oncall.RegionCA, "tok", oncall.WithBaseURL(rawServer(t, reply)), oncall.WithRetryPolicy(oncall.RetryPolicy{}),
			oncall.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Appointments.Get(t.Context(), 7)
		var re *oncall.RequestError
		if !errors.As(err, &re) {
			t.Errorf("%s: error %v, want a RequestError", label, err)
			continue
		}
		phitest.CheckValue(t, label, err, "Jane.Roe")
		phitest.Check(t, label+": log", []string{logs.String()}, "Jane.Roe")
	}
}

// TestDoErrorsShowNoPath: a path a caller built from data ("contacts/<email>/") is not echoed by Do's errors.
func TestDoErrorsShowNoPath(t *testing.T) {
	t.Parallel()
	c, err := oncall.NewClient(oncall.RegionCA, "tok")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Do(t.Context(), "POST", "contacts/"+phitest.Emails[0]+"/", nil, map[string]any{"x": math.NaN()}, nil)
	if err == nil {
		t.Fatal("encoding NaN succeeded")
	}
	phitest.CheckValue(t, "Do", err)
}
