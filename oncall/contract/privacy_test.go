package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/oncallsync/oncall-go/oncall/contract"
)

// hostRewrite moves every appointment URL in a listing to a host named like a person.
type hostRewrite struct{ next http.RoundTripper }

var apptURL = regexp.MustCompile(`"url":\s*"http://[^/"]+/appointments/`)

func (h hostRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/appointments/") {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b = apptURL.ReplaceAll(b, []byte(`"url": "https://jane.roe.example.org/appointments/`))
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestContractNamesNoForeignHost: appointment URLs on a host that is not OnCall's fail the webhook.url check,
// and the report counts them without naming the host, which the server chose.
func TestContractNamesNoForeignHost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res, err := contract.Run(t.Context(), w.config(t, hostRewrite{w.srv.HTTPClient().Transport}))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range res.Checks {
		if strings.Contains(strings.ToLower(c.Detail), "jane") {
			t.Errorf("%s: %s", c.ID, c.Detail)
		}
		if c.ID == "webhook.url" {
			found = true
			if c.Outcome != contract.Failed || !strings.Contains(c.Detail, "a host not OnCall's") {
				t.Errorf("webhook.url: %s %q, want failed, counting a host not OnCall's", c.Outcome, c.Detail)
			}
		}
	}
	if !found {
		t.Error("no webhook.url check")
	}
}
