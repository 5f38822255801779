package oncall

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// Participant is one person's place on one appointment, with the fields OnCall's published payloads show. A
// participant belongs to its appointment; the same person's record across appointments is a roster Contact.
//
// Who is on an appointment is changed through the appointment (AppointmentUpdateParams.Participants), the
// documented way; writes to a participant's own URL are an unconfirmed extension (see ParticipantsService.Create).
type Participant struct {
	// ID is the participant's numeric id, taken from URL.
	ID  ParticipantID `json:"-"`
	URL string        `json:"url"`
	// Appointment is the appointment the participant belongs to, when the API says (it does in listings).
	Appointment AppointmentID `json:"appointment,omitempty"`
	// Name, FirstName, LastName and Email are PHI: the client never logs them.
	Name      string `json:"name"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email"`
	// Fee is exact as sent: 10, 10.0 and "10.00" keep their digits.
	Fee Decimal `json:"fee,omitzero"`
	// Cancelled reports that the participant was withdrawn (cancelled by themselves or by staff) while staying on
	// the appointment: OnCall's documented per-participant cancellation.
	Cancelled bool `json:"cancelled"`
	// Status is a per-participant outcome ("No Show", "Cancelled by Provider", "Cancelled by Client"), decoded when a
	// server sends one. OnCall documents no such field: those labels are the CareLogic integration's wording of
	// what OnCall shows. See ParticipantStatus.
	Status ParticipantStatus `json:"status,omitempty"`
	// UserID is the OnCall user behind the participant, when the API sends it; 0 otherwise.
	UserID int64 `json:"user_id,omitempty"`
}

func (p *Participant) selfURL() string { return p.URL }

func (p *Participant) setID() { p.ID = ParticipantID(idFromURL(p.URL, kindParticipants)) }

func participantFromWire(p *Participant) Participant {
	p.setID()
	return *p
}

// Entry returns the participant as an entry of an update's participants list, as it is: an update that lists it
// keeps it unchanged. Change the entry's fields to change the participant (its Cancelled to withdraw them).
func (p *Participant) Entry() ParticipantEntry {
	return ParticipantEntry{URL: p.URL, Name: p.Name, Email: p.Email, Fee: p.Fee, Cancelled: p.Cancelled}
}

// ParticipantEntry is one participant in the list an appointment update gives the appointment
// (AppointmentUpdateParams.Participants): an existing participant named by its URL, kept and updated, or someone
// new (no URL), invited.
type ParticipantEntry struct {
	// URL names an existing participant of the appointment; empty invites a new one.
	URL string `json:"url,omitempty"`
	// Name and Email are PHI: the client never logs them. Someone new needs both; for an existing participant an
	// empty one is left out of the request, which leaves it as it is.
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Fee is the participant's fee; the zero Decimal leaves it as it is (the division's default for someone new).
	Fee Decimal `json:"fee,omitzero"`
	// Cancelled withdraws the participant while keeping them on the appointment: OnCall's documented
	// per-participant cancellation.
	Cancelled bool `json:"cancelled"`
}

// validateEntries checks a participants list for an update: one to MaxParticipants entries, no URL twice, and
// someone new (no URL) with a name and an email. An existing participant is sent back as OnCall holds it, which may
// lack what a new one needs (a co-host added without an email, say), so only its fee is checked.
func validateEntries(entries []ParticipantEntry, probs *problems) {
	switch n := len(entries); {
	case n == 0:
		probs.addf("participants: empty; an appointment keeps at least one participant (cancel it instead)")
	case n > MaxParticipants:
		probs.addf("participants: %d given, at most %d", n, MaxParticipants)
	}
	seen := make(map[string]bool, len(entries))
	for i := range entries {
		e := &entries[i]
		field := fmt.Sprintf("participants[%d]", i)
		if e.URL == "" {
			pp := ParticipantParams{Name: e.Name, Email: e.Email, Fee: e.Fee}
			pp.validate(field, probs)
			continue
		}
		if !e.Fee.IsZero() && strings.HasPrefix(e.Fee.String(), "-") {
			probs.addf("%s: fee is negative", field)
		}
		if seen[e.URL] {
			probs.addf("participants[%d]: the same participant URL is listed twice", i)
		}
		seen[e.URL] = true
	}
}

// checkEntryURLs refuses an entry whose URL is not a participant on the client's own origin: the list would
// otherwise name someone on another server, or another kind of resource.
func (c *Client) checkEntryURLs(entries []ParticipantEntry) error {
	var probs problems
	for i, e := range entries {
		if e.URL == "" {
			continue
		}
		r, err := c.ParseRef(e.URL)
		switch {
		case err != nil:
			probs.addf("participants[%d]: url: %v", i, strings.TrimPrefix(err.Error(), "oncall: "))
		case r.Kind != kindParticipants:
			probs.addf("participants[%d]: url names a %s resource, not a participant", i, strings.TrimSuffix(r.Kind, "s"))
		}
	}
	return probs.err("appointment update")
}

// ParticipantListOptions page a listing of participants, optionally of one appointment.
type ParticipantListOptions struct {
	ListOptions
	// Appointment, if set, lists only that appointment's participants. The filter is not documented (see
	// undocumented.go); the participants of one appointment are also in the appointment itself.
	Appointment AppointmentID
}

// ParticipantsService reads participants, and holds the unconfirmed participant writes (see Create). Get one from
// Client.Participants.
type ParticipantsService struct{ c *Client }

func (s *ParticipantsService) lister(opts *ParticipantListOptions) *lister[Participant, Participant] {
	q := url.Values{}
	if opts != nil {
		opts.ListOptions.apply(q)
		if opts.Appointment > 0 {
			q.Set(participantAppointmentFilter, itoa(int64(opts.Appointment)))
		}
	}
	return &lister[Participant, Participant]{c: s.c, first: s.c.endpoint(kindParticipants+"/", q), convert: participantFromWire}
}

// All returns an iterator over the participants, fetching pages lazily (see AppointmentsService.All).
func (s *ParticipantsService) All(ctx context.Context, opts *ParticipantListOptions) iter.Seq2[*Participant, error] {
	return s.lister(opts).all(ctx)
}

// Pages returns an iterator over the pages of the listing.
func (s *ParticipantsService) Pages(ctx context.Context, opts *ParticipantListOptions) iter.Seq2[*Page[Participant], error] {
	return s.lister(opts).pages(ctx)
}

// Get returns the participant with the given id, from the URL appointment payloads give it.
func (s *ParticipantsService) Get(ctx context.Context, id ParticipantID) (*Participant, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "participant id", Problems: []string{"must be positive"}}
	}
	var p Participant
	if err := s.c.do(ctx, "GET", s.path(id), nil, &p); err != nil {
		return nil, err
	}
	p.setID()
	return &p, nil
}

func (s *ParticipantsService) path(id ParticipantID) *url.URL {
	return s.c.endpoint(fmt.Sprintf("%s/%d/", kindParticipants, id), nil)
}
