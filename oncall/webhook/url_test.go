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
