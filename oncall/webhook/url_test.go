package webhook_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

func oncallID(n int64) oncall.AppointmentID { return oncall.AppointmentID(n) }

func TestPublicRoots(t *testing.T) {
	t.Parallel()
	want := []string{"https://api.oncallhealth.com/", "https://api.oncallhealth.ca/", "https://api.oncallhealth.us/"}
	got := webhook.PublicRoots()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PublicRoots (-want +got):\n%s", diff)
	}
	got[0] = "changed"
	if webhook.PublicRoots()[0] != want[0] {
		t.Error("PublicRoots returned a shared slice")
	}
}

func TestAppointmentIDFromURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw     string
		roots   []string
		want    int64
		wantErr error
	}{
		{"https://api.oncallhealth.com/appointments/1", nil, 1, nil},
		{"https://api.oncallhealth.ca/appointments/1234/", nil, 1234, nil},
		{"https://api.oncallhealth.us/appointments/42", nil, 42, nil},
		{"https://api.oncallhealth.ca/appointments/42", []string{"https://api.oncallhealth.ca/"}, 42, nil},
		{"https://api.oncallhealth.us/appointments/42", []string{"https://api.oncallhealth.ca/"}, 0, webhook.ErrOriginNotAllowed},
		{"http://api.oncallhealth.ca/appointments/42", nil, 0, webhook.ErrOriginNotAllowed},
		{"http://127.0.0.1:5555/appointments/42/", []string{"http://127.0.0.1:5555/"}, 42, nil},
		{"http://127.0.0.1:80/appointments/42/", []string{"http://127.0.0.1/"}, 42, nil},
		{"https://api.oncallhealth.ca.evil.com/appointments/1", nil, 0, webhook.ErrOriginNotAllowed},
		{"https://evil.com/api.oncallhealth.ca/appointments/1", nil, 0, webhook.ErrOriginNotAllowed},
		{"//api.oncallhealth.ca/appointments/1", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1?page=2", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1#top", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1/?", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/x/../appointments/1", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1%2F", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/+1", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1.0", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/1e3", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/appointments/ 1", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca/Appointments/1", nil, 0, webhook.ErrMalformed},
		{"https://api.oncallhealth.ca\\@evil.com/appointments/1", nil, 0, webhook.ErrMalformed},
		{"", nil, 0, webhook.ErrMalformed},
		{"::", nil, 0, webhook.ErrMalformed},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.AppointmentIDFromURL(tc.raw, tc.roots...)
			if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("AppointmentIDFromURL error = %v, want %v", err, tc.wantErr)
			}
			if got != oncallID(tc.want) {
				t.Errorf("AppointmentIDFromURL = %d, want %d", got, tc.want)
			}
			if err != nil {
				checkErrorText(t, err, tc.raw)
			}
		})
	}
}

// TestClientAndParserAgreeOnOrigin is issue 12 item 10: https://api.oncallhealth.ca:443/ was refused as
// cross-origin by the client and accepted by the webhook parser. Both now use one definition of an origin.
func TestClientAndParserAgreeOnOrigin(t *testing.T) {
	t.Parallel()
	c, err := oncall.NewClient(oncall.RegionCA, "t0ken")
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]bool{ // accepted by both?
		"https://api.oncallhealth.ca/appointments/7/":      true,
		"https://api.oncallhealth.ca:443/appointments/7/":  true,
		"HTTPS://API.OnCallHealth.CA/appointments/7/":      true,
		"https://api.oncallhealth.ca:8443/appointments/7/": false,
		"http://api.oncallhealth.ca/appointments/7/":       false,
		"https://api.oncallhealth.us/appointments/7/":      false,
		"https://api.oncallhealth.ca.evil/appointments/7/": false,
	}
	got := map[string]bool{}
	for u := range urls {
		_, cerr := c.ParseAppointmentURL(u)
		_, werr := webhook.AppointmentIDFromURL(u, c.BaseURL())
		if (cerr == nil) != (werr == nil) {
			t.Errorf("%s: client error %v, webhook parser error %v: they disagree", u, cerr, werr)
		}
		got[u] = cerr == nil
	}
	if d := cmp.Diff(urls, got); d != "" {
		t.Errorf("accepted (-want +got):\n%s", d)
	}
}
