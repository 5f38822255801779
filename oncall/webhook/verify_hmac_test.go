package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/oncall/webhook"
)

var scheme = webhook.HMACScheme{SignatureHeader: "X-Signature", TimestampHeader: "X-Signature-Timestamp"}

func TestHMACSchemeFailsClosed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		scheme  webhook.HMACScheme
		secrets []string
	}{
		{"no secret", scheme, nil},
		{"empty secret", scheme, []string{""}},
		{"short secret", scheme, []string{"short"}},
		{"no signature header", webhook.HMACScheme{TimestampHeader: "X-T"}, []string{secretA}},
		{"no timestamp header", webhook.HMACScheme{SignatureHeader: "X-S"}, []string{secretA}},
		{"same header", webhook.HMACScheme{SignatureHeader: "X-S", TimestampHeader: "x-s"}, []string{secretA}},
		{"bad header", webhook.HMACScheme{SignatureHeader: "X S", TimestampHeader: "X-T"}, []string{secretA}},
		{"negative tolerance", webhook.HMACScheme{SignatureHeader: "X-S", TimestampHeader: "X-T", Tolerance: -time.Second}, []string{secretA}},
	} {
		if v, err := tc.scheme.Verifier(tc.secrets...); err == nil || v != nil {
			t.Errorf("%s: Verifier = %v, %v; want an error and no Verifier", tc.name, v != nil, err)
		}
		secret := ""
		if len(tc.secrets) > 0 {
			secret = tc.secrets[0]
		}
		if err := tc.scheme.Sign(http.Header{}, secret, time.Now(), nil); err == nil {
			t.Errorf("%s: Sign succeeded", tc.name)
		}
	}
}

func TestHMACScheme(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"appointment_created","url":"https://api.oncallhealth.com/appointments/1"}`)
	v, err := scheme.Verifier(secretA, secretB)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	signed := func(secret string, at time.Time) func(*http.Request) {
		return func(r *http.Request) {
			if err := scheme.Sign(r.Header, secret, at, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	set := func(name, value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(name, value) }
	}
	add := func(name, value string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Add(name, value) }
	}
	for _, tc := range []struct {
		name  string
		body  []byte
		setup []func(*http.Request)
		ok    bool
	}{
		{"first secret", body, []func(*http.Request){signed(secretA, now)}, true},
		{"second secret", body, []func(*http.Request){signed(secretB, now)}, true},
		{"within the window, past", body, []func(*http.Request){signed(secretA, now.Add(-4*time.Minute))}, true},
		{"within the window, future", body, []func(*http.Request){signed(secretA, now.Add(4*time.Minute))}, true},
		{"upper-case hex", body, []func(*http.Request){signed(secretA, now), func(r *http.Request) {
			r.Header.Set("X-Signature", strings.ToUpper(r.Header.Get("X-Signature")))
		}}, true},
		{"wrong secret", body, []func(*http.Request){signed("another-secret-entirely", now)}, false},
		{"tampered body", append([]byte(" "), body...), []func(*http.Request){signed(secretA, now)}, false},
		{"too old", body, []func(*http.Request){signed(secretA, now.Add(-6*time.Minute))}, false},
		{"too far in the future", body, []func(*http.Request){signed(secretA, now.Add(6*time.Minute))}, false},
		{"timestamp changed after signing", body, []func(*http.Request){signed(secretA, now), set("X-Signature-Timestamp", "1")}, false},
		{"no headers", body, nil, false},
		{"no signature", body, []func(*http.Request){signed(secretA, now), func(r *http.Request) { r.Header.Del("X-Signature") }}, false},
		{"no timestamp", body, []func(*http.Request){signed(secretA, now), func(r *http.Request) { r.Header.Del("X-Signature-Timestamp") }}, false},
		{"repeated signature", body, []func(*http.Request){signed(secretA, now), add("X-Signature", "00")}, false},
		{"non-numeric timestamp", body, []func(*http.Request){signed(secretA, now), set("X-Signature-Timestamp", "soon")}, false},
		{"negative timestamp", body, []func(*http.Request){signed(secretA, now), set("X-Signature-Timestamp", "-1")}, false},
		{"huge timestamp", body, []func(*http.Request){signed(secretA, now), set("X-Signature-Timestamp", "9999999999999999999")}, false},
		{"signature not hex", body, []func(*http.Request){signed(secretA, now), set("X-Signature", "zz")}, false},
		{"signature too short", body, []func(*http.Request){signed(secretA, now), set("X-Signature", "abcd")}, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		for _, f := range tc.setup {
			f(r)
		}
		err := v(r, tc.body)
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, webhook.ErrUnverified) {
			t.Errorf("%s: error %v does not match ErrUnverified", tc.name, err)
		}
	}
}

func TestHMACSchemeTolerance(t *testing.T) {
	t.Parallel()
	body := []byte("{}")
	narrow := scheme
	narrow.Tolerance = time.Minute
	v, err := narrow.Verifier(secretA)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{{0, true}, {-30 * time.Second, true}, {-2 * time.Minute, false}, {2 * time.Minute, false}} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if err := narrow.Sign(r.Header, secretA, time.Now().Add(tc.offset), body); err != nil {
			t.Fatal(err)
		}
		if err := v(r, body); (err == nil) != tc.ok {
			t.Errorf("offset %v: error %v, want ok=%v", tc.offset, err, tc.ok)
		}
	}
}

// Sign's output is the documented scheme: hex HMAC-SHA256 of "<timestamp>.<body>", checked against a value
// computed independently (with openssl: printf '1700000000.{}' | openssl dgst -sha256 -hmac correct-horse-battery-staple).
func TestHMACSchemeSignKnownValue(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	if err := scheme.Sign(h, secretA, time.Unix(1700000000, 0), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if got := h.Get("X-Signature-Timestamp"); got != "1700000000" {
		t.Errorf("timestamp = %q, want 1700000000", got)
	}
	const want = "b0ea261538b8cb2c6d94f62513cd0351b4861c53aa3d98cace071ac5358980f1"
	if got := h.Get("X-Signature"); got != want {
		t.Errorf("signature = %q, want %q", got, want)
	}
}
