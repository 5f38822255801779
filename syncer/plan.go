package syncer

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
)

// Window is the span of start times the EHR appointments passed to Plan were read for. Plan only cancels an
// orphan (an OnCall appointment whose EHR appointment is gone) inside it, since outside it the EHR was not asked.
type Window struct {
	From, To time.Time
}

func (w Window) contains(t time.Time) bool {
	return !w.From.IsZero() && !w.To.IsZero() && !t.Before(w.From) && t.Before(w.To)
}

// Plan compares EHR appointments with the OnCall appointments that exist and returns the changes that bring
// OnCall in line: creates, updates of only the fields that differ, cancellations, participant statuses,
// participants added and removed, and 1:1s recreated, with what it skipped and why. It does no I/O, and its
// result depends only on its inputs, not on their order.
//
// OnCall appointments are matched to EHR appointments by the metadata the syncer writes (KeyEMRID, with
// KeyEMRSource); one without that metadata is never changed, and is only proposed for review when it looks like an
// EHR appointment. window is the span the EHR was read for (see Window); the zero Window turns off the
// cancelling of orphans.
//
// A plan of a synced state is empty, and applying a plan and planning again gives an empty plan.
func Plan(ehr []carelogic.Appointment, existing []oncall.Appointment, window Window, p Policy) *Changeset {
	pl := &planner{policy: p, window: window, out: &Changeset{Actions: []Action{}, Skipped: []Skip{}, Review: []Candidate{}}}
	pl.index(existing)
	seen := make(map[string]bool, len(ehr))
	sources := map[string]bool{}
	for _, a := range sortEHR(ehr) {
		key := a.Key()
		if seen[key] {
			pl.skip(key, "", "the EHR listed this appointment more than once; the most recently updated copy was used")
			continue
		}
		seen[key] = true
		sources[a.Source] = true
		pl.appointment(a)
	}
	pl.orphans(seen, sources)
	return pl.out
}

// sortEHR returns pointers to the appointments ordered by key and, for a key listed twice, newest update first.
func sortEHR(ehr []carelogic.Appointment) []*carelogic.Appointment {
	out := make([]*carelogic.Appointment, len(ehr))
	for i := range ehr {
		out[i] = &ehr[i]
	}
	slices.SortStableFunc(out, func(a, b *carelogic.Appointment) int {
		return cmp.Or(strings.Compare(a.Key(), b.Key()), b.UpdatedAt.Compare(a.UpdatedAt), b.Start.Compare(a.Start))
	})
	return out
}

type planner struct {
	policy Policy
	window Window
	out    *Changeset
	byKey  map[string][]*oncall.Appointment
	// unowned holds live appointments without EHR metadata, by provider and UTC date, for the review heuristic.
	unowned map[unownedKey][]*oncall.Appointment
}

type unownedKey struct {
	provider oncall.ProviderID
	date     string
}

func (pl *planner) index(existing []oncall.Appointment) {
	pl.byKey = make(map[string][]*oncall.Appointment, len(existing))
	pl.unowned = map[unownedKey][]*oncall.Appointment{}
	for i := range existing {
		m := &existing[i]
		key := appointmentKey(m.Metadata)
		switch {
		case superseded(m.Metadata):
		case key != "":
			pl.byKey[key] = append(pl.byKey[key], m)
		case !m.Cancelled && !m.DateTime.IsZero():
			k := unownedKey{m.Provider, m.DateTime.UTC().Format(time.DateOnly)}
			pl.unowned[k] = append(pl.unowned[k], m)
		}
	}
	for _, list := range pl.byKey {
		slices.SortFunc(list, func(a, b *oncall.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	}
	for _, list := range pl.unowned {
		slices.SortFunc(list, func(a, b *oncall.Appointment) int { return cmp.Compare(a.ID, b.ID) })
	}
}

func (pl *planner) add(a Action) { pl.out.Actions = append(pl.out.Actions, a) }
func (pl *planner) skip(key, client, reason string) {
	pl.out.Skipped = append(pl.out.Skipped, Skip{key, client, reason})
}

// match picks the OnCall appointment for a key: the oldest live one, else the newest cancelled one. More than one
// live appointment is reported: they are duplicates a person must resolve (cancelling one would notify patients).
func (pl *planner) match(key string) *oncall.Appointment {
	list := pl.byKey[key]
	var live []*oncall.Appointment
	for _, m := range list {
		if !m.Cancelled {
			live = append(live, m)
		}
	}
	switch {
	case len(live) > 1:
		ids := make([]string, len(live))
		for i, m := range live {
			ids[i] = fmt.Sprint(m.ID)
		}
		pl.skip(key, "", fmt.Sprintf("duplicate OnCall appointments %s carry this EHR id; syncing %d, review the others", strings.Join(ids, ", "), live[0].ID))
		return live[0]
	case len(live) == 1:
		return live[0]
	case len(list) > 0:
		return list[len(list)-1]
	}
	return nil
}

func (pl *planner) appointment(a *carelogic.Appointment) {
	key := a.Key()
	if err := a.Validate(); err != nil {
		pl.skip(key, "", err.Error())
		return
	}
	m := pl.match(key)
	if m == nil {
		pl.create(a, key)
		return
	}
	pl.update(a, key, m)
}

// invitable reports whether a participant with status s is invited to a new appointment: nobody who has already
// cancelled, not shown or been marked Error is sent an invitation.
func invitable(s carelogic.Status) bool { return MapStatus(s).Effect == EffectNone }

// createParams builds the new appointment for a, or says why there should be none.
func (pl *planner) createParams(a *carelogic.Appointment) (*oncall.AppointmentCreateParams, string) {
	switch {
	case a.Deleted:
		return nil, "deleted in the EHR before it reached OnCall"
	case !pl.policy.Now.IsZero() && !a.End().After(pl.policy.Now):
		return nil, "ended before it reached OnCall; past appointments are not created"
	case pl.policy.Division <= 0:
		return nil, "no OnCall division configured for new appointments"
	}
	provider, ok := pl.provider(a.ProviderID)
	if !ok {
		return nil, fmt.Sprintf("no OnCall provider mapped for EHR staff id %q", a.ProviderID)
	}
	roster := roster{}
	var invite []oncall.ParticipantParams
	for _, c := range a.Participants {
		roster[c.ClientID] = emailHash(c.Email)
		if invitable(c.Status) {
			invite = append(invite, oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee})
		}
	}
	if len(invite) == 0 {
		return nil, "no client left to invite: every participant is cancelled, a no-show or in error"
	}
	md := baseMetadata(a)
	md[KeyEMRClients] = roster.encode()
	p := &oncall.AppointmentCreateParams{
		Title:        pl.title(a),
		Type:         appointmentType(a.Modality),
		DateTime:     start(a),
		Duration:     minutes(a.Duration),
		Division:     pl.policy.Division,
		Provider:     provider,
		Participants: invite,
		Metadata:     md,
	}
	if err := p.Validate(); err != nil {
		return nil, err.Error()
	}
	return p, ""
}

func (pl *planner) create(a *carelogic.Appointment, key string) {
	p, why := pl.createParams(a)
	if p == nil {
		if !a.Deleted {
			pl.skip(key, "", why)
		}
		return
	}
	if pl.policy.HoldCreateOnCandidate {
		if c := pl.candidates(a, p, key); len(c) > 0 {
			pl.out.Review = append(pl.out.Review, c...)
			pl.skip(key, "", fmt.Sprintf("not created: OnCall appointment %d without EHR metadata looks like it (review: add its emr_id to link it, or cancel it)", c[0].Appointment))
			return
		}
	}
	pl.add(Action{Kind: ActionCreate, Key: key, Create: p, Reason: "new in the EHR"})
}

// candidates applies OnCall's fallback heuristic: same provider and date, and the same title or a shared
// participant email.
func (pl *planner) candidates(a *carelogic.Appointment, p *oncall.AppointmentCreateParams, key string) []Candidate {
	var out []Candidate
	for _, m := range pl.unowned[unownedKey{p.Provider, a.Start.UTC().Format(time.DateOnly)}] {
		matched := []string{"provider", "date"}
		if strings.EqualFold(strings.TrimSpace(m.Title), strings.TrimSpace(p.Title)) {
			matched = append(matched, "title")
		}
		if sharesParticipant(m, a) {
			matched = append(matched, "participant")
		}
		if len(matched) > 2 {
			out = append(out, Candidate{Key: key, Appointment: m.ID, Matched: matched})
		}
	}
	return out
}

func sharesParticipant(m *oncall.Appointment, a *carelogic.Appointment) bool {
	for _, op := range m.Participants {
		for _, c := range a.Participants {
			if c.Email != "" && strings.EqualFold(op.Email, c.Email) {
				return true
			}
		}
	}
	return false
}

func (pl *planner) provider(staffID string) (oncall.ProviderID, bool) {
	if id, ok := pl.policy.Providers[staffID]; ok && id > 0 {
		return id, true
	}
	return pl.policy.DefaultProvider, pl.policy.DefaultProvider > 0
}

func (pl *planner) title(a *carelogic.Appointment) string {
	if t := strings.TrimSpace(a.Activity); t != "" {
		return t
	}
	if pl.policy.DefaultTitle != "" {
		return pl.policy.DefaultTitle
	}
	return "Appointment"
}

// appointmentType maps a modality Validate has accepted.
func appointmentType(m carelogic.Modality) oncall.AppointmentType {
	if m == carelogic.InPerson {
		return oncall.TypeInPerson
	}
	return oncall.TypeOnline
}

// start is a's start as the API stores it, to the second.
func start(a *carelogic.Appointment) time.Time { return a.Start.Truncate(time.Second) }

// minutes rounds a duration up to whole minutes, the API's unit: a 50 min 30 s session is booked for 51.
func minutes(d time.Duration) int { return int((d + time.Minute - 1) / time.Minute) }

// live reports whether the EHR still expects the appointment to happen for someone.
func live(a *carelogic.Appointment) bool {
	if a.Deleted {
		return false
	}
	for _, c := range a.Participants {
		if MapStatus(c.Status).Effect == EffectNone {
			return true
		}
	}
	return false
}

// allRemoved reports whether every client of a is marked Error.
func allRemoved(a *carelogic.Appointment) bool {
	for _, c := range a.Participants {
		if MapStatus(c.Status).Effect != EffectRemove {
			return false
		}
	}
	return len(a.Participants) > 0
}

func (pl *planner) update(a *carelogic.Appointment, key string, m *oncall.Appointment) {
	if m.Cancelled {
		if live(a) {
			pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is cancelled; the sync does not reopen it", m.ID))
		}
		return
	}
	// A closed appointment (completed, charged, marked no-show) is left alone, deletion included: cancelling it
	// would undo what was recorded or charged in OnCall.
	if m.Status != "" && m.Status != oncall.StatusIncomplete {
		if a.Deleted || pl.changesPending(a, m) {
			pl.skip(key, "", fmt.Sprintf("OnCall appointment %d is closed (%s); EHR changes are not synced to it", m.ID, m.Status))
		}
		return
	}
	if a.Deleted {
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "deleted in the EHR"})
		return
	}
	claimed, unclaimed, recorded := claim(a, m)
	if a.Kind == carelogic.Individual {
		c := a.Participants[0]
		if MapStatus(c.Status).Effect == EffectRemove && !pl.final(claimed[c.ClientID]) {
			pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Client: c.ClientID, Reason: "1:1 client marked Error in the EHR"})
			return
		}
		if claimed[c.ClientID] == nil && recorded[c.ClientID] == "" {
			pl.recreate(a, key, m)
			return
		}
	}
	if !live(a) && allRemoved(a) && !slices.ContainsFunc(a.Participants, func(c carelogic.Participant) bool { return pl.final(claimed[c.ClientID]) }) {
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "every client marked Error in the EHR"})
		return
	}
	upd, fields := pl.fieldChanges(a, m)
	var acts []Action
	newRoster := roster{}
	// Participants leave before others join, so count what remains after removals before checking the limit.
	count := len(m.Participants)
	for _, c := range a.Participants {
		if p := claimed[c.ClientID]; p != nil && MapStatus(c.Status).Effect == EffectRemove && !pl.final(p) {
			count--
		}
	}
	for _, p := range unclaimed {
		if _, ok := recorded.clientFor(emailHash(p.Email)); ok {
			count--
		}
	}
	for _, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := claimed[c.ClientID]
		if p == nil {
			switch {
			case eff.Effect == EffectRemove:
				newRoster[c.ClientID] = cmp.Or(recorded[c.ClientID], emailHash(c.Email))
			case recorded[c.ClientID] != "":
				// On the roster but not on the appointment: removed for Error, or never invited because it was
				// already cancelled when the appointment was created. Either way the sync does not add it back.
				newRoster[c.ClientID] = recorded[c.ClientID]
				if eff.Effect == EffectNone {
					pl.skip(key, c.ClientID, "client was removed from the OnCall appointment earlier and is not added back")
				}
			case !invitable(c.Status):
				newRoster[c.ClientID] = emailHash(c.Email) // joined already cancelled or absent: recorded, not invited
			case count >= oncall.MaxParticipants:
				pl.skip(key, c.ClientID, fmt.Sprintf("not added: the OnCall appointment already has %d participants", count))
			default:
				newRoster[c.ClientID] = emailHash(c.Email)
				count++
				acts = append(acts, Action{Kind: ActionAddParticipant, Key: key, Appointment: m.ID, Client: c.ClientID,
					Add: &oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee}, Reason: "added to the group in the EHR"})
			}
			continue
		}
		newRoster[c.ClientID] = emailHash(p.Email)
		if eff.Effect == EffectRemove && !pl.final(p) {
			acts = append(acts, Action{Kind: ActionRemoveParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID, Reason: "marked Error in the EHR"})
			continue
		}
		if c.Email != "" && !strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(c.Email)) {
			switch {
			case !pl.policy.PropagateEmail:
				pl.skip(key, c.ClientID, "email changed in the EHR; update the OnCall participant by hand (PropagateEmail is off)")
			case !pl.policy.Now.IsZero() && !a.Start.After(pl.policy.Now):
				pl.skip(key, c.ClientID, "email changed in the EHR; not carried to an appointment that has started")
			default:
				newRoster[c.ClientID] = emailHash(c.Email)
				acts = append(acts, Action{Kind: ActionUpdateParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
					ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr(c.Email)}, Fields: []string{"email"}, Reason: "email changed in the EHR"})
			}
		}
		pl.status(key, m, p, c, eff, &acts)
	}
	for _, p := range unclaimed {
		if client, ok := recorded.clientFor(emailHash(p.Email)); ok {
			acts = append(acts, Action{Kind: ActionRemoveParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: client, Reason: "no longer on the appointment in the EHR"})
		}
		// Otherwise it was added directly in OnCall (a co-host or third party): it stays.
	}
	want := maps.Clone(m.Metadata)
	if want == nil {
		want = oncall.Metadata{}
	}
	maps.Copy(want, baseMetadata(a))
	want[KeyEMRClients] = newRoster.encode()
	if !metadataEqual(want, m.Metadata) {
		upd.Metadata = want
		fields = append(fields, "metadata")
	}
	slices.SortStableFunc(acts, func(x, y Action) int { return kindOrder[x.Kind] - kindOrder[y.Kind] })
	for _, act := range acts {
		pl.add(act)
	}
	if len(fields) > 0 {
		pl.add(Action{Kind: ActionUpdate, Key: key, Appointment: m.ID, Update: upd, Fields: fields, Reason: "changed in the EHR"})
	}
}

// status plans a participant's status. After DNS, CBT or CBC has been set in OnCall, later EHR changes do not sync
// unless the policy allows it: that is the CareLogic integration's documented behaviour.
func (pl *planner) status(key string, m *oncall.Appointment, p *oncall.Participant, c carelogic.Participant, eff StatusMapping, acts *[]Action) {
	switch {
	case eff.Effect == EffectSetStatus && p.Status == eff.OnCall:
	case eff.Effect == EffectSetStatus && (p.Status == "" || pl.policy.StatusChangesAfterFinal):
		*acts = append(*acts, Action{Kind: ActionSetStatus, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
			Status: eff.OnCall, Reason: "marked " + string(c.Status) + " in the EHR"})
	case eff.Effect == EffectSetStatus:
		pl.skip(key, c.ClientID, fmt.Sprintf("EHR status %s not synced: OnCall already has %q, and later status changes do not sync", c.Status, p.Status))
	case p.Status != "":
		pl.skip(key, c.ClientID, fmt.Sprintf("EHR status %s not synced: OnCall already has %q, and later status changes do not sync", displayStatus(c.Status), p.Status))
	case c.Status == carelogic.StatusKept || c.Status.IsCustom():
		pl.skip(key, c.ClientID, eff.Reason)
	}
}

// final reports whether p has DNS, CBT or CBC set in OnCall and the policy holds it: then no later EHR status,
// Error included, syncs to p ("Subsequent status changes won't sync into OnCall after a hardcoded status is
// assigned").
func (pl *planner) final(p *oncall.Participant) bool {
	return p != nil && p.Status != "" && !pl.policy.StatusChangesAfterFinal
}

func displayStatus(s carelogic.Status) carelogic.Status {
	if s == "" {
		return carelogic.StatusScheduled
	}
	return s
}

// fieldChanges returns the appointment fields that differ from the EHR, as update parameters and their names.
func (pl *planner) fieldChanges(a *carelogic.Appointment, m *oncall.Appointment) (*oncall.AppointmentUpdateParams, []string) {
	upd := &oncall.AppointmentUpdateParams{}
	var fields []string
	if t := pl.title(a); m.Title != t {
		upd.Title, fields = oncall.Ptr(t), append(fields, "title")
	}
	if t := appointmentType(a.Modality); m.Type != t {
		upd.Type, fields = oncall.Ptr(t), append(fields, "type")
	}
	if !m.DateTime.Equal(start(a)) {
		upd.DateTime, fields = oncall.Ptr(start(a)), append(fields, "datetime")
	}
	if d := minutes(a.Duration); m.Duration != d {
		upd.Duration, fields = oncall.Ptr(d), append(fields, "duration")
	}
	if id := pl.policy.Providers[a.ProviderID]; id > 0 && m.Provider != id {
		upd.Provider, fields = oncall.Ptr(id), append(fields, "provider")
	}
	return upd, fields
}

// changesPending reports whether the EHR differs from a closed OnCall appointment in anything the sync would
// otherwise write.
func (pl *planner) changesPending(a *carelogic.Appointment, m *oncall.Appointment) bool {
	if _, fields := pl.fieldChanges(a, m); len(fields) > 0 {
		return true
	}
	claimed, _, _ := claim(a, m)
	for _, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := claimed[c.ClientID]
		if p != nil && (eff.Effect == EffectRemove || eff.Effect == EffectSetStatus && p.Status != eff.OnCall) {
			return true
		}
	}
	return false
}

// recreate replaces a 1:1 whose client changed: the old appointment is cancelled and marked superseded (so
// matching ignores it from then on), and a new one is created for the new client.
func (pl *planner) recreate(a *carelogic.Appointment, key string, m *oncall.Appointment) {
	if !pl.policy.RecreateOnClientChange {
		pl.skip(key, a.Participants[0].ClientID, "the 1:1's client changed; error the appointment out and book a new one in the EHR (RecreateOnClientChange is off)")
		return
	}
	p, why := pl.createParams(a)
	if p == nil {
		pl.skip(key, a.Participants[0].ClientID, "the 1:1's client changed but no replacement is created: "+why)
		return
	}
	md := maps.Clone(m.Metadata)
	md[KeyEMRSuperseded] = true
	pl.add(Action{Kind: ActionRecreate, Key: key, Appointment: m.ID, Client: a.Participants[0].ClientID,
		Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: md}, Create: p,
		Reason: "the 1:1's client changed in the EHR"})
}

// orphans cancels live, future OnCall appointments of the sources just read, inside the window, whose EHR
// appointment was not among those read.
func (pl *planner) orphans(seen, sources map[string]bool) {
	if !pl.policy.CancelOrphans || len(seen) == 0 {
		return
	}
	for _, key := range slices.Sorted(maps.Keys(pl.byKey)) {
		if seen[key] {
			continue
		}
		for _, m := range pl.byKey[key] {
			src, _ := m.Metadata.String(KeyEMRSource)
			if m.Cancelled || !sources[src] || !pl.window.contains(m.DateTime) || (!pl.policy.Now.IsZero() && !m.DateTime.After(pl.policy.Now)) {
				continue
			}
			pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "no longer in the EHR"})
		}
	}
}

// claim pairs the EHR clients of a with the participants of m: first by the email recorded for the client when the
// sync put it there (which follows it across an email change), then by its current email. It returns the pairs,
// the participants left over, and the recorded roster.
func claim(a *carelogic.Appointment, m *oncall.Appointment) (map[string]*oncall.Participant, []*oncall.Participant, roster) {
	rec := roster{}
	if s, ok := m.Metadata.String(KeyEMRClients); ok {
		rec = decodeRoster(s)
	}
	hashes := make([]string, len(m.Participants))
	for i := range m.Participants {
		hashes[i] = emailHash(m.Participants[i].Email)
	}
	taken := make([]bool, len(m.Participants))
	find := func(h string) *oncall.Participant {
		for i := range m.Participants {
			if !taken[i] && hashes[i] == h {
				taken[i] = true
				return &m.Participants[i]
			}
		}
		return nil
	}
	claimed := make(map[string]*oncall.Participant, len(a.Participants))
	for _, c := range a.Participants {
		if h := rec[c.ClientID]; h != "" {
			if p := find(h); p != nil {
				claimed[c.ClientID] = p
			}
		}
	}
	for _, c := range a.Participants {
		if claimed[c.ClientID] == nil {
			if p := find(emailHash(c.Email)); p != nil {
				claimed[c.ClientID] = p
			}
		}
	}
	// An appointment created before the sync recorded its roster (for example by an earlier integration): a 1:1
	// with one participant is that client, whatever the email says now.
	if len(rec) == 0 && a.Kind == carelogic.Individual && len(m.Participants) == 1 && claimed[a.Participants[0].ClientID] == nil {
		taken[0] = true
		claimed[a.Participants[0].ClientID] = &m.Participants[0]
	}
	var unclaimed []*oncall.Participant
	for i := range m.Participants {
		if !taken[i] {
			unclaimed = append(unclaimed, &m.Participants[i])
		}
	}
	return claimed, unclaimed, rec
}

// clientFor returns the client recorded with email hash h (the least id, if several share the address).
func (r roster) clientFor(h string) (string, bool) {
	found := ""
	for id, v := range r {
		if v == h && (found == "" || id < found) {
			found = id
		}
	}
	return found, found != ""
}
