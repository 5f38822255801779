package syncer

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// edit returns a copy of a changed by f.
func edit(a carelogic.Appointment, f func(a *carelogic.Appointment)) carelogic.Appointment {
	a = a.Clone()
	f(&a)
	return a
}

func appts(as ...carelogic.Appointment) []carelogic.Appointment { return as }

// marked returns roster (a KeyEMRClients value) with each "client:mark" of marks recorded: the status the sync
// carried to OnCall for that client.
func marked(roster string, marks ...string) string {
	r := decodeRoster(roster)
	for _, cm := range marks {
		id, m, _ := strings.Cut(cm, ":")
		if e := r.find(id); e != nil {
			e.mark = m[0]
		}
	}
	return r.encode()
}

// recorded is the update that records roster as appointment k's KeyEMRClients, and nothing else.
func recorded(w *world, k, roster string) Action {
	return Action{Kind: ActionUpdate, Key: key(k), Appointment: w.appt(key(k)), Fields: []string{"metadata"}, Reason: "changed in the EHR",
		Update: &oncall.AppointmentUpdateParams{Metadata: w.metadataWith(key(k), KeyEMRClients, roster)}}
}

// cancelled is the plan's cancellation of the appointment of EHR id k, with no say in who cancelled.
func cancelled(w *world, k, client, reason string) Action {
	return Action{Kind: ActionCancel, Key: key(k), Appointment: w.appt(key(k)), Client: client,
		Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true)}, Fields: []string{"cancelled"}, Reason: reason}
}

// A scenario syncs its history into a simulated OnCall, lets staff change OnCall directly, then plans the EHR as
// it is now and compares the whole Changeset. It then applies the plan and checks that planning again proposes
// no action.
type scenario struct {
	name string
	// history are the EHR states synced one after another before the plan under test; the first is synced with
	// firstNow as the present when that is set.
	history  [][]carelogic.Appointment
	firstNow time.Time
	// inOnCall changes the synced OnCall state as staff would, directly in OnCall.
	inOnCall func(w *world)
	ehr      []carelogic.Appointment
	policy   func(p *Policy)
	window   *Window
	want     func(w *world) *Changeset
}

func runScenarios(t *testing.T, tests []scenario) {
	t.Helper()
	runScenariosOn(t, false, tests)
}

// runScenariosOn runs scenarios on OnCall's documented API, or with the participant extension (every sync of the
// history, and the plan under test, with Policy.UndocumentedParticipantAPI).
func runScenariosOn(t *testing.T, extension bool, tests []scenario) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &world{t: t, nextID: counter(100)}
			for i, ehr := range tt.history {
				p := testPolicy()
				p.UndocumentedParticipantAPI = extension
				if i == 0 && !tt.firstNow.IsZero() {
					p.Now = tt.firstNow
				}
				w.sync(ehr, testWindow(), p)
			}
			if tt.inOnCall != nil {
				tt.inOnCall(w)
			}
			p := testPolicy()
			p.UndocumentedParticipantAPI = extension
			if tt.policy != nil {
				tt.policy(&p)
			}
			win := testWindow()
			if tt.window != nil {
				win = *tt.window
			}
			want := tt.want(w)
			got := Plan(tt.ehr, w.state, win, p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("Plan (-want +got):\n%s\ngot:\n%s", diff, actionLines(got))
			}
			after := applyToState(t, w.state, got, w.nextID)
			if again := Plan(tt.ehr, after, win, p); !again.Empty() {
				t.Errorf("planning again after applying the plan is not empty:\n%s", actionLines(again))
			}
		})
	}
}

func TestPlanCreates(t *testing.T) {
	t.Parallel()
	video := oneToOne("o1", days(1), client(1))
	inPerson := edit(oneToOne("o2", days(1).Add(2*time.Hour), client(2)), func(a *carelogic.Appointment) {
		a.Modality, a.ProviderID, a.Duration, a.Activity = carelogic.InPerson, "staff-2", 60*time.Minute, "Psychiatric Evaluation"
	})
	g3 := group("g1", days(2), clients(1, 3)...)
	g25 := group("g25", days(2), clients(1, 25)...)
	g26 := group("g26", days(2), clients(1, 26)...)
	series := func(n int) carelogic.Appointment {
		return edit(oneToOne(fmt.Sprintf("r%d", n), days(1+7*(n-1)), client(5)), func(a *carelogic.Appointment) { a.SeriesID = "s1" })
	}
	groupSeries := func(n int) carelogic.Appointment {
		return edit(group(fmt.Sprintf("gs%d", n), days(3+7*(n-1)), clients(1, 4)...), func(a *carelogic.Appointment) { a.SeriesID = "s2" })
	}
	mixed := group("g2", days(2), client(1), withStatus(client(2), carelogic.StatusCBC), withStatus(client(3), carelogic.StatusError), withStatus(client(4), "Checked-in"))
	newOne := func(k string, p *oncall.AppointmentCreateParams) Action {
		return Action{Kind: ActionCreate, Key: key(k), Create: p, Reason: "new in the EHR"}
	}
	runScenarios(t, []scenario{{
		name: "1:1 video",
		ehr:  appts(video),
		want: func(w *world) *Changeset {
			return changeset([]Action{newOne("o1", &oncall.AppointmentCreateParams{
				Title: "Individual Therapy", Type: oncall.TypeOnline, DateTime: days(1), Duration: 50, Division: testDivision,
				Provider: provider1, Participants: []oncall.ParticipantParams{{Name: "Client 1", Email: "client1@example.com"}},
				Metadata: oncall.Metadata{KeyEMRID: "o1", KeyEMRSource: "ehr", KeyEMRClients: rosterOf(client(1))},
			})}, nil, nil)
		},
	}, {
		name: "1:1 in person",
		ehr:  appts(inPerson),
		want: func(w *world) *Changeset {
			return changeset([]Action{newOne("o2", &oncall.AppointmentCreateParams{
				Title: "Psychiatric Evaluation", Type: oncall.TypeInPerson, DateTime: days(1).Add(2 * time.Hour), Duration: 60,
				Division: testDivision, Provider: provider2, Participants: []oncall.ParticipantParams{{Name: "Client 2", Email: "client2@example.com"}},
				Metadata: oncall.Metadata{KeyEMRID: "o2", KeyEMRSource: "ehr", KeyEMRClients: rosterOf(client(2))},
			})}, nil, nil)
		},
	}, {
		name: "group",
		ehr:  appts(g3),
		want: func(w *world) *Changeset {
			return changeset([]Action{newOne("g1", createFor(g3, provider2, clients(1, 3)...))}, nil, nil)
		},
	}, {
		name: "group of 25",
		ehr:  appts(g25),
		want: func(w *world) *Changeset {
			return changeset([]Action{newOne("g25", createFor(g25, provider2, clients(1, 25)...))}, nil, nil)
		},
	}, {
		name: "group of 26 is skipped",
		ehr:  appts(g26),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("g26"), Reason: `carelogic: invalid appointment "g26": participants: group has 26 clients not marked Error, at most 25`}}, nil)
		},
	}, {
		name: "group whose clients are already cancelled, in error or checked in",
		ehr:  appts(mixed),
		want: func(w *world) *Changeset {
			// Everyone is on the roster, so that none is invited later; only those still expected are invited.
			return changeset([]Action{newOne("g2", createFor(mixed, provider2, client(1), withStatus(client(4), "Checked-in")))}, nil, nil)
		},
	}, {
		name: "recurring 1:1 and group series",
		ehr:  appts(series(1), series(2), series(3), groupSeries(1), groupSeries(2)),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				newOne("gs1", createFor(groupSeries(1), provider2, clients(1, 4)...)),
				newOne("gs2", createFor(groupSeries(2), provider2, clients(1, 4)...)),
				newOne("r1", createFor(series(1), provider1, client(5))),
				newOne("r2", createFor(series(2), provider1, client(5))),
				newOne("r3", createFor(series(3), provider1, client(5))),
			}, nil, nil)
		},
	}, {
		name: "past appointment never synced",
		ehr:  appts(oneToOne("o0", days(-1), client(1))),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o0"), Reason: "ended before it reached OnCall; past appointments are not created"}}, nil)
		},
	}, {
		name: "appointment in progress is not created either",
		ehr:  appts(oneToOne("o0", testNow.Add(-10*time.Minute), client(1))),
		want: func(w *world) *Changeset {
			// It has not ended: a late sync still lets the client join.
			return changeset([]Action{newOne("o0", createFor(oneToOne("o0", testNow.Add(-10*time.Minute), client(1)), provider1, client(1)))}, nil, nil)
		},
	}, {
		name: "unmapped provider",
		ehr:  appts(edit(video, func(a *carelogic.Appointment) { a.ProviderID = "staff-9" })),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("o1"), Reason: `no OnCall provider mapped for EHR staff id "staff-9"`}}, nil)
		},
	}, {
		name:   "unmapped provider with a default provider",
		ehr:    appts(edit(video, func(a *carelogic.Appointment) { a.ProviderID = "staff-9" })),
		policy: func(p *Policy) { p.DefaultProvider = 99 },
		want: func(w *world) *Changeset {
			a := newOne("o1", createFor(video, 99, client(1)))
			a.Reason += `; EHR staff id "staff-9" has no provider mapped: created with the default provider`
			return changeset([]Action{a}, nil, nil)
		},
	}, {
		name: "1:1 with its only client cancelled is not created",
		ehr:  appts(oneToOne("o1", days(1), withStatus(client(1), carelogic.StatusCBC))),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Reason: "no client left to invite: every participant is cancelled, a no-show or in error"}}, nil)
		},
	}, {
		name: "deleted before it was synced",
		ehr:  appts(edit(video, func(a *carelogic.Appointment) { a.Deleted = true })),
		want: func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name: "no division",
		ehr:  appts(video),
		policy: func(p *Policy) {
			p.Division = 0
		},
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Attention: true, Key: key("o1"), Reason: "no OnCall division configured for new appointments"}}, nil)
		},
	}, {
		name: "empty activity gets the default title",
		ehr:  appts(edit(video, func(a *carelogic.Appointment) { a.Activity = "  " })),
		want: func(w *world) *Changeset {
			want := createFor(video, provider1, client(1))
			want.Title = "Appointment"
			return changeset([]Action{newOne("o1", want)}, nil, nil)
		},
	}, {
		name: "the same EHR key listed twice",
		ehr: appts(
			edit(video, func(a *carelogic.Appointment) { a.Activity, a.UpdatedAt = "Old Title", testNow.Add(-time.Hour) }),
			edit(video, func(a *carelogic.Appointment) { a.Activity, a.UpdatedAt = "New Title", testNow }),
		),
		want: func(w *world) *Changeset {
			want := createFor(video, provider1, client(1))
			want.Title = "New Title"
			return changeset([]Action{newOne("o1", want)},
				[]Skip{{Attention: true, Key: key("o1"), Reason: "the EHR listed this appointment more than once; the most recently updated copy was used"}}, nil)
		},
	}, {
		// Equally recent copies: the content decides, not the order given (listed the other way round, the same
		// copy wins: TestPlanDuplicateKeyOrder).
		name: "the same EHR key listed twice, equally recent",
		ehr: appts(
			edit(video, func(a *carelogic.Appointment) { a.Activity, a.UpdatedAt = "Title B", testNow }),
			edit(video, func(a *carelogic.Appointment) { a.Activity, a.UpdatedAt = "Title A", testNow }),
		),
		want: func(w *world) *Changeset {
			want := createFor(video, provider1, client(1))
			want.Title = "Title A"
			return changeset([]Action{newOne("o1", want)},
				[]Skip{{Attention: true, Key: key("o1"), Reason: "the EHR listed this appointment more than once; the most recently updated copy was used"}}, nil)
		},
	}})
}

// TestPlanDuplicateKeyOrder: whichever order the EHR lists equally recent copies of one appointment in, the plan
// is the same.
func TestPlanDuplicateKeyOrder(t *testing.T) {
	t.Parallel()
	video := oneToOne("o1", days(1), client(1))
	var copies []carelogic.Appointment
	for _, title := range []string{"Title C", "Title A", "Title B"} {
		copies = append(copies, edit(video, func(a *carelogic.Appointment) { a.Activity, a.UpdatedAt = title, testNow }))
	}
	p := testPolicy()
	want := Plan(copies, nil, testWindow(), p)
	if got := want.Actions[0].Create.Title; got != "Title A" {
		t.Errorf("created %q, want the copy whose encoding sorts first, %q", got, "Title A")
	}
	for _, order := range [][]int{{0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		ehr := []carelogic.Appointment{copies[order[0]], copies[order[1]], copies[order[2]]}
		if diff := cmp.Diff(want, Plan(ehr, nil, testWindow(), p)); diff != "" {
			t.Errorf("order %v planned differently (-first order +this one):\n%s", order, diff)
		}
	}
}

// TestPlanStatusesExtension plans statuses with the participant extension: a participant status for DNS, CBT and
// CBC, participants removed through their own URL.
func TestPlanStatusesExtension(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	g1 := group("g1", days(2), clients(1, 3)...)
	o1With := func(s carelogic.Status) carelogic.Appointment {
		return oneToOne("o1", days(1), withStatus(client(1), s))
	}
	// setStatus is the participant status set for o1's client, and the roster that records it.
	setStatus := func(w *world, s oncall.ParticipantStatus, ehr carelogic.Status) []Action {
		return []Action{{Kind: ActionSetStatus, Key: key("o1"), Appointment: w.appt(key("o1")), Participant: w.part(key("o1"), "client1@example.com"),
			Client: "c1", Status: s, Reason: "marked " + string(ehr) + " in the EHR"},
			recorded(w, "o1", marked(rosterOf(client(1)), "c1:"+string(statusMark(ehr))))}
	}
	notAfterFinal := func(ehr string) []Skip {
		return []Skip{{Key: key("o1"), Client: "c1", Reason: "EHR status " + ehr + ` not synced: OnCall already has "No Show", and later status changes do not sync`}}
	}
	runScenariosOn(t, true, []scenario{{
		name:    "DNS",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusDNS)),
		want: func(w *world) *Changeset {
			return changeset(setStatus(w, oncall.ParticipantNoShow, "DNS"), nil, nil)
		},
	}, {
		name:    "CBT",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusCBT)),
		want: func(w *world) *Changeset {
			return changeset(setStatus(w, oncall.ParticipantCancelledByProvider, "CBT"), nil, nil)
		},
	}, {
		name:    "CBC",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		want: func(w *world) *Changeset {
			return changeset(setStatus(w, oncall.ParticipantCancelledByClient, "CBC"), nil, nil)
		},
	}, {
		name:    "DNS on one client of a group",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusDNS), client(3))),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionSetStatus, Key: key("g1"), Appointment: w.appt(key("g1")),
				Participant: w.part(key("g1"), "client2@example.com"), Client: "c2", Status: oncall.ParticipantNoShow, Reason: "marked DNS in the EHR"},
				recorded(w, "g1", marked(rosterOf(clients(1, 3)...), "c2:D"))}, nil, nil)
		},
	}, {
		name:    "Error on a group client removes that participant",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusError), client(3))),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionRemoveParticipant, Key: key("g1"), Appointment: w.appt(key("g1")),
				Participant: w.part(key("g1"), "client2@example.com"), Client: "c2", Reason: "marked Error in the EHR"}}, nil, nil)
		},
	}, {
		name:    "Error on a 1:1 cancels it",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusError)),
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "o1", "c1", "1:1 client marked Error in the EHR")}, nil, nil)
		},
	}, {
		name:    "Error on every client of a group cancels it",
		history: [][]carelogic.Appointment{{g1}},
		ehr: appts(group("g1", days(2), withStatus(client(1), carelogic.StatusError), withStatus(client(2), carelogic.StatusError),
			withStatus(client(3), carelogic.StatusError))),
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "g1", "", "every client marked Error in the EHR")}, nil, nil)
		},
	}, {
		name:    "a client removed for Error is not added back",
		history: [][]carelogic.Appointment{{g1}, {group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusError), client(3))}},
		ehr:     appts(g1),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c2", Reason: "client was removed from the OnCall appointment earlier and is not added back"}}, nil)
		},
	}, {
		name:    "DNS then CBC: later changes do not sync",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		want:    func(w *world) *Changeset { return changeset(nil, notAfterFinal("CBC"), nil) },
	}, {
		name:    "DNS then CBC with StatusChangesAfterFinal",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusCBC)),
		policy:  func(p *Policy) { p.StatusChangesAfterFinal = true },
		want: func(w *world) *Changeset {
			return changeset(setStatus(w, oncall.ParticipantCancelledByClient, "CBC"), nil, nil)
		},
	}, {
		name:    "DNS then Kept",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusKept)),
		want:    func(w *world) *Changeset { return changeset(nil, notAfterFinal("Kept"), nil) },
	}, {
		name:    "DNS then Scheduled",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1),
		want:    func(w *world) *Changeset { return changeset(nil, notAfterFinal("Scheduled"), nil) },
	}, {
		// Error is one of the four hardcoded statuses: after DNS it does not sync either.
		name:    "DNS then Error on a 1:1",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusError)),
		want:    func(w *world) *Changeset { return changeset(nil, notAfterFinal("Error"), nil) },
	}, {
		name:    "DNS then Error on a 1:1 with StatusChangesAfterFinal",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusDNS)}},
		ehr:     appts(o1With(carelogic.StatusError)),
		policy:  func(p *Policy) { p.StatusChangesAfterFinal = true },
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "o1", "c1", "1:1 client marked Error in the EHR")}, nil, nil)
		},
	}, {
		name:    "CBT then Error on a group client",
		history: [][]carelogic.Appointment{{g1}, {group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusCBT), client(3))}},
		ehr:     appts(group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusError), client(3))),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c2",
				Reason: `EHR status Error not synced: OnCall already has "Cancelled by Provider", and later status changes do not sync`}}, nil)
		},
	}, {
		name:    "CBT on one client, then Error on every client of a group",
		history: [][]carelogic.Appointment{{g1}, {group("g1", days(2), client(1), withStatus(client(2), carelogic.StatusCBT), client(3))}},
		ehr: appts(group("g1", days(2), withStatus(client(1), carelogic.StatusError), withStatus(client(2), carelogic.StatusError),
			withStatus(client(3), carelogic.StatusError))),
		want: func(w *world) *Changeset {
			// The session stays for the client whose CBT stands; the others are removed.
			g := w.appt(key("g1"))
			return changeset([]Action{
				{Kind: ActionRemoveParticipant, Key: key("g1"), Appointment: g, Participant: w.part(key("g1"), "client1@example.com"), Client: "c1", Reason: "marked Error in the EHR"},
				{Kind: ActionRemoveParticipant, Key: key("g1"), Appointment: g, Participant: w.part(key("g1"), "client3@example.com"), Client: "c3", Reason: "marked Error in the EHR"},
			}, []Skip{{Key: key("g1"), Client: "c2",
				Reason: `EHR status Error not synced: OnCall already has "Cancelled by Provider", and later status changes do not sync`}}, nil)
		},
	}, {
		name:    "Kept",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With(carelogic.StatusKept)),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Client: "c1", Reason: "Kept does not sync: complete the appointment in OnCall, which charges its fees (or set Policy.CompleteWhenKept)"}}, nil)
		},
	}, {
		name:    "custom status Checked-in",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(o1With("Checked-in")),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Client: "c1", Reason: "custom status (a value of 10 characters) does not sync"}}, nil)
		},
	}, {
		name:    "status already in OnCall",
		history: [][]carelogic.Appointment{{o1}, {o1With(carelogic.StatusCBT)}},
		ehr:     appts(o1With(carelogic.StatusCBT)),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}})
}

// TestPlanParticipantsExtension plans who is on an appointment with the participant extension: a request per
// participant added, removed or changed.
func TestPlanParticipantsExtension(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	g1 := group("g1", days(2), clients(1, 3)...)
	full := group("g1", days(2), clients(1, 25)...)
	g24 := group("g1", days(2), clients(1, 24)...)
	cohost := func(w *world) { w.addCohost(key("g1"), "Co Host", "cohost@example.net") }
	removed := func(w *world, email, client, reason string) Action {
		return Action{Kind: ActionRemoveParticipant, Key: key("g1"), Appointment: w.appt(key("g1")), Participant: w.part(key("g1"), email), Client: client, Reason: reason}
	}
	added := func(w *world, p carelogic.Participant) Action {
		return Action{Kind: ActionAddParticipant, Key: key("g1"), Appointment: w.appt(key("g1")), Client: p.ClientID, Add: &invite(p)[0], Reason: "added to the group in the EHR"}
	}
	rosterUpdate := func(w *world, k string, ps ...carelogic.Participant) Action {
		return Action{Kind: ActionUpdate, Key: key(k), Appointment: w.appt(key(k)), Fields: []string{"metadata"}, Reason: "changed in the EHR",
			Update: &oncall.AppointmentUpdateParams{Metadata: w.metadataWith(key(k), KeyEMRClients, rosterOf(ps...))}}
	}
	past := oneToOne("o0", days(-1), client(1))
	newEmail := withEmail(client(1), "new1@example.com")
	emailHistory := [][]carelogic.Appointment{{past, o1, g1}}
	emailNow := appts(oneToOne("o0", days(-1), newEmail), oneToOne("o1", days(1), newEmail), group("g1", days(2), newEmail, client(2), client(3)))
	emailUpdate := func(w *world, k string) Action {
		return Action{Kind: ActionUpdateParticipant, Key: key(k), Appointment: w.appt(key(k)), Participant: w.part(key(k), "client1@example.com"), Client: "c1",
			ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr("new1@example.com")}, Fields: []string{"email"}, Reason: "email changed in the EHR"}
	}
	runScenariosOn(t, true, []scenario{{
		name:    "1:1 client swapped: recreate",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(1), client(2))),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionRecreate, Key: key("o1"), Appointment: w.appt(key("o1")), Client: "c2",
				Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: w.metadataWith(key("o1"), KeyEMRSuperseded, true)},
				Create: createFor(oneToOne("o1", days(1), client(2)), provider1, client(2)), Reason: "the 1:1's client changed in the EHR"}}, nil, nil)
		},
	}, {
		name:    "1:1 client swapped with DisableRecreate",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(1), client(2))),
		policy:  func(p *Policy) { p.DisableRecreate = true },
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Client: "c2",
				Reason: "the 1:1's client changed; error the appointment out and book a new one in the EHR (DisableRecreate is set)"}}, nil)
		},
	}, {
		// The new client is already cancelled, so no replacement is booked; the old client must not stay invited.
		name:    "1:1 client swapped for one already cancelled: the old appointment is cancelled, nothing created",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(1), withStatus(client(2), carelogic.StatusCBC))),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionCancel, Key: key("o1"), Appointment: w.appt(key("o1")), Client: "c2",
				Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: w.metadataWith(key("o1"), KeyEMRSuperseded, true)},
				Fields: []string{"cancelled", "metadata"},
				Reason: "the 1:1's client changed in the EHR; the old appointment is cancelled and no replacement created: no client left to invite: every participant is cancelled, a no-show or in error"}}, nil, nil)
		},
	}, {
		name:     "1:1 client swapped after it started",
		history:  [][]carelogic.Appointment{{past}},
		firstNow: days(-3),
		ehr:      appts(oneToOne("o0", days(-1), client(2))),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o0"), Client: "c2",
				Reason: "the 1:1's client changed but no replacement is created: ended before it reached OnCall; past appointments are not created"}}, nil)
		},
	}, {
		name:     "group swap keeps a co-host added in OnCall",
		history:  [][]carelogic.Appointment{{g1}},
		inOnCall: cohost,
		ehr:      appts(group("g1", days(2), client(1), client(2), client(4))),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				removed(w, "client3@example.com", "c3", "no longer on the appointment in the EHR"),
				added(w, client(4)),
				rosterUpdate(w, "g1", client(1), client(2), client(4)),
			}, nil, nil)
		},
	}, {
		name:    "client added to a group",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), clients(1, 4)...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{added(w, client(4)), rosterUpdate(w, "g1", clients(1, 4)...)}, nil, nil)
		},
	}, {
		name:    "client taken off a group",
		history: [][]carelogic.Appointment{{g1}},
		ehr:     appts(group("g1", days(2), client(1), client(3))),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				removed(w, "client2@example.com", "c2", "no longer on the appointment in the EHR"),
				rosterUpdate(w, "g1", client(1), client(3)),
			}, nil, nil)
		},
	}, {
		name:    "swap in a full group removes before it adds",
		history: [][]carelogic.Appointment{{full}},
		ehr:     appts(group("g1", days(2), append(clients(1, 24), client(26))...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				removed(w, "client25@example.com", "c25", "no longer on the appointment in the EHR"),
				added(w, client(26)),
				rosterUpdate(w, "g1", append(clients(1, 24), client(26))...),
			}, nil, nil)
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
		name:     "24 clients and a co-host: a swap fits",
		history:  [][]carelogic.Appointment{{g24}},
		inOnCall: cohost,
		ehr:      appts(group("g1", days(2), append(clients(1, 23), client(25))...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				removed(w, "client24@example.com", "c24", "no longer on the appointment in the EHR"),
				added(w, client(25)),
				rosterUpdate(w, "g1", append(clients(1, 23), client(25))...),
			}, nil, nil)
		},
	}, {
		name:     "24 clients and a co-host: Error makes room",
		history:  [][]carelogic.Appointment{{g24}},
		inOnCall: cohost,
		ehr:      appts(group("g1", days(2), append(append(clients(1, 23), withStatus(client(24), carelogic.StatusError)), client(25))...)),
		want: func(w *world) *Changeset {
			return changeset([]Action{
				removed(w, "client24@example.com", "c24", "marked Error in the EHR"),
				added(w, client(25)),
				rosterUpdate(w, "g1", clients(1, 25)...),
			}, nil, nil)
		},
	}, {
		name:     "email change reaches every future appointment",
		history:  emailHistory,
		firstNow: days(-3),
		ehr:      emailNow,
		want: func(w *world) *Changeset {
			return changeset([]Action{
				emailUpdate(w, "g1"), rosterUpdate(w, "g1", newEmail, client(2), client(3)),
				emailUpdate(w, "o1"), rosterUpdate(w, "o1", newEmail),
			}, []Skip{{Key: key("o0"), Client: "c1", Reason: "email changed in the EHR; not carried to an appointment that has started"}}, nil)
		},
	}, {
		name:     "email change with DisableEmailPropagation",
		history:  emailHistory,
		firstNow: days(-3),
		ehr:      emailNow,
		policy:   func(p *Policy) { p.DisableEmailPropagation = true },
		want: func(w *world) *Changeset {
			const reason = "email changed in the EHR; update the OnCall participant by hand (DisableEmailPropagation is set)"
			return changeset(nil, []Skip{{Key: key("g1"), Client: "c1", Reason: reason}, {Key: key("o0"), Client: "c1", Reason: reason},
				{Key: key("o1"), Client: "c1", Reason: reason}}, nil)
		},
	}, {
		name:    "email differing only in case and spaces",
		history: [][]carelogic.Appointment{{o1}},
		ehr:     appts(oneToOne("o1", days(1), withEmail(client(1), " Client1@Example.COM "))),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name: "legacy appointment with emr_id but no roster",
		inOnCall: func(w *world) {
			w.add(oncall.Appointment{Title: "Individual Therapy", DateTime: days(1), Duration: 50, Type: oncall.TypeOnline,
				Status: oncall.StatusIncomplete, Division: testDivision, Provider: provider1,
				Participants: []oncall.Participant{{Name: "Client 1", Email: "old1@example.com"}},
				Metadata:     oncall.Metadata{KeyEMRID: "o1", KeyEMRSource: testSource, "other_integration": int64(42)}})
		},
		ehr: appts(o1),
		want: func(w *world) *Changeset {
			k := key("o1")
			return changeset([]Action{
				{Kind: ActionUpdateParticipant, Key: k, Appointment: w.appt(k), Participant: w.part(k, "old1@example.com"), Client: "c1",
					ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr("client1@example.com")}, Fields: []string{"email"}, Reason: "email changed in the EHR"},
				rosterUpdate(w, "o1", client(1)),
			}, nil, nil)
		},
	}})
}

// TestPlanEmailChangedTwice follows a client across two email changes synced one after the other: the roster
// the first sync records is what finds the participant the second time.
func TestPlanEmailChangedTwice(t *testing.T) {
	t.Parallel()
	ehrWith := func(email string) []carelogic.Appointment {
		c := withEmail(client(1), email)
		return appts(oneToOne("o1", days(1), c), group("g1", days(2), c, client(2)))
	}
	w := syncWorld(t, ehrWith("e1@example.com"), testPolicy())
	ids := map[string]oncall.ParticipantID{"o1": w.part(key("o1"), "e1@example.com"), "g1": w.part(key("g1"), "e1@example.com")}
	for _, email := range []string{"e2@example.com", "e3@example.com"} {
		cs := w.sync(ehrWith(email), testWindow(), testPolicy())
		var got []string
		for _, a := range cs.Actions {
			for _, c := range a.Participants {
				if c.Op == ParticipantEmail {
					got = append(got, fmt.Sprintf("%s %d %s", a.Key, c.Participant, c.Email))
				}
			}
		}
		want := []string{fmt.Sprintf("ehr/g1 %d %s", ids["g1"], email), fmt.Sprintf("ehr/o1 %d %s", ids["o1"], email)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("email updates for %s (-want +got):\n%s", email, diff)
		}
		for k, id := range ids {
			if p := w.part(key(k), email); p != id {
				t.Errorf("%s: the participant with %s is %d, want %d (the same participant, updated)", k, email, p, id)
			}
		}
	}
}

func TestPlanAppointmentChanges(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	o2 := oneToOne("o2", days(2), client(2))
	synced := [][]carelogic.Appointment{{o1}}
	changed := func(fields []string, u oncall.AppointmentUpdateParams) func(w *world) *Changeset {
		return func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionUpdate, Key: key("o1"), Appointment: w.appt(key("o1")), Update: &u, Fields: fields, Reason: "changed in the EHR"}}, nil, nil)
		}
	}
	o1As := func(f func(a *carelogic.Appointment)) []carelogic.Appointment { return appts(edit(o1, f)) }
	runScenarios(t, []scenario{{
		name:    "modality",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Modality = carelogic.InPerson }),
		want:    changed([]string{"type"}, oncall.AppointmentUpdateParams{Type: oncall.Ptr(oncall.TypeInPerson)}),
	}, {
		name:    "provider",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.ProviderID = "staff-2" }),
		want:    changed([]string{"provider"}, oncall.AppointmentUpdateParams{Provider: oncall.Ptr(provider2)}),
	}, {
		name:    "date",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Start = days(3) }),
		want:    changed([]string{"datetime"}, oncall.AppointmentUpdateParams{DateTime: oncall.Ptr(days(3))}),
	}, {
		name:    "time",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Start = days(1).Add(90 * time.Minute) }),
		want:    changed([]string{"datetime"}, oncall.AppointmentUpdateParams{DateTime: oncall.Ptr(days(1).Add(90 * time.Minute))}),
	}, {
		name:    "same instant in another zone",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Start = days(1).In(time.FixedZone("EST", -5*3600)) }),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "duration",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Duration = time.Hour }),
		want:    changed([]string{"duration"}, oncall.AppointmentUpdateParams{Duration: oncall.Ptr(60)}),
	}, {
		name:    "duration rounded up to whole minutes",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Duration = 50*time.Minute + 30*time.Second }),
		want:    changed([]string{"duration"}, oncall.AppointmentUpdateParams{Duration: oncall.Ptr(51)}),
	}, {
		name:    "title",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Activity = "Family Therapy" }),
		want:    changed([]string{"title"}, oncall.AppointmentUpdateParams{Title: oncall.Ptr("Family Therapy")}),
	}, {
		name:    "title, time and duration at once",
		history: synced,
		ehr: o1As(func(a *carelogic.Appointment) {
			a.Activity, a.Start, a.Duration = "Family Therapy", days(1).Add(time.Hour), 30*time.Minute
		}),
		want: changed([]string{"title", "datetime", "duration"}, oncall.AppointmentUpdateParams{
			Title: oncall.Ptr("Family Therapy"), DateTime: oncall.Ptr(days(1).Add(time.Hour)), Duration: oncall.Ptr(30)}),
	}, {
		name:    "series id added",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.SeriesID = "s9" }),
		want: func(w *world) *Changeset {
			return changeset([]Action{{Kind: ActionUpdate, Key: key("o1"), Appointment: w.appt(key("o1")), Fields: []string{"metadata"}, Reason: "changed in the EHR",
				Update: &oncall.AppointmentUpdateParams{Metadata: w.metadataWith(key("o1"), KeyEMRSeries, "s9")}}}, nil, nil)
		},
	}, {
		// An update leaves the OnCall provider as it is when the new staff id is not mapped, even with a default
		// provider (that is for creates): staff may have set the right provider in OnCall by hand.
		name:    "provider changed to an unmapped staff id",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.ProviderID = "staff-9" }),
		policy:  func(p *Policy) { p.DefaultProvider = 99 },
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "deleted in the EHR",
		history: synced,
		ehr:     o1As(func(a *carelogic.Appointment) { a.Deleted = true }),
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "o1", "", "deleted in the EHR")}, nil, nil)
		},
	}, {
		name:     "cancelled in OnCall while live in the EHR",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Cancelled = true },
		ehr:      o1As(func(a *carelogic.Appointment) { a.Activity = "Family Therapy" }),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Attention: true, Reason: fmt.Sprintf("OnCall appointment %d is cancelled but still scheduled "+
				"in the EHR; the sync does not reopen it: record the cancellation in the EHR (PlanEHR proposes it) or book it again", w.appt(key("o1")))}}, nil)
		},
	}, {
		name:     "cancelled in OnCall, live in the EHR, and over",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Cancelled = true },
		ehr:      o1As(func(a *carelogic.Appointment) { a.Start = testNow.Add(-3 * time.Hour) }),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Reason: fmt.Sprintf("OnCall appointment %d is cancelled; the sync does not reopen it", w.appt(key("o1")))}}, nil)
		},
	}, {
		name:     "cancelled in OnCall and cancelled in the EHR",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Cancelled = true },
		ehr:      appts(oneToOne("o1", days(1), withStatus(client(1), carelogic.StatusCBC))),
		want:     func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:     "completed in OnCall with EHR changes",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Status = oncall.StatusComplete },
		ehr:      o1As(func(a *carelogic.Appointment) { a.Duration = time.Hour }),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Reason: fmt.Sprintf("OnCall appointment %d is closed (Complete); EHR changes are not synced to it", w.appt(key("o1")))}}, nil)
		},
	}, {
		name:     "completed in OnCall and Kept in the EHR",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Status = oncall.StatusComplete },
		ehr:      appts(oneToOne("o1", days(1), withStatus(client(1), carelogic.StatusKept))),
		want:     func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		// Cancelling a completed appointment would undo its charge: a closed appointment is left alone.
		name:     "completed in OnCall and deleted in the EHR",
		history:  synced,
		inOnCall: func(w *world) { w.live(key("o1")).Status = oncall.StatusComplete },
		ehr:      o1As(func(a *carelogic.Appointment) { a.Deleted = true }),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o1"), Reason: fmt.Sprintf("OnCall appointment %d is closed (Complete); EHR changes are not synced to it", w.appt(key("o1")))}}, nil)
		},
	}, {
		name:    "orphan inside the window",
		history: [][]carelogic.Appointment{{o1, o2}},
		ehr:     appts(o1),
		want: func(w *world) *Changeset {
			return changeset([]Action{cancelled(w, "o2", "", "no longer in the EHR")}, nil, nil)
		},
	}, {
		// Cancelling a completed appointment would undo its charge, as for a deletion (found by the simulator,
		// which refuses a change to a closed appointment).
		name:     "orphan already closed in OnCall",
		history:  [][]carelogic.Appointment{{o1, o2}},
		inOnCall: func(w *world) { w.live(key("o2")).Status = oncall.StatusComplete },
		ehr:      appts(o1),
		want: func(w *world) *Changeset {
			return changeset(nil, []Skip{{Key: key("o2"),
				Reason: fmt.Sprintf("no longer in the EHR, but OnCall appointment %d is closed (Complete); it is not cancelled", w.appt(key("o2")))}}, nil)
		},
	}, {
		name:    "orphan outside the window",
		history: [][]carelogic.Appointment{{o1, o2}},
		ehr:     appts(o1),
		window:  &Window{From: days(-7), To: days(2)},
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "orphan with the zero window",
		history: [][]carelogic.Appointment{{o1, o2}},
		ehr:     appts(o1),
		window:  &Window{},
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "orphans are not cancelled when the EHR read is empty",
		history: [][]carelogic.Appointment{{o1, o2}},
		ehr:     nil,
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:     "past orphan",
		history:  [][]carelogic.Appointment{{oneToOne("o0", days(-1), client(1)), o1}},
		firstNow: days(-3),
		ehr:      appts(o1),
		want:     func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "orphan of another source",
		history: [][]carelogic.Appointment{{o1, edit(o2, func(a *carelogic.Appointment) { a.Source = "other" })}},
		ehr:     appts(o1),
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "orphans off",
		history: [][]carelogic.Appointment{{o1, o2}},
		ehr:     appts(o1),
		policy:  func(p *Policy) { p.DisableOrphanCancel = true },
		want:    func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}})
}

func TestPlanMatching(t *testing.T) {
	t.Parallel()
	o1 := oneToOne("o1", days(1), client(1))
	unowned := func(title, email string, at time.Time, provider oncall.ProviderID) func(w *world) {
		return func(w *world) {
			w.add(oncall.Appointment{Title: title, DateTime: at, Duration: 50, Type: oncall.TypeOnline, Status: oncall.StatusIncomplete,
				Division: testDivision, Provider: provider, Participants: []oncall.Participant{{Name: "Someone", Email: email}}})
		}
	}
	// The hand-made appointment is the only one in OnCall, so it got the first id.
	const handMade = oncall.AppointmentID(100)
	held := func(matched ...string) func(w *world) *Changeset {
		return func(w *world) *Changeset {
			return changeset(nil,
				[]Skip{{Attention: true, Key: key("o1"), Reason: fmt.Sprintf("not created: OnCall appointment %d without EHR metadata looks like it (review: add its emr_id to link it, or cancel it)", handMade)}},
				[]Candidate{{Key: key("o1"), Appointment: handMade, Matched: matched}})
		}
	}
	created := func(w *world) *Changeset {
		return changeset([]Action{{Kind: ActionCreate, Key: key("o1"), Create: createFor(o1, provider1, client(1)), Reason: "new in the EHR"}}, nil, nil)
	}
	runScenarios(t, []scenario{{
		name:     "hand-made appointment with the same provider, date and title",
		inOnCall: unowned("Individual Therapy", "other@example.com", days(1).Add(3*time.Hour), provider1),
		ehr:      appts(o1),
		want:     held("provider", "date", "title"),
	}, {
		name:     "hand-made appointment with the same provider, date and client",
		inOnCall: unowned("Intake", "CLIENT1@example.com", days(1).Add(-time.Hour), provider1),
		ehr:      appts(o1),
		want:     held("provider", "date", "participant"),
	}, {
		name:     "hand-made look-alike with DisableCreateHold",
		inOnCall: unowned("Individual Therapy", "client1@example.com", days(1), provider1),
		ehr:      appts(o1),
		policy:   func(p *Policy) { p.DisableCreateHold = true },
		want:     created,
	}, {
		name:     "hand-made appointment on another date",
		inOnCall: unowned("Individual Therapy", "client1@example.com", days(2), provider1),
		ehr:      appts(o1),
		want:     created,
	}, {
		name:     "hand-made appointment with another provider",
		inOnCall: unowned("Individual Therapy", "client1@example.com", days(1), provider2),
		ehr:      appts(o1),
		want:     created,
	}, {
		name:     "hand-made appointment with only provider and date in common",
		inOnCall: unowned("Intake", "other@example.com", days(1), provider1),
		ehr:      appts(o1),
		want:     created,
	}, {
		name:    "duplicate OnCall appointments with the same emr_id",
		history: [][]carelogic.Appointment{{o1}},
		inOnCall: func(w *world) {
			dup := cloneState([]oncall.Appointment{*w.live(key("o1"))})[0]
			w.add(dup)
		},
		ehr: appts(oneToOne("o1", days(1), withStatus(client(1), carelogic.StatusDNS))),
		want: func(w *world) *Changeset {
			first, second := w.state[0], w.state[1]
			md := maps.Clone(first.Metadata)
			md[KeyEMRClients] = marked(rosterOf(client(1)), "c1:D")
			return changeset([]Action{{Kind: ActionUpdate, Key: key("o1"), Appointment: first.ID, Client: "c1", Fields: []string{"status", "metadata"},
				Update: &oncall.AppointmentUpdateParams{Status: oncall.Ptr(oncall.StatusNoShow), Metadata: md}, Reason: "marked DNS in the EHR"}},
				[]Skip{{Attention: true, Key: key("o1"), Reason: fmt.Sprintf("duplicate OnCall appointments %d, %d carry this EHR id; syncing %d, review the others", first.ID, second.ID, first.ID)}}, nil)
		},
	}, {
		name:    "a cancelled duplicate is not reported",
		history: [][]carelogic.Appointment{{o1}},
		inOnCall: func(w *world) {
			dup := cloneState([]oncall.Appointment{*w.live(key("o1"))})[0]
			dup.Cancelled = true
			w.add(dup)
		},
		ehr:  appts(o1),
		want: func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}, {
		name:    "emr_id written as a number by another integration",
		history: [][]carelogic.Appointment{{oneToOne("123", days(1), client(1))}},
		inOnCall: func(w *world) {
			w.live(key("123")).Metadata[KeyEMRID] = int64(123)
		},
		ehr:  appts(oneToOne("123", days(1), client(1))),
		want: func(w *world) *Changeset { return changeset(nil, nil, nil) },
	}})
}
