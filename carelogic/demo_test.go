package carelogic

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// demoNows are times to build the demo at, including the edges of a UTC day and a non-UTC zone.
var demoNows = []time.Time{
	time.Date(2030, 3, 4, 9, 17, 42, 123, time.UTC),
	time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC),
	time.Date(2030, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Date(2032, 2, 28, 22, 30, 0, 0, time.FixedZone("EST", -5*3600)), // past midnight in UTC, in a leap year
}

func TestDemoScheduleIsValid(t *testing.T) {
	t.Parallel()
	for _, now := range demoNows {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			appts := DemoSchedule(now)
			if len(appts) == 0 {
				t.Fatal("empty schedule")
			}
			keys := map[string]bool{}
			for _, a := range appts {
				if err := a.Validate(); err != nil {
					t.Errorf("%v", err)
				}
				if a.Source != DemoSource {
					t.Errorf("%s: Source = %q, want %q", a.ID, a.Source, DemoSource)
				}
				if keys[a.Key()] {
					t.Errorf("%s: key used twice", a.Key())
				}
				keys[a.Key()] = true
				if a.Start.Location() != time.UTC || !a.Start.Equal(a.Start.Truncate(time.Minute)) {
					t.Errorf("%s: start %v is not a whole minute in UTC", a.ID, a.Start)
				}
				if a.Duration%time.Minute != 0 {
					t.Errorf("%s: duration %v is not whole minutes", a.ID, a.Duration)
				}
				if a.Deleted {
					t.Errorf("%s: deleted", a.ID)
				}
				// Only outcomes that need the session to have happened belong in the past.
				if a.Start.Before(now) && !slices.ContainsFunc(a.Participants, func(p Participant) bool {
					return p.Status == StatusKept || p.Status == StatusDNS
				}) {
					t.Errorf("%s: starts at %v, before now, without a Kept or DNS client", a.ID, a.Start)
				}
				if a.Start.Before(now.Add(-48 * time.Hour)) {
					t.Errorf("%s: starts more than two days before now", a.ID)
				}
				for _, p := range a.Participants {
					if p.Name == "" || p.Email == "" {
						t.Errorf("%s: client %s has no name or email", a.ID, p.ClientID)
					}
				}
			}
			if !slices.IsSortedFunc(appts, compareStartKey) {
				t.Errorf("not ordered by start then key: %v", ids(appts))
			}
		})
	}
}

func TestDemoScheduleCoverage(t *testing.T) {
	t.Parallel()
	now := demoNows[0]
	appts := DemoSchedule(now)

	statuses := map[Status]bool{}
	shapes := map[string]bool{}
	var groupSizes []int
	type series struct {
		kind  Kind
		count int
		gaps  []time.Duration
		last  time.Time
	}
	seriesByID := map[string]*series{}
	futureByClient := map[string]int{}
	emailOf := map[string]string{}
	var (
		errorOn1to1, cbcWithComment, groupOneDNS, groupAllCBT, groupOneError bool
	)
	for _, a := range appts {
		shapes[fmt.Sprintf("%s/%s", a.Kind, a.Modality)] = true
		if a.Kind == Group {
			groupSizes = append(groupSizes, len(a.Participants))
		}
		if a.SeriesID != "" {
			s := seriesByID[a.SeriesID]
			if s == nil {
				s = &series{kind: a.Kind}
				seriesByID[a.SeriesID] = s
			} else {
				s.gaps = append(s.gaps, a.Start.Sub(s.last))
			}
			if s.kind != a.Kind {
				t.Errorf("series %s mixes kinds", a.SeriesID)
			}
			s.count++
			s.last = a.Start
		}
		count := map[Status]int{}
		for _, p := range a.Participants {
			s := p.Status
			if s == "" {
				s = StatusScheduled
			}
			statuses[s] = true
			count[s]++
			if a.Start.After(now) {
				futureByClient[p.ClientID]++
			}
			if e, ok := emailOf[p.ClientID]; ok && e != p.Email {
				t.Errorf("client %s has two email addresses in one schedule", p.ClientID)
			}
			emailOf[p.ClientID] = p.Email
		}
		n := len(a.Participants)
		switch {
		case a.Kind == Individual && count[StatusError] == 1:
			errorOn1to1 = true
		case a.Kind == Individual && count[StatusCBC] == 1 && a.Comments != "":
			cbcWithComment = true
		case a.Kind == Group && count[StatusDNS] == 1 && count[StatusScheduled] == n-1:
			groupOneDNS = true
		case a.Kind == Group && count[StatusCBT] == n:
			groupAllCBT = true
		case a.Kind == Group && count[StatusError] == 1 && n > 1:
			groupOneError = true
		}
	}

	wantStatuses := map[Status]bool{
		StatusScheduled: true, StatusKept: true, StatusDNS: true, StatusCBT: true, StatusCBC: true, StatusError: true,
		"Checked-in": true,
	}
	if diff := cmp.Diff(wantStatuses, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, s := range []string{"individual/video", "individual/in-person", "group/video", "group/in-person"} {
		if !shapes[s] {
			t.Errorf("no %s appointment", s)
		}
	}
	if !slices.Contains(groupSizes, MaxGroupParticipants) {
		t.Errorf("no full group of %d; group sizes %v", MaxGroupParticipants, groupSizes)
	}
	if !slices.ContainsFunc(groupSizes, func(n int) bool { return n >= 6 && n < MaxGroupParticipants }) {
		t.Errorf("no group of six or more that is not full; group sizes %v", groupSizes)
	}
	found := map[string]bool{}
	for id, s := range seriesByID {
		for _, g := range s.gaps {
			if g != 7*24*time.Hour {
				t.Errorf("series %s: occurrences %v apart, want weekly", id, g)
			}
		}
		found[fmt.Sprintf("%s x%d", s.kind, s.count)] = true
	}
	if diff := cmp.Diff(map[string]bool{"individual x4": true, "group x3": true}, found); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	for name, ok := range map[string]bool{
		"Error on a 1:1":                            errorOn1to1,
		"CBC on a 1:1 with a comment":               cbcWithComment,
		"group with one DNS, the others Scheduled":  groupOneDNS,
		"group cancelled by the provider":           groupAllCBT,
		"group with one client in Error of several": groupOneError,
	} {
		if !ok {
			t.Errorf("no %s", name)
		}
	}
	if n := futureByClient[demoAvery.ClientID]; n < 3 {
		t.Errorf("the email-change client is on %d future appointments, want several", n)
	}
}

func TestDemoScheduleDeterministic(t *testing.T) {
	t.Parallel()
	for _, now := range demoNows {
		first := DemoSchedule(now)
		if diff := cmp.Diff(first, DemoSchedule(now)); diff != "" {
			t.Errorf("now %v: two calls differ (-first +second):\n%s", now, diff)
		}
		// The same instant in another zone, and another second of the same minute, give the same schedule.
		if diff := cmp.Diff(first, DemoSchedule(now.In(time.FixedZone("X", 3*3600+1800)))); diff != "" {
			t.Errorf("now %v in another zone differs (-want +got):\n%s", now, diff)
		}
		if diff := cmp.Diff(first, DemoSchedule(now.Truncate(time.Minute))); diff != "" {
			t.Errorf("now %v truncated to the minute differs (-want +got):\n%s", now, diff)
		}
	}
	// And a different day gives a different schedule, moved by that day.
	a, b := DemoSchedule(demoNows[0]), DemoSchedule(demoNows[0].Add(24*time.Hour))
	for i := range a {
		if d := b[i].Start.Sub(a[i].Start); d != 24*time.Hour {
			t.Errorf("%s: a day later moved it by %v", a[i].ID, d)
		}
	}
}

// demoChange classifies how an appointment differs between before and after; nil means no change.
func demoChange(before, after *Appointment) []string {
	switch {
	case before == nil:
		return []string{"new"}
	case after == nil:
		return []string{"removed"}
	}
	var kinds []string
	b, a := before.Clone(), after.Clone()
	if !b.Deleted && a.Deleted {
		kinds = append(kinds, "deleted")
	}
	if !b.Start.Equal(a.Start) {
		kinds = append(kinds, "time")
	}
	if b.ProviderID != a.ProviderID {
		kinds = append(kinds, "provider")
	}
	if b.Modality != a.Modality {
		kinds = append(kinds, "modality")
	}
	clientIDs := func(x Appointment) []string {
		var out []string
		for _, p := range x.Participants {
			out = append(out, p.ClientID)
		}
		return out
	}
	if !slices.Equal(clientIDs(b), clientIDs(a)) {
		if b.Kind == Individual {
			kinds = append(kinds, "1:1 swap")
		} else {
			kinds = append(kinds, "group swap")
		}
	}
	for _, pb := range b.Participants {
		pa := a.Participant(pb.ClientID)
		if pa == nil {
			continue
		}
		if pa.Email != pb.Email {
			kinds = append(kinds, "email")
		}
		switch {
		case pa.Status == pb.Status:
		case pa.Status == StatusCBC:
			kinds = append(kinds, "status to CBC")
		case pb.Status == StatusDNS && pa.Status == StatusKept:
			kinds = append(kinds, "DNS then Kept")
		default:
			kinds = append(kinds, "other status change")
		}
	}
	// Anything else that changed is unexpected.
	b.Deleted, b.Start, b.ProviderID, b.Modality, b.Participants = a.Deleted, a.Start, a.ProviderID, a.Modality, a.Participants
	if !cmp.Equal(b, a) {
		kinds = append(kinds, "other: "+cmp.Diff(b, a))
	}
	return kinds
}

func TestDemoEdits(t *testing.T) {
	t.Parallel()
	now := demoNows[0]
	before := DemoSchedule(now)
	pristine := DemoSchedule(now)
	after := DemoEdits(before)

	if diff := cmp.Diff(pristine, before); diff != "" {
		t.Errorf("DemoEdits changed its argument (-want +got):\n%s", diff)
	}

	index := func(appts []Appointment) map[string]*Appointment {
		m := map[string]*Appointment{}
		for i := range appts {
			m[appts[i].Key()] = &appts[i]
		}
		return m
	}
	b, a := index(before), index(after)
	if len(a) != len(after) {
		t.Errorf("DemoEdits produced a key twice")
	}
	seen := map[string]int{}
	for key := range mergeKeys(b, a) {
		kinds := demoChange(b[key], a[key])
		if len(kinds) > 1 {
			t.Errorf("%s: several changes %q; each edit should be observable on its own", key, kinds)
		}
		for _, k := range kinds {
			seen[k]++
		}
	}
	want := []string{
		"email", "time", "modality", "provider", "1:1 swap", "group swap", "status to CBC", "DNS then Kept",
		"deleted", "new",
	}
	var got []string
	for k := range seen {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds of change (-want +got):\n%s", diff)
	}
	if seen["new"] != 1 || seen["deleted"] != 1 {
		t.Errorf("%d new and %d deleted appointments, want one each", seen["new"], seen["deleted"])
	}

	// The email change reaches every appointment the client is on, and the old address is gone.
	var oldEmail string
	for _, x := range before {
		if p := x.Participant(demoAvery.ClientID); p != nil {
			oldEmail = p.Email
		}
	}
	emailChanged := 0
	for _, x := range after {
		for _, p := range x.Participants {
			if p.Email == oldEmail {
				t.Errorf("%s: the old email address is still there", x.ID)
			}
		}
		if x.Participant(demoAvery.ClientID) != nil {
			emailChanged++
		}
	}
	if emailChanged != seen["email"] || emailChanged < 3 {
		t.Errorf("email changed on %d appointments, client is on %d; want the same, several", seen["email"], emailChanged)
	}

	for _, x := range after {
		if err := x.Validate(); err != nil {
			t.Errorf("after the edits: %v", err)
		}
	}
	// The new appointment takes the deleted one's slot.
	for key, x := range a {
		if b[key] == nil {
			if !slices.ContainsFunc(after, func(y Appointment) bool { return y.Deleted && y.Start.Equal(x.Start) }) {
				t.Errorf("new appointment %s is not in the deleted one's slot", key)
			}
		}
	}
}

func mergeKeys(ms ...map[string]*Appointment) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

func TestDemoEditsOnOtherInput(t *testing.T) {
	t.Parallel()
	if got := DemoEdits(nil); len(got) != 0 {
		t.Errorf("DemoEdits(nil) = %v, want nothing", ids(got))
	}
	// Without the appointment to delete, there is no new one either; the others are still edited.
	in := slices.DeleteFunc(DemoSchedule(demoNows[0]), func(a Appointment) bool { return a.ID == "appt-111" })
	got := DemoEdits(in)
	if len(got) != len(in) {
		t.Errorf("DemoEdits without appt-111 returned %d appointments for %d", len(got), len(in))
	}
	// An appointment the edits do not mention is copied unchanged.
	other := appt("unrelated", 0)
	if diff := cmp.Diff([]Appointment{other}, DemoEdits([]Appointment{other})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
