package oncall

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// Contact is a roster contact: a patient's record in a division, independent of any one appointment. Every
// field but the id and URLs is PHI: the client never logs them.
type Contact struct {
	// ID is the contact's numeric id, taken from URL.
	ID          ContactID `json:"-"`
	URL         string    `json:"url"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Phone       string    `json:"phone,omitempty"`
	Sex         string    `json:"sex,omitempty"`
	DateOfBirth string    `json:"date_of_birth,omitempty"` // YYYY-MM-DD, as sent
	// CustomFieldNames maps custom field ids to their names; read-only.
	CustomFieldNames map[string]string `json:"custom_field_names,omitempty"`
	// CustomFieldValues maps custom field ids to their values (e.g. the EHR's id of the client), decoded as
	// Metadata values are, so that an integer id keeps every digit.
	CustomFieldValues Metadata `json:"custom_field_values,omitempty"`
	// AppointmentsURL lists the contact's appointments; ContactsService.Appointments follows it.
	AppointmentsURL string `json:"appointments,omitempty"`
}

func (c *Contact) selfURL() string { return c.URL }

func contactFromWire(c *Contact) Contact {
	c.ID = ContactID(idFromURL(c.URL, kindContacts))
	return *c
}

// ContactCreateParams describes a new roster contact. FirstName, LastName, Email and Division are required.
type ContactCreateParams struct {
	FirstName string
	LastName  string
	Email     string
	// Sex is sent as given, e.g. "Female", "Male" or "Unknown".
	Sex   string
	Phone string
	// DateOfBirth is YYYY-MM-DD.
	DateOfBirth string
	Division    DivisionID
	// Provider, if set, is the contact's provider.
	Provider ProviderID
}

// Validate checks p without sending anything.
func (p *ContactCreateParams) Validate() error {
	var probs problems
	if strings.TrimSpace(p.FirstName) == "" {
		probs.addf("first_name is required")
	}
	if strings.TrimSpace(p.LastName) == "" {
		probs.addf("last_name is required")
	}
	if !plausibleEmail(p.Email) {
		probs.addf("email is missing or malformed")
	}
	if p.Division <= 0 {
		probs.addf("division is required")
	}
	if p.Provider < 0 {
		probs.addf("provider: negative id")
	}
	if p.DateOfBirth != "" {
		if _, err := time.Parse(time.DateOnly, p.DateOfBirth); err != nil {
			probs.addf("date_of_birth: want YYYY-MM-DD")
		}
	}
	return probs.err("contact")
}

type contactCreateWire struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Email       string `json:"email"`
	Sex         string `json:"sex,omitempty"`
	Phone       string `json:"phone,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
	Division    string `json:"division"`
	Provider    string `json:"provider,omitempty"`
}

// ContactUpdateParams changes a contact; only the fields set are sent. CustomFieldValues, when non-nil, sends
// just the custom fields it holds, which is how the API updates them.
type ContactUpdateParams struct {
	Name              *string
	Email             *string
	Phone             *string
	CustomFieldValues map[string]any
}

type contactUpdateWire struct {
	Name              *string        `json:"name,omitempty"`
	Email             *string        `json:"email,omitempty"`
	Phone             *string        `json:"phone,omitempty"`
	CustomFieldValues map[string]any `json:"custom_field_values,omitempty"`
}

// Validate checks the fields that are set; an update that sets nothing is an error.
func (p *ContactUpdateParams) Validate() error {
	var probs problems
	if p.Name == nil && p.Email == nil && p.Phone == nil && len(p.CustomFieldValues) == 0 {
		probs.addf("no field is set")
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		probs.addf("name: empty")
	}
	if p.Email != nil && !plausibleEmail(*p.Email) {
		probs.addf("email: malformed")
	}
	return probs.err("contact update")
}

// ContactListOptions filter and page a listing of contacts.
type ContactListOptions struct {
	ListOptions
	// Query searches the roster, as OnCall's own apps do with ?query=. It is PHI when it holds a name: avoid it
	// where server logs matter.
	Query string
}

// ContactsService reads and writes roster contacts. Get one from Client.Contacts.
type ContactsService struct{ c *Client }

func (s *ContactsService) lister(opts *ContactListOptions) *lister[Contact, Contact] {
	q := url.Values{}
	if opts != nil {
		opts.ListOptions.apply(q)
		if opts.Query != "" {
			q.Set("query", opts.Query)
		}
	}
	return &lister[Contact, Contact]{c: s.c, first: s.c.endpoint(kindContacts+"/", q), convert: contactFromWire}
}

// All returns an iterator over the contacts, fetching pages lazily (see AppointmentsService.All).
func (s *ContactsService) All(ctx context.Context, opts *ContactListOptions) iter.Seq2[*Contact, error] {
	return s.lister(opts).all(ctx)
}

// Pages returns an iterator over the pages of the listing.
func (s *ContactsService) Pages(ctx context.Context, opts *ContactListOptions) iter.Seq2[*Page[Contact], error] {
	return s.lister(opts).pages(ctx)
}

// Get returns the contact with the given id.
func (s *ContactsService) Get(ctx context.Context, id ContactID) (*Contact, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "contact id", Problems: []string{"must be positive"}}
	}
	var c Contact
	if err := s.c.do(ctx, "GET", s.path(id, ""), nil, &c); err != nil {
		return nil, err
	}
	out := contactFromWire(&c)
	return &out, nil
}

// Create creates a roster contact. Like an appointment create, it is not retried once it may have reached the
// server.
func (s *ContactsService) Create(ctx context.Context, p *ContactCreateParams) (*Contact, error) {
	if p == nil {
		return nil, &ValidationError{Resource: "contact", Problems: []string{"nil parameters"}}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	w := contactCreateWire{FirstName: p.FirstName, LastName: p.LastName, Email: p.Email, Sex: p.Sex,
		Phone: p.Phone, DateOfBirth: p.DateOfBirth, Division: s.c.refURL(kindDivisions, int64(p.Division))}
	if p.Provider > 0 {
		w.Provider = s.c.refURL(kindProviders, int64(p.Provider))
	}
	var c Contact
	if err := s.c.do(ctx, "POST", s.c.endpoint(kindContacts+"/", nil), w, &c); err != nil {
		return nil, err
	}
	out := contactFromWire(&c)
	return &out, nil
}

// Update changes the fields set in p (a PATCH).
func (s *ContactsService) Update(ctx context.Context, id ContactID, p *ContactUpdateParams) (*Contact, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "contact id", Problems: []string{"must be positive"}}
	}
	if p == nil {
		return nil, &ValidationError{Resource: "contact update", Problems: []string{"nil parameters"}}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var c Contact
	if err := s.c.do(ctx, "PATCH", s.path(id, ""), contactUpdateWire(*p), &c); err != nil {
		return nil, err
	}
	out := contactFromWire(&c)
	return &out, nil
}

// Appointments returns an iterator over the contact's appointments (GET /contacts/{id}/appointments/).
func (s *ContactsService) Appointments(ctx context.Context, id ContactID, opts *ListOptions) iter.Seq2[*Appointment, error] {
	if id <= 0 {
		return func(yield func(*Appointment, error) bool) {
			yield(nil, &ValidationError{Resource: "contact id", Problems: []string{"must be positive"}})
		}
	}
	q := url.Values{}
	opts.apply(q)
	u := s.path(id, "appointments/")
	u.RawQuery = q.Encode()
	l := &lister[appointmentWire, Appointment]{c: s.c, first: u, convert: (*appointmentWire).appointment}
	return l.all(ctx)
}

func (s *ContactsService) path(id ContactID, sub string) *url.URL {
	return s.c.endpoint(fmt.Sprintf("%s/%d/%s", kindContacts, id, sub), nil)
}
