package oncall

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"context"
	"strings"
)

// This file holds, in one place, the participant extension: the parts of the client that rest on a guess because
// OnCall's public documentation is silent. OnCall documents no participant "status" field and no POST, PATCH or
// DELETE on /participants/; the documented way to change who is on an appointment, and to cancel one participant,
// is the appointment's own "participants" array (AppointmentUpdateParams.Participants). The extension is the
// likeliest reading of the evidence (the participant URLs in OnCall's payloads, the CareLogic integration's
// participant-level labels) and is unconfirmed: use it only where your account has shown it to work (the
// contract suite in oncall/contract probes it).
//
// Against a server without it, a write here fails with an *APIError of 405 (ErrMethodNotAllowed), and a status the
// server does not know is answered with a participant that lacks it: every write is checked against the answer,
// so that is a *WriteIgnoredError (ErrWriteIgnored), never a silent success.

// ParticipantStatus is a per-participant outcome, part of the participant extension: "No Show", "Cancelled by
// Provider" or "Cancelled by Client". These are the CareLogic integration's wording of what OnCall shows for
// DNS, CBT and CBC, not an observed API field. On the documented API, a 1:1's outcome is the appointment's status
// (StatusNoShow, StatusProviderCancelled, StatusPatientCancelled) and a group participant's cancellation is their
// Cancelled flag; a group participant's no-show has no documented field.
type ParticipantStatus string

const (
	// ParticipantNoShow is CareLogic's DNS.
	ParticipantNoShow ParticipantStatus = "No Show"
	// ParticipantCancelledByProvider is CareLogic's CBT.
	ParticipantCancelledByProvider ParticipantStatus = "Cancelled by Provider"
	// ParticipantCancelledByClient is CareLogic's CBC.
	ParticipantCancelledByClient ParticipantStatus = "Cancelled by Client"
)

// Known reports whether s is one of the three statuses above.
func (s ParticipantStatus) Known() bool {
	switch s {
	case ParticipantNoShow, ParticipantCancelledByProvider, ParticipantCancelledByClient:
		return true
	}
	return false
}

// participantAppointmentFilter is the query parameter that lists one appointment's participants (a guess:
// Django REST Framework's usual filter on the foreign key).
const participantAppointmentFilter = "appointment"

// ParticipantCreateParams adds a participant to an existing appointment (participant extension).
type ParticipantCreateParams struct {
	Appointment AppointmentID
	ParticipantParams
}

// ParticipantUpdateParams changes a participant (participant extension); only the fields set (non-nil) are sent.
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
		probs.addf("status %s: must be one of %q, %q, %q", redact.Value(string(*p.Status)), ParticipantNoShow, ParticipantCancelledByProvider, ParticipantCancelledByClient)
	}
	return probs.err("participant update")
}

// Create adds a participant to an appointment with POST /participants/, naming the appointment by URL: part of
// the unconfirmed participant extension (see the top of undocumented.go); the documented way is an appointment
// update listing the new participant. Like an appointment create, it is not retried once it may have reached the
// server, and its answer is checked against what was sent (*WriteIgnoredError).
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
	target := s.c.endpoint(kindParticipants+"/", nil)
	var out Participant
	if err := s.c.do(ctx, "POST", target, body, &out); err != nil {
		return nil, err
	}
	out.setID()
	return &out, ignored("POST", target.Path, verifyParticipant(&p.ParticipantParams, &ParticipantUpdateParams{}, &out))
}

// Update changes the fields set in p with PATCH /participants/{id}/: part of the unconfirmed participant extension
// (see the top of undocumented.go). Its answer is checked against what was sent (*WriteIgnoredError).
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
	target := s.path(id)
	var out Participant
	if err := s.c.do(ctx, "PATCH", target, body, &out); err != nil {
		return nil, err
	}
	out.setID()
	return &out, ignored("PATCH", target.Path, verifyParticipant(nil, p, &out))
}

// SetStatus sets the participant's status field: the CareLogic integration's DNS, CBT and CBC as the participant
// extension guesses them (see ParticipantStatus). A server without the field answers without it: a
// *WriteIgnoredError.
func (s *ParticipantsService) SetStatus(ctx context.Context, id ParticipantID, status ParticipantStatus) (*Participant, error) {
	return s.Update(ctx, id, &ParticipantUpdateParams{Status: &status})
}

// Delete removes the participant from its appointment with DELETE /participants/{id}/: part of the unconfirmed
// participant extension (see the top of undocumented.go). The documented way is an appointment update whose
// participants list leaves them out.
func (s *ParticipantsService) Delete(ctx context.Context, id ParticipantID) error {
	if id <= 0 {
		return &ValidationError{Resource: "participant id", Problems: []string{"must be positive"}}
	}
	return s.c.do(ctx, "DELETE", s.path(id), nil, nil)
}
