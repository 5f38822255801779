package oncall_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
)

func TestRefUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    oncall.DivisionID
		wantErr string
	}{
		{name: "URL", in: `"https://api.oncallhealth.ca/divisions/123/"`, want: 123},
		{name: "URL without trailing slash", in: `"https://api.oncallhealth.ca/divisions/123"`, want: 123},
		{name: "URL of the other region", in: `"https://api.oncallhealth.us/divisions/123/"`, want: 123},
		{name: "URL with a path prefix", in: `"https://proxy.example.com/oncall/divisions/123/"`, want: 123},
		{name: "URL with escaped slashes", in: `"https:\/\/api.oncallhealth.ca\/divisions\/123\/"`, want: 123},
		{name: "relative URL", in: `"/divisions/123/"`, want: 123},
		{name: "number", in: `123`, want: 123},
		{name: "zero", in: `0`, want: 0},
		{name: "null", in: `null`, want: 0},
		{name: "empty string", in: `""`, want: 0},
		{name: "large id", in: `"https://api.oncallhealth.ca/divisions/9223372036854775807/"`, want: 9223372036854775807},
		{name: "wrong kind", in: `"https://api.oncallhealth.ca/providers/123/"`,
			wantErr: "oncall: divisions reference: URL names a provider resource"},
		{name: "non-numeric id", in: `"https://api.oncallhealth.ca/divisions/abc/"`,
			wantErr: "oncall: divisions reference: URL path does not end in a numeric id"},
		{name: "zero id in URL", in: `"https://api.oncallhealth.ca/divisions/0/"`,
			wantErr: "oncall: divisions reference: URL path does not end in a numeric id"},
		{name: "negative id in URL", in: `"https://api.oncallhealth.ca/divisions/-4/"`,
			wantErr: "oncall: divisions reference: URL path does not end in a numeric id"},
		{name: "id overflows", in: `"https://api.oncallhealth.ca/divisions/9223372036854775808/"`,
			wantErr: "oncall: divisions reference: URL path does not end in a numeric id"},
		{name: "empty kind", in: `"https://api.oncallhealth.ca/divisions//123/"`, wantErr: "oncall: divisions reference: URL path has no resource kind"},
		{name: "collection URL", in: `"https://api.oncallhealth.ca/divisions/"`,
			wantErr: "oncall: divisions reference: URL path has no resource id"},
		{name: "garbage", in: `"Jane Doe"`, wantErr: "oncall: divisions reference: URL path has no resource id"},
		{name: "malformed URL", in: `"https://api.oncall health.ca/divisions/1/"`, wantErr: "oncall: divisions reference: malformed URL"},
		{name: "negative number", in: `-5`, wantErr: "oncall: divisions reference: not a URL or id"},
		{name: "fraction", in: `1.5`, wantErr: "oncall: divisions reference: not a URL or id"},
		{name: "boolean", in: `true`, wantErr: "oncall: divisions reference: not a URL or id"},
		{name: "object", in: `{"url": "https://api.oncallhealth.ca/divisions/1/"}`, wantErr: "oncall: divisions reference: not a URL or id"},
		{name: "list", in: `[1]`, wantErr: "oncall: divisions reference: not a URL or id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := oncall.DivisionID(99) // a value decoded before must be replaced
			err := json.Unmarshal([]byte(tc.in), &got)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("Unmarshal(%s) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Unmarshal(%s) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestRefKinds checks that each id type accepts its own kind of URL and refuses the others.
func TestRefKinds(t *testing.T) {
	t.Parallel()
	kinds := []string{"appointments", "participants", "providers", "divisions", "contacts"}
	decode := map[string]func([]byte) (int64, error){
		"appointments": func(b []byte) (int64, error) {
			var id oncall.AppointmentID
			err := json.Unmarshal(b, &id)
			return int64(id), err
		},
		"participants": func(b []byte) (int64, error) {
			var id oncall.ParticipantID
			err := json.Unmarshal(b, &id)
			return int64(id), err
		},
		"providers": func(b []byte) (int64, error) {
			var id oncall.ProviderID
			err := json.Unmarshal(b, &id)
			return int64(id), err
		},
		"divisions": func(b []byte) (int64, error) {
			var id oncall.DivisionID
			err := json.Unmarshal(b, &id)
			return int64(id), err
		},
		"contacts": func(b []byte) (int64, error) {
			var id oncall.ContactID
			err := json.Unmarshal(b, &id)
			return int64(id), err
		},
	}
	for _, target := range kinds {
		for _, kind := range kinds {
			id, err := decode[target]([]byte(`"https://api.oncallhealth.ca/` + kind + `/42/"`))
			if kind == target {
				if err != nil || id != 42 {
					t.Errorf("%s from a %s URL = %d, %v; want 42", target, kind, id, err)
				}
			} else if err == nil {
				t.Errorf("%s accepted a %s URL", target, kind)
			}
		}
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	ca, _ := newStubAPI(t, oncall.RegionCA)
	proxy, _ := newStubAPI(t, oncall.RegionCA, oncall.WithBaseURL("https://proxy.example.com/oncall/"))
	local, _ := newStubAPI(t, oncall.RegionUS, oncall.WithBaseURL("http://127.0.0.1:8080"))
	tests := []struct {
		name        string
		c           *oncall.Client
		in          string
		want        oncall.Ref
		wantErr     string
		crossOrigin bool
	}{
		{name: "appointment", c: ca, in: "https://api.oncallhealth.ca/appointments/1234/", want: oncall.Ref{Kind: "appointments", ID: 1234}},
		{name: "no trailing slash", c: ca, in: "https://api.oncallhealth.ca/appointments/1234", want: oncall.Ref{Kind: "appointments", ID: 1234}},
		{name: "division", c: ca, in: "https://api.oncallhealth.ca/divisions/123/", want: oncall.Ref{Kind: "divisions", ID: 123}},
		{name: "host in upper case", c: ca, in: "HTTPS://API.ONCALLHEALTH.CA/appointments/1/", want: oncall.Ref{Kind: "appointments", ID: 1}},
		{name: "with a query", c: ca, in: "https://api.oncallhealth.ca/appointments/1/?format=json", want: oncall.Ref{Kind: "appointments", ID: 1}},
		{name: "under a proxy's path", c: proxy, in: "https://proxy.example.com/oncall/appointments/7/", want: oncall.Ref{Kind: "appointments", ID: 7}},
		{name: "local http fake", c: local, in: "http://127.0.0.1:8080/contacts/3/", want: oncall.Ref{Kind: "contacts", ID: 3}},
		{name: "other region", c: ca, in: "https://api.oncallhealth.us/appointments/1234/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{name: "webhook host", c: ca, in: "https://api.oncallhealth.com/appointments/1", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{name: "http instead of https", c: ca, in: "http://api.oncallhealth.ca/appointments/1234/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{name: "other port", c: ca, in: "https://api.oncallhealth.ca:8443/appointments/1234/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{name: "look-alike host", c: ca, in: "https://api.oncallhealth.ca.evil.example/appointments/1/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.ca"},
		{name: "https on a local http fake", c: local, in: "https://127.0.0.1:8080/contacts/3/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin http://127.0.0.1:8080"},
		{name: "path not under the base", c: proxy, in: "https://proxy.example.com/other/appointments/7/",
			wantErr: "oncall: resource URL: path is not under the API root /oncall/"},
		{name: "path prefix without its slash", c: proxy, in: "https://proxy.example.com/oncallx/appointments/7/",
			wantErr: "oncall: resource URL: path is not under the API root /oncall/"},
		{name: "relative", c: ca, in: "/appointments/1234/", wantErr: "oncall: resource URL: not an absolute URL"},
		{name: "no scheme", c: ca, in: "api.oncallhealth.ca/appointments/1234/", wantErr: "oncall: resource URL: not an absolute URL"},
		{name: "empty", c: ca, in: "", wantErr: "oncall: resource URL: not an absolute URL"},
		{name: "malformed", c: ca, in: "https://api.oncallhealth.ca/%zz/1/", wantErr: "oncall: resource URL: not an absolute URL"},
		{name: "non-numeric id", c: ca, in: "https://api.oncallhealth.ca/appointments/abc/",
			wantErr: "oncall: resource URL: URL path does not end in a numeric id"},
		{name: "no id", c: ca, in: "https://api.oncallhealth.ca/appointments/", wantErr: "oncall: resource URL: URL path has no resource id"},
		{name: "root", c: ca, in: "https://api.oncallhealth.ca/", wantErr: "oncall: resource URL: URL path has no resource id"},
		{name: "empty kind", c: ca, in: "https://api.oncallhealth.ca/appointments//10", wantErr: "oncall: resource URL: URL path has no resource kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.c.ParseRef(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("ParseRef(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				if got != (oncall.Ref{}) {
					t.Errorf("ParseRef(%q) = %+v with the error", tc.in, got)
				}
				if errors.Is(err, oncall.ErrCrossOrigin) != tc.crossOrigin {
					t.Errorf("errors.Is(err, ErrCrossOrigin) = %v, want %v", !tc.crossOrigin, tc.crossOrigin)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseRef(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestParseAppointmentURL(t *testing.T) {
	t.Parallel()
	ca, _ := newStubAPI(t, oncall.RegionCA)
	us, _ := newStubAPI(t, oncall.RegionUS)
	tests := []struct {
		name        string
		c           *oncall.Client
		in          string
		want        oncall.AppointmentID
		wantErr     string
		crossOrigin bool
	}{
		{name: "CA", c: ca, in: "https://api.oncallhealth.ca/appointments/12345/", want: 12345},
		{name: "US", c: us, in: "https://api.oncallhealth.us/appointments/12345/", want: 12345},
		{name: "CA URL on a US client", c: us, in: "https://api.oncallhealth.ca/appointments/12345/", crossOrigin: true,
			wantErr: "oncall: URL is on another origin: resource URL is not on the client's origin https://api.oncallhealth.us"},
		{name: "participant URL", c: ca, in: "https://api.oncallhealth.ca/participants/56/",
			wantErr: "oncall: resource URL names a participant resource, not an appointment"},
		{name: "contact's appointments", c: ca, in: "https://api.oncallhealth.ca/contacts/1234/appointments/",
			wantErr: "oncall: resource URL: URL path does not end in a numeric id"},
		{name: "non-numeric", c: ca, in: "https://api.oncallhealth.ca/appointments/next/",
			wantErr: "oncall: resource URL: URL path does not end in a numeric id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.c.ParseAppointmentURL(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || got != 0 {
					t.Errorf("ParseAppointmentURL(%q) = %d, %v; want error %q", tc.in, got, err, tc.wantErr)
				}
				if errors.Is(err, oncall.ErrCrossOrigin) != tc.crossOrigin {
					t.Errorf("errors.Is(err, ErrCrossOrigin) = %v, want %v", !tc.crossOrigin, tc.crossOrigin)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseAppointmentURL(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
			// The URL the client renders for the id parses back to it.
			if back, err := tc.c.ParseAppointmentURL(tc.c.AppointmentURL(got)); err != nil || back != got {
				t.Errorf("round trip of %d = %d, %v", got, back, err)
			}
		})
	}
}

func TestAppointmentURL(t *testing.T) {
	t.Parallel()
	for _, v := range apiVariants {
		c, _ := newStubAPI(t, v.region, v.opts...)
		for _, id := range []oncall.AppointmentID{1, 1234, 9223372036854775807} {
			want := v.base + "appointments/" + strconv.FormatInt(int64(id), 10) + "/"
			if got := c.AppointmentURL(id); got != want {
				t.Errorf("%s: AppointmentURL(%d) = %q, want %q", v.name, id, got, want)
			}
		}
	}
}

func FuzzRef(f *testing.F) {
	for _, s := range []string{
		"https://api.oncallhealth.ca/appointments/1234/", "https://api.oncallhealth.us/divisions/1/", "http://api.oncallhealth.ca/appointments/1",
		"/appointments/1/", "appointments/1", "", "https://api.oncallhealth.ca/", "https://api.oncallhealth.ca/appointments/abc/",
		"https://api.oncallhealth.ca/appointments/-1/", "https://[::1]:80/appointments/1/", "%zz", "https://api.oncallhealth.ca/a/b/c/9/",
		"//appointments/1", "https://h:/appointments/1/", "https://h:x/appointments/1/", "http://h/appointments/1?x", "https://h/appointments/%31/",
	} {
		f.Add(s)
	}
	for _, key := range []string{"url", "appointment", "division", "next", "previous"} {
		for _, v := range fixtureValues(f, key) {
			var s string
			if json.Unmarshal([]byte(v), &s) == nil {
				f.Add(s)
			}
		}
	}
	c, err := oncall.NewClient(oncall.RegionCA, stubToken)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := c.ParseRef(s)
		if err == nil {
			if ref.ID <= 0 || ref.Kind == "" {
				t.Fatalf("ParseRef(%q) = %+v without an error", s, ref)
			}
			if u, err := url.Parse(s); err != nil || !strings.EqualFold(u.Scheme, "https") || !strings.EqualFold(u.Host, "api.oncallhealth.ca") {
				t.Fatalf("ParseRef(%q) accepted a URL off the client's origin", s)
			}
		}
		if id, err := c.ParseAppointmentURL(s); err == nil {
			if id <= 0 || ref.Kind != "appointments" {
				t.Fatalf("ParseAppointmentURL(%q) = %d; ParseRef = %+v", s, id, ref)
			}
			if back, err := c.ParseAppointmentURL(c.AppointmentURL(id)); err != nil || back != id {
				t.Fatalf("round trip of %d = %d, %v", id, back, err)
			}
		}
		// As JSON: the string itself, and the raw bytes as a JSON value.
		quoted, _ := json.Marshal(s)
		var sent string // s as JSON carries it: invalid UTF-8 becomes U+FFFD
		if err := json.Unmarshal(quoted, &sent); err != nil {
			t.Fatal(err)
		}
		var id oncall.AppointmentID
		err = json.Unmarshal(quoted, &id)
		wantID, wantOK := refIDByURLParse(sent, "appointments")
		if sent == "" {
			wantID, wantOK = 0, true
		}
		if (err == nil) != wantOK || int64(id) != wantID {
			t.Fatalf("AppointmentID from %q = %d, %v; url.Parse reading gives %d, %v", sent, id, err, wantID, wantOK)
		}
		for _, b := range [][]byte{quoted, []byte(s)} {
			var id oncall.AppointmentID
			if err := id.UnmarshalJSON(b); err == nil && id < 0 {
				t.Fatalf("UnmarshalJSON(%q) = %d", b, id)
			}
			var pid oncall.ProviderID
			_ = json.Unmarshal(b, &pid)
		}
	})
}

// refIDByURLParse is the plain reading of a reference URL, with url.Parse, that the client's faster one must match:
// the id when the path ends in "<kind>/<id>" with a positive id.
func refIDByURLParse(raw, kind string) (int64, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] != kind {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
