package oncall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The benchmarks compare the client with what a caller would write with the standard library alone: decoding
// a page of appointments into the typed, lenient model against encoding/json into plain strings and maps, and a
// Get through the client (retry loop, pacer, attempt transport, validation of the response) against a bare
// net/http request.

// benchPage returns a realistic page of n appointments as the API sends it: 1 to 3 participants each, fees as
// numbers (10, 10.0) and strings ("25.50"), metadata, user_id on some participants, and a one-digit hour on
// every third appointment.
func benchPage(n int) []byte {
	const root = "https://api.oncallhealth.ca/"
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"count": %d, "next": "%sappointments/?page=3&page_size=%d", "previous": "%sappointments/?page=1&page_size=%d", "results": [`,
		n*5, root, n, root, n)
	fees := []string{`10`, `10.0`, `"25.50"`, `"0.00"`, `120.75`}
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		id := 100000 + i
		hour := fmt.Sprintf("%02d", 8+i%10)
		if i%3 == 0 {
			hour = fmt.Sprint(i % 10) // "2026-01-15T9:00:00Z"
		}
		fmt.Fprintf(&b, `{"url": "%[1]sappointments/%[2]d/", "title": "Session %[2]d", "datetime": "2026-01-%02[3]dT%[4]s:%02[5]d:00Z",
			"duration": %[6]d, "type": "%[7]s", "status": "%[8]s", "cancelled": %[9]t, "division": "%[1]sdivisions/%[10]d/",
			"provider": "%[1]sproviders/%[11]d/", "participants": [`,
			root, id, 1+i%28, hour, (i*5)%60, 15*(1+i%4), []string{"online", "inperson", "phone", "message"}[i%4],
			[]string{"Incomplete", "Complete", "Provider cancelled", "No show"}[i%4], i%7 == 0, 100+i%3, 500+i%11)
		for j := range 1 + i%3 {
			if j > 0 {
				b.WriteString(",")
			}
			userID := ""
			if (i+j)%2 == 0 {
				userID = fmt.Sprintf(`, "user_id": %d`, 9000+i)
			}
			fmt.Fprintf(&b, `{"url": "%[1]sparticipants/%[2]d%[3]d/", "appointment": "%[1]sappointments/%[2]d/",
				"name": "Patient %[2]d-%[3]d", "first_name": "Patient", "last_name": "%[2]d-%[3]d",
				"email": "patient.%[2]d.%[3]d@example.com", "fee": %[4]s, "cancelled": false%[5]s}`,
				root, id, j, fees[(i+j)%len(fees)], userID)
		}
		fmt.Fprintf(&b, `], "metadata": {"emr_id": "CL-%d", "series": %d, "source": "carelogic", "group": %t}}`, id, i/4, i%3 == 1)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// benchDecodePage decodes a page exactly as lister.fetch does once the body is read.
func benchDecodePage(data []byte) (*Page[Appointment], error) {
	var pw pageWire[appointmentWire]
	if err := json.Unmarshal(data, &pw); err != nil {
		return nil, jsonError(err)
	}
	if pw.Results == nil {
		return nil, fmt.Errorf("no results")
	}
	p := &Page[Appointment]{Count: pw.Count, Results: make([]Appointment, len(*pw.Results))}
	for i := range *pw.Results {
		p.Results[i] = (*appointmentWire).appointment(&(*pw.Results)[i])
	}
	if pw.Next != nil {
		p.Next = *pw.Next
		p.NextPage = pageNumber(p.Next)
	}
	if pw.Previous != nil {
		p.Previous = *pw.Previous
	}
	return p, nil
}

// benchPlainPage is what a caller would decode into with encoding/json alone: basic types, no lenient parsing.
type benchPlainPage struct {
	Count    int                     `json:"count"`
	Next     *string                 `json:"next"`
	Previous *string                 `json:"previous"`
	Results  []benchPlainAppointment `json:"results"`
}

type benchPlainAppointment struct {
	URL          string                  `json:"url"`
	Title        string                  `json:"title"`
	DateTime     string                  `json:"datetime"`
	Duration     int                     `json:"duration"`
	Type         string                  `json:"type"`
	Status       string                  `json:"status"`
	Cancelled    bool                    `json:"cancelled"`
	Division     string                  `json:"division"`
	Provider     string                  `json:"provider"`
	Participants []benchPlainParticipant `json:"participants"`
	Metadata     map[string]any          `json:"metadata"`
}

type benchPlainParticipant struct {
	URL         string      `json:"url"`
	Appointment string      `json:"appointment"`
	Name        string      `json:"name"`
	FirstName   string      `json:"first_name"`
	LastName    string      `json:"last_name"`
	Email       string      `json:"email"`
	Fee         json.Number `json:"fee"`
	Cancelled   bool        `json:"cancelled"`
	Status      string      `json:"status"`
	UserID      int64       `json:"user_id"`
}

// TestBenchPageDecodes keeps the benchmark honest: its page must decode fully and identically both ways.
func TestBenchPageDecodes(t *testing.T) {
	t.Parallel()
	data := benchPage(100)
	p, err := benchDecodePage(data)
	if err != nil {
		t.Fatal(err)
	}
	var plain benchPlainPage
	if err := json.Unmarshal(data, &plain); err != nil {
		t.Fatal(err)
	}
	if len(p.Results) != 100 || len(plain.Results) != 100 || p.NextPage != 3 {
		t.Fatalf("decoded %d and %d results, next page %d; want 100, 100, 3", len(p.Results), len(plain.Results), p.NextPage)
	}
	participants, oneDigit := 0, 0
	for i, a := range p.Results {
		w := plain.Results[i]
		if a.URL != w.URL || int(a.ID) != 100000+i || a.DateTime.IsZero() || a.Division == 0 || a.Provider == 0 ||
			len(a.Participants) != len(w.Participants) || len(a.Metadata) != 4 {
			t.Fatalf("result %d decoded wrong: %+v", i, a)
		}
		if strings.Contains(w.DateTime, "T") && w.DateTime[strings.Index(w.DateTime, "T")+2] == ':' {
			oneDigit++
		}
		for j, pp := range a.Participants {
			if pp.Fee.String() != w.Participants[j].Fee.String() || pp.Appointment != a.ID || pp.ID == 0 {
				t.Fatalf("result %d participant %d decoded wrong: %+v", i, j, pp)
			}
			participants++
		}
	}
	if participants < 150 || oneDigit < 30 {
		t.Errorf("%d participants, %d one-digit hours: the page is not the intended mix", participants, oneDigit)
	}
}

func BenchmarkDecodeAppointmentsPage(b *testing.B) {
	data := benchPage(100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := benchDecodePage(data)
		if err != nil || len(p.Results) != 100 {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAppointmentsPageStdlib(b *testing.B) {
	data := benchPage(100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p benchPlainPage
		if err := json.Unmarshal(data, &p); err != nil || len(p.Results) != 100 {
			b.Fatal(err)
		}
	}
}

// benchAppointmentServer serves one appointment at /appointments/1234/ on a loopback server.
func benchAppointmentServer(b *testing.B) (*httptest.Server, []byte) {
	b.Helper()
	data := []byte(`{"url": "http://127.0.0.1/appointments/1234/", "title": "Intake", "datetime": "2026-01-15T9:00:00Z",
		"duration": 60, "type": "online", "status": "Incomplete", "cancelled": false,
		"division": "https://api.oncallhealth.ca/divisions/123/", "provider": "https://api.oncallhealth.ca/providers/77/",
		"participants": [{"url": "https://api.oncallhealth.ca/participants/56/", "appointment": "https://api.oncallhealth.ca/appointments/1234/",
		"name": "Test Patient", "first_name": "Test", "last_name": "Patient", "email": "test.patient@example.com",
		"fee": 10.0, "cancelled": false, "user_id": 2}],
		"metadata": {"emr_id": "12345"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/appointments/1234/" || r.Header.Get("Authorization") != "Token bench-token" {
			http.Error(w, `{"detail": "Not found."}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	b.Cleanup(srv.Close)
	return srv, data
}

func benchTransport(b *testing.B) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

func BenchmarkGetAppointment(b *testing.B) {
	srv, _ := benchAppointmentServer(b)
	c, err := NewClient(RegionCA, "bench-token", WithBaseURL(srv.URL), WithRateLimit(NoRateLimit, 1),
		WithHTTPClient(&http.Client{Transport: benchTransport(b)}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a, err := c.Appointments.Get(ctx, 1234)
		if err != nil || a.ID != 1234 {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetAppointmentRawHTTP(b *testing.B) {
	srv, _ := benchAppointmentServer(b)
	hc := &http.Client{Transport: benchTransport(b)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/appointments/1234/", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Token bench-token")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", DefaultUserAgent)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status, err)
		}
		var a benchPlainAppointment
		if err := json.Unmarshal(body, &a); err != nil || a.Title != "Intake" {
			b.Fatal(err)
		}
	}
}
