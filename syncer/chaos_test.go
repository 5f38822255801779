package syncer_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// The chaos tests sync a large generated EHR schedule against the fake OnCall server while it injects faults of
// every kind, then check what must hold whatever the faults: the sync converges, never leaves two live OnCall
// appointments for one EHR appointment, ends in the state a fault-free run of the same data reaches, applies each
// planned change once, and reports exactly the changes the faults defeated.

// chaosNow is the present of the chaos tests: fixed, so that a seed always generates the same schedule.
var chaosNow = time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC)

var chaosWindow = syncer.Window{From: chaosNow.AddDate(0, 0, -30), To: chaosNow.AddDate(0, 0, 200)}

// chaosRetry retries quickly, so that thousands of injected faults cost seconds, not minutes.
var chaosRetry = oncall.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// chaosRate is high enough never to pace the tests, but finite, so that the client's slow-down after a 429 (it
// halves its rate, then recovers) is exercised too.
const chaosRate = 20000.0

// chaosEHR generates an EHR schedule from a seed and edits it as clinic staff would. It keeps its own copy of
// every appointment (appts), which the tests put into each EHR they sync, so that the runs compared hold the same
// data.
type chaosEHR struct {
	r      *rand.Rand
	source string
	staff  []string
	// clients is the pool of clients, with their current emails; emailV[i] counts client i's email changes.
	clients []carelogic.Participant
	appts   map[string]carelogic.Appointment
	lastID  int
	series  int
	emailV  map[int]int
	// tag starts every client's email, so that the clients of two generated EHRs never share an address.
	tag string
}

var (
	chaosFirst      = []string{"Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Logan", "Morgan", "Parker", "Quinn", "Reese", "Sawyer", "Taylor"}
	chaosLast       = []string{"Nguyen", "Okafor", "Patel", "Rossi", "Schmidt", "Tremblay", "Ueda", "Varga", "Wong", "Yilmaz", "Zhou", "Leblanc"}
	chaosActivities = []string{"Individual Therapy", "Group Therapy", "Intake Assessment", "Medication Review", "Family Therapy", "Case Management", ""}
	chaosDurations  = []time.Duration{30 * time.Minute, 45 * time.Minute, 50 * time.Minute, 60 * time.Minute, 90 * time.Minute, 50*time.Minute + 30*time.Second}
)

// newChaosEHR generates n appointments of source: 1:1s and groups of up to 25, a third of them in recurring
// series, video and in person, with every status (the six of CareLogic and a custom one) and a few already past.
func newChaosEHR(seed uint64, source string, n int) *chaosEHR {
	return newTaggedChaosEHR(seed, source, "client", n)
}

// newTaggedChaosEHR is newChaosEHR with client emails starting with tag.
func newTaggedChaosEHR(seed uint64, source, tag string, n int) *chaosEHR {
	g := &chaosEHR{
		tag:    tag,
		r:      rand.New(rand.NewPCG(seed, seed^0x5eed)),
		source: source,
		staff:  []string{"staff-101", "staff-102", "staff-103", "staff-104", "staff-105", "staff-106"},
		appts:  map[string]carelogic.Appointment{},
		emailV: map[int]int{},
	}
	for i := range max(n/3, 30) {
		g.clients = append(g.clients, carelogic.Participant{
			ClientID: fmt.Sprintf("CL%05d", i),
			Name:     chaosFirst[i%len(chaosFirst)] + " " + chaosLast[(i/len(chaosFirst))%len(chaosLast)],
			Email:    g.email(i),
		})
	}
	for len(g.appts) < n {
		occurrences := 1
		if g.r.IntN(3) == 0 {
			occurrences = 4 + g.r.IntN(7)
		}
		for _, a := range g.newSeries(min(occurrences, n-len(g.appts))) {
			g.appts[a.ID] = a
		}
	}
	return g
}

// email is client i's current address: unique to the client, at example.com.
func (g *chaosEHR) email(i int) string {
	if v := g.emailV[i]; v > 0 {
		return fmt.Sprintf("%s%05d.v%d@example.com", g.tag, i, v)
	}
	return fmt.Sprintf("%s%05d@example.com", g.tag, i)
}

// status draws a participant status: mostly Scheduled, then every other status, a custom one included.
func (g *chaosEHR) status() carelogic.Status {
	switch n := g.r.IntN(100); {
	case n < 50:
		return carelogic.StatusScheduled
	case n < 55:
		return ""
	case n < 63:
		return carelogic.StatusKept
	case n < 71:
		return carelogic.StatusDNS
	case n < 79:
		return carelogic.StatusCBT
	case n < 87:
		return carelogic.StatusCBC
	case n < 94:
		return carelogic.StatusError
	}
	return "Checked-in"
}

// pickClients returns k distinct clients of the pool, none of those in avoid.
func (g *chaosEHR) pickClients(k int, avoid []carelogic.Participant) []carelogic.Participant {
	var out []carelogic.Participant
	for len(out) < k {
		c := g.clients[g.r.IntN(len(g.clients))]
		taken := func(p carelogic.Participant) bool { return p.ClientID == c.ClientID }
		if slices.ContainsFunc(out, taken) || slices.ContainsFunc(avoid, taken) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func (g *chaosEHR) groupSize() int {
	switch n := g.r.IntN(10); {
	case n == 0:
		return carelogic.MaxGroupParticipants
	case n < 3:
		return 9 + g.r.IntN(16)
	}
	return 2 + g.r.IntN(7)
}

func (g *chaosEHR) nextID() string {
	g.lastID++
	return fmt.Sprintf("A%05d", g.lastID)
}

// newSeries returns a one-off appointment (n = 1) or n weekly occurrences of a series, sharing provider, clients,
// activity and time, each with its own statuses.
func (g *chaosEHR) newSeries(n int) []carelogic.Appointment {
	base := carelogic.Appointment{
		Source:     g.source,
		Kind:       carelogic.Individual,
		Modality:   carelogic.Video,
		ProviderID: g.staff[g.r.IntN(len(g.staff))],
		Duration:   chaosDurations[g.r.IntN(len(chaosDurations))],
		Activity:   chaosActivities[g.r.IntN(len(chaosActivities))],
	}
	if g.r.IntN(2) == 0 {
		base.Modality = carelogic.InPerson
	}
	size := 1
	if g.r.IntN(5) == 0 {
		base.Kind, size = carelogic.Group, g.groupSize()
	}
	clients := g.pickClients(size, nil)
	start := chaosNow.Add(time.Hour + time.Duration(g.r.IntN(90*24*4))*15*time.Minute)
	if g.r.IntN(50) == 0 {
		start = chaosNow.Add(-time.Duration(1+g.r.IntN(20*24)) * time.Hour) // past: never created
	}
	if n > 1 {
		g.series++
		base.SeriesID = fmt.Sprintf("SER%04d", g.series)
	}
	out := make([]carelogic.Appointment, n)
	for k := range n {
		a := base
		a.ID = g.nextID()
		a.Start = start.AddDate(0, 0, 7*k)
		a.Participants = slices.Clone(clients)
		for i := range a.Participants {
			a.Participants[i].Status = g.status()
		}
		out[k] = a
	}
	return out
}

// all returns the schedule, ordered by id.
func (g *chaosEHR) all() []carelogic.Appointment {
	out := slices.Collect(maps.Values(g.appts))
	slices.SortFunc(out, func(a, b carelogic.Appointment) int { return strings.Compare(a.ID, b.ID) })
	for i := range out {
		out[i] = out[i].Clone()
	}
	return out
}

// chaosEdit is a change to the EHR: appointments to put (new or edited) and ids to delete outright.
type chaosEdit struct {
	put    []carelogic.Appointment
	delete []string
}

// edit changes frac of the schedule, as staff would in a day: times moved, statuses changed, a group's client
// swapped for another, a 1:1's client replaced, a client's email changed (on every appointment they are on),
// appointments deleted (marked deleted, or gone outright) and new ones booked. It returns what changed and the
// number of edits of each kind.
func (g *chaosEHR) edit(frac float64) (chaosEdit, map[string]int) {
	ids := slices.Sorted(maps.Keys(g.appts))
	changed := map[string]bool{}
	var gone []string
	counts := map[string]int{}
	pick := func(ok func(a carelogic.Appointment) bool) (carelogic.Appointment, bool) {
		for range 100 {
			a := g.appts[ids[g.r.IntN(len(ids))]]
			if !a.Deleted && a.Start.After(chaosNow) && ok(a) {
				return a, true
			}
		}
		return carelogic.Appointment{}, false
	}
	anyAppt := func(carelogic.Appointment) bool { return true }
	n := int(frac * float64(len(ids)))
	for range n {
		kind := []string{"time", "status", "group swap", "1:1 swap", "email", "deletion", "new"}[g.r.IntN(7)]
		var a carelogic.Appointment
		var ok bool
		switch kind {
		case "time":
			if a, ok = pick(anyAppt); ok {
				a.Start = a.Start.Add(time.Duration(1+g.r.IntN(96)) * 30 * time.Minute)
			}
		case "status":
			if a, ok = pick(anyAppt); ok {
				a = a.Clone()
				i := g.r.IntN(len(a.Participants))
				a.Participants[i].Status = g.status()
			}
		case "group swap":
			if a, ok = pick(func(a carelogic.Appointment) bool { return a.Kind == carelogic.Group }); ok {
				a = a.Clone()
				i := g.r.IntN(len(a.Participants))
				a.Participants[i] = g.pickClients(1, a.Participants)[0]
			}
		case "1:1 swap":
			if a, ok = pick(func(a carelogic.Appointment) bool { return a.Kind == carelogic.Individual }); ok {
				a = a.Clone()
				a.Participants[0] = g.pickClients(1, a.Participants)[0]
			}
		case "email":
			i := g.r.IntN(len(g.clients))
			g.emailV[i]++
			g.clients[i].Email = g.email(i)
			for _, id := range ids {
				b := g.appts[id]
				if p := b.Participant(g.clients[i].ClientID); p != nil {
					b = b.Clone()
					b.Participant(g.clients[i].ClientID).Email = g.clients[i].Email
					g.appts[id], changed[id] = b, true
				}
			}
			counts[kind]++
			continue
		case "deletion":
			a, ok = pick(anyAppt)
			switch {
			case ok && g.r.IntN(2) == 0: // gone from the EHR: the sync cancels it as an orphan
				delete(g.appts, a.ID)
				delete(changed, a.ID)
				gone = append(gone, a.ID)
				counts["deletion (gone)"]++
				continue
			case ok: // marked deleted, as an HL7 S17 would
				a.Deleted = true
			}
		case "new":
			a, ok = g.newSeries(1)[0], true
		}
		if ok {
			g.appts[a.ID], changed[a.ID] = a, true
			counts[kind]++
		}
	}
	var e chaosEdit
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		if a, ok := g.appts[id]; ok {
			e.put = append(e.put, a.Clone())
		}
	}
	for _, id := range gone {
		if _, ok := g.appts[id]; !ok && !slices.Contains(e.delete, id) {
			e.delete = append(e.delete, id)
		}
	}
	return e, counts
}

// chaosEnv is an EHR in memory and a fake OnCall seeded as a clinic's account: a division and one provider per
// staff id, in the same order on every server, so that two servers number them alike.
type chaosEnv struct {
	t      testing.TB
	srv    *oncalltest.Server
	client *oncall.Client
	policy syncer.Policy
	mem    *carelogic.Memory
}

func newChaosEnv(t testing.TB, staff []string, appts []carelogic.Appointment, opts ...oncall.Option) *chaosEnv {
	t.Helper()
	return newChaosEnvWith(t, staff, appts, func(*oncalltest.Server) []oncall.Option { return opts })
}

// newChaosEnvWith is newChaosEnv with client options that depend on the server.
func newChaosEnvWith(t testing.TB, staff []string, appts []carelogic.Appointment, opts func(*oncalltest.Server) []oncall.Option) *chaosEnv {
	t.Helper()
	srv := oncalltest.NewServer()
	t.Cleanup(srv.Close)
	div := srv.AddDivision("Chaos clinic")
	p := syncer.DefaultPolicy(div)
	p.Now = chaosNow
	p.Providers = map[string]oncall.ProviderID{}
	for _, id := range slices.Sorted(slices.Values(staff)) {
		p.Providers[id] = srv.AddProvider("Provider "+id, id+"@clinic.example.org", div)
	}
	client, err := srv.Client(append([]oncall.Option{oncall.WithRetryPolicy(chaosRetry), oncall.WithRateLimit(chaosRate, 100)}, opts(srv)...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &chaosEnv{t: t, srv: srv, client: client, policy: p, mem: carelogic.NewMemory(appts...)}
}

func (e *chaosEnv) apply(ed chaosEdit) {
	e.t.Helper()
	for _, a := range ed.put {
		e.mem.Put(a)
	}
	for _, id := range ed.delete {
		if err := e.mem.Delete(id); err != nil {
			e.t.Fatal(err)
		}
	}
}

// chaosAppt is what the chaos tests compare of an OnCall appointment: all of it but the ids and URLs the server
// assigns.
type chaosAppt struct {
	Title        string
	Type         oncall.AppointmentType
	DateTime     time.Time
	Duration     int
	Status       oncall.AppointmentStatus
	Cancelled    bool
	Division     oncall.DivisionID
	Provider     oncall.ProviderID
	Metadata     map[string]any
	Participants []chaosParticipant // by email
}

type chaosParticipant struct {
	Name, FirstName, LastName, Email, Fee string
	Cancelled                             bool
	Status                                oncall.ParticipantStatus
}

// chaosState returns the server's appointments by EHR key, each key's oldest first. Every appointment must carry
// an EHR key (the sync made them all), and no participant may appear twice on one appointment.
func chaosState(t testing.TB, srv *oncalltest.Server) map[string][]chaosAppt {
	t.Helper()
	recs := srv.AppointmentRecords()
	slices.SortFunc(recs, func(a, b oncalltest.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	out := map[string][]chaosAppt{}
	for _, a := range recs {
		k := chaosKey(a.Metadata)
		if k == "" {
			t.Errorf("OnCall appointment %d has no EHR key", a.ID)
			continue
		}
		v := chaosAppt{Title: a.Title, Type: a.Type, DateTime: a.DateTime, Duration: a.Duration, Status: a.Status,
			Cancelled: a.Cancelled, Division: a.Division, Provider: a.Provider, Metadata: a.Metadata}
		emails := map[string]bool{}
		for _, p := range a.Participants {
			e := strings.ToLower(p.Email)
			if emails[e] {
				t.Errorf("OnCall appointment %d (%s) has participant %d's email twice", a.ID, k, p.ID)
			}
			emails[e] = true
			v.Participants = append(v.Participants, chaosParticipant{p.Name, p.FirstName, p.LastName, p.Email, p.Fee, p.Cancelled, p.Status})
		}
		slices.SortFunc(v.Participants, func(a, b chaosParticipant) int { return strings.Compare(a.Email, b.Email) })
		out[k] = append(out[k], v)
	}
	return out
}

func chaosKey(md map[string]any) string {
	id, _ := md[syncer.KeyEMRID].(string)
	if id == "" {
		return ""
	}
	if src, _ := md[syncer.KeyEMRSource].(string); src != "" {
		return src + "/" + id
	}
	return id
}

// chaosCheckNoLiveDuplicates checks the invariant that matters most: no EHR key has two live OnCall appointments
// (two invitations for one session).
func chaosCheckNoLiveDuplicates(t testing.TB, srv *oncalltest.Server, when string) {
	t.Helper()
	live := map[string][]oncall.AppointmentID{}
	for _, a := range srv.AppointmentRecords() {
		if k := chaosKey(a.Metadata); k != "" && !a.Cancelled {
			live[k] = append(live[k], a.ID)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(live)) {
		if ids := live[k]; len(ids) > 1 {
			t.Errorf("%s: EHR key %s has %d live OnCall appointments %v, want 1", when, k, len(ids), ids)
		}
	}
}

// chaosCheckURLs checks that every EHR appointment synced to a live OnCall appointment stores its URL.
func chaosCheckURLs(t testing.TB, e *chaosEnv, when string) {
	t.Helper()
	urls := map[string]string{}
	for _, a := range e.srv.Appointments() {
		if k := chaosKey(a.Metadata); k != "" && !a.Cancelled {
			urls[k] = a.URL
		}
	}
	bad := 0
	for _, a := range e.mem.All() {
		if want := urls[a.Key()]; want != "" && !a.Deleted && a.OnCallURL != want {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d EHR appointments lack their OnCall appointment's URL", when, bad)
	}
}

// chaosCreated is what a first sync's OnCall appointment is expected to be, derived from the EHR alone.
type chaosCreated struct {
	EMRID, Source, Series string
	Title                 string
	Type                  oncall.AppointmentType
	DateTime              time.Time
	Duration              int
	Division              oncall.DivisionID
	Provider              oncall.ProviderID
	Cancelled             bool
	// Roster is the client ids the emr_clients metadata records, sorted; Emails the participants' emails, sorted.
	Roster, Emails []string
	// Statuses counts the participants that have an OnCall status.
	Statuses int
}

// chaosExpectFirstSync derives what a first sync creates from the EHR data and the documented rules, without
// the package's code: an OnCall appointment for every EHR appointment that is not deleted, not over, has a
// mapped provider and a client to invite (one whose status is not DNS, CBT, CBC or Error), inviting those clients
// and recording them all, with the activity as title ("Appointment" when blank), "inperson" or "online", the
// start, the duration in whole minutes rounded up, the mapped provider, and no participant status yet.
func chaosExpectFirstSync(appts []carelogic.Appointment, p syncer.Policy) map[string][]chaosCreated {
	out := map[string][]chaosCreated{}
	for _, a := range appts {
		provider, mapped := p.Providers[a.ProviderID]
		if a.Deleted || !a.Start.Add(a.Duration).After(p.Now) || !mapped {
			continue
		}
		c := chaosCreated{EMRID: a.ID, Source: a.Source, Series: a.SeriesID, Title: a.Activity, Type: "online",
			DateTime: a.Start.UTC().Truncate(time.Second), Duration: int((a.Duration + time.Minute - 1) / time.Minute),
			Division: p.Division, Provider: provider}
		if strings.TrimSpace(c.Title) == "" {
			c.Title = "Appointment"
		}
		if a.Modality == carelogic.InPerson {
			c.Type = "inperson"
		}
		for _, cl := range a.Participants {
			c.Roster = append(c.Roster, cl.ClientID)
			switch cl.Status {
			case carelogic.StatusDNS, carelogic.StatusCBT, carelogic.StatusCBC, carelogic.StatusError:
			default:
				c.Emails = append(c.Emails, cl.Email)
			}
		}
		if len(c.Emails) == 0 {
			continue
		}
		slices.Sort(c.Roster)
		slices.Sort(c.Emails)
		out[a.Key()] = []chaosCreated{c}
	}
	return out
}

// chaosCreatedState returns the server's appointments as chaosExpectFirstSync describes them.
func chaosCreatedState(srv *oncalltest.Server) map[string][]chaosCreated {
	recs := srv.AppointmentRecords()
	slices.SortFunc(recs, func(a, b oncalltest.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	out := map[string][]chaosCreated{}
	for _, a := range recs {
		c := chaosCreated{Title: a.Title, Type: a.Type, DateTime: a.DateTime, Duration: a.Duration, Division: a.Division,
			Provider: a.Provider, Cancelled: a.Cancelled}
		c.EMRID, _ = a.Metadata[syncer.KeyEMRID].(string)
		c.Source, _ = a.Metadata[syncer.KeyEMRSource].(string)
		c.Series, _ = a.Metadata[syncer.KeyEMRSeries].(string)
		roster, _ := a.Metadata[syncer.KeyEMRClients].(string)
		for entry := range strings.SplitSeq(roster, ",") {
			if id, _, ok := strings.Cut(entry, "="); ok {
				c.Roster = append(c.Roster, id)
			}
		}
		slices.Sort(c.Roster)
		for _, p := range a.Participants {
			c.Emails = append(c.Emails, p.Email)
			if p.Status != "" {
				c.Statuses++
			}
		}
		slices.Sort(c.Emails)
		out[chaosKey(a.Metadata)] = append(out[chaosKey(a.Metadata)], c)
	}
	return out
}

// chaosReference syncs the data fault-free on a fresh server, one phase per edit, and returns the state it
// reaches after each phase: the expected state of a run under faults.
func chaosReference(t *testing.T, staff []string, initial []carelogic.Appointment, edits []chaosEdit) []map[string][]chaosAppt {
	t.Helper()
	e := newChaosEnv(t, staff, initial)
	r := &syncer.Runner{Client: e.client, Concurrency: 4, PageSize: 1000}
	var out []map[string][]chaosAppt
	for phase := 0; phase <= len(edits); phase++ {
		if phase > 0 {
			e.apply(edits[phase-1])
		}
		rep, err := finished(r.Sync(context.Background(), e.mem, chaosWindow, e.policy))
		if err != nil {
			t.Fatalf("reference, phase %d: %v", phase, err)
		}
		if n := len(rep.FailedActions()); n > 0 {
			t.Fatalf("reference, phase %d: %d actions failed without faults:\n%s", phase, n, rep)
		}
		if rep, err = finished(r.Sync(context.Background(), e.mem, chaosWindow, e.policy)); err != nil || rep.Changed() {
			t.Fatalf("reference, phase %d: a second sync planned again (err %v):\n%s", phase, err, rep)
		}
		chaosCheckNoLiveDuplicates(t, e.srv, fmt.Sprintf("reference, phase %d", phase))
		out = append(out, chaosState(t, e.srv))
	}
	return out
}

// chaosFaults injects a fault into 20% of all requests, of every kind, 429 twice as likely as the others. The
// 429s ask for no wait (Retry-After: 0) so that they cost little; the storms (chaosScript) ask for a second.
func chaosFaults(seed uint64, retryAfter time.Duration) oncalltest.Faults {
	kinds := append(oncalltest.FaultKinds(), oncalltest.FaultRateLimit)
	return oncalltest.Faults{Seed: seed, Rate: 0.2, Kinds: kinds, Latency: 2 * time.Millisecond, RetryAfter: retryAfter}
}

// chaosScript is what a phase injects on top of the random faults. A storm is a burst of stormN 429s with
// Retry-After: 1, injected after the runner's stormAt-th action of the phase's first full pass: they hit the next
// request in a row, which fails if stormN exceeds the client's retries. With failListing, the phase's first
// listing meets a 500 (which the client does not retry), so that its first pass ends without a report.
type chaosScript struct {
	stormAt, stormN int
	failListing     bool
}

// chaosPass is what one pass did, for the log and the test's assertions.
type chaosPass struct {
	actions, failed int
	listingFailed   bool
	faults          map[oncalltest.FaultKind]int
	// creates counts the creates carried out (committed POST /appointments/).
	creates int
	// causes counts the failed actions by what defeated them (see chaosReconcile).
	causes map[string]int
	// applied counts the actions applied, by kind.
	applied map[syncer.ActionKind]int
	// undocumented counts the requests to the participant extension's endpoints; ignored the actions OnCall
	// answered without applying every field.
	undocumented, ignored int
}

// chaosRun syncs e until a pass plans nothing, at most maxPasses times, with random faults seeded from seed and
// the scripted ones of sc, checking every pass: no live duplicate, and the report reconciled with the request
// log (chaosReconcile). It returns the passes made.
func chaosRun(t *testing.T, e *chaosEnv, r *syncer.Runner, phase string, seed uint64, sc chaosScript, maxPasses int) []chaosPass {
	t.Helper()
	var passes []chaosPass
	for pass := 1; pass <= maxPasses; pass++ {
		when := fmt.Sprintf("%s, pass %d", phase, pass)
		passSeed := seed*100 + uint64(pass)
		if err := e.srv.SetFaults(chaosFaults(passSeed, 0)); err != nil {
			t.Fatal(err)
		}
		r.Progress = nil
		stormPass := 1
		if sc.failListing {
			stormPass = 2
			if pass == 1 {
				if err := e.srv.InjectNext(oncalltest.FaultInternalError, 1, oncalltest.Match{Method: http.MethodGet, Route: "/appointments/"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if sc.stormN > 0 && pass == stormPass {
			// The runner calls Progress after each action, from the goroutine that will send the next request;
			// with Concurrency 1 the storm therefore always hits the same request.
			r.Progress = func(p syncer.Progress) {
				switch p.Done {
				case sc.stormAt:
					if err := e.srv.SetFaults(chaosFaults(passSeed+50, time.Second)); err != nil {
						t.Error(err)
					}
					if err := e.srv.InjectNext(oncalltest.FaultRateLimit, sc.stormN, oncalltest.Match{}); err != nil {
						t.Error(err)
					}
				case sc.stormAt + 1:
					if err := e.srv.SetFaults(chaosFaults(passSeed+60, 0)); err != nil {
						t.Error(err)
					}
				}
			}
		}
		before := e.srv.FaultCounts()
		e.srv.ResetRequests()
		rep, err := r.Sync(context.Background(), e.mem, chaosWindow, e.policy)
		if errors.Is(err, syncer.ErrIncomplete) {
			checkSyncError(t, rep, err) // a pass that finished, leaving failures: the report says which
			err = nil
		}
		reqs := e.srv.Requests()
		p := chaosPass{faults: chaosDelta(before, e.srv.FaultCounts())}
		for _, q := range reqs {
			if q.Committed && q.Method == http.MethodPost && q.Route == "/appointments/" {
				p.creates++
			}
			if q.Undocumented {
				p.undocumented++
			}
		}
		chaosCheckNoLiveDuplicates(t, e.srv, when)
		p.causes = chaosReconcile(t, when, rep, err, reqs)
		if err != nil {
			p.listingFailed = true
			passes = append(passes, p)
			continue
		}
		p.actions, p.failed, p.applied = len(rep.Actions), len(rep.FailedActions()), rep.Applied
		for _, n := range rep.Ignored {
			p.ignored += n
		}
		passes = append(passes, p)
		if !rep.Changed() {
			return passes
		}
	}
	t.Fatalf("%s: not converged after %d passes: %+v", phase, maxPasses, passes)
	return passes
}

func chaosDelta(before, after map[oncalltest.FaultKind]int) map[oncalltest.FaultKind]int {
	out := map[oncalltest.FaultKind]int{}
	for k, n := range after {
		if d := n - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// chaosFailing reports whether an injected fault makes the attempt fail: every kind but added latency.
func chaosFailing(f oncalltest.FaultKind) bool { return f != "" && f != oncalltest.FaultLatency }

// chaosAmbiguous reports whether a create's failed attempt leaves the runner unsure whether it happened: any
// failure but a 429, which refuses a request without acting on it.
func chaosAmbiguous(f oncalltest.FaultKind) bool {
	return chaosFailing(f) && f != oncalltest.FaultRateLimit
}

// chaosLog indexes one pass's request log by what each request acts on.
type chaosLog struct {
	reqs []oncalltest.Request
	// listing[i] reports whether request i is a page of the appointment listing.
	listing []bool
	creates map[string][]int // POST /appointments/, by the EHR key in the body's metadata
	// appointment writes and reads, participant writes: by id (and, for a participant PATCH, the field it sets)
	apptPatch map[int64][]int
	apptGet   map[int64][]int
	partPatch map[string][]int // "id/status" or "id/email"
	partDel   map[int64][]int
	partPost  map[string][]int // "appointment id/email"
	// partPostAppt[i] is the appointment a POST /participants/ names.
	partPostAppt map[int]int64
}

func chaosID(path, kind string) int64 {
	s, ok := strings.CutPrefix(path, "/"+kind+"/")
	if !ok {
		return 0
	}
	id, _ := strconv.ParseInt(strings.TrimSuffix(s, "/"), 10, 64)
	return id
}

func newChaosLog(t testing.TB, reqs []oncalltest.Request) *chaosLog {
	t.Helper()
	l := &chaosLog{reqs: reqs, listing: make([]bool, len(reqs)), creates: map[string][]int{}, apptPatch: map[int64][]int{},
		apptGet: map[int64][]int{}, partPatch: map[string][]int{}, partDel: map[int64][]int{}, partPost: map[string][]int{},
		partPostAppt: map[int]int64{}}
	for i, q := range reqs {
		switch {
		case q.Method == http.MethodGet && q.Route == "/appointments/":
			l.listing[i] = true
		case q.Method == http.MethodGet && q.Route == "/appointments/{id}/":
			id := chaosID(q.Path, "appointments")
			l.apptGet[id] = append(l.apptGet[id], i)
		case q.Method == http.MethodPost && q.Route == "/appointments/":
			var body struct{ Metadata map[string]any }
			if err := json.Unmarshal(q.Body, &body); err != nil {
				t.Fatalf("request %d: create body: %v", q.Seq, err)
			}
			k := chaosKey(body.Metadata)
			l.creates[k] = append(l.creates[k], i)
		case q.Method == http.MethodPatch && q.Route == "/appointments/{id}/":
			id := chaosID(q.Path, "appointments")
			l.apptPatch[id] = append(l.apptPatch[id], i)
		case q.Method == http.MethodPatch && q.Route == "/participants/{id}/":
			var body map[string]any
			if err := json.Unmarshal(q.Body, &body); err != nil {
				t.Fatalf("request %d: participant body: %v", q.Seq, err)
			}
			field := slices.Sorted(maps.Keys(body))
			k := fmt.Sprintf("%d/%s", chaosID(q.Path, "participants"), strings.Join(field, ","))
			l.partPatch[k] = append(l.partPatch[k], i)
		case q.Method == http.MethodDelete && q.Route == "/participants/{id}/":
			id := chaosID(q.Path, "participants")
			l.partDel[id] = append(l.partDel[id], i)
		case q.Method == http.MethodPost && q.Route == "/participants/":
			var body struct{ Appointment, Email string }
			if err := json.Unmarshal(q.Body, &body); err != nil {
				t.Fatalf("request %d: participant body: %v", q.Seq, err)
			}
			u, err := url.Parse(body.Appointment)
			if err != nil {
				t.Fatalf("request %d: participant's appointment URL: %v", q.Seq, err)
			}
			appt := chaosID(u.Path, "appointments")
			k := fmt.Sprintf("%d/%s", appt, strings.ToLower(body.Email))
			l.partPost[k] = append(l.partPost[k], i)
			l.partPostAppt[i] = appt
		default:
			t.Errorf("request %d: %s %s is not one the runner sends", q.Seq, q.Method, q.Path)
		}
	}
	return l
}

// listingRunAfter returns the last request of the first listing pass that follows request i, or -1: the look-up
// that settles a create whose last attempt, request i, was ambiguous.
func (l *chaosLog) listingRunAfter(i int) int {
	j := i + 1
	for j < len(l.reqs) && !l.listing[j] {
		j++
	}
	if j == len(l.reqs) {
		return -1
	}
	for j+1 < len(l.reqs) && l.listing[j+1] {
		j++
	}
	return j
}

// trail returns the requests an action sent, in order, and the one whose outcome decided it: the last attempt of
// its last request, or of the look-up that followed an ambiguous create or participant add.
func (l *chaosLog) trail(a syncer.Action) (own []int, final int) {
	final = -1
	switch a.Kind {
	case syncer.ActionUpdate, syncer.ActionCancel:
		own = l.apptPatch[int64(a.Appointment)]
	case syncer.ActionSetStatus:
		own = l.partPatch[fmt.Sprintf("%d/status", a.Participant)]
	case syncer.ActionUpdateParticipant:
		own = l.partPatch[fmt.Sprintf("%d/email", a.Participant)]
	case syncer.ActionRemoveParticipant:
		own = l.partDel[int64(a.Participant)]
	case syncer.ActionCreate, syncer.ActionRecreate:
		if a.Kind == syncer.ActionRecreate {
			own = slices.Clone(l.apptPatch[int64(a.Appointment)])
		}
		posts := l.creates[a.Key]
		own = append(own, posts...)
		if len(posts) > 0 {
			last := posts[len(posts)-1]
			if chaosAmbiguous(l.reqs[last].Fault) {
				if j := l.listingRunAfter(last); j >= 0 {
					return own, j
				}
			}
		}
	case syncer.ActionAddParticipant:
		own = slices.Clone(l.partPost[fmt.Sprintf("%d/%s", a.Appointment, strings.ToLower(a.Add.Email))])
		// A look-up (GET of the appointment) belongs to the participant add that last preceded it on that
		// appointment: one appointment's actions run one at a time.
		for _, g := range l.apptGet[int64(a.Appointment)] {
			owner := -1
			for i, appt := range l.partPostAppt {
				if appt == int64(a.Appointment) && i < g && i > owner {
					owner = i
				}
			}
			if owner >= 0 && slices.Contains(own, owner) {
				own = append(own, g)
			}
		}
		slices.Sort(own)
	}
	if len(own) > 0 {
		final = own[len(own)-1]
	}
	return own, final
}

func chaosActionID(a syncer.Action) string {
	return fmt.Sprintf("%s %s appointment %d participant %d client %s", a.Kind, a.Key, a.Appointment, a.Participant, a.Client)
}

// chaosReconcile checks one pass's report against the request log, exactly.
//
// The runner applies each action with one request (a recreate with two), which the client retries on its own:
// a PATCH or DELETE after a dropped connection, 429, 502, 503 or 504, but not after a 500; a POST only after a
// 429, since any other failure may have created something. An ambiguous create is then settled by a listing
// (found: applied; not found: created again, for up to three rounds), an ambiguous participant add by reading
// its appointment. So an action failed exactly when the last attempt of the last request it caused, look-ups
// included, met an injected failure (any fault but latency), or when it sent nothing at all (not run after an
// earlier change to the same appointment failed). The test finds each action's requests in the log by what they
// name (appointment, participant, the EHR key in a create's metadata, the email of a participant added), takes
// the last, and compares the actions it predicts failed with those the report lists, one by one; with
// Concurrency 1 the faults fall on the same requests on every run, so the figures are the same too.
//
// It also checks that nothing was applied twice: an applied create or participant add committed exactly once
// (a failed one at most once: it may have happened after all, which the next pass finds), and an applied PATCH
// or DELETE committed at least once (repeating one is harmless: it sets absolute values).
//
// A pass whose first listing failed has no report: its error must follow a failed last attempt of that listing.
//
// It returns the number of failed actions by the fault that defeated them ("not run" for those that sent
// nothing).
func chaosReconcile(t *testing.T, when string, rep *syncer.Report, syncErr error, reqs []oncalltest.Request) map[string]int {
	t.Helper()
	l := newChaosLog(t, reqs)
	firstListing := -1
	for i := range reqs {
		if !l.listing[i] {
			break
		}
		firstListing = i
	}
	if firstListing < 0 {
		t.Fatalf("%s: the pass did not start with the listing", when)
	}
	listingFailed := chaosFailing(reqs[firstListing].Fault)
	if syncErr != nil {
		if !listingFailed {
			t.Errorf("%s: Sync failed (%v) but its listing's last attempt met no fault", when, syncErr)
		}
		if len(reqs) != firstListing+1 {
			t.Errorf("%s: Sync failed but sent %d requests after its listing", when, len(reqs)-firstListing-1)
		}
		return map[string]int{"listing: " + string(reqs[firstListing].Fault): 1}
	}
	if listingFailed {
		t.Errorf("%s: the listing's last attempt met fault %s, but Sync succeeded", when, reqs[firstListing].Fault)
	}
	wantFailed, gotFailed := map[string]string{}, map[string]string{}
	claimed := map[int]string{}
	for _, res := range rep.Actions {
		id := chaosActionID(res.Action)
		own, final := l.trail(res.Action)
		for _, i := range own {
			if prev, dup := claimed[i]; dup {
				t.Errorf("%s: request %d is claimed by both %q and %q", when, reqs[i].Seq, prev, id)
			}
			claimed[i] = id
		}
		switch {
		case final < 0:
			wantFailed[id] = "not run"
		case chaosFailing(reqs[final].Fault):
			wantFailed[id] = string(reqs[final].Fault)
		}
		if res.Outcome != syncer.OutcomeApplied {
			gotFailed[id] = string(res.Outcome)
			if res.Error == "" {
				t.Errorf("%s: %s is %s without a reason", when, id, res.Outcome)
			}
		}
		committed := 0
		for _, i := range own {
			if reqs[i].Committed && (reqs[i].Method == http.MethodPost || res.Kind != syncer.ActionRecreate) {
				committed++
			}
		}
		switch once := res.Kind == syncer.ActionCreate || res.Kind == syncer.ActionRecreate || res.Kind == syncer.ActionAddParticipant; {
		case once && committed > 1:
			t.Errorf("%s: %s was carried out %d times", when, id, committed)
		case once && res.Outcome == syncer.OutcomeApplied && committed != 1:
			t.Errorf("%s: %s is reported applied but was carried out %d times", when, id, committed)
		case !once && res.Outcome == syncer.OutcomeApplied && committed == 0:
			t.Errorf("%s: %s is reported applied but no request of it changed anything", when, id)
		}
	}
	// Every write belongs to a planned action.
	for i, q := range reqs {
		if q.Method != http.MethodGet && claimed[i] == "" {
			t.Errorf("%s: request %d (%s %s) belongs to no planned action", when, q.Seq, q.Method, q.Path)
		}
	}
	want, got := slices.Sorted(maps.Keys(wantFailed)), slices.Sorted(maps.Keys(gotFailed))
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("%s: failed actions (-predicted from the faults +reported):\n%s", when, diff)
		for _, id := range want {
			t.Logf("  predicted failed: %s: %s", id, wantFailed[id])
		}
	}
	if n := len(rep.FailedActions()); n != len(wantFailed) {
		t.Errorf("%s: report lists %d failed actions, the faults explain %d", when, n, len(wantFailed))
	}
	causes := map[string]int{}
	for _, c := range wantFailed {
		causes[c]++
	}
	return causes
}

// TestChaosSync is the main chaos test: 2000 EHR appointments synced under 20% faults, then a tenth of them
// edited and synced again, each phase to convergence (at most 5 passes). After each phase the OnCall state must
// equal that of a fault-free reference run of the same data on a second server (compared whole, keyed by EHR key,
// without server ids and URLs); after the first it must also equal what the documented rules derive from the
// EHR data directly. Every pass is reconciled with the request log (chaosReconcile).
func TestChaosSync(t *testing.T) {
	t.Parallel()
	const (
		seed      = 7
		n         = 2000
		maxPasses = 5
	)
	gen := newChaosEHR(seed, "carelogic-chaos", n)
	initial := gen.all()
	edit, editCounts := gen.edit(0.10)
	t.Logf("schedule: %d appointments; edits: %v (%d appointments put, %d deleted outright)", len(initial), editCounts, len(edit.put), len(edit.delete))
	chaosCheckSchedule(t, initial)
	for _, k := range []string{"time", "status", "group swap", "1:1 swap", "email", "deletion", "deletion (gone)", "new"} {
		if editCounts[k] == 0 {
			t.Errorf("the edits include no %s", k)
		}
	}

	want := chaosReference(t, gen.staff, initial, []chaosEdit{edit})

	e := newChaosEnv(t, gen.staff, initial)
	// Concurrency 1 sends one request at a time, so that the seeded faults fall on the same requests every run
	// (TestConcurrencyChaos covers concurrent runners under faults).
	r := &syncer.Runner{Client: e.client, Concurrency: 1, PageSize: 1000}
	phases := []struct {
		name   string
		script chaosScript
	}{
		// 4 429s in a row exhaust the client's 3 retries: one action fails to the storm.
		{"first sync", chaosScript{stormAt: 10, stormN: chaosRetry.MaxRetries + 1, failListing: true}},
		// 3 in a row are absorbed by the retries, each after a Retry-After of a second.
		{"after the edits", chaosScript{stormAt: 10, stormN: chaosRetry.MaxRetries}},
	}
	total := map[oncalltest.FaultKind]int{}
	committedCreates := 0
	for i, ph := range phases {
		if i > 0 {
			e.apply(edit)
		}
		before := e.srv.FaultCounts()
		passes := chaosRun(t, e, r, ph.name, seed*10+uint64(i), ph.script, maxPasses)
		faults := chaosDelta(before, e.srv.FaultCounts())
		for k, v := range faults {
			total[k] += v
		}
		for p, ps := range passes {
			t.Logf("%s, pass %d: %d actions, %d failed (by cause: %v), listing failed %v, faults injected %v",
				ph.name, p+1, ps.actions, ps.failed, ps.causes, ps.listingFailed, ps.faults)
		}
		t.Logf("%s: converged in %d passes (the last planned nothing); faults injected: %v", ph.name, len(passes), faults)
		if got := chaosState(t, e.srv); !gocmp.Equal(want[i], got) {
			t.Errorf("%s: OnCall state differs from the fault-free run's (-want +got):\n%s", ph.name, gocmp.Diff(want[i], got))
		}
		if i == 0 {
			// The first sync is also checked against the rules directly, so that the reference run is not the
			// only judge of what is right.
			expect := chaosExpectFirstSync(initial, e.policy)
			if diff := gocmp.Diff(expect, chaosCreatedState(e.srv)); diff != "" {
				t.Errorf("%s: OnCall state differs from what the rules derive from the EHR (-want +got):\n%s", ph.name, diff)
			}
			t.Logf("%s: %d OnCall appointments, as the rules derive from %d EHR appointments", ph.name, len(expect), len(initial))
		}
		chaosCheckURLs(t, e, ph.name)
		// Every appointment on the server was created by the sync, each by one committed POST: a create carried
		// out twice would be an appointment too many, here or in the comparison above.
		applied := map[syncer.ActionKind]int{}
		undocumented, ignored := 0, 0
		for _, ps := range passes {
			committedCreates += ps.creates
			undocumented += ps.undocumented
			ignored += ps.ignored
			for k, n := range ps.applied {
				applied[k] += n
			}
		}
		t.Logf("%s: applied %v", ph.name, applied)
		// On OnCall's documented API, which the fake serves by default, the sync never calls the participant
		// extension, and every field it writes takes.
		if undocumented != 0 || ignored != 0 {
			t.Errorf("%s: %d requests to undocumented endpoints and %d actions with fields ignored, want none", ph.name, undocumented, ignored)
		}
		if i == 1 {
			// The edits exercise every kind of action under faults, every change to who is on an appointment and
			// to a status going through an update.
			for _, k := range []syncer.ActionKind{syncer.ActionCreate, syncer.ActionUpdate, syncer.ActionCancel, syncer.ActionRecreate} {
				if applied[k] == 0 {
					t.Errorf("%s: no %s was applied", ph.name, k)
				}
			}
		}
		if n := len(e.srv.AppointmentRecords()); committedCreates != n {
			t.Errorf("%s: %d creates were carried out in all, for %d appointments", ph.name, committedCreates, n)
		}
		e.srv.ClearFaults()
	}
	// Every kind of fault was injected, the storms included (4 + 3 scripted 429s on top of the random ones).
	for _, k := range oncalltest.FaultKinds() {
		if total[k] == 0 {
			t.Errorf("no %s fault was injected: %v", k, total)
		}
	}
	t.Logf("faults injected in all: %v", total)
}

// chaosCheckSchedule checks that the generated schedule holds what the test claims to cover.
func chaosCheckSchedule(t *testing.T, appts []carelogic.Appointment) {
	t.Helper()
	statuses := map[carelogic.Status]bool{}
	var groups, full, series, inPerson, past int
	emails := map[string]string{}
	for _, a := range appts {
		if err := a.Validate(); err != nil {
			t.Fatalf("generated an invalid appointment: %v", err)
		}
		if a.Kind == carelogic.Group {
			groups++
			if len(a.Participants) == carelogic.MaxGroupParticipants {
				full++
			}
		}
		if a.SeriesID != "" {
			series++
		}
		if a.Modality == carelogic.InPerson {
			inPerson++
		}
		if a.Start.Before(chaosNow) {
			past++
		}
		for _, p := range a.Participants {
			statuses[p.Status] = true
			if prev, ok := emails[p.Email]; ok && prev != p.ClientID {
				t.Fatalf("clients %s and %s share an email", prev, p.ClientID)
			}
			emails[p.Email] = p.ClientID
		}
	}
	for _, s := range []carelogic.Status{"", carelogic.StatusScheduled, carelogic.StatusKept, carelogic.StatusDNS, carelogic.StatusCBT,
		carelogic.StatusCBC, carelogic.StatusError, "Checked-in"} {
		if !statuses[s] {
			t.Errorf("the schedule has no participant with status %q", s)
		}
	}
	if groups == 0 || full == 0 || series == 0 || inPerson == 0 || past == 0 || inPerson == len(appts) {
		t.Errorf("the schedule lacks variety: %d groups (%d of 25), %d in series, %d in person, %d past, of %d", groups, full, series, inPerson, past, len(appts))
	}
}

// TestConcurrencyChaos shares one client and one runner among 8 goroutines under 20% faults: first each applies
// the creates of its own EHR source at the same time as the others (Runner.Apply), then each syncs its source
// to convergence (Runner.Sync), then again after a tenth of every source was edited. Run under -race it shows
// the runner and the client safe for concurrent use; the end state must equal a fault-free run's, with no live
// duplicate at any point. (Where the faults fall depends on how the goroutines interleave, so the exact
// reconciliation of TestChaosSync is not repeated here.)
func TestConcurrencyChaos(t *testing.T) {
	t.Parallel()
	const (
		sources = 8
		n       = 150
		// Where the faults fall changes from run to run here, so the bound on passes has a margin: runs have
		// needed up to 4.
		maxPasses = 8
	)
	gens := make([]*chaosEHR, sources)
	initial := make([][]carelogic.Appointment, sources)
	for i := range gens {
		gens[i] = newTaggedChaosEHR(uint64(100+i), fmt.Sprintf("clinic-%d", i), fmt.Sprintf("c%d-", i), n)
		initial[i] = gens[i].all()
	}
	staff := gens[0].staff
	edits := make([]chaosEdit, sources)
	for i, g := range gens {
		edits[i], _ = g.edit(0.10)
	}

	// The reference: the same sources synced one after another on a fault-free server.
	ref := newChaosEnv(t, staff, nil)
	refRunner := &syncer.Runner{Client: ref.client, Concurrency: 4, PageSize: 1000}
	refMems := make([]*carelogic.Memory, sources)
	var want []map[string][]chaosAppt
	for phase := range 2 {
		for i := range sources {
			if phase == 0 {
				refMems[i] = carelogic.NewMemory(initial[i]...)
			} else {
				chaosPut(t, refMems[i], edits[i])
			}
			rep, err := finished(refRunner.Sync(context.Background(), refMems[i], chaosWindow, ref.policy))
			if err != nil || len(rep.FailedActions()) > 0 {
				t.Fatalf("reference, phase %d, source %d: %v\n%s", phase, i, err, rep)
			}
		}
		want = append(want, chaosState(t, ref.srv))
	}

	e := newChaosEnv(t, staff, nil)
	if err := e.srv.SetFaults(chaosFaults(42, 0)); err != nil {
		t.Fatal(err)
	}
	r := &syncer.Runner{Client: e.client, Concurrency: 4, PageSize: 1000}
	mems := make([]*carelogic.Memory, sources)
	for i := range sources {
		mems[i] = carelogic.NewMemory(initial[i]...)
	}
	// Each goroutine applies its own changeset: the creates of its source, planned against an empty OnCall.
	var wg sync.WaitGroup
	reports := make([]*syncer.Report, sources)
	errs := make([]error, sources)
	for i := range sources {
		cs := syncer.Plan(initial[i], nil, chaosWindow, e.policy)
		wg.Go(func() { reports[i], errs[i] = finished(r.Apply(context.Background(), cs)) })
	}
	wg.Wait()
	applied := 0
	for i := range sources {
		if errs[i] != nil {
			t.Fatalf("Apply of source %d: %v", i, errs[i])
		}
		chaosCheckReasons(t, fmt.Sprintf("Apply of source %d", i), reports[i])
		applied += reports[i].Applied[syncer.ActionCreate]
	}
	chaosCheckNoLiveDuplicates(t, e.srv, "after the concurrent Apply")
	if applied == 0 {
		t.Fatal("the concurrent Apply created nothing")
	}

	for phase := range 2 {
		if phase == 1 {
			for i := range sources {
				chaosPut(t, mems[i], edits[i])
			}
		}
		passes := make([]int, sources)
		for i := range sources {
			wg.Go(func() {
				for pass := 1; pass <= maxPasses; pass++ {
					rep, err := finished(r.Sync(context.Background(), mems[i], chaosWindow, e.policy))
					if err != nil {
						continue // a listing defeated by faults: the next pass lists again
					}
					chaosCheckReasons(t, fmt.Sprintf("phase %d, source %d, pass %d", phase, i, pass), rep)
					if !rep.Changed() {
						passes[i] = pass
						return
					}
				}
			})
		}
		wg.Wait()
		for i, p := range passes {
			if p == 0 {
				t.Errorf("phase %d: source %d did not converge in %d passes", phase, i, maxPasses)
			}
		}
		t.Logf("phase %d: passes per source %v; faults injected so far %v", phase, passes, e.srv.FaultCounts())
		chaosCheckNoLiveDuplicates(t, e.srv, fmt.Sprintf("phase %d", phase))
		if got := chaosState(t, e.srv); !gocmp.Equal(want[phase], got) {
			t.Errorf("phase %d: OnCall state differs from the fault-free run's (-want +got):\n%s", phase, gocmp.Diff(want[phase], got))
		}
	}
}

// chaosPut applies an edit to an EHR held in memory.
func chaosPut(t testing.TB, mem *carelogic.Memory, ed chaosEdit) {
	t.Helper()
	for _, a := range ed.put {
		mem.Put(a)
	}
	for _, id := range ed.delete {
		if err := mem.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
}

// chaosCheckReasons checks that every action a report does not count as applied says why, and that no create is
// left ambiguous.
func chaosCheckReasons(t testing.TB, when string, rep *syncer.Report) {
	t.Helper()
	for _, a := range rep.Actions {
		if a.Outcome != syncer.OutcomeApplied && a.Error == "" {
			t.Errorf("%s: %s is %s without a reason", when, a.Action, a.Outcome)
		}
		if a.Outcome == syncer.OutcomeAmbiguous {
			t.Errorf("%s: %s left ambiguous", when, a.Action)
		}
	}
}

// chaosCanceller is a transport that cancels a context when a request it is about to send matches: the n-th
// request, or the first listing request after a create (the runner's look-up of ambiguous creates).
type chaosCanceller struct {
	next   http.RoundTripper
	cancel context.CancelFunc
	at     int  // cancel before sending the at-th request, if > 0
	lookup bool // cancel before the first listing after a create

	mu      sync.Mutex
	n       int
	created bool
	fired   bool
}

func (c *chaosCanceller) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	if req.Method == http.MethodPost && req.URL.Path == "/appointments/" {
		c.created = true
	}
	listing := req.Method == http.MethodGet && req.URL.Path == "/appointments/"
	if !c.fired && (c.n == c.at || c.lookup && c.created && listing) {
		// The request is still sent, with its context done: the client must notice, wherever it is.
		c.fired = true
		c.cancel()
	}
	c.mu.Unlock()
	return c.next.RoundTrip(req)
}

// chaosGoroutines returns the stacks of goroutines running the runner's or the client's code.
func chaosGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		// Methods of the runner and of the client's types, and the client's plumbing; not the package's tests,
		// which may be parked in t.Parallel.
		if strings.Contains(g, "oncall-go/syncer.(*Runner)") || strings.Contains(g, "oncall-go/oncall.(") ||
			strings.Contains(g, "oncall-go/internal/") || strings.Contains(g, "go-retryablehttp") {
			out = append(out, g)
		}
	}
	return out
}

// TestChaosCancelMidSync cancels a sync's context at three points, with requests in flight: during the listing
// (of an OnCall account already synced once, so that the listing has several pages), in the middle of the
// changes, and during the look-up of ambiguous creates. Sync must return the cancellation and leave no goroutine
// behind, and a later sync must complete the work: the state equals a fault-free run's, without a duplicate. It
// is not parallel, so that the goroutine count is the test's own.
func TestChaosCancelMidSync(t *testing.T) {
	gen := newChaosEHR(11, "carelogic-cancel", 300)
	initial := gen.all()
	edit, _ := gen.edit(0.10)
	want := chaosReference(t, gen.staff, initial, []chaosEdit{edit})
	for _, tt := range []struct {
		name string
		// synced: the account was synced once, and the EHR edited since.
		synced bool
		at     int
		lookup bool
		// report: Sync returns a report (the listing was done).
		report bool
	}{
		{name: "during the listing", synced: true, at: 2},
		{name: "amid the changes", at: 100, report: true},
		{name: "during the look-ups", lookup: true, report: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var canceller *chaosCanceller
			e := newChaosEnvWith(t, gen.staff, initial, func(srv *oncalltest.Server) []oncall.Option {
				canceller = &chaosCanceller{next: srv.HTTPClient().Transport, cancel: cancel, at: -1}
				return []oncall.Option{oncall.WithHTTPClient(&http.Client{Transport: canceller})}
			})
			r := &syncer.Runner{Client: e.client, Concurrency: 4, PageSize: 100}
			wantState := want[0]
			if tt.synced {
				if rep, err := finished(r.Sync(context.Background(), e.mem, chaosWindow, e.policy)); err != nil || len(rep.FailedActions()) > 0 {
					t.Fatalf("first sync: %v\n%s", err, rep)
				}
				e.apply(edit)
				wantState = want[1]
			}
			canceller.mu.Lock()
			canceller.n, canceller.at, canceller.lookup = 0, tt.at, tt.lookup
			canceller.mu.Unlock()
			// Slow requests, so that some are in flight when the context ends; and ambiguous creates, so that
			// there is something to look up.
			if err := e.srv.SetFaults(oncalltest.Faults{Seed: 3, Rate: 0.3, Kinds: []oncalltest.FaultKind{oncalltest.FaultLatency}, Latency: 20 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			if tt.lookup {
				if err := e.srv.InjectNext(oncalltest.FaultCommitThenGatewayTimeout, 10, oncalltest.Match{Method: http.MethodPost, Route: "/appointments/"}); err != nil {
					t.Fatal(err)
				}
			}
			e.srv.HTTPClient().CloseIdleConnections()
			baseline := runtime.NumGoroutine()
			rep, err := finished(r.Sync(ctx, e.mem, chaosWindow, e.policy))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Sync = %v, want an error wrapping context.Canceled", err)
			}
			if !canceller.fired {
				t.Fatal("the context was not cancelled by the transport")
			}
			if got := rep != nil; got != tt.report {
				t.Fatalf("Sync returned a report: %v, want %v", got, tt.report)
			}
			if rep != nil {
				notRun := 0
				for _, a := range rep.Actions {
					if a.Outcome == syncer.OutcomeNotRun {
						notRun++
					}
				}
				chaosCheckReasons(t, "the cancelled sync", rep)
				if len(rep.FailedActions()) == 0 {
					t.Errorf("the cancelled sync reports every action done:\n%s", rep)
				}
				t.Logf("cancelled sync: %d actions, %d applied, %d not run, %d failed", len(rep.Actions),
					len(rep.Actions)-len(rep.FailedActions()), notRun, len(rep.FailedActions())-notRun)
			}
			chaosCheckNoLiveDuplicates(t, e.srv, "after the cancelled sync")

			// Nothing of the runner's or the client's is left running, and once the transport's idle
			// connections are closed the process is back to the goroutines it had before the sync.
			e.srv.HTTPClient().CloseIdleConnections()
			deadline := time.Now().Add(10 * time.Second) // a hang guard, not a measure of speed
			for {
				left, n := chaosGoroutines(), runtime.NumGoroutine()
				if len(left) == 0 && n <= baseline {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("goroutines left after the cancelled sync: %d, %d before it; of the runner or client:\n%s", n, baseline, strings.Join(left, "\n\n"))
				}
				time.Sleep(10 * time.Millisecond)
			}

			// A later sync finishes the work.
			e.srv.ClearFaults()
			for pass := 1; ; pass++ {
				rep, err := finished(r.Sync(context.Background(), e.mem, chaosWindow, e.policy))
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.FailedActions()) > 0 {
					t.Fatalf("re-run, pass %d:\n%s", pass, rep)
				}
				if !rep.Changed() {
					break
				}
				if pass == 3 {
					t.Fatal("the re-run did not converge")
				}
			}
			chaosCheckNoLiveDuplicates(t, e.srv, "after the re-run")
			if got := chaosState(t, e.srv); !gocmp.Equal(wantState, got) {
				t.Errorf("after the re-run: OnCall state differs from the fault-free run's (-want +got):\n%s", gocmp.Diff(wantState, got))
			}
		})
	}
}
