package syncer

import (
	"slices"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// pairing is how the clients of an EHR appointment pair with the participants of its OnCall appointment: first
// by the email recorded for the client when the sync put it there (which follows it across an email change), then
// by its current email. A planner keeps one and reuses its storage.
type pairing struct {
	// client[i] is the index in m.Participants of a.Participants[i]'s participant, or -1.
	client []int
	// mark[i] is the status mark the roster records for a.Participants[i], or 0.
	mark []byte
	// taken[j] reports whether m.Participants[j] is paired with a client.
	taken []bool
	// digests[j] fingerprints m.Participants[j]'s email.
	digests []digest
	// recorded is the roster m's metadata records, and canonical whether the metadata holds its encoding exactly.
	recorded  roster
	canonical bool
}

// take pairs the first participant not yet paired whose email's digest matches, and returns its index, or -1.
func (pr *pairing) take(match func(digest) bool) int {
	for j, d := range pr.digests {
		if !pr.taken[j] && match(d) {
			pr.taken[j] = true
			return j
		}
	}
	return -1
}

// participant returns the participant paired with a.Participants[i], or nil.
func (pr *pairing) participant(m *oncall.Appointment, i int) *oncall.Participant {
	if j := pr.client[i]; j >= 0 {
		return &m.Participants[j]
	}
	return nil
}

// pair pairs a's clients with m's participants; clients is m's KeyEMRClients value.
func (pr *pairing) pair(a *carelogic.Appointment, m *oncall.Appointment, clients metaString) {
	pr.recorded, pr.canonical = pr.recorded[:0], false
	if clients.ok {
		pr.recorded, pr.canonical = decodeRosterInto(pr.recorded, clients.v)
	}
	n := len(m.Participants)
	pr.taken = slices.Grow(pr.taken[:0], n)[:n]
	clear(pr.taken)
	pr.digests = slices.Grow(pr.digests[:0], n)[:n]
	for j := range m.Participants {
		pr.digests[j] = digestOf(m.Participants[j].Email)
	}
	pr.client = slices.Grow(pr.client[:0], len(a.Participants))[:len(a.Participants)]
	pr.mark = slices.Grow(pr.mark[:0], len(a.Participants))[:len(a.Participants)]
	clear(pr.mark)
	for i := range pr.client {
		pr.client[i] = -1
	}
	for i := range a.Participants {
		if e := pr.recorded.find(a.Participants[i].ClientID); e != nil {
			pr.mark[i] = e.mark
			pr.client[i] = pr.take(e.is)
		}
	}
	for i := range a.Participants {
		if pr.client[i] < 0 {
			want := digestOf(a.Participants[i].Email)
			pr.client[i] = pr.take(func(d digest) bool { return d == want })
		}
	}
	// A 1:1 with one participant is its client, whatever the email says now: when the appointment was created
	// before the sync recorded its roster (by an earlier integration, say), or when the roster records that very
	// client and the address changed in OnCall (staff correcting it) or was not carried there. A 1:1 whose roster
	// records another client is not paired: its client changed. (PlanEHR pairs EHR appointments that were never
	// validated, so a 1:1 may have no client at all.)
	if a.Kind == carelogic.Individual && n == 1 && len(pr.client) > 0 && pr.client[0] < 0 &&
		(len(pr.recorded) == 0 || len(pr.recorded) == 1 && pr.recorded[0].id == a.Participants[0].ClientID) {
		pr.taken[0] = true
		pr.client[0] = 0
	}
}
