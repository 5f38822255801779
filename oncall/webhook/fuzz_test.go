package webhook_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/internal/fixtures"
	"github.com/oncallsync/oncall-go/oncall/webhook"
)

var urlSeeds = []string{
	"https://api.oncallhealth.com/appointments/1",
	"https://api.oncallhealth.ca/appointments/1234/",
	"https://api.oncallhealth.us/appointments/9223372036854775807",
	"https://api.oncallhealth.us/appointments/9223372036854775808",
	"HTTPS://API.ONCALLHEALTH.CA:443/appointments/5",
	"http://api.oncallhealth.ca/appointments/1",
	"https://api.oncallhealth.ca.evil.com/appointments/1",
	"https://evil.com/api.oncallhealth.ca/appointments/1",
	"https://api.oncallhealth.ca@evil.com/appointments/1",
	"https://api.oncallhealth.ca\\@evil.com/appointments/1",
	"https://api.oncallhealth.ca/appointments/1?x=1#y",
	"https://api.oncallhealth.ca/appointments/%31",
	"https://api.oncallhealth.ca/x/../appointments/1",
	"https://[::1]:443/appointments/1",
	"http://127.0.0.1:8080/api/appointments/2/",
	"https:api.oncallhealth.ca/appointments/1",
	"//api.oncallhealth.ca/appointments/1",
	"",
}

func FuzzParse(f *testing.F) {
	for _, u := range urlSeeds {
		f.Add([]byte(`{"event":"appointment_created","url":"` + u + `"}`))
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `"x"`, `{"event":"appointment_updated"}`, `{"event":null,"url":null}`,
		`{"event":"appointment_deleted","url":{"a":[1,2]}}`, `{"event":"appointment_created","url":"https://api.oncallhealth.com/appointments/1"}{}`,
		`{"event":"appointment_created\u0000","url":"x"}`, "{\"event\":\"\xff\"}", `{"Event":"appointment_created"}`,
	} {
		f.Add([]byte(s))
	}
	// The real payloads where the shared folder is present; the seeds above fuzz everywhere.
	for _, name := range []string{"webhook_appointment_created.json", "webhook_appointment_updated.json"} {
		if b, ok := fixtures.Optional(f, "fixtures", "oncall", name); ok {
			f.Add(b)
		}
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := webhook.Parse(body)
		if err != nil {
			if !errors.Is(err, webhook.ErrMalformed) && !errors.Is(err, webhook.ErrOriginNotAllowed) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			if e != (webhook.Event{}) {
				t.Fatalf("error %v with a non-zero Event %+v", err, e)
			}
			if len(err.Error()) > 160 {
				t.Fatalf("error text of %d bytes could be quoting the body: %q", len(err.Error()), err)
			}
			return
		}
		if e.Type == "" {
			t.Fatal("no error and an empty Type")
		}
		if !e.Type.Known() {
			if e.AppointmentID != 0 {
				t.Fatalf("unknown event %q with appointment id %d", e.Type, e.AppointmentID)
			}
			return
		}
		if e.AppointmentID <= 0 {
			t.Fatalf("known event with appointment id %d", e.AppointmentID)
		}
		if id, err := webhook.AppointmentIDFromURL(e.URL); err != nil || id != e.AppointmentID {
			t.Fatalf("AppointmentIDFromURL(URL) = %d, %v; Parse said %d", id, err, e.AppointmentID)
		}
		// The parsed delivery, encoded again, parses to the same Event.
		again, err := json.Marshal(map[string]string{"event": string(e.Type), "url": e.URL})
		if err != nil {
			t.Fatal(err)
		}
		if e2, err := webhook.Parse(again); err != nil || e2 != e {
			t.Fatalf("re-encoded delivery parsed to %+v, %v; want %+v", e2, err, e)
		}
	})
}

func FuzzAppointmentIDFromURL(f *testing.F) {
	for _, u := range urlSeeds {
		f.Add(u)
	}
	for _, name := range []string{"webhook_appointment_created.json", "webhook_appointment_updated.json"} {
		b, ok := fixtures.Optional(f, "fixtures", "oncall", name)
		if !ok {
			continue // the seeds above fuzz everywhere
		}
		var d struct{ URL string }
		if err := json.Unmarshal(b, &d); err != nil {
			f.Fatal(err)
		}
		f.Add(d.URL)
	}

	public := map[string]bool{"api.oncallhealth.com": true, "api.oncallhealth.ca": true, "api.oncallhealth.us": true}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := webhook.AppointmentIDFromURL(raw)
		if err != nil {
			if !errors.Is(err, webhook.ErrMalformed) && !errors.Is(err, webhook.ErrOriginNotAllowed) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			if id != 0 {
				t.Fatalf("error %v with id %d", err, id)
			}
			if len(err.Error()) > 160 {
				t.Fatalf("error text of %d bytes could be quoting the url: %q", len(err.Error()), err)
			}
		} else {
			u, perr := url.Parse(raw)
			if perr != nil {
				t.Fatalf("accepted a URL that does not parse: %v", perr)
			}
			if id <= 0 || !strings.EqualFold(u.Scheme, "https") || !public[strings.ToLower(u.Hostname())] ||
				u.User != nil || u.RawQuery != "" || strings.Contains(raw, "#") {
				t.Fatalf("accepted id %d from a URL that is not a public https appointment URL", id)
			}
			if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "/appointments/"+strconv.FormatInt(int64(id), 10) {
				t.Fatalf("id %d does not match the path %q", id, p)
			}
		}
		// Any root, even a malformed one built from the input, gives an error or an id, never a panic.
		if _, err := webhook.AppointmentIDFromURL(raw, "http://127.0.0.1:8080/api/", raw); err == nil && raw == "" {
			t.Fatal("accepted an empty URL")
		}
	})
}
