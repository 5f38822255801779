package oncall

import (
	"github.com/oncallsync/oncall-go/internal/redact"

	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/oncallsync/oncall-go/internal/timeparse"
)

// AppointmentType is how an appointment takes place. The API documents four values; a value it adds later is
// kept as sent when decoding, but only the four documented ones are sent.
type AppointmentType string

const (
	TypeOnline   AppointmentType = "online"   // video, shown as "Video" in OnCall
	TypeInPerson AppointmentType = "inperson" // in person; note: no underscore
	TypePhone    AppointmentType = "phone"
	TypeMessage  AppointmentType = "message" // asynchronous messaging; the only type without a datetime
)

// Known reports whether t is one of the four documented types.
func (t AppointmentType) Known() bool {
	switch t {
	case TypeOnline, TypeInPerson, TypePhone, TypeMessage:
		return true
	}
	return false
}

// AppointmentStatus is an appointment's completion status, which OnCall documents as read-write. The values below
// are the ones OnCall's own apps use (the public docs list none); an unknown value is kept as sent when decoding,
// but only these are sent.
type AppointmentStatus string

const (
	StatusIncomplete           AppointmentStatus = "Incomplete" // upcoming, or not yet completed
	StatusComplete             AppointmentStatus = "Complete"
	StatusChargeFailed         AppointmentStatus = "Charge failed"
	StatusCoordinatorCancelled AppointmentStatus = "Coordinator cancelled"
	StatusProviderCancelled    AppointmentStatus = "Provider cancelled"
	StatusPatientCancelled     AppointmentStatus = "Patient cancelled"
	StatusStaffCancelled       AppointmentStatus = "Staff cancelled"
	StatusFeeWaived            AppointmentStatus = "Fee waived"
	StatusNoShow               AppointmentStatus = "No show"
	StatusNoShowFeeCharged     AppointmentStatus = "No-show fee charged"
)

// Known reports whether s is one of the statuses above.
func (s AppointmentStatus) Known() bool {
	switch s {
	case StatusIncomplete, StatusComplete, StatusChargeFailed, StatusCoordinatorCancelled, StatusProviderCancelled,
		StatusPatientCancelled, StatusStaffCancelled, StatusFeeWaived, StatusNoShow, StatusNoShowFeeCharged:
		return true
	}
	return false
}

// MaxParticipants is the most participants an appointment may have (documented by the API).
const MaxParticipants = 25

// Appointment is an OnCall appointment as the API returns it.
type Appointment struct {
	// ID is the appointment's numeric id, taken from URL.
	ID AppointmentID `json:"-"`
	// URL is the appointment's own URL; store it on the EHR record to make matching exact.
	URL   string `json:"url"`
	Title string `json:"title"`
	// DateTime is when the appointment starts; zero for a message appointment.
	DateTime time.Time `json:"datetime"`
	// Duration is the length in minutes.
	Duration int             `json:"duration"`
	Type     AppointmentType `json:"type"`
	// Status is the completion status; empty when the API did not send one.
	Status    AppointmentStatus `json:"status,omitempty"`
	Cancelled bool              `json:"cancelled"`
	Division  DivisionID        `json:"division"`
	// Provider is the provider the appointment is with; 0 when the API did not send one.
	Provider     ProviderID    `json:"provider,omitempty"`
	Participants []Participant `json:"participants"`
	Metadata     Metadata      `json:"metadata"`
	// Cancellation is the API's "cancellation" field as sent, or "" when it is null or absent. It is opaque: OnCall
	// documents no such field, and its own app only tests it for null (non-null once the appointment is
	// cancelled). It is most likely the URL of a cancellation record, not the reason a patient gave; do not show
	// it as text.
	Cancellation string `json:"cancellation,omitempty"`
}

// UnmarshalJSON decodes an appointment as the API sends it, leniently: a one-digit hour in datetime, a fee as a
// number or a string, references as URLs or ids, unknown fields ignored and unknown enum values kept.
func (a *Appointment) UnmarshalJSON(b []byte) error {
	var w appointmentWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = w.appointment()
	return nil
}

// appointmentWire is the decoding form of Appointment: the same fields, with the lenient time type.
type appointmentWire struct {
	URL          string          `json:"url"`
	Title        string          `json:"title"`
	DateTime     wireTime        `json:"datetime"`
	Duration     int             `json:"duration"`
	Type         AppointmentType `json:"type"`
	Cancelled    bool            `json:"cancelled"`
	Division     DivisionID      `json:"division"`
	Participants []Participant   `json:"participants"`
	Metadata     Metadata        `json:"metadata"`
	Cancellation *string         `json:"cancellation"`
	// Provider and Status record whether the answer carried them at all, for write verification: OnCall's published
	// payloads show neither, so a field the answer leaves out cannot be checked.
	Provider optional[ProviderID]        `json:"provider"`
	Status   optional[AppointmentStatus] `json:"status"`
}

func (w *appointmentWire) selfURL() string { return w.URL }

func (w *appointmentWire) appointment() Appointment {
	a := Appointment{
		ID:           AppointmentID(idFromURL(w.URL, kindAppointments)),
		URL:          w.URL,
		Title:        w.Title,
		DateTime:     w.DateTime.t,
		Duration:     w.Duration,
		Type:         w.Type,
		Status:       w.Status.v,
		Cancelled:    w.Cancelled,
		Division:     w.Division,
		Provider:     w.Provider.v,
		Participants: w.Participants,
		Metadata:     w.Metadata,
	}
	if w.Cancellation != nil {
		a.Cancellation = *w.Cancellation
	}
	for i := range a.Participants {
		a.Participants[i].setID()
	}
	return a
}

// optional is a field of an answer that records whether the answer carried it (null included).
type optional[T any] struct {
	v   T
	set bool
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	switch v := any(&o.v).(type) {
	case json.Unmarshaler:
		return v.UnmarshalJSON(b)
	case *AppointmentStatus:
		// Every appointment has one; read a plain string where it lies rather than through a second decoder.
		if s, next, ok := scanPlainString(b, 0); ok && next == len(b) {
			*v = AppointmentStatus(s)
			return nil
		}
	}
	if bytes.Equal(b, []byte("null")) {
		var zero T
		o.v = zero
		return nil
	}
	return json.Unmarshal(b, &o.v)
}

// wireTime decodes the API's date-times leniently (see internal/timeparse); null and "" are the zero time.
type wireTime struct{ t time.Time }

func (w *wireTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		w.t = time.Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || bytes.IndexByte(b[1:len(b)-1], '\\') >= 0 {
		return fmt.Errorf("oncall: datetime: not a JSON string")
	}
	t, err := timeparse.Parse(string(b[1 : len(b)-1]))
	if err != nil {
		return fmt.Errorf("oncall: datetime: %w", err)
	}
	w.t = t
	return nil
}

// formatTime renders a time as the API's examples do: UTC, whole seconds, with a Z.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ParticipantParams describes a participant to invite when creating an appointment or adding a participant.
type ParticipantParams struct {
	// Name is the participant's display name. It is PHI: the client never logs it.
	Name string `json:"name"`
	// Email is where OnCall sends the invitation. It is PHI: the client never logs it.
	Email string `json:"email"`
	// Fee is the participant's fee; the zero Decimal leaves the division's default.
	Fee Decimal `json:"fee,omitzero"`
}

// Validate checks what OnCall requires of someone new before any request is made: a name, an email that is
// plausibly an address (OnCall does the real check), and a fee that is not negative. Creating an appointment or
// sending a participants list runs it on each newcomer; call it first to set one aside rather than have the whole
// request refused. The error names what is wrong, never the value.
func (p *ParticipantParams) Validate() error {
	var probs problems
	p.validate("", &probs)
	return probs.err("participant")
}

func (p *ParticipantParams) validate(field string, probs *problems) {
	prefix := ""
	if field != "" {
		prefix = field + ": "
	}
	if strings.TrimSpace(p.Name) == "" {
		probs.addf("%sname is required", prefix)
	}
	if !plausibleEmail(p.Email) {
		probs.addf("%semail is missing or malformed", prefix)
	}
	if !p.Fee.IsZero() && strings.HasPrefix(p.Fee.String(), "-") {
		probs.addf("%sfee is negative", prefix)
	}
}

// plausibleEmail rejects what is surely not an address; the server does the real check.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// AppointmentCreateParams describes a new appointment. Title, Type, Duration, Division and at least one
// participant are required, and DateTime unless Type is TypeMessage.
type AppointmentCreateParams struct {
	Title    string
	Type     AppointmentType
	DateTime time.Time
	// Duration is the length in minutes.
	Duration int
	Division DivisionID
	// Provider is optional when the token belongs to a provider (it defaults to that provider) and required when it
	// belongs to a coordinator.
	Provider     ProviderID
	Participants []ParticipantParams
	// Metadata should carry the EHR's id of the appointment, so that it can be found again without guessing.
	Metadata Metadata
}

type appointmentCreateWire struct {
	Title        string              `json:"title"`
	Type         AppointmentType     `json:"type"`
	DateTime     string              `json:"datetime,omitempty"`
	Duration     int                 `json:"duration"`
	Division     string              `json:"division"`
	Provider     string              `json:"provider,omitempty"`
	Participants []ParticipantParams `json:"participants"`
	Metadata     Metadata            `json:"metadata,omitempty"`
}

// Validate checks p against the API's documented rules and limits without sending anything. Create calls it.
func (p *AppointmentCreateParams) Validate() error {
	var probs problems
	if strings.TrimSpace(p.Title) == "" {
		probs.addf("title is required")
	}
	validateType(p.Type, &probs)
	if p.DateTime.IsZero() && p.Type != TypeMessage {
		probs.addf("datetime is required unless type is %q", TypeMessage)
	}
	validateDuration(p.Duration, &probs)
	if p.Division <= 0 {
		probs.addf("division is required")
	}
	if p.Provider < 0 {
		probs.addf("provider: negative id")
	}
	switch n := len(p.Participants); {
	case n == 0:
		probs.addf("participants: at least one is required")
	case n > MaxParticipants:
		probs.addf("participants: %d given, at most %d", n, MaxParticipants)
	}
	for i := range p.Participants {
		p.Participants[i].validate(fmt.Sprintf("participants[%d]", i), &probs)
	}
	p.Metadata.validate(&probs)
	return probs.err("appointment")
}

func validateType(t AppointmentType, probs *problems) {
	if !t.Known() {
		probs.addf("type %s: must be one of online, inperson, phone, message", redact.Value(string(t)))
	}
}

func validateDuration(d int, probs *problems) {
	if d <= 0 || d > math.MaxInt32 {
		probs.addf("duration: %d minutes, must be positive", d)
	}
}

func (c *Client) createWire(p *AppointmentCreateParams) appointmentCreateWire {
	w := appointmentCreateWire{
		Title:        p.Title,
		Type:         p.Type,
		Duration:     p.Duration,
		Division:     c.refURL(kindDivisions, int64(p.Division)),
		Participants: p.Participants,
		Metadata:     p.Metadata,
	}
	if !p.DateTime.IsZero() {
		w.DateTime = formatTime(p.DateTime)
	}
	if p.Provider > 0 {
		w.Provider = c.refURL(kindProviders, int64(p.Provider))
	}
	if w.Participants == nil {
		w.Participants = []ParticipantParams{}
	}
	return w
}

// AppointmentUpdateParams describes a change to an appointment. Only the fields that are set (non-nil) are sent,
// so a PATCH never overwrites what the caller did not mean to change. Ptr makes a pointer from a value.
type AppointmentUpdateParams struct {
	Title    *string
	Type     *AppointmentType
	DateTime *time.Time
	// Duration is the length in minutes.
	Duration *int
	Division *DivisionID
	Provider *ProviderID
	// Status sets the completion status, which OnCall documents as read-write: StatusNoShow for a client who did
	// not attend, StatusProviderCancelled or StatusPatientCancelled (with Cancelled) for who cancelled,
	// StatusComplete to complete it (which may charge its fees).
	Status    *AppointmentStatus
	Cancelled *bool
	// Participants, when non-nil, is the whole list of participants the appointment is to have, the documented way
	// of changing who is on it: an entry with the URL of one of its participants keeps (and updates) that
	// participant, an entry without a URL invites someone new, and a participant left out is removed. Build it from
	// the appointment as last read (Participant.Entry), so that participants added in OnCall by staff (co-hosts,
	// third parties) stay.
	Participants []ParticipantEntry
	// Metadata, when non-nil, replaces the appointment's metadata: include every key to keep.
	Metadata Metadata
}

type appointmentUpdateWire struct {
	Title     *string            `json:"title,omitempty"`
	Type      *AppointmentType   `json:"type,omitempty"`
	DateTime  *string            `json:"datetime,omitempty"`
	Duration  *int               `json:"duration,omitempty"`
	Division  *string            `json:"division,omitempty"`
	Provider  *string            `json:"provider,omitempty"`
	Status    *AppointmentStatus `json:"status,omitempty"`
	Cancelled *bool              `json:"cancelled,omitempty"`
	// Participants is a pointer so that it is left out unless set; the list is never empty when sent.
	Participants *[]ParticipantEntry `json:"participants,omitempty"`
	// Metadata is a pointer so that an empty, non-nil Metadata is sent as {} (clearing it), not left out.
	Metadata *Metadata `json:"metadata,omitempty"`
}

// Validate checks the fields that are set. An update that sets nothing is an error, since it would send a request
// that changes nothing.
func (p *AppointmentUpdateParams) Validate() error {
	var probs problems
	if p.Title == nil && p.Type == nil && p.DateTime == nil && p.Duration == nil && p.Division == nil &&
		p.Provider == nil && p.Status == nil && p.Cancelled == nil && p.Participants == nil && p.Metadata == nil {
		probs.addf("no field is set")
	}
	if p.Status != nil && !p.Status.Known() {
		probs.addf("status %s: not one of OnCall's appointment statuses", redact.Value(string(*p.Status)))
	}
	if p.Participants != nil {
		validateEntries(p.Participants, &probs)
	}
	if p.Title != nil && strings.TrimSpace(*p.Title) == "" {
		probs.addf("title: empty")
	}
	if p.Type != nil {
		validateType(*p.Type, &probs)
	}
	if p.DateTime != nil && p.DateTime.IsZero() {
		probs.addf("datetime: zero time")
	}
	if p.Duration != nil {
		validateDuration(*p.Duration, &probs)
	}
	if p.Division != nil && *p.Division <= 0 {
		probs.addf("division: must be a positive id")
	}
	if p.Provider != nil && *p.Provider <= 0 {
		probs.addf("provider: must be a positive id")
	}
	if p.Metadata != nil {
		p.Metadata.validate(&probs)
	}
	return probs.err("appointment update")
}

func (c *Client) updateWire(p *AppointmentUpdateParams) appointmentUpdateWire {
	w := appointmentUpdateWire{
		Title:     p.Title,
		Type:      p.Type,
		Duration:  p.Duration,
		Status:    p.Status,
		Cancelled: p.Cancelled,
	}
	if p.Participants != nil {
		w.Participants = &p.Participants
	}
	if p.Metadata != nil {
		w.Metadata = &p.Metadata
	}
	if p.DateTime != nil {
		w.DateTime = Ptr(formatTime(*p.DateTime))
	}
	if p.Division != nil {
		w.Division = Ptr(c.refURL(kindDivisions, int64(*p.Division)))
	}
	if p.Provider != nil {
		w.Provider = Ptr(c.refURL(kindProviders, int64(*p.Provider)))
	}
	return w
}

// Ptr returns a pointer to v, for the optional fields of update parameters.
func Ptr[T any](v T) *T { return &v }

// AppointmentListOptions filter and page a listing of appointments.
type AppointmentListOptions struct {
	ListOptions
	// Ordering sorts the listing: "datetime" or "-datetime" (newest first). OnCall's public docs do not list it;
	// OnCall's own apps send it.
	Ordering string
	// Filter holds further query parameters, sent as they are, for filters the public docs do not list (for
	// example "completed": "False"). Do not put PHI in a query: it ends up in server logs.
	Filter url.Values
}

func (o *AppointmentListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	for k, vs := range o.Filter {
		q[k] = append([]string(nil), vs...)
	}
	if o.Ordering != "" {
		q.Set("ordering", o.Ordering)
	}
	o.ListOptions.apply(q)
	return q
}

// AppointmentsService reads and writes appointments. Get one from Client.Appointments.
type AppointmentsService struct{ c *Client }

func (s *AppointmentsService) lister(opts *AppointmentListOptions) *lister[appointmentWire, Appointment] {
	return &lister[appointmentWire, Appointment]{
		c:       s.c,
		first:   s.c.endpoint(kindAppointments+"/", opts.query()),
		convert: (*appointmentWire).appointment,
	}
}

// All returns an iterator over every appointment the token can see, fetching pages lazily as the loop advances;
// one page is in memory at a time. An error (including ctx's) is yielded once and ends the loop. Breaking out of
// the loop stops fetching.
//
//	for appt, err := range client.Appointments.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(appt.ID, appt.DateTime)
//	}
func (s *AppointmentsService) All(ctx context.Context, opts *AppointmentListOptions) iter.Seq2[*Appointment, error] {
	return s.lister(opts).all(ctx)
}

// Pages returns an iterator over the pages of the listing, for a caller that works or checkpoints a page at a
// time (resume from Page.NextPage through opts.Page).
func (s *AppointmentsService) Pages(ctx context.Context, opts *AppointmentListOptions) iter.Seq2[*Page[Appointment], error] {
	return s.lister(opts).pages(ctx)
}

// List returns one page of the listing: the first, or opts.Page.
func (s *AppointmentsService) List(ctx context.Context, opts *AppointmentListOptions) (*Page[Appointment], error) {
	l := s.lister(opts)
	return l.fetch(ctx, l.first)
}

// Get returns the appointment with the given id.
func (s *AppointmentsService) Get(ctx context.Context, id AppointmentID) (*Appointment, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "appointment id", Problems: []string{"must be positive"}}
	}
	var w appointmentWire
	if err := s.c.do(ctx, "GET", s.c.endpoint(kindAppointments+"/"+itoa(int64(id))+"/", nil), nil, &w); err != nil {
		return nil, err
	}
	a := w.appointment()
	return &a, nil
}

// Create creates an appointment and returns it as the server stored it. Params are validated first; nothing is
// sent if they are invalid.
//
// A create is not retried once it may have reached the server (see RetryPolicy): on an error that is not an
// *APIError with a 4xx status, the appointment may or may not exist. Look it up by the EHR id in its metadata
// before creating it again.
//
// The answer is checked against what was sent. When it does not show a field as written (the server ignored it,
// as Django REST Framework does with a field it does not know), Create returns the appointment it created
// together with a *WriteIgnoredError naming the fields (errors.Is(err, ErrWriteIgnored)).
func (s *AppointmentsService) Create(ctx context.Context, p *AppointmentCreateParams) (*Appointment, error) {
	if p == nil {
		return nil, &ValidationError{Resource: "appointment", Problems: []string{"nil parameters"}}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	target := s.c.endpoint(kindAppointments+"/", nil)
	var w appointmentWire
	if err := s.c.do(ctx, "POST", target, s.c.createWire(p), &w); err != nil {
		return nil, err
	}
	a := w.appointment()
	return &a, ignored("POST", target.Path, verifyCreate(p, &w))
}

// Update changes the fields set in p (a PATCH) and returns the appointment as the server stored it. An update that
// carries a participants list is not retried once it may have reached the server (see RetryPolicy): after such a
// failure, read the appointment and build the list again before sending it, so that nobody is invited twice and no
// change made in OnCall meanwhile is undone.
//
// The answer is checked against what was sent: when it does not show a field as written, Update returns the
// appointment as the server answered together with a *WriteIgnoredError naming the fields
// (errors.Is(err, ErrWriteIgnored)). The request itself succeeded; the other fields took.
func (s *AppointmentsService) Update(ctx context.Context, id AppointmentID, p *AppointmentUpdateParams) (*Appointment, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "appointment id", Problems: []string{"must be positive"}}
	}
	if p == nil {
		return nil, &ValidationError{Resource: "appointment update", Problems: []string{"nil parameters"}}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.c.checkEntryURLs(p.Participants); err != nil {
		return nil, err
	}
	target := s.c.endpoint(kindAppointments+"/"+itoa(int64(id))+"/", nil)
	var w appointmentWire
	if err := s.c.send(ctx, "PATCH", target, s.c.updateWire(p), &w, p.Participants != nil); err != nil {
		return nil, err
	}
	a := w.appointment()
	return &a, ignored("PATCH", target.Path, verifyUpdate(p, &w))
}

// Cancel cancels the appointment, which moves it to OnCall's past appointments, and returns it as the server
// stored it: a PATCH of {"cancelled": true}, the documented way ("cancelled" is read-write). OnCall sets the
// status (a coordinator's or a provider's cancellation, by the token's user); to say who cancelled, use Update
// with Cancelled and Status (StatusPatientCancelled, StatusProviderCancelled) instead.
func (s *AppointmentsService) Cancel(ctx context.Context, id AppointmentID) (*Appointment, error) {
	return s.Update(ctx, id, &AppointmentUpdateParams{Cancelled: Ptr(true)})
}
