package oncall

import (
	"context"
	"iter"
	"net/url"
)

// Division is a clinic or team within an organization; every appointment belongs to one.
//
// Assumption: a division has a "name". The public docs only show divisions as URL references.
type Division struct {
	// ID is the division's numeric id, taken from URL.
	ID   DivisionID `json:"-"`
	URL  string     `json:"url"`
	Name string     `json:"name"`
}

func (d *Division) selfURL() string { return d.URL }

func divisionFromWire(d *Division) Division {
	d.ID = DivisionID(idFromURL(d.URL, kindDivisions))
	return *d
}

// DivisionsService reads divisions. Get one from Client.Divisions.
type DivisionsService struct{ c *Client }

func (s *DivisionsService) lister(opts *ListOptions) *lister[Division, Division] {
	q := url.Values{}
	opts.apply(q)
	return &lister[Division, Division]{c: s.c, first: s.c.endpoint(kindDivisions+"/", q), convert: divisionFromWire}
}

// All returns an iterator over the divisions, fetching pages lazily (see AppointmentsService.All).
func (s *DivisionsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*Division, error] {
	return s.lister(opts).all(ctx)
}

// Pages returns an iterator over the pages of the listing.
func (s *DivisionsService) Pages(ctx context.Context, opts *ListOptions) iter.Seq2[*Page[Division], error] {
	return s.lister(opts).pages(ctx)
}

// Get returns the division with the given id.
func (s *DivisionsService) Get(ctx context.Context, id DivisionID) (*Division, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "division id", Problems: []string{"must be positive"}}
	}
	var d Division
	if err := s.c.do(ctx, "GET", s.c.endpoint(kindDivisions+"/"+itoa(int64(id))+"/", nil), nil, &d); err != nil {
		return nil, err
	}
	out := divisionFromWire(&d)
	return &out, nil
}
