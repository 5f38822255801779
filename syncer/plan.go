package syncer

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
	sources := map[string]bool{}
	prevKey, prevSource := "", ""
	j := 0 // the EHR and pl.keyed are both in key order: they are matched by walking them together
	for i, it := range sortEHR(ehr) {
		if i > 0 && it.key == prevKey {
			pl.skip(it.key, "", "the EHR listed this appointment more than once; the most recently updated copy was used")
			continue
		}
		prevKey = it.key
		if i == 0 || it.a.Source != prevSource {
			sources[it.a.Source], prevSource = true, it.a.Source
		}
		for j < len(pl.keyed) && pl.keyed[j].key < it.key {
			j++
		}
		var e *keyed
		if j < len(pl.keyed) && pl.keyed[j].key == it.key {
			e = &pl.keyed[j]
			e.seen = true
		}
		pl.appointment(it.a, it.key, e)
	}
	pl.orphans(len(ehr) > 0, sources)
	return pl.out
}

// ehrItem is an EHR appointment with its key, computed once.
type ehrItem struct {
	key string
	a   *carelogic.Appointment
}

// sortEHR returns the appointments ordered by key and, for a key listed twice, newest update first, then latest
// start, then by content (their JSON encodings compared), so that which copy wins never depends on the order the
// EHR listed them in. Copies alike in all of that are identical, and either may win.
func sortEHR(ehr []carelogic.Appointment) []ehrItem {
	out := make([]ehrItem, len(ehr))
	for i := range ehr {
		out[i] = ehrItem{key: ehr[i].Key(), a: &ehr[i]}
	}
	slices.SortFunc(out, func(x, y ehrItem) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		if c := y.a.UpdatedAt.Compare(x.a.UpdatedAt); c != 0 {
			return c
		}
		if c := y.a.Start.Compare(x.a.Start); c != 0 {
			return c
		}
		return bytes.Compare(encoded(x.a), encoded(y.a)) // only ever reached for a key listed twice, which is rare
	})
	return out
}

// encoded returns a's JSON encoding, which holds every field of an appointment.
func encoded(a *carelogic.Appointment) []byte {
	b, _ := json.Marshal(a) // an Appointment holds nothing json cannot encode
	return b
}

type planner struct {
	policy Policy
	window Window
	out    *Changeset
	keyed  []keyed
	// unowned holds live appointments without EHR metadata, by provider and UTC date, for the review heuristic.
	unowned map[unownedKey][]*oncall.Appointment
	// Scratch space reused from one appointment to the next, so that planning a synced appointment allocates
	// next to nothing.
	pairing pairing
	roster  roster
	buf     []byte
}

// keyed is the OnCall appointments that carry one EHR key, oldest first, and whether the EHR listed that key.
type keyed struct {
	key  string
	list []candidate
	one  [1]candidate // list's storage while it holds one appointment, the usual case
	seen bool
}

// candidate is an OnCall appointment with the sync's metadata read once, when the planner indexes it: reading it
// again when the appointment is planned would fetch the map from memory a second time.
type candidate struct {
	m       *oncall.Appointment
	id      metaString
	source  metaString
	series  metaString
	clients metaString
}

// scanMeta reads the sync's keys from md in one pass over the map, each as oncall.Metadata.String reads it.
func scanMeta(md oncall.Metadata) (c candidate, superseded bool) {
	for name, v := range md {
		switch name {
		case KeyEMRID:
			c.id.v, c.id.ok = metaText(v)
		case KeyEMRSource:
			c.source.v, c.source.ok = metaText(v)
		case KeyEMRSeries:
			c.series.v, c.series.ok = metaText(v)
		case KeyEMRClients:
			c.clients.v, c.clients.ok = metaText(v)
		case KeyEMRSuperseded:
			b, ok := v.(bool)
			superseded = ok && b
		}
	}
	return c, superseded
}

// metaText is oncall.Metadata.String for one value: a string, or an integer in base 10.
func metaText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	}
	return "", false
}

type unownedKey struct {
	provider oncall.ProviderID
	date     string
}

func (pl *planner) index(existing []oncall.Appointment) {
	// The OnCall appointments are grouped by EHR key by sorting rather than hashing: with tens of thousands of
	// keys, a hash table is probed at random, while a sorted list is walked in step with the sorted EHR.
	type owned struct {
		key string
		c   candidate
	}
	byKey := make([]owned, 0, len(existing))
	pl.unowned = map[unownedKey][]*oncall.Appointment{}
	for i := range existing {
		m := &existing[i]
		c, sup := scanMeta(m.Metadata)
		if sup {
			continue
		}
		c.m = m
		switch key := joinKey(c.source.v, c.id.v); {
		case key != "":
			byKey = append(byKey, owned{key, c})
		case !m.Cancelled && !m.DateTime.IsZero():
			k := unownedKey{m.Provider, m.DateTime.UTC().Format(time.DateOnly)}
			pl.unowned[k] = append(pl.unowned[k], m)
		}
	}
	slices.SortFunc(byKey, func(a, b owned) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.c.m.ID, b.c.m.ID)) })
	pl.keyed = make([]keyed, 0, len(byKey)) // never grows past its capacity, so pointers into it stay valid
	for _, o := range byKey {
		if n := len(pl.keyed); n > 0 && pl.keyed[n-1].key == o.key {
			pl.keyed[n-1].list = append(pl.keyed[n-1].list, o.c)
			continue
		}
		pl.keyed = append(pl.keyed, keyed{key: o.key})
		e := &pl.keyed[len(pl.keyed)-1]
		e.list = append(e.one[:0], o.c)
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
func (pl *planner) match(key string, e *keyed) *candidate {
	if e == nil {
		return nil
	}
	var first *candidate
	live := 0
	for i := range e.list {
		if !e.list[i].m.Cancelled {
			if live == 0 {
				first = &e.list[i]
			}
			live++
		}
	}
	switch {
	case live > 1:
		ids := make([]string, 0, live)
		for _, c := range e.list {
			if !c.m.Cancelled {
				ids = append(ids, fmt.Sprint(c.m.ID))
			}
		}
		pl.skip(key, "", fmt.Sprintf("duplicate OnCall appointments %s carry this EHR id; syncing %d, review the others", strings.Join(ids, ", "), first.m.ID))
		return first
	case live == 1:
		return first
	case len(e.list) > 0:
		return &e.list[len(e.list)-1]
	}
	return nil
}

func (pl *planner) appointment(a *carelogic.Appointment, key string, e *keyed) {
	if err := a.Validate(); err != nil {
		pl.skip(key, "", err.Error())
		return
	}
	c := pl.match(key, e)
	if c == nil {
		pl.create(a, key)
		return
	}
	pl.update(a, key, c)
}

// invitable reports whether a participant with status s is invited to a new appointment: nobody who has already
// cancelled, not shown or been marked Error is sent an invitation.
func invitable(s carelogic.Status) bool { return effectOf(s) == EffectNone }

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
	rs := pl.roster[:0]
	var invite []oncall.ParticipantParams
	for _, c := range a.Participants {
		rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
		if invitable(c.Status) {
			invite = append(invite, oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee})
		}
	}
	pl.roster = rs
	if len(invite) == 0 {
		return nil, "no client left to invite: every participant is cancelled, a no-show or in error"
	}
	md := baseMetadata(a)
	md[KeyEMRClients] = rs.normalize().encode()
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
		if effectOf(c.Status) == EffectNone {
			return true
		}
	}
	return false
}

// allRemoved reports whether every client of a is marked Error.
func allRemoved(a *carelogic.Appointment) bool {
	for _, c := range a.Participants {
		if effectOf(c.Status) != EffectRemove {
			return false
		}
	}
	return len(a.Participants) > 0
}

func (pl *planner) update(a *carelogic.Appointment, key string, cand *candidate) {
	m := cand.m
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
	pr := &pl.pairing
	clients := cand.clients
	pr.pair(a, m, clients)
	recorded := pr.recorded
	if a.Kind == carelogic.Individual {
		c := a.Participants[0]
		if effectOf(c.Status) == EffectRemove && !pl.final(pr.participant(m, 0)) {
			pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Client: c.ClientID, Reason: "1:1 client marked Error in the EHR"})
			return
		}
		if pr.client[0] < 0 && recorded.get(c.ClientID) == "" {
			pl.recreate(a, key, m)
			return
		}
	}
	if !live(a) && allRemoved(a) && !pl.anyFinal(a, m) {
		pl.add(Action{Kind: ActionCancel, Key: key, Appointment: m.ID, Reason: "every client marked Error in the EHR"})
		return
	}
	upd, fields := pl.fieldChanges(a, m)
	var acts []Action
	rs := pl.roster[:0]
	// Participants leave before others join, so count what remains after removals before checking the limit.
	count := len(m.Participants)
	for i, c := range a.Participants {
		if p := pr.participant(m, i); p != nil && effectOf(c.Status) == EffectRemove && !pl.final(p) {
			count--
		}
	}
	for j := range m.Participants {
		if _, ok := recorded.clientFor(&pr.digests[j]); !pr.taken[j] && ok {
			count--
		}
	}
	for i, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := pr.participant(m, i)
		if p == nil {
			switch rec := recorded.get(c.ClientID); {
			case eff.Effect == EffectRemove && rec != "":
				rs = append(rs, rosterEntry{id: c.ClientID, hash: rec})
			case eff.Effect == EffectRemove:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
			case rec != "":
				// On the roster but not on the appointment: removed for Error, or never invited because it was
				// already cancelled when the appointment was created. Either way the sync does not add it back.
				rs = append(rs, rosterEntry{id: c.ClientID, hash: rec})
				if eff.Effect == EffectNone {
					pl.skip(key, c.ClientID, "client was removed from the OnCall appointment earlier and is not added back")
				}
			case !invitable(c.Status):
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)}) // joined already cancelled or absent: recorded, not invited
			case count >= oncall.MaxParticipants:
				pl.skip(key, c.ClientID, fmt.Sprintf("not added: the OnCall appointment already has %d participants", count))
			default:
				rs = append(rs, rosterEntry{id: c.ClientID, d: digestOf(c.Email)})
				count++
				acts = append(acts, Action{Kind: ActionAddParticipant, Key: key, Appointment: m.ID, Client: c.ClientID,
					Add: &oncall.ParticipantParams{Name: c.Name, Email: c.Email, Fee: pl.policy.Fee}, Reason: "added to the group in the EHR"})
			}
			continue
		}
		rs = append(rs, rosterEntry{id: c.ClientID, d: pr.digests[pr.client[i]]})
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
				rs[len(rs)-1].d = digestOf(c.Email)
				acts = append(acts, Action{Kind: ActionUpdateParticipant, Key: key, Appointment: m.ID, Participant: p.ID, Client: c.ClientID,
					ParticipantUpdate: &oncall.ParticipantUpdateParams{Email: oncall.Ptr(c.Email)}, Fields: []string{"email"}, Reason: "email changed in the EHR"})
			}
		}
		pl.status(key, m, p, c, eff, &acts)
	}
	for j := range m.Participants {
		if pr.taken[j] {
			continue
		}
		if client, ok := recorded.clientFor(&pr.digests[j]); ok {
			acts = append(acts, Action{Kind: ActionRemoveParticipant, Key: key, Appointment: m.ID, Participant: m.Participants[j].ID,
				Client: client, Reason: "no longer on the appointment in the EHR"})
		}
		// Otherwise it was added directly in OnCall (a co-host or third party): it stays.
	}
	rs = rs.normalize()
	pl.roster = rs
	pl.buf = rs.appendTo(pl.buf[:0])
	if !clients.ok || clients.v != string(pl.buf) || !metadataCurrent(cand, a) {
		want := maps.Clone(m.Metadata)
		if want == nil {
			want = oncall.Metadata{}
		}
		maps.Copy(want, baseMetadata(a))
		want[KeyEMRClients] = string(pl.buf)
		if !metadataEqual(want, m.Metadata) {
			upd.Metadata = want
			fields = append(fields, "metadata")
		}
	}
	slices.SortStableFunc(acts, func(x, y Action) int { return kindOrder[x.Kind] - kindOrder[y.Kind] })
	for _, act := range acts {
		pl.add(act)
	}
	if len(fields) > 0 {
		u := upd
		pl.add(Action{Kind: ActionUpdate, Key: key, Appointment: m.ID, Update: &u, Fields: fields, Reason: "changed in the EHR"})
	}
}

// anyFinal reports whether any client of a is paired with a participant whose status is final (see final).
// metadataCurrent reports whether c's metadata already holds the keys that identify a (id, source and series),
// so that the usual case, nothing to record, costs no copy of the metadata.
func metadataCurrent(c *candidate, a *carelogic.Appointment) bool {
	return c.id == metaString{a.ID, true} && (a.Source == "" || c.source == metaString{a.Source, true}) &&
		(a.SeriesID == "" || c.series == metaString{a.SeriesID, true})
}

// metaString is a metadata value as oncall.Metadata.String reads it.
type metaString struct {
	v  string
	ok bool
}

func readMeta(md oncall.Metadata, key string) metaString {
	v, ok := md.String(key)
	return metaString{v, ok}
}

func (pl *planner) anyFinal(a *carelogic.Appointment, m *oncall.Appointment) bool {
	for i := range a.Participants {
		if pl.final(pl.pairing.participant(m, i)) {
			return true
		}
	}
	return false
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
func (pl *planner) fieldChanges(a *carelogic.Appointment, m *oncall.Appointment) (oncall.AppointmentUpdateParams, []string) {
	var upd oncall.AppointmentUpdateParams
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
	pr := &pl.pairing
	pr.pair(a, m, readMeta(m.Metadata, KeyEMRClients))
	for i, c := range a.Participants {
		eff := MapStatus(c.Status)
		p := pr.participant(m, i)
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
	md := maps.Clone(m.Metadata)
	md[KeyEMRSuperseded] = true
	p, why := pl.createParams(a)
	if p == nil {
		// No replacement (the new client is already cancelled, say): the old client must not stay invited to an
		// appointment that is no longer theirs, unless it is over.
		if !pl.policy.Now.IsZero() && !a.End().After(pl.policy.Now) {
			pl.skip(key, a.Participants[0].ClientID, "the 1:1's client changed but no replacement is created: "+why)
			return
		}
		pl.add(Action{Kind: ActionUpdate, Key: key, Appointment: m.ID, Client: a.Participants[0].ClientID,
			Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: md}, Fields: []string{"cancelled", "metadata"},
			Reason: "the 1:1's client changed in the EHR; the old appointment is cancelled and no replacement created: " + why})
		return
	}
	pl.add(Action{Kind: ActionRecreate, Key: key, Appointment: m.ID, Client: a.Participants[0].ClientID,
		Update: &oncall.AppointmentUpdateParams{Cancelled: oncall.Ptr(true), Metadata: md}, Create: p,
		Reason: "the 1:1's client changed in the EHR"})
}

// orphans cancels live, future OnCall appointments of the sources just read, inside the window, whose EHR
// appointment was not among those read. Nothing is cancelled when the EHR returned nothing at all, which more
// likely means a failed read than an emptied schedule.
func (pl *planner) orphans(readAny bool, sources map[string]bool) {
	if !pl.policy.CancelOrphans || !readAny {
		return
	}
	for i := range pl.keyed { // in key order
		e := &pl.keyed[i]
		if e.seen {
			continue
		}
		for _, c := range e.list {
			m := c.m
			if m.Cancelled || !sources[c.source.v] || !pl.window.contains(m.DateTime) || (!pl.policy.Now.IsZero() && !m.DateTime.After(pl.policy.Now)) {
				continue
			}
			pl.add(Action{Kind: ActionCancel, Key: e.key, Appointment: m.ID, Reason: "no longer in the EHR"})
		}
	}
}

// pairing is how the clients of an EHR appointment pair with the participants of its OnCall appointment: first
// by the email recorded for the client when the sync put it there (which follows it across an email change), then
// by its current email. A planner keeps one and reuses its storage.
type pairing struct {
	// client[i] is the index in m.Participants of a.Participants[i]'s participant, or -1.
	client []int
	// taken[j] reports whether m.Participants[j] is paired with a client.
	taken []bool
	// digests[j] fingerprints m.Participants[j]'s email.
	digests []digest
	// recorded is the roster m's metadata records.
	recorded roster
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
	pr.recorded = pr.recorded[:0]
	if clients.ok {
		pr.recorded = decodeRosterInto(pr.recorded, clients.v)
	}
	n := len(m.Participants)
	pr.taken = slices.Grow(pr.taken[:0], n)[:n]
	clear(pr.taken)
	pr.digests = slices.Grow(pr.digests[:0], n)[:n]
	for j := range m.Participants {
		pr.digests[j] = digestOf(m.Participants[j].Email)
	}
	pr.client = slices.Grow(pr.client[:0], len(a.Participants))[:len(a.Participants)]
	for i := range pr.client {
		pr.client[i] = -1
	}
	take := func(match func(j int) bool) int {
		for j := range pr.digests {
			if !pr.taken[j] && match(j) {
				pr.taken[j] = true
				return j
			}
		}
		return -1
	}
	for i, c := range a.Participants {
		if h := pr.recorded.get(c.ClientID); h != "" {
			pr.client[i] = take(func(j int) bool { return pr.digests[j].is(h) })
		}
	}
	for i, c := range a.Participants {
		if pr.client[i] < 0 {
			d := digestOf(c.Email)
			pr.client[i] = take(func(j int) bool { return pr.digests[j] == d })
		}
	}
	// An appointment created before the sync recorded its roster (for example by an earlier integration): a 1:1
	// with one participant is that client, whatever the email says now. (PlanEHR pairs EHR appointments that were
	// never validated, so a 1:1 may have no client at all.)
	if len(pr.recorded) == 0 && a.Kind == carelogic.Individual && n == 1 && len(pr.client) > 0 && pr.client[0] < 0 {
		pr.taken[0] = true
		pr.client[0] = 0
	}
}
