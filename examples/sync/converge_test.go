package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// TestNotConverged: a change that does not stick keeps the job from settling. Here someone edits the title back in
// OnCall after every write (a listing always shows their title, while each update is answered as applied), so
// every pass after the first changes the title again: the job makes its three passes, says it did not converge,
// and exits 2, in JSON and in text.
func TestNotConverged(t *testing.T) {
	srv := oncalltest.NewServer()
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Clinic")
	provider := srv.AddProvider("Provider One", "one@clinic.example.org", div)
	const synced, edited = `"title":"Individual Therapy"`, `"title":"Edited in OnCall"`

	// A proxy in front of the fake, on an origin of its own: URLs are rewritten both ways, and listings show the
	// title as edited.
	back, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	var front *httptest.Server
	swap := func(body io.ReadCloser, from, to string, also func([]byte) []byte) (io.ReadCloser, int, error) {
		b, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			return nil, 0, err
		}
		b = also(bytes.ReplaceAll(b, []byte(from), []byte(to)))
		return io.NopCloser(bytes.NewReader(b)), len(b), nil
	}
	same := func(b []byte) []byte { return b }
	listings := 0
	front = httptest.NewServer(&httputil.ReverseProxy{
		Transport: srv.HTTPClient().Transport,
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(back)
			if r.Out.Body == nil || r.Out.Body == http.NoBody {
				return
			}
			body, n, err := swap(r.Out.Body, front.URL, srv.URL(), same)
			if err != nil {
				t.Error(err)
				return
			}
			r.Out.Body, r.Out.ContentLength = body, int64(n)
			r.Out.Header.Set("Content-Length", strconv.Itoa(n))
		},
		ModifyResponse: func(resp *http.Response) error {
			also := same
			if resp.Request.Method == http.MethodGet && resp.Request.URL.Path == "/appointments/" {
				listings++
				also = func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(synced), []byte(edited)) }
			}
			body, n, err := swap(resp.Body, srv.URL(), front.URL, also)
			if err != nil {
				return err
			}
			resp.Body, resp.ContentLength = body, int64(n)
			resp.Header.Set("Content-Length", strconv.Itoa(n))
			return nil
		},
	})
	t.Cleanup(front.Close)

	now := time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)
	var schedule bytes.Buffer
	if err := carelogic.WriteJSON(&schedule, []carelogic.Appointment{{ID: "1", Source: "json", Kind: carelogic.Individual,
		Modality: carelogic.Video, ProviderID: "staff-1", Start: now.AddDate(0, 0, 1), Duration: 50 * time.Minute,
		Activity: "Individual Therapy", Participants: []carelogic.Participant{{ClientID: "cl-1", Name: "Client One", Email: "client1@example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schedule.json")
	if err := os.WriteFile(path, schedule.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-now", now.Format(time.RFC3339), "-region", "ca", "-base-url", front.URL, "-token", srv.Token(),
		"-division", fmt.Sprint(div), "-provider", fmt.Sprint(provider), "-source", "json:" + path}

	stdout, _, err := runJob(t, nil, append([]string{"-json"}, args...)...)
	if code := exitCode(err, io.Discard); code != exitAttention || !errors.Is(err, errNotConverged) {
		t.Fatalf("exit %d (%v), want 2 with errNotConverged", code, err)
	}
	var out output
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Passes) != 3 || out.Converged || out.NeedsAttention {
		t.Fatalf("%d passes, converged %v, needs_attention %v: want 3, false, false", len(out.Passes), out.Converged, out.NeedsAttention)
	}
	if listings < 3 {
		t.Fatalf("the proxy saw %d listings: the job did not list through it", listings)
	}
	for i, rep := range out.Passes[1:] {
		var updates []string
		for _, a := range rep.Actions {
			if a.Kind == syncer.ActionUpdate && a.Outcome == syncer.OutcomeApplied {
				updates = append(updates, strings.Join(a.Fields, ","))
			}
		}
		if len(updates) != 1 || updates[0] != "title" || len(rep.Actions) != 1 {
			t.Errorf("pass %d: %d actions, applied updates of %q; want the title updated again, nothing else", i+2, len(rep.Actions), updates)
		}
	}

	stdout, _, err = runJob(t, nil, args...)
	if code := exitCode(err, io.Discard); code != exitAttention {
		t.Fatalf("text: exit %d (%v), want 2", code, err)
	}
	if !strings.Contains(stdout, "Not converged: the last pass still had changes") || strings.Contains(stdout, "Converged:") {
		t.Errorf("text report does not say it did not converge:\n%s", stdout)
	}
}
