package syncer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// The scenarios in this file plan on OnCall's documented API, the default: a 1:1's outcome is its appointment
// status, a group client's cancellation their participant's cancelled flag, and who is on an appointment one
// update of its participants list.

// listUpdate is an update of appointment k's participants list with changes, recording roster.
func listUpdate(w *world, k, roster string, changes ...ParticipantChange) Action {
	var reasons []string // an update of the list alone gives its changes' reasons, each once
	for _, c := range changes {
		if !slices.Contains(reasons, c.Reason) {
			reasons = append(reasons, c.Reason)
		}
	}
	return Action{Kind: ActionUpdate, Key: key(k), Appointment: w.appt(key(k)), Fields: []string{"participants", "metadata"},
		Participants: changes, Reason: strings.Join(reasons, "; "),
		Update: &oncall.AppointmentUpdateParams{Metadata: w.metadataWith(key(k), KeyEMRClients, roster)}}
}

// change is the participant change op for client p of appointment k (the participant found by its current email,
// none for an add).
func change(w *world, k string, op ParticipantOp, p carelogic.Participant, reason string) ParticipantChange {
	c := ParticipantChange{Op: op, Client: p.ClientID, Reason: reason}
	if op == ParticipantAdd {
		c.Add = &invite(p)[0]
		return c
	}
	c.Participant = w.part(key(k), p.Email)
	return c
}

func TestPlanStatuses(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	g1 := group("g1", days(2), clients(1, 3)...)
	o1With := func(s carelogic.Status) carelogic.Appointment {
		return oneToOne("o1", days(1), withStatus(client(1), s))
	}
	g1With := func(s2 carelogic.Status) carelogic.Appointment {
		return group("g1", days(2), client(1), withStatus(client(2), s2), client(3))
	}
	// oneToOneStatus is the update that gives o1 the status s (cancelling it too, for CBT and CBC).
	oneToOneStatus := func(w *world, ehr carelogic.Status) Action {
		m := MapStatus(ehr)
		u := &oncall.AppointmentUpdateParams{Status: oncall.Ptr(m.Appointment),
			Metadata: w.metadataWith(key("o1"), KeyEMRClients, marked(rosterOf(client(1)), "c1:"+string(statusMark(ehr))))}
		a := Action{Kind: ActionUpdate, Key: key("o1"), Appointment: w.appt(key("o1")), Client: "c1", Update: u,
			Fields: []string{"status", "metadata"}, Reason: "marked " + string(ehr) + " in the EHR"}
		if m.Cancels {
			a.Kind, u.Cancelled, a.Fields = ActionCancel, oncall.Ptr(true), []string{"status", "cancelled", "metadata"}
		}
		return a
	}
	const dnsNotShown = "DNS not synced: OnCall's documented API has no no-show for one participant of a group; " +
		"recorded so that it is not reported again (Policy.UndocumentedParticipantAPI sends it where the server has the extension)"
	closedSkip := func(w *world, status string) []Skip {
		return []Skip{{Key: key("o1"), Reason: fmt.Sprintf("OnCall appointment %d is closed (%s); EHR changes are not synced to it", w.appt(key("o1")), status)}}
	}
	runScenarios(t, []scenario{{
		name:    "DNS on a 1:1 is its status No show",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusDNS)),
		want: func(w *world) *Changeset {
			return changeset([]Action{oneToOneStatus(w, carelogic.StatusDNS)}, nil, nil)
		},
	}, {
		name:    "CBT on a 1:1 cancels it as Provider cancelled",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusCBT)),
		want: func(w *world) *Changeset {
			return changeset([]Action{oneToOneStatus(w, carelogic.StatusCBT)}, nil, nil)
		},
	}, {
		name:    "CBC on a 1:1 cancels it as Patient cancelled",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		want: func(w *world) *Changeset {
			return changeset([]Action{oneToOneStatus(w, carelogic.StatusCBC)}, nil, nil)
		},
	}, {
		name:    "a 1:1's DNS and a new time go in one update",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(3), withStatus(client(1), carelogic.StatusDNS))),
		want: func(w *world) *Changeset {
			a := oneToOneStatus(w, carelogic.StatusDNS)
			a.Update.DateTime, a.Fields, a.Reason = oncall.Ptr(days(3)), []string{"datetime", "status", "metadata"}, "changed in the EHR; marked DNS in the EHR"
			return changeset([]Action{a}, nil, nil)
		},
	}, {
		name:    "CBC on a group client withdraws their participant",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(g1With(carelogic.StatusCBC)),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", marked(rosterOf(clients(1, 3)...), "c2:C"),
				change(w, "g1", ParticipantWithdraw, client(2), "marked CBC in the EHR"))}, nil, nil)
		},
	}, {
		name:    "CBT on a group client withdraws their participant",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(g1With(carelogic.StatusCBT)),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", marked(rosterOf(clients(1, 3)...), "c2:T"),
				change(w, "g1", ParticipantWithdraw, client(2), "marked CBT in the EHR"))}, nil, nil)
		},
	}, {
		// No documented field shows one participant's no-show: it is reported once and recorded, so that the
		// next plan neither sends nor reports it (runScenarios plans again after applying).
		name:    "DNS on a group client is reported once and recorded",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(g1With(carelogic.StatusDNS)),
		want: func(w *world) *Changeset {
			return changeset([]Action{recorded(w, "g1", marked(rosterOf(clients(1, 3)...), "c2:d"))},
				[]Skip{{Key: key("g1"), Client: "c2", Reason: dnsNotShown}}, nil)
		},
	}, {
		name:    "DNS on a group client, recorded earlier",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusDNS)}},
		ehr:     appts(g1With(carelogic.StatusDNS)),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "Error on a group client takes their participant off the list",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(g1With(carelogic.StatusError)),
		want: func(w *world) *Changeset {
			a := listUpdate(w, "g1", "", change(w, "g1", ParticipantRemove, client(2), "marked Error in the EHR"))
			a.Fields, a.Update = []string{"participants"}, &oncall.AppointmentUpdateParams{}
			return changeset([]Action{a}, nil, nil)
		},
	}, {
		name:    "Error on a 1:1 cancels it",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusError)),
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "o1", "c1", "1:1 client marked Error in the EHR")}, nil, nil)
		},
	}, {
		name:    "DNS then CBC on a 1:1: the appointment is closed",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		want:    func(w *world) *Changeset { return changeset(nil, closedSkip(w, "No show"), nil) },
	}, {
		// StatusChangesAfterFinal cannot reopen what OnCall has closed: the sync never changes a closed appointment.
		name:    "DNS then CBC on a 1:1 with StatusChangesAfterFinal",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		policy:  func(p *Policy) { p.StatusChangesAfterFinal = true },
		want:    func(w *world) *Changeset { return changeset(nil, closedSkip(w, "No show"), nil) },
	}, {
		name:    "DNS then Kept on a 1:1: nothing to change",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusKept)),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "DNS then CBC on a group client: later changes do not sync",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusDNS)}},
		ehr:     appts(g1With(carelogic.StatusCBC)),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c2",
				Reason: "EHR status CBC not synced: the sync already recorded DNS, which OnCall's documented API cannot show, and later status changes do not sync"}}, nil)
		},
	}, {
		name:    "DNS then CBC on a group client with StatusChangesAfterFinal",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusDNS)}},
		ehr:     appts(g1With(carelogic.StatusCBC)),
		policy:  func(p *Policy) { p.StatusChangesAfterFinal = true },
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", marked(rosterOf(clients(1, 3)...), "c2:C"),
				change(w, "g1", ParticipantWithdraw, client(2), "marked CBC in the EHR"))}, nil, nil)
		},
	}, {
		name:    "CBT then Error on a group client",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusCBT)}},
		ehr:     appts(g1With(carelogic.StatusError)),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c2",
				Reason: "EHR status Error not synced: the sync already carried CBT to OnCall, and later status changes do not sync"}}, nil)
		},
	}, {
		name:     "a group client who cancelled in OnCall, Scheduled in the EHR",
		history:  [][]carelogic.Appointment{{g1}},
		inOnCall: func(w *world) { w.live(key("g1")).Participants[1].Cancelled = true },
		ehr:      appts(g1),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c2",
				Reason: "EHR status Scheduled not synced: the participant is already cancelled in OnCall, and later status changes do not sync"}}, nil)
		},
	}, {
		name:     "a group client who cancelled in OnCall, CBC in the EHR",
		history:  [][]carelogic.Appointment{{g1}},
		inOnCall: func(w *world) { w.live(key("g1")).Participants[1].Cancelled = true },
		ehr:      appts(g1With(carelogic.StatusCBC)),
		want:     func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "status already in OnCall",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusCBT)}},
		ehr:     appts(g1With(carelogic.StatusCBT)),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		// The server took the roster but not the status: the status is not sent again, and the plan says so.
		name:     "a 1:1's DNS that OnCall did not apply is not sent again",
		history:  [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		inOnCall: func(w *world) { w.live(key("o1")).Status = oncall.StatusIncomplete },
		ehr:      appts(o1With(carelogic.StatusDNS)),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("o1"), Client: "c1",
				Reason: "EHR status DNS not sent again: the sync sent it before and OnCall did not apply it"}}, nil)
		},
	}, {
		name:    "Kept does not sync",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusKept)),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Client: "c1", Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees (or set Policy.CompleteWhenKept)"}}, nil)
		},
	}, {
		name:    "Kept completes a 1:1 with CompleteWhenKept",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusKept)),
		policy:  func(p *Policy) { p.CompleteWhenKept = true },
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionUpdate, Key: key("o1"), Appointment: w.appt(key("o1")), Fields: []string{"status", "metadata"},
				Reason: "every client Kept in the EHR (Policy.CompleteWhenKept)",
				Update: &oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusComplete),
					Metadata: w.metadataWith(key("o1"), KeyEMRClients, marked(rosterOf(client(1)), "c1:K"))}}}, nil, nil)
		},
	}, {
		name:    "Kept and withdrawn clients complete a group with CompleteWhenKept",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusCBC)}},
		ehr: appts(group("g1", days(2), withStatus(client(1), carelogic.StatusKept), withStatus(client(2), carelogic.StatusCBC),
			withStatus(client(3), carelogic.StatusKept))),
		policy: func(p *Policy) { p.CompleteWhenKept = true },
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionUpdate, Key: key("g1"), Appointment: w.appt(key("g1")), Fields: []string{"status", "metadata"},
				Reason: "every client Kept in the EHR (Policy.CompleteWhenKept)",
				Update: &oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusComplete),
					Metadata: w.metadataWith(key("g1"), KeyEMRClients, marked(rosterOf(clients(1, 3)...), "c1:K", "c2:C", "c3:K"))}}}, nil, nil)
		},
	}, {
		name:    "a group with a client still Scheduled is not completed",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), withStatus(client(1), carelogic.StatusKept), client(2), withStatus(client(3), carelogic.StatusKept))),
		policy:  func(p *Policy) { p.CompleteWhenKept = true },
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "a group with a no-show is not completed",
		history: [][]carelogic.Appointment{{g1}, {g1With(carelogic.StatusDNS)}},
		ehr:     appts(group("g1", days(2), withStatus(client(1), carelogic.StatusKept), withStatus(client(2), carelogic.StatusDNS), withStatus(client(3), carelogic.StatusKept))),
		policy:  func(p *Policy) { p.CompleteWhenKept = true },
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:     "a Complete OnCall did not apply is not sent again",
		history:  [][]carelogic.Appointment{{o1}},
		inOnCall: func(w *world) { w.live(key("o1")).Metadata[KeyEMRClients] = marked(rosterOf(client(1)), "c1:K") },
		ehr:      appts(o1With(carelogic.StatusKept)),
		policy:   func(p *Policy) { p.CompleteWhenKept = true },
		want:     func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}})
}

func TestPlanParticipants(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	g1 := group("g1", days(2), clients(1, 3)...)
	full := group("g1", days(2), clients(1, 25)...)
	g24 := group("g1", days(2), clients(1, 24)...)
	cohost := func(w *world) { w.addCohost(key("g1"), "Co Host", "cohost@example.net") }
	const (
		swapped = "no longer on the appointment in the EHR"
		added   = "added to the group in the EHR"
	)
	past := oneToOne("o0", days(-1), client(1))
	newEmail := withEmail(client(1), "new1@example.com")
	emailTo := func(w *world, k string) ParticipantChange {
		c := change(w, k, ParticipantEmail, client(1), "email changed in the EHR")
		c.Email = newEmail.Email
		return c
	}
	runScenarios(t, []scenario{{
		name:     "group swap keeps a co-host added in OnCall, in one update",
		history:  [][]carelogic.Appointment{{g1}},
		inOnCall: cohost,
		ehr:      appts(group("g1", days(2), client(1), client(2), client(4))),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", rosterOf(client(1), client(2), client(4)),
				change(w, "g1", ParticipantAdd, client(4), added), change(w, "g1", ParticipantRemove, client(3), swapped))}, nil, nil)
		},
	}, {
		name:    "client added to a group",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), clients(1, 4)...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", rosterOf(clients(1, 4)...), change(w, "g1", ParticipantAdd, client(4), added))}, nil, nil)
		},
	}, {
		name:    "client taken off a group",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), client(1), client(3))),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", rosterOf(client(1), client(3)), change(w, "g1", ParticipantRemove, client(2), swapped))}, nil, nil)
		},
	}, {
		name:    "swap in a full group",
		history: [][]carelogic.Appointment{{full}},
		ehr:     appts(group("g1", days(2), append(clients(1, 24), client(26))...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", rosterOf(append(clients(1, 24), client(26))...),
				change(w, "g1", ParticipantAdd, client(26), added), change(w, "g1", ParticipantRemove, client(25), swapped))}, nil, nil)
		},
	}, {
		name:     "24 clients and a co-host: a 25th client does not fit",
		history:  [][]carelogic.Appointment{{g24}},
		inOnCall: cohost,
		ehr:      appts(full),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("g1"), Client: "c25", Reason: "not added: the OnCall appointment already has 25 participants"}}, nil)
		},
	}, {
		name:     "24 clients and a co-host: Error makes room",
		history:  [][]carelogic.Appointment{{g24}},
		inOnCall: cohost,
		ehr:      appts(group("g1", days(2), append(append(clients(1, 23), withStatus(client(24), carelogic.StatusError)), client(25))...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{listUpdate(w, "g1", rosterOf(clients(1, 25)...),
				change(w, "g1", ParticipantRemove, client(24), "marked Error in the EHR"), change(w, "g1", ParticipantAdd, client(25), added))}, nil, nil)
		},
	}, {
		name:     "email change reaches every future appointment",
		history:  [][]carelogic.Appointment{{past, o1, g1}},
		firstNow: days(-3),
		ehr:      appts(oneToOne("o0", days(-1), newEmail), oneToOne("o1", days(1), newEmail), group("g1", days(2), newEmail, client(2), client(3))),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				listUpdate(w, "g1", rosterOf(newEmail, client(2), client(3)), emailTo(w, "g1")),
				listUpdate(w, "o1", rosterOf(newEmail), emailTo(w, "o1")),
			}, []Skip{{Key: key("o0"), Client: "c1", Reason: "email changed in the EHR; not carried to an appointment that has started"}}, nil)
		},
	}, {
		name:    "1:1 client swapped: recreate",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(1), client(2))),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionRecreate, Key: key("o1"), Appointment: w.appt(key("o1")), Client: "c2",
				Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: w.metadataWith(key("o1"), KeyEMRSuperseded, true)},
				Create: createFor(oneToOne("o1", days(1), client(2)), provider1, client(2)), Reason: "the 1:1's client changed in the EHR"}}, nil, nil)
		},
	}})
}

// Fields and cancellations OnCall ignored (KeyEMRIgnored) are not sent again with the same value; a new value is.
func TestPlanIgnoredFields(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	ignoring := func(fields map[string]string) func(w *world) {
		return func(w *world) {
			rec := map[string]string{}
			for f, v := range fields {
				rec[f] = valueHash(v)
			}
			w.live(key("o1")).Metadata[KeyEMRIgnored] = encodeIgnored(rec)
		}
	}
	retitled := edit(o1, func(a *carelogic.Appointment) { a.Activity = "Family Therapy" })
	runScenarios(t, []scenario{{
		name:     "a title OnCall ignored",
		history:  [][]carelogic.Appointment{{o1}},
		inOnCall: ignoring(map[string]string{"title": "Family Therapy"}),
		ehr:      appts(retitled),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("o1"),
				Reason: "title not sent again: OnCall did not apply it when the sync last sent this value; change it in OnCall by hand"}}, nil)
		},
	}, {
		name:     "a new title after one OnCall ignored",
		history:  [][]carelogic.Appointment{{o1}},
		inOnCall: ignoring(map[string]string{"title": "Couples Therapy"}),
		ehr:      appts(retitled),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionUpdate, Key: key("o1"), Appointment: w.appt(key("o1")), Fields: []string{"title"},
				Reason: "changed in the EHR", Update: &oncall.AppointmentUpdateParams{Title: oncall.Ptr("Family Therapy")}}}, nil, nil)
		},
	}, {
		name:     "a cancellation OnCall ignored",
		history:  [][]carelogic.Appointment{{o1}},
		inOnCall: ignoring(map[string]string{"cancelled": "true"}),
		ehr:      appts(edit(o1, func(a *carelogic.Appointment) { a.Deleted = true })),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("o1"),
				Reason: "not cancelled (deleted in the EHR): OnCall did not apply the cancellation when the sync sent it; cancel it in OnCall by hand"}}, nil)
		},
	}})
}

// ParticipantEntries applies a plan's participant changes to the participants as they are when the update is
// sent: who joined in OnCall meanwhile stays, a change to someone already gone is dropped, and nobody already on
// the appointment is invited again.
func TestParticipantEntries(t *testing.T) {
	t.Parallel()
	p := func(id int, email string, cancelled bool) oncall.Participant {
		return oncall.Participant{ID: oncall.ParticipantID(id), URL: fmt.Sprintf("https://api.oncallhealth.ca/participants/%d/", id),
			Name: "P " + email, Email: email, Fee: oncall.MustDecimal("10"), Cancelled: cancelled}
	}
	a := Action{Participants: []ParticipantChange{
		{Op: ParticipantRemove, Participant: 1},
		{Op: ParticipantWithdraw, Participant: 2},
		{Op: ParticipantEmail, Participant: 3, Email: "new3@example.com"},
		{Op: ParticipantWithdraw, Participant: 9}, // gone since the plan
		{Op: ParticipantAdd, Add: &oncall.ParticipantParams{Name: "New", Email: "new@example.com", Fee: oncall.MustDecimal("5")}},
		{Op: ParticipantAdd, Add: &oncall.ParticipantParams{Name: "Again", Email: "AGAIN@example.com"}}, // added meanwhile
	}}
	current := []oncall.Participant{p(1, "one@example.com", false), p(2, "two@example.com", false), p(3, "three@example.com", false),
		p(4, "cohost@example.net", false), p(5, "again@example.com", true)}
	entry := func(q oncall.Participant) oncall.ParticipantEntry { return q.Entry() }
	want := []oncall.ParticipantEntry{
		{URL: current[1].URL, Name: current[1].Name, Email: "two@example.com", Fee: oncall.MustDecimal("10"), Cancelled: true},
		{URL: current[2].URL, Name: current[2].Name, Email: "new3@example.com", Fee: oncall.MustDecimal("10")},
		entry(current[3]),
		entry(current[4]),
		{Name: "New", Email: "new@example.com", Fee: oncall.MustDecimal("5")},
	}
	if diff := cmp.Diff(want, a.ParticipantEntries(current)); diff != "" {
		t.Errorf("ParticipantEntries (-want +got):\n%s", diff)
	}
}

// What the runner records for a field OnCall ignored (sentValues, hashed into KeyEMRIgnored) is what the plan looks
// for: every field of a planned update, recorded, is reported as ignored and not sent by the next plan.
func TestIgnoredValuesAgree(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	w := syncWorld(t, appts(o1), testPolicy())
	moved := edit(o1, func(a *carelogic.Appointment) {
		a.Activity, a.Modality, a.Start, a.Duration, a.ProviderID = "Family Therapy", carelogic.InPerson, days(2).Add(90*time.Minute+30*time.Second), time.Hour, "staff-2"
	})
	cs := Plan(appts(moved), w.state, testWindow(), testPolicy())
	if len(cs.Actions) != 1 {
		t.Fatalf("want one update, got:\n%s", actionLines(cs))
	}
	rec := map[string]string{}
	for f, v := range sentValues(cs.Actions[0]) {
		rec[f] = valueHash(v)
	}
	w.live(key("o1")).Metadata[KeyEMRIgnored] = encodeIgnored(rec)
	again := Plan(appts(moved), w.state, testWindow(), testPolicy())
	var reported []string
	for _, s := range again.Skipped {
		f, _, _ := strings.Cut(s.Reason, " ")
		reported = append(reported, f)
	}
	if diff := cmp.Diff([]string{"title", "type", "datetime", "duration", "provider"}, reported); diff != "" || !again.Empty() {
		t.Errorf("after recording every field as ignored: fields reported (-want +got):\n%s\nactions:\n%s", diff, actionLines(again))
	}
}
