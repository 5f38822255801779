package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/oncall/webhook"
)

const (
	secretA = "correct-horse-battery-staple"
	secretB = "second-secret-for-rotation"
)

func TestSharedSecretHeaderFailsClosed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		header  string
		secrets []string
	}{
		{"no secret", "X-Secret", nil},
		{"empty secret", "X-Secret", []string{""}},
		{"short secret", "X-Secret", []string{strings.Repeat("s", webhook.MinSecretLen-1)}},
		{"one good, one empty", "X-Secret", []string{secretA, ""}},
		{"empty header name", "", []string{secretA}},
		{"header name with a space", "X Secret", []string{secretA}},
		{"header name with a colon", "X-Secret:", []string{secretA}},
	} {
		v, err := webhook.SharedSecretHeader(tc.header, tc.secrets...)
		if err == nil || v != nil {
			t.Errorf("%s: SharedSecretHeader = %v, %v; want an error and no Verifier", tc.name, v != nil, err)
			continue
		}
		for _, s := range tc.secrets {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q quotes the secret", tc.name, err)
			}
		}
	}
	if _, err := webhook.SharedSecretHeader("X-Secret", strings.Repeat("s", webhook.MinSecretLen)); err != nil {
		t.Errorf("a secret of MinSecretLen bytes: %v", err)
	}
}

func TestSharedSecretHeader(t *testing.T) {
	t.Parallel()
	v, err := webhook.SharedSecretHeader("x-oncall-secret", secretA, secretB)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		values []string // values of the header, set as X-OnCall-Secret
		ok     bool
	}{
		{"first secret", []string{secretA}, true},
		{"second secret", []string{secretB}, true},
		{"missing", nil, false},
		{"empty", []string{""}, false},
		{"wrong", []string{"wrong-secret-of-some-length"}, false},
		{"prefix", []string{secretA[:len(secretA)-1]}, false},
		{"longer", []string{secretA + "x"}, false},
		{"other case", []string{strings.ToUpper(secretA)}, false},
		{"repeated, both right", []string{secretA, secretA}, false},
		{"repeated, one right", []string{"wrong", secretA}, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		for _, val := range tc.values {
			r.Header.Add("X-Oncall-Secret", val)
		}
		err := v(r, nil)
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, webhook.ErrUnverified) {
			t.Errorf("%s: error %v does not match ErrUnverified", tc.name, err)
		}
		if err != nil && (strings.Contains(err.Error(), secretA) || strings.Contains(err.Error(), "wrong")) {
			t.Errorf("%s: error %q quotes a header value", tc.name, err)
		}
	}
}
