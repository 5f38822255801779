package oncall

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// Participant is one person's place on one appointment. A participant belongs to its appointment; the same
// person's record across appointments is a roster Contact.
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
	Fee       Decimal `json:"fee,omitzero"`
	Cancelled bool    `json:"cancelled"`
	// Status is the participant's outcome, if set (see ParticipantStatus).
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

// ParticipantCreateParams adds a participant to an existing appointment.
type ParticipantCreateParams struct {
	Appointment AppointmentID
	ParticipantParams
}

// ParticipantUpdateParams changes a participant; only the fields set (non-nil) are sent.
type ParticipantUpdateParams struct {
	Name      *string
	Email     *string
	Fee       *Decimal
	Cancelled *bool
	Status    *ParticipantStatus
}

type participantUpdateWire struct {
	Name      *string            `json:"name,omitempty"`
	Email     *string            `json:"email,omitempty"`
	Fee       *Decimal           `json:"fee,omitempty"`
	Cancelled *bool              `json:"cancelled,omitempty"`
	Status    *ParticipantStatus `json:"status,omitempty"`
}

// Validate checks the fields that are set; an update that sets nothing is an error.
func (p *ParticipantUpdateParams) Validate() error {
	var probs problems
	if *p == (ParticipantUpdateParams{}) {
		probs.addf("no field is set")
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		probs.addf("name: empty")
	}
	if p.Email != nil && !plausibleEmail(*p.Email) {
		probs.addf("email: malformed")
	}
	if p.Fee != nil && (p.Fee.IsZero() || strings.HasPrefix(p.Fee.String(), "-")) {
		probs.addf("fee: missing or negative")
	}
	if p.Status != nil && !p.Status.Known() {
		probs.addf("status %q: must be one of %q, %q, %q", *p.Status, ParticipantNoShow, ParticipantCancelledByProvider, ParticipantCancelledByClient)
	}
	return probs.err("participant update")
}

// ParticipantListOptions page a listing of participants, optionally of one appointment.
type ParticipantListOptions struct {
	ListOptions
	// Appointment, if set, lists only that appointment's participants.
	Appointment AppointmentID
}

// ParticipantsService reads and writes participants. Get one from Client.Participants.
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

// Get returns the participant with the given id.
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

// Create adds a participant to an appointment. Like an appointment create, it is not retried once it may have
// reached the server.
func (s *ParticipantsService) Create(ctx context.Context, p *ParticipantCreateParams) (*Participant, error) {
	var probs problems
	if p == nil {
		return nil, &ValidationError{Resource: "participant", Problems: []string{"nil parameters"}}
	}
	if p.Appointment <= 0 {
		probs.addf("appointment is required")
	}
	p.ParticipantParams.validate("participant", &probs)
	if err := probs.err("participant"); err != nil {
		return nil, err
	}
	body := struct {
		Appointment string `json:"appointment"`
		ParticipantParams
	}{s.c.refURL(kindAppointments, int64(p.Appointment)), p.ParticipantParams}
	var out Participant
	if err := s.c.do(ctx, "POST", s.c.endpoint(kindParticipants+"/", nil), body, &out); err != nil {
		return nil, err
	}
	out.setID()
	return &out, nil
}

// Update changes the fields set in p (a PATCH).
func (s *ParticipantsService) Update(ctx context.Context, id ParticipantID, p *ParticipantUpdateParams) (*Participant, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "participant id", Problems: []string{"must be positive"}}
	}
	if p == nil {
		return nil, &ValidationError{Resource: "participant update", Problems: []string{"nil parameters"}}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	body := participantUpdateWire(*p)
	var out Participant
	if err := s.c.do(ctx, "PATCH", s.path(id), body, &out); err != nil {
		return nil, err
	}
	out.setID()
	return &out, nil
}

// SetStatus sets the participant's outcome: the CareLogic integration's DNS, CBT and CBC.
func (s *ParticipantsService) SetStatus(ctx context.Context, id ParticipantID, status ParticipantStatus) (*Participant, error) {
	return s.Update(ctx, id, &ParticipantUpdateParams{Status: &status})
}

// Delete removes the participant from its appointment: the CareLogic integration's "Error".
func (s *ParticipantsService) Delete(ctx context.Context, id ParticipantID) error {
	if id <= 0 {
		return &ValidationError{Resource: "participant id", Problems: []string{"must be positive"}}
	}
	return s.c.do(ctx, "DELETE", s.path(id), nil, nil)
}

func (s *ParticipantsService) path(id ParticipantID) *url.URL {
	return s.c.endpoint(fmt.Sprintf("%s/%d/", kindParticipants, id), nil)
}
