package oncall_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/oncallsync/oncall-go/internal/phitest"
	"github.com/oncallsync/oncall-go/oncall"
)

// TestClientFormatsRedacted is issue 12 item 4: fmt.Printf("%+v", client) printed the token (the auth header
// field), and so would slog.Any("client", c).
func TestClientFormatsRedacted(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-t0ken-4b8f"
	c, err := oncall.NewClient(oncall.RegionCA, token)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.String()}
	var buf bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	slog.New(slog.NewTextHandler(&buf, opts)).Debug("x", "client", c)
	slog.New(slog.NewJSONHandler(&buf, opts)).Debug("x", slog.Any("client", c))
	texts = append(texts, buf.String())
	for _, s := range texts {
		if strings.Contains(s, token) || strings.Contains(s, "Token ") {
			t.Errorf("client formatted with its token: %s", s)
		}
		if !strings.Contains(s, "api.oncallhealth.ca") {
			t.Errorf("client formatted without its API root: %s", s)
		}
	}
	var nilClient *oncall.Client
	if got := fmt.Sprint(nilClient); got != "oncall.Client(nil)" {
		t.Errorf("nil client = %q", got)
	}
	// The services hold the client: printing one must not reach the token either.
	for _, s := range []string{fmt.Sprintf("%+v", c.Appointments), fmt.Sprintf("%+v", *c.Appointments)} {
		if strings.Contains(s, token) {
			t.Errorf("service formatted with the token: %s", s)
		}
	}
}

// TestErrorsCarryNoPHI is issue 12 items 3 and 6 for the client: every error it builds from a response or a
// caller's values is swept with patient-looking input, and none of it may come back in the error's text, its %+v
// form or a Debug log line.
func TestErrorsCarryNoPHI(t *testing.T) {
	t.Parallel()
	name, email, phone := phitest.Names[0], phitest.Emails[0], phitest.Phones[0]
	bodies := map[string]string{
		"email as a field key":     fmt.Sprintf(`{%q: ["duplicate"]}`, email),
		"name as a field key":      fmt.Sprintf(`{%q: ["x"], "title": ["required"]}`, phitest.Names[1]),
		"phone as a field key":     fmt.Sprintf(`{%q: ["x"]}`, phone),
		"message holding a name":   fmt.Sprintf(`{"detail": "no patient %s"}`, name),
		"list of messages":         fmt.Sprintf(`[%q, %q]`, email, phone),
		"nested field with a name": fmt.Sprintf(`{"participants": [{"email": ["%s is taken"]}]}`, email),
	}
	const root = "https://api.oncallhealth.ca/"
	respond := func(status int, ct, body string, h http.Header) httpmock.Responder {
		return func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(status, body)
			for k, v := range h {
				r.Header[k] = v
			}
			r.Header.Set("Content-Type", ct)
			return r, nil
		}
	}
	for label, body := range bodies {
		c, api := newStubAPI(t, oncall.RegionCA)
		api.on("POST", root+"appointments/", respond(400, "application/json", body, http.Header{"X-Request-Id": {email}}))
		_, err := c.Appointments.Create(t.Context(), validCreate())
		var ae *oncall.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: error %v, want an APIError", label, err)
		}
		phitest.CheckValue(t, "APIError, "+label, err)
	}
	// {"jane@x.org": [...]}: the key is counted, not printed.
	c, api := newStubAPI(t, oncall.RegionCA)
	api.on("POST", root+"appointments/", respond(400, "application/json", fmt.Sprintf(`{%q: ["duplicate"], "title": ["required"]}`, email), nil))
	_, err := c.Appointments.Create(t.Context(), validCreate())
	if want := "oncall: POST /appointments/: 400 Bad Request (fields: title, and 1 whose names are not shown)"; err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}

	// 2xx bodies the client cannot read: a type error inside a map key, a content type holding a name.
	decodeCases := map[string]struct {
		ct, body string
	}{
		"metadata key holding an email": {"application/json", fmt.Sprintf(`{"url": "https://api.oncallhealth.ca/appointments/7/", "metadata": {%q: 1e999}}`, email)},
		"title of the wrong type":       {"application/json", `{"url": "https://api.oncallhealth.ca/appointments/7/", "title": 4165550199}`},
		"content type with a name":      {"text/html; name=" + phitest.Names[1], "<html>" + name + "</html>"},
		"malformed content type":        {name, "{}"},
	}
	for label, tc := range decodeCases {
		c, api := newStubAPI(t, oncall.RegionCA)
		api.on("GET", root+"appointments/7/", respond(200, tc.ct, tc.body, nil))
		_, err := c.Appointments.Get(t.Context(), 7)
		var de *oncall.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%s: error %v, want a DecodeError", label, err)
		}
		phitest.CheckValue(t, "DecodeError, "+label, err, "4165550199")
	}

	// Values a caller passes, from an EHR row whose columns shifted.
	bad := validCreate()
	bad.Type = oncall.AppointmentType(name)
	bad.Metadata = oncall.Metadata{email: "x", "emr_id": 1.5, strings.Repeat("k", 101): true}
	phitest.CheckValue(t, "create validation", bad.Validate())
	status := oncall.AppointmentStatus(phitest.Names[1])
	phitest.CheckValue(t, "update validation", (&oncall.AppointmentUpdateParams{Status: &status}).Validate())
	pstatus := oncall.ParticipantStatus(phone)
	phitest.CheckValue(t, "participant update validation", (&oncall.ParticipantUpdateParams{Status: &pstatus}).Validate())
	_, err = oncall.ParseRegion(email)
	phitest.CheckValue(t, "ParseRegion", err)
	var m oncall.Metadata
	err = json.Unmarshal([]byte(fmt.Sprintf(`{%q: [1]}`, email)), &m)
	phitest.CheckValue(t, "Metadata.UnmarshalJSON", err)
	_, err = c.ParseRef("https://" + strings.ReplaceAll(phitest.Names[1], " ", "") + ".example/appointments/1/")
	phitest.CheckValue(t, "ParseRef", err, strings.ToLower(phitest.Names[1]))
}
