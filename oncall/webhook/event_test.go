package webhook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want webhook.Event
	}{
		{"webhook_appointment_created.json", webhook.Event{
			Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.com/appointments/1", AppointmentID: 1,
		}},
		{"webhook_appointment_updated.json", webhook.Event{
			Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.com/appointments/1", AppointmentID: 1,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body := readFixture(t, tc.file)
			got, err := webhook.Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if !got.Type.Known() {
				t.Errorf("Type %q: Known() = false", got.Type)
			}
		})
	}
}

// canary is a stand-in for patient data in a body; no error text may repeat it.
const canary = "Jane Canary"

func TestParse(t *testing.T) {
	t.Parallel()
	created := func(url string) string { return `{"event":"appointment_created","url":"` + url + `"}` }
	long := strings.Repeat("x", 129)
	for _, tc := range []struct {
		name    string
		body    string
		want    webhook.Event
		wantErr error
	}{
		// Good deliveries.
		{"created .com", created("https://api.oncallhealth.com/appointments/1"),
			webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.com/appointments/1", AppointmentID: 1}, nil},
		{"created .ca trailing slash", created("https://api.oncallhealth.ca/appointments/1234/"),
			webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.ca/appointments/1234/", AppointmentID: 1234}, nil},
		{"updated .us", `{"event":"appointment_updated","url":"https://api.oncallhealth.us/appointments/9223372036854775807"}`,
			webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.us/appointments/9223372036854775807", AppointmentID: 9223372036854775807}, nil},
		{"host and scheme case ignored", created("HTTPS://API.OncallHealth.CA/appointments/5"),
			webhook.Event{Type: webhook.AppointmentCreated, URL: "HTTPS://API.OncallHealth.CA/appointments/5", AppointmentID: 5}, nil},
		{"default port written out", created("https://api.oncallhealth.ca:443/appointments/5"),
			webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.ca:443/appointments/5", AppointmentID: 5}, nil},
		{"other fields ignored", `{"event":"appointment_created","url":"https://api.oncallhealth.com/appointments/3","title":"` + canary + `","participants":[{"name":"` + canary + `"}]}`,
			webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.com/appointments/3", AppointmentID: 3}, nil},
		{"white space around the object", " \n" + created("https://api.oncallhealth.com/appointments/3") + "\n",
			webhook.Event{Type: webhook.AppointmentCreated, URL: "https://api.oncallhealth.com/appointments/3", AppointmentID: 3}, nil},
		{"duplicate key: the last wins", `{"event":"nope","event":"appointment_updated","url":"https://api.oncallhealth.com/appointments/3"}`,
			webhook.Event{Type: webhook.AppointmentUpdated, URL: "https://api.oncallhealth.com/appointments/3", AppointmentID: 3}, nil},

		// Unknown events are kept, and their url is not checked.
		{"unknown event kept", `{"event":"appointment_deleted","url":"https://evil.example/x?y#z"}`,
			webhook.Event{Type: "appointment_deleted", URL: "https://evil.example/x?y#z"}, nil},
		{"unknown event without url", `{"event":"participant_updated"}`,
			webhook.Event{Type: "participant_updated"}, nil},
		{"unknown event, url not a string", `{"event":"participant_updated","url":{"id":1}}`,
			webhook.Event{Type: "participant_updated"}, nil},
		{"event name is case-sensitive", `{"event":"Appointment_Created","url":""}`,
			webhook.Event{Type: "Appointment_Created"}, nil},

		// Not JSON, or not an object.
		{"empty body", ``, webhook.Event{}, webhook.ErrMalformed},
		{"white space only", "  \n", webhook.Event{}, webhook.ErrMalformed},
		{"bad JSON", `{"event":"appointment_created","url":`, webhook.Event{}, webhook.ErrMalformed},
		{"bad JSON with patient data", `{"name":"` + canary + `" "event"}`, webhook.Event{}, webhook.ErrMalformed},
		{"trailing data", created("https://api.oncallhealth.com/appointments/1") + `{}`, webhook.Event{}, webhook.ErrMalformed},
		{"null", `null`, webhook.Event{}, webhook.ErrMalformed},
		{"array", `[{"event":"appointment_created"}]`, webhook.Event{}, webhook.ErrMalformed},
		{"string", `"appointment_created"`, webhook.Event{}, webhook.ErrMalformed},
		{"number", `42`, webhook.Event{}, webhook.ErrMalformed},

		// The event field.
		{"missing event", `{"url":"https://api.oncallhealth.com/appointments/1"}`, webhook.Event{}, webhook.ErrMalformed},
		{"event key in another case", `{"Event":"appointment_created","url":"https://api.oncallhealth.com/appointments/1"}`, webhook.Event{}, webhook.ErrMalformed},
		{"empty event", `{"event":"","url":"https://api.oncallhealth.com/appointments/1"}`, webhook.Event{}, webhook.ErrMalformed},
		{"null event", `{"event":null,"url":"https://api.oncallhealth.com/appointments/1"}`, webhook.Event{}, webhook.ErrMalformed},
		{"numeric event", `{"event":1,"url":"https://api.oncallhealth.com/appointments/1"}`, webhook.Event{}, webhook.ErrMalformed},
		{"event with a space", `{"event":"appointment created"}`, webhook.Event{}, webhook.ErrMalformed},
		{"event with a control character", `{"event":"appointment_created\n"}`, webhook.Event{}, webhook.ErrMalformed},
		{"event with non-ASCII", `{"event":"appointment_créé"}`, webhook.Event{}, webhook.ErrMalformed},
		{"event too long", `{"event":"` + long + `"}`, webhook.Event{}, webhook.ErrMalformed},

		// The url field of a known event.
		{"missing url", `{"event":"appointment_created"}`, webhook.Event{}, webhook.ErrMalformed},
		{"empty url", created(""), webhook.Event{}, webhook.ErrMalformed},
		{"null url", `{"event":"appointment_created","url":null}`, webhook.Event{}, webhook.ErrMalformed},
		{"numeric url", `{"event":"appointment_created","url":1}`, webhook.Event{}, webhook.ErrMalformed},
		{"relative url", created("/appointments/1"), webhook.Event{}, webhook.ErrMalformed},
		{"url without id", created("https://api.oncallhealth.com/appointments/"), webhook.Event{}, webhook.ErrMalformed},
		{"url without path", created("https://api.oncallhealth.com"), webhook.Event{}, webhook.ErrMalformed},
		{"url of another resource", created("https://api.oncallhealth.com/participants/1"), webhook.Event{}, webhook.ErrMalformed},
		{"url singular appointment", created("https://api.oncallhealth.com/appointment/1"), webhook.Event{}, webhook.ErrMalformed},
		{"url non-numeric id", created("https://api.oncallhealth.com/appointments/abc"), webhook.Event{}, webhook.ErrMalformed},
		{"url zero id", created("https://api.oncallhealth.com/appointments/0"), webhook.Event{}, webhook.ErrMalformed},
		{"url negative id", created("https://api.oncallhealth.com/appointments/-1"), webhook.Event{}, webhook.ErrMalformed},
		{"url id with leading zero", created("https://api.oncallhealth.com/appointments/01"), webhook.Event{}, webhook.ErrMalformed},
		{"url id overflows", created("https://api.oncallhealth.com/appointments/9223372036854775808"), webhook.Event{}, webhook.ErrMalformed},
		{"url id escaped", created("https://api.oncallhealth.com/appointments/%31"), webhook.Event{}, webhook.ErrMalformed},
		{"url with more path", created("https://api.oncallhealth.com/appointments/1/participants/"), webhook.Event{}, webhook.ErrMalformed},
		{"url with two trailing slashes", created("https://api.oncallhealth.com/appointments/1//"), webhook.Event{}, webhook.ErrMalformed},
		{"url with a query", created("https://api.oncallhealth.com/appointments/1?x=2"), webhook.Event{}, webhook.ErrMalformed},
		{"url with an empty query", created("https://api.oncallhealth.com/appointments/1?"), webhook.Event{}, webhook.ErrMalformed},
		{"url with a fragment", created("https://api.oncallhealth.com/appointments/1#x"), webhook.Event{}, webhook.ErrMalformed},
		{"url with an empty fragment", created("https://api.oncallhealth.com/appointments/1#"), webhook.Event{}, webhook.ErrMalformed},
		{"url with user info", created("https://api.oncallhealth.ca@evil.com/appointments/1"), webhook.Event{}, webhook.ErrMalformed},
		{"url with white space", created(" https://api.oncallhealth.com/appointments/1"), webhook.Event{}, webhook.ErrMalformed},
		{"url opaque", created("https:api.oncallhealth.com/appointments/1"), webhook.Event{}, webhook.ErrMalformed},

		// The url's origin.
		{"http .com", created("http://api.oncallhealth.com/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"http .ca", created("http://api.oncallhealth.ca/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"foreign host", created("https://evil.com/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"look-alike suffix", created("https://api.oncallhealth.ca.evil.com/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"look-alike in path", created("https://evil.com/api.oncallhealth.ca/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"look-alike prefix", created("https://evilapi.oncallhealth.ca/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"app host", created("https://app.oncallhealth.ca/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"trailing dot", created("https://api.oncallhealth.ca./appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"other port", created("https://api.oncallhealth.ca:8443/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
		{"IP address", created("https://127.0.0.1/appointments/1"), webhook.Event{}, webhook.ErrOriginNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.Parse([]byte(tc.body))
			if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("Parse error = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if err != nil {
				checkErrorText(t, err, tc.body)
			}
		})
	}
}

// checkErrorText fails if err's text quotes the body: its patient data, its url or its event name.
func checkErrorText(t *testing.T, err error, body string) {
	t.Helper()
	msg := err.Error()
	for _, s := range []string{canary, "evil", "oncallhealth", "appointment_", "abc", "xxxx"} {
		if strings.Contains(body, s) && strings.Contains(msg, s) {
			t.Errorf("error text %q quotes the body (%q)", msg, s)
		}
	}
}

func TestParseWithRoots(t *testing.T) {
	t.Parallel()
	fake := "http://127.0.0.1:8080/"
	for _, tc := range []struct {
		name    string
		url     string
		roots   []string
		wantID  int64
		wantErr error
	}{
		{"fake root", "http://127.0.0.1:8080/appointments/5/", []string{fake}, 5, nil},
		{"fake root without slash", "http://127.0.0.1:8080/appointments/5", []string{"http://127.0.0.1:8080"}, 5, nil},
		{"roots replace the public ones", "https://api.oncallhealth.com/appointments/5", []string{fake}, 0, webhook.ErrOriginNotAllowed},
		{"public and fake", "https://api.oncallhealth.com/appointments/5", append(webhook.PublicRoots(), fake), 5, nil},
		{"other port", "http://127.0.0.1:8081/appointments/5", []string{fake}, 0, webhook.ErrOriginNotAllowed},
		{"https on an http root", "https://127.0.0.1:8080/appointments/5", []string{fake}, 0, webhook.ErrOriginNotAllowed},
		{"root with a path", "http://proxy.test/oncall/appointments/7/", []string{"http://proxy.test/oncall/"}, 7, nil},
		{"root with a path, url outside it", "http://proxy.test/appointments/7/", []string{"http://proxy.test/oncall/"}, 0, webhook.ErrMalformed},
		{"IPv6 root", "http://[::1]:9000/appointments/8", []string{"http://[::1]:9000/"}, 8, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := `{"event":"appointment_updated","url":"` + tc.url + `"}`
			got, err := webhook.Parse([]byte(body), tc.roots...)
			if !errors.Is(err, tc.wantErr) || (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("Parse error = %v, want %v", err, tc.wantErr)
			}
			want := webhook.Event{}
			if tc.wantErr == nil {
				want = webhook.Event{Type: webhook.AppointmentUpdated, URL: tc.url, AppointmentID: oncallID(tc.wantID)}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseBadRoot(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"appointment_updated","url":"https://api.oncallhealth.com/appointments/1"}`)
	for _, r := range []string{"", "api.oncallhealth.ca", "ftp://x/", "https://x/?q=1", "https://x/#f", "https://u@x/", "https:x"} {
		_, err := webhook.Parse(body, r)
		if err == nil || errors.Is(err, webhook.ErrMalformed) || errors.Is(err, webhook.ErrOriginNotAllowed) {
			t.Errorf("Parse with root %q: error %v, want a configuration error", r, err)
		}
	}
}

func TestEventTypeKnown(t *testing.T) {
	t.Parallel()
	got := map[webhook.EventType]bool{}
	for _, e := range []webhook.EventType{webhook.AppointmentCreated, webhook.AppointmentUpdated, "appointment_deleted", ""} {
		got[e] = e.Known()
	}
	want := map[webhook.EventType]bool{
		"appointment_created": true, "appointment_updated": true, "appointment_deleted": false, "": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Known (-want +got):\n%s", diff)
	}
}
