package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

func runDemo(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), err
}

// section returns the report's section that starts with the heading "== n.", up to the next heading.
func section(t *testing.T, out, n string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "\n== "+n+". ")
	if !ok {
		t.Fatalf("the report has no section %s:\n%s", n, out)
	}
	s, _, _ := strings.Cut(rest, "\n== ")
	return s
}

// lines returns the lines of s that match re.
func lines(s string, re *regexp.Regexp) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimRight(l, "\n"); re.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// TestDemo runs the demo and checks what it reports at each step: the initial sync, the two cancellations in
// OnCall and their webhooks, the EHR writes they caused (CBC for the right clients and no others, the 1:1's reason
// in its comments, the OnCall URL on each record), and a repeated delivery that changes nothing.
func TestDemo(t *testing.T) {
	t.Parallel()
	out, _, err := runDemo(t, nil)
	if err != nil {
		t.Fatal(err)
	}

	synced := section(t, out, "1")
	if got := lines(synced, regexp.MustCompile(`^  carelogic-demo/appt-70[12] +(1:1|group) .* -> OnCall \d+$`)); len(got) != 2 {
		t.Errorf("section 1 lists %d synced appointments, want 2:\n%s", len(got), synced)
	}
	if !strings.Contains(synced, "read back, they asked for no EHR status or comment change") {
		t.Errorf("section 1: the sync's own webhooks changed the EHR:\n%s", synced)
	}

	inOnCall := section(t, out, "2")
	if got := lines(inOnCall, regexp.MustCompile(`^  appointment_updated http://127\.0\.0\.1:\d+/appointments/\d+ -> 200 OK$`)); len(got) != 2 {
		t.Errorf("section 2 shows %d webhooks answered 200, want 2:\n%s", len(got), inOnCall)
	}

	reached := section(t, out, "3")
	wantWrites := []string{
		`^  appointment_updated \d+ \(Patient cancelled, cancelled\): ehr-set-status appt-701 client cl-3001 -> CBC$`,
		`^  appointment_updated \d+ \(Incomplete\): ehr-set-status appt-702 client cl-3012 -> CBC$`,
	}
	for _, re := range wantWrites {
		if got := lines(reached, regexp.MustCompile(re)); len(got) != 1 {
			t.Errorf("section 3 has %d lines matching %s, want 1:\n%s", len(got), re, reached)
		}
	}
	var statuses []string
	for _, l := range lines(reached, regexp.MustCompile(`^    client `)) {
		statuses = append(statuses, strings.Join(strings.Fields(l), " "))
	}
	wantStatuses := []string{
		"client cl-3001 CBC",
		"client cl-3011 Scheduled", "client cl-3012 CBC", "client cl-3013 Scheduled", "client cl-3014 Scheduled",
	}
	if diff := cmp.Diff(wantStatuses, statuses); diff != "" {
		t.Errorf("section 3: EHR statuses (-want +got):\n%s", diff)
	}
	// OnCall's documented API gives no reason (the fake shows an opaque cancellation link): no comment is written.
	if comments := lines(reached, regexp.MustCompile(`^    comments:`)); len(comments) != 0 {
		t.Errorf("section 3: comments = %q, want none", comments)
	}
	if strings.Contains(out, demoReason) {
		t.Errorf("the patient's reason reached the output:\n%s", out)
	}
	if got := lines(reached, regexp.MustCompile(`^    OnCall URL: http://127\.0\.0\.1:\d+/appointments/\d+/$`)); len(got) != 2 {
		t.Errorf("section 3: %d OnCall URLs stored, want 2:\n%s", len(got), reached)
	}

	again := section(t, out, "4")
	if got := lines(again, regexp.MustCompile(`^  appointment_updated \S+ -> 200 OK: nothing to change in the EHR$`)); len(got) != 2 {
		t.Errorf("section 4: %d repeated deliveries changed nothing, want 2:\n%s", len(got), again)
	}
	if !strings.Contains(again, "The EHR is unchanged") {
		t.Errorf("section 4: the EHR changed on a repeated delivery:\n%s", again)
	}
	if strings.Contains(again, "The same delivery without the") { // not "401", which the server's port may hold
		t.Errorf("section 4 shows a secret check the demo was not asked for:\n%s", again)
	}

	// The demo's people have names and emails; the report shows neither.
	for _, phi := range []string{"@", "Riley", "Group Member"} {
		if strings.Contains(out, phi) {
			t.Errorf("the report contains %q", phi)
		}
	}
}

// TestDemoSecret runs the demo with a shared secret, from the flag and from the environment: the fake sends the
// header, every delivery is accepted, and one without it is refused.
func TestDemoSecret(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef-demo"
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		header string
	}{
		{"flag", nil, []string{"-secret", secret}, DefaultSecretHeader},
		{"env", map[string]string{"ONCALL_WEBHOOK_SECRET": secret}, []string{"-secret-header", "X-Clinic-Hook"}, "X-Clinic-Hook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runDemo(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "Every delivery must carry the "+tt.header+" header.") {
				t.Errorf("the report does not say which header is required:\n%s", out)
			}
			if got := strings.Count(section(t, out, "2"), "-> 200 OK"); got != 2 {
				t.Errorf("section 2: %d deliveries accepted with the secret, want 2", got)
			}
			if !strings.Contains(section(t, out, "4"), "The same delivery without the "+tt.header+" header -> 401 Unauthorized") {
				t.Errorf("section 4 does not show a delivery without the secret refused:\n%s", out)
			}
			if strings.Contains(out, secret) {
				t.Error("the report prints the secret")
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	const token = "tok"
	withToken := map[string]string{"ONCALL_API_TOKEN": token}
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"region without token", nil, []string{"-region", "ca"}, "no OnCall token: set -token or ONCALL_API_TOKEN"},
		{"listen without token", nil, []string{"-region", "us", "-listen", "127.0.0.1:0"}, "no OnCall token"},
		{"listen without region", withToken, []string{"-listen", "127.0.0.1:0"}, "-region is required (ca or us)"},
		{"unknown region", nil, []string{"-region", "eu", "-token", token, "-listen", "127.0.0.1:0"}, `-region: oncall: unknown region (a value of 2 characters)`},
		{"region without listen", withToken, []string{"-region", "ca"}, "-listen ADDR is required"},
		{"bad listen", withToken, []string{"-region", "ca", "-listen", "not-an-address"}, "-listen not-an-address: listen tcp"},
		{"bad listen port", withToken, []string{"-region", "ca", "-listen", "127.0.0.1:99999"}, "-listen 127.0.0.1:99999:"},
		{"short secret", nil, []string{"-secret", "hunter2"}, "-secret is too short: use a random value of at least 16 bytes"},
		{"short secret from env", map[string]string{"ONCALL_WEBHOOK_SECRET": "hunter2"}, nil, "-secret is too short"},
		{"short secret with listen", withToken, []string{"-region", "ca", "-listen", "127.0.0.1:0", "-secret", "hunter2"}, "-secret is too short"},
		{"bad secret header", nil, []string{"-secret", "0123456789abcdef", "-secret-header", "X Secret"}, `-secret-header: webhook: SharedSecretHeader: "X Secret" is not a valid header name`},
		{"ehr without listen", nil, []string{"-ehr", "schedule.json"}, "-ehr is for -listen"},
		{"missing ehr", withToken, []string{"-region", "ca", "-listen", "127.0.0.1:0", "-ehr", missing}, "-ehr: open " + missing},
		{"relative path", nil, []string{"-path", "hook"}, `-path "hook": want an absolute URL path`},
		{"argument", nil, []string{"extra"}, `unexpected argument "extra"`},
		{"unknown flag", nil, []string{"-nope"}, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runDemo(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q repeats the secret", err)
			}
			if out != "" {
				t.Errorf("printed a report before failing:\n%s", out)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer that the program writes from its goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestListen runs the program as a receiver for a real server (-listen, -region, -base-url, -ehr, -secret),
// with the fake standing in for OnCall: a patient cancels, and the EHR schedule read from the file gets CBC and
// the reason, while the program prints ids and statuses only.
func TestListen(t *testing.T) {
	t.Parallel()
	const (
		secret = "listen-test-secret-0123"
		header = "X-Test-Secret"
		reason = "Feeling unwell"
	)
	srv := oncalltest.NewServer(oncalltest.WithWebhookHeader(header, secret), oncalltest.WithWebhookRetry(0, 0))
	defer srv.Close()
	div := srv.AddDivision("Test clinic")
	start := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	id, err := srv.AddAppointment(oncalltest.Appointment{
		Title: "Session", Type: oncall.TypeOnline, DateTime: start, Duration: 50, Division: div,
		Participants: []oncalltest.Participant{{Name: "Pat Example", Email: "pat@example.com"}},
		Metadata:     map[string]any{syncer.KeyEMRID: "appt-1", syncer.KeyEMRSource: "test-ehr"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ehrFile := filepath.Join(t.TempDir(), "schedule.json")
	var file bytes.Buffer
	if err := carelogic.WriteJSON(&file, []carelogic.Appointment{{
		ID: "appt-1", Source: "test-ehr", Kind: carelogic.Individual, Modality: carelogic.Video, ProviderID: "staff-1",
		Start: start, Duration: 50 * time.Minute, Activity: "Session",
		Participants: []carelogic.Participant{{ClientID: "cl-1", Name: "Pat Example", Email: "pat@example.com"}},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ehrFile, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-region", "ca", "-base-url", srv.URL(), "-ehr", ehrFile,
			"-secret-header", header, "-path", "/hooks/oncall"}, &stdout, &stderr,
			func(k string) string {
				return map[string]string{"ONCALL_API_TOKEN": srv.Token(), "ONCALL_WEBHOOK_SECRET": secret}[k]
			})
	}()
	addrRE := regexp.MustCompile(`Receiving OnCall webhooks at (http://127\.0\.0\.1:\d+/hooks/oncall)\n`)
	var hookURL string
	for deadline := time.Now().Add(10 * time.Second); hookURL == ""; time.Sleep(5 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stdout.String()); m != nil {
			hookURL = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program did not say where it listens:\n%s", stdout.String())
		}
	}

	srv.SetWebhookURL(hookURL)
	if err := srv.CancelAsPatient(id, reason); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	ds := srv.WebhookDeliveries()
	if len(ds) != 1 || !ds[0].Delivered || ds[0].StatusCode != http.StatusOK {
		t.Fatalf("deliveries = %+v, want one answered 200", ds)
	}

	// Without the secret, and on another path, a delivery is refused.
	for _, tc := range []struct {
		url  string
		want int
	}{{hookURL, http.StatusUnauthorized}, {strings.TrimSuffix(hookURL, "/hooks/oncall") + "/other", http.StatusNotFound}} {
		resp, err := http.Post(tc.url, "application/json", strings.NewReader(`{"event": "appointment_updated", "url": "`+ds[0].URL+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("POST %s without the secret: %d, want %d", tc.url, resp.StatusCode, tc.want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after the context ended: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after the context ended")
	}

	out := stdout.String()
	for _, want := range []string{
		"Appointments are read from OnCall CA at " + srv.URL() + "/; the EHR holds 1 appointment(s) from " + ehrFile + ".",
		"Every delivery must carry the " + header + " header.",
		"appointment_updated " + strconv.FormatInt(int64(id), 10) + " (Patient cancelled, cancelled): ehr-store-url appt-1 " + srv.URL() + "/appointments/" + strconv.FormatInt(int64(id), 10) + "/; ehr-set-status appt-1 client cl-1 -> CBC\n",
		"Stopped. Deliveries handled: 1.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// The reason is the patient's own words, and the schedule names the patient: -listen prints neither.
	for _, phi := range []string{reason, "Pat Example", "@", secret} {
		if strings.Contains(out, phi) || strings.Contains(stderr.String(), phi) {
			t.Errorf("the output contains %q:\nstdout:\n%s\nstderr:\n%s", phi, out, stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "webhook delivery refused") || !strings.Contains(stderr.String(), "status=401") {
		t.Errorf("stderr does not log the refused delivery:\n%s", stderr.String())
	}
}
