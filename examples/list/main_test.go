package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
)

func runList(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), err
}

// listing is the printed report, parsed back.
type listing struct {
	// pages are the page headers of steps 1 and 2, in order.
	pages []pageHeader
	// first and resumed are the rows of steps 1 and 2; open those of step 3.
	first, resumed, open []row
	checkpoint           int
	summary              string
}

type pageHeader struct {
	N, Results, Count, Next int // Next is 0 on the last page
}

type row struct {
	ID     int
	Start  time.Time
	Status string
}

var (
	pageRE       = regexp.MustCompile(`^page (\d+): (\d+) of (\d+) appointments, (?:next page (\d+)|last page)$`)
	rowRE        = regexp.MustCompile(`^  (\d+) +(\S+Z)  \S+ +(.+)$`)
	checkpointRE = regexp.MustCompile(`^Stopping here, as if interrupted\. Checkpoint: page (\d+)\.$`)
)

func parseListing(t *testing.T, out string) listing {
	t.Helper()
	var l listing
	section := 0
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "== ") {
			section, _ = strconv.Atoi(line[3:4])
			continue
		}
		if m := pageRE.FindStringSubmatch(line); m != nil {
			l.pages = append(l.pages, pageHeader{atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])})
			continue
		}
		if m := checkpointRE.FindStringSubmatch(line); m != nil {
			l.checkpoint = atoi(t, m[1])
			continue
		}
		if m := rowRE.FindStringSubmatch(line); m != nil {
			start, err := time.Parse(timeLayout, m[2])
			if err != nil {
				t.Fatalf("row %q: %v", line, err)
			}
			r := row{ID: atoi(t, m[1]), Start: start, Status: strings.TrimSpace(m[3])}
			switch section {
			case 1:
				l.first = append(l.first, r)
			case 2:
				l.resumed = append(l.resumed, r)
			case 3:
				l.open = append(l.open, r)
			default:
				t.Fatalf("row outside a section: %q", line)
			}
			continue
		}
		if section == 3 && strings.Contains(line, " open of ") {
			l.summary = line
		}
	}
	return l
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantOpen counts the demo account's appointments that are neither completed nor cancelled.
func wantOpen() int {
	n := 0
	for _, a := range seedAppointments(101, 201, time.Now()) {
		if !a.Cancelled && a.Status == "" {
			n++
		}
	}
	return n
}

// TestDemo runs the program against the fake with several page sizes and checks the listing it prints: the pages
// and their headers, newest first across the checkpoint, every appointment once, and the open ones soonest first.
func TestDemo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pageSize   int
		wantPages  []pageHeader
		checkpoint int
	}{
		{25, []pageHeader{{1, 25, 60, 2}, {2, 25, 60, 3}, {3, 10, 60, 0}}, 2},
		{7, []pageHeader{{1, 7, 60, 2}, {2, 7, 60, 3}, {3, 7, 60, 4}, {4, 7, 60, 5}, {5, 7, 60, 6}, {6, 7, 60, 7},
			{7, 7, 60, 8}, {8, 7, 60, 9}, {9, 4, 60, 0}}, 2},
		{60, []pageHeader{{1, 60, 60, 0}}, 0},
		{1000, []pageHeader{{1, 60, 60, 0}}, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.pageSize), func(t *testing.T) {
			t.Parallel()
			out, _, err := runList(t, nil, "-page-size", strconv.Itoa(tt.pageSize))
			if err != nil {
				t.Fatal(err)
			}
			l := parseListing(t, out)
			if diff := cmp.Diff(tt.wantPages, l.pages); diff != "" {
				t.Errorf("page headers (-want +got):\n%s", diff)
			}
			if l.checkpoint != tt.checkpoint {
				t.Errorf("checkpoint = %d, want %d", l.checkpoint, tt.checkpoint)
			}
			if len(l.first) != tt.wantPages[0].Results {
				t.Errorf("step 1 printed %d appointments, want the first page's %d", len(l.first), tt.wantPages[0].Results)
			}
			if tt.checkpoint == 0 && !strings.Contains(out, "nothing to resume") {
				t.Errorf("one page, but step 2 does not say there is nothing to resume:\n%s", out)
			}

			// Steps 1 and 2 together are the whole listing, newest first: the resumed pages continue exactly where
			// the first ended, with no appointment skipped or repeated.
			all := append(slices.Clone(l.first), l.resumed...)
			ids := map[int]bool{}
			for i, r := range all {
				if ids[r.ID] {
					t.Errorf("appointment %d printed twice", r.ID)
				}
				ids[r.ID] = true
				if i > 0 && !r.Start.Before(all[i-1].Start) {
					t.Errorf("row %d: appointment %d at %s follows %d at %s: not newest first", i, r.ID, r.Start, all[i-1].ID, all[i-1].Start)
				}
			}
			if len(ids) != seedCount {
				t.Errorf("steps 1 and 2 printed %d appointments, want %d", len(ids), seedCount)
			}

			// Step 3: open appointments only, soonest first.
			if len(l.open) != wantOpen() {
				t.Errorf("step 3 printed %d open appointments, want %d", len(l.open), wantOpen())
			}
			for i, r := range l.open {
				if r.Status != string(oncall.StatusIncomplete) {
					t.Errorf("step 3 printed appointment %d with status %q", r.ID, r.Status)
				}
				if i > 0 && !r.Start.After(l.open[i-1].Start) {
					t.Errorf("step 3: appointment %d at %s follows %d at %s: not soonest first", r.ID, r.Start, l.open[i-1].ID, l.open[i-1].Start)
				}
			}
			if want := strconv.Itoa(wantOpen()) + " open of 60 read."; l.summary != want {
				t.Errorf("step 3 summary = %q, want %q", l.summary, want)
			}
			if !strings.Contains(out, "GET /appointments/?completed=False&ordering=datetime&page_size="+strconv.Itoa(tt.pageSize)) {
				t.Errorf("the report does not show the filtered listing's request:\n%s", out)
			}
			// The account holds names and emails; the report must show neither (nor titles).
			for _, phi := range []string{"@", "Client 0", "Therapy"} {
				if strings.Contains(out, phi) {
					t.Errorf("the report contains %q", phi)
				}
			}
		})
	}
}

// TestMaxPages checks that -max-pages bounds the resumed listing and the stream.
func TestMaxPages(t *testing.T) {
	t.Parallel()
	out, _, err := runList(t, nil, "-page-size", "10", "-max-pages", "2")
	if err != nil {
		t.Fatal(err)
	}
	l := parseListing(t, out)
	want := []pageHeader{{1, 10, 60, 2}, {2, 10, 60, 3}, {3, 10, 60, 4}}
	if diff := cmp.Diff(want, l.pages); diff != "" {
		t.Errorf("page headers (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		"Stopping after 2 page(s) (-max-pages); the next checkpoint would be page 4.",
		"Stopping after 20 appointments (-max-pages 2).",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("the report lacks %q:\n%s", s, out)
		}
	}
	if !strings.Contains(l.summary, " open of 20 read.") {
		t.Errorf("step 3 summary = %q, want 20 read", l.summary)
	}
}

// TestRealServer points the program at a server through -region, -token and -base-url, as at OnCall: here a
// fake the test seeds itself.
func TestRealServer(t *testing.T) {
	t.Parallel()
	srv := oncalltest.NewServer(oncalltest.WithToken("a-real-looking-token"))
	defer srv.Close()
	div := srv.AddDivision("Test clinic")
	base := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
	var ids []int
	for i := range 5 {
		id, err := srv.AddAppointment(oncalltest.Appointment{
			Title: "Session", Type: oncall.TypeOnline, DateTime: base.Add(time.Duration(i) * time.Hour), Duration: 30,
			Division: div, Cancelled: i == 2,
			Participants: []oncalltest.Participant{{Name: "Pat Example", Email: "pat@example.com"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, int(id))
	}
	env := map[string]string{"ONCALL_API_TOKEN": srv.Token()}
	out, _, err := runList(t, env, "-region", "ca", "-base-url", srv.URL(), "-page-size", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Appointments on OnCall CA at "+srv.URL()+"/, 2 a page.") {
		t.Errorf("the report does not name the server:\n%s", out)
	}
	l := parseListing(t, out)
	var got []int
	for _, r := range append(l.first, l.resumed...) {
		got = append(got, r.ID)
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("appointments newest first (-want +got):\n%s", diff)
	}
	var open []int
	for _, r := range l.open {
		open = append(open, r.ID)
	}
	if diff := cmp.Diff([]int{ids[0], ids[1], ids[3], ids[4]}, open); diff != "" {
		t.Errorf("open appointments (-want +got):\n%s", diff)
	}
	if strings.Contains(out, "fake ignored") {
		t.Errorf("against a server it did not start, the program claims to know what it ignored:\n%s", out)
	}
}

// TestEnvTokenAloneRunsTheDemo: a token in the environment does not take the program away from the fake.
func TestEnvTokenAloneRunsTheDemo(t *testing.T) {
	t.Parallel()
	out, _, err := runList(t, map[string]string{"ONCALL_API_TOKEN": "tok"}, "-page-size", "60")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "Appointments on the OnCall fake server") {
		t.Errorf("did not run against the fake:\n%s", out)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"region without token", nil, []string{"-region", "ca"}, "no OnCall token: set -token or ONCALL_API_TOKEN"},
		{"base URL without token", nil, []string{"-region", "us", "-base-url", "http://127.0.0.1:1"}, "no OnCall token"},
		{"token without region", nil, []string{"-token", "tok"}, "-region is required (ca or us)"},
		{"env token and base URL without region", map[string]string{"ONCALL_API_TOKEN": "tok"}, []string{"-base-url", "http://127.0.0.1:1"}, "-region is required"},
		{"unknown region", nil, []string{"-region", "eu", "-token", "tok"}, `-region: oncall: unknown region (a value of 2 characters)`},
		{"page size 0", nil, []string{"-page-size", "0"}, "-page-size 0: want 1 to 1000"},
		{"page size too large", nil, []string{"-page-size", "1001"}, "-page-size 1001: want 1 to 1000"},
		{"negative max pages", nil, []string{"-max-pages", "-1"}, "-max-pages -1"},
		{"argument", nil, []string{"extra"}, `unexpected argument "extra"`},
		{"unknown flag", nil, []string{"-nope"}, "flag provided but not defined: -nope"},
		{"bad token", nil, []string{"-region", "ca", "-token", "has space"}, "token contains white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runList(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if out != "" {
				t.Errorf("printed a report before failing:\n%s", out)
			}
		})
	}
}
