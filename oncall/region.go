package oncall

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"fmt"
	"strings"
)

// Region is one of OnCall Health's national deployments. Canadian and US data live on separate servers (PHIPA and
// HIPAA), so a Client is pinned to one Region and never sends a request, or its token, anywhere else.
//
// There is deliberately no default Region: a patient record must never reach the wrong country by omission.
type Region string

const (
	// RegionCA is OnCall Health's Canadian deployment, https://api.oncallhealth.ca.
	RegionCA Region = "ca"
	// RegionUS is OnCall Health's US deployment, https://api.oncallhealth.us.
	RegionUS Region = "us"
)

// BaseURL returns the region's API root with a trailing slash, or "" for an unknown region.
func (r Region) BaseURL() string {
	switch r {
	case RegionCA:
		return "https://api.oncallhealth.ca/"
	case RegionUS:
		return "https://api.oncallhealth.us/"
	}
	return ""
}

// String returns the region's code, "ca" or "us".
func (r Region) String() string { return string(r) }

// ParseRegion returns the Region named by s ("ca" or "us", in any case).
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(strings.TrimSpace(s)))
	if r.BaseURL() == "" {
		// Never echoed, whatever it looks like: a token passed here by mistake (40 hex characters) looks like a name.
		return "", fmt.Errorf("oncall: unknown region %s: want %q or %q", redact.Value(s), RegionCA, RegionUS)
	}
	return r, nil
}
