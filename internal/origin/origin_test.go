package origin

import (
	"net/url"
	"testing"
)

func TestSame(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://api.oncallhealth.ca/", "https://api.oncallhealth.ca:443/appointments/1/", true},
		{"https://API.OnCallHealth.ca/", "HTTPS://api.oncallhealth.ca/", true},
		{"http://127.0.0.1:80/", "http://127.0.0.1/", true},
		{"https://api.oncallhealth.ca/", "http://api.oncallhealth.ca/", false},
		{"https://api.oncallhealth.ca/", "https://api.oncallhealth.ca:8443/", false},
		{"http://h:443/", "http://h/", false},
		{"https://api.oncallhealth.ca/", "https://api.oncallhealth.us/", false},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := Same(a, b); got != tt.want {
			t.Errorf("Same(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
