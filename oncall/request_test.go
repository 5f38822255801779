package oncall_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

// Do reaches an endpoint the client does not model with the client's host, token, query and JSON, and decodes the
// answer; an absolute URL on the client's origin works too.
func TestDo(t *testing.T) {
	t.Parallel()
	for _, v := range apiVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, v.region, v.opts...)
			api.onJSON("POST", v.base+"appointmentcharges/", 201, `{"amount_failed": 0}`)
			api.onJSON("GET", v.base+"appointmentattachments/", 200, `{"count": 1, "next": null, "previous": null, "results": [{"display_name": "x"}]}`)
			var charged struct {
				AmountFailed int `json:"amount_failed"`
			}
			in := map[string]string{"appointment": v.base + "appointments/7/", "charge_type": "Completion"}
			if err := c.Do(t.Context(), "POST", "appointmentcharges/", nil, in, &charged); err != nil {
				t.Fatalf("Do POST: %v", err)
			}
			var page struct {
				Count int `json:"count"`
			}
			if err := c.Do(t.Context(), "GET", v.base+"appointmentattachments/", url.Values{"appointment_id": {"7"}}, nil, &page); err != nil || page.Count != 1 {
				t.Fatalf("Do GET of an absolute URL = %v, count %d", err, page.Count)
			}
			reqs := api.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			var sent map[string]string
			if err := json.Unmarshal(reqs[0].Body, &sent); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(in, sent); diff != "" {
				t.Errorf("body sent (-want +got):\n%s", diff)
			}
			got := []string{reqs[0].Method + " " + reqs[0].Path, reqs[1].Method + " " + reqs[1].Path + "?" + reqs[1].Query.Encode()}
			want := []string{"POST " + v.path("appointmentcharges/"), "GET " + v.path("appointmentattachments/") + "?appointment_id=7"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			for _, r := range reqs {
				if r.Header.Get("Authorization") != "Token "+stubToken {
					t.Errorf("%s %s without the token", r.Method, r.Path)
				}
			}
		})
	}
}

// Do refuses, before sending anything, a method it does not know, a path that is not below the API root, and a URL
// of another origin (the other region's included: the token never leaves its own).
func TestDoRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path string
		want               error
	}{
		{"unknown method", "TRACE", "appointments/", oncall.ErrInvalidParams},
		{"empty path", "GET", "", oncall.ErrInvalidParams},
		{"leading slash", "GET", "/appointments/", oncall.ErrInvalidParams},
		{"query in the path", "GET", "appointments/?page=2", oncall.ErrInvalidParams},
		{"parent path", "GET", "../admin/", oncall.ErrInvalidParams},
		{"white space", "GET", "appointments /", oncall.ErrInvalidParams},
		{"the other region", "GET", "https://api.oncallhealth.us/appointments/", oncall.ErrCrossOrigin},
		{"another host", "GET", "https://evil.example/appointments/", oncall.ErrCrossOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := newStubAPI(t, oncall.RegionCA)
			err := c.Do(t.Context(), tt.method, tt.path, nil, nil, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("Do = %v, want %v", err, tt.want)
			}
			api.assertNothingSent(t)
		})
	}
}

// A POST through Do is not repeated once it may have reached the server, as a modelled create is not.
func TestDoPostNotRepeated(t *testing.T) {
	t.Parallel()
	c, api := newStubAPI(t, oncall.RegionCA)
	api.onJSON("POST", caBase+"appointmentcharges/", 502, `<html>Bad Gateway</html>`)
	err := c.Do(t.Context(), "POST", "appointmentcharges/", nil, map[string]string{"charge_type": "Completion"}, nil)
	if !errors.Is(err, oncall.ErrServer) {
		t.Errorf("Do = %v, want ErrServer", err)
	}
	if n := len(api.requests()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}
