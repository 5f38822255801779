package oncall

import (
	"context"
	"iter"
	"net/url"
)

// Provider is a clinician user. Every field is read-only in the API.
type Provider struct {
	// ID is the provider's numeric id, taken from URL.
	ID       ProviderID `json:"-"`
	URL      string     `json:"url"`
	FullName string     `json:"full_name"`
	Email    string     `json:"email"`
	// Memberships are the divisions the provider belongs to.
	Memberships []DivisionID `json:"memberships"`
}

func (p *Provider) selfURL() string { return p.URL }

func providerFromWire(p *Provider) Provider {
	p.ID = ProviderID(idFromURL(p.URL, kindProviders))
	return *p
}

// ProvidersService reads providers. Get one from Client.Providers.
type ProvidersService struct{ c *Client }

func (s *ProvidersService) lister(opts *ListOptions) *lister[Provider, Provider] {
	q := url.Values{}
	opts.apply(q)
	return &lister[Provider, Provider]{c: s.c, first: s.c.endpoint(kindProviders+"/", q), convert: providerFromWire}
}

// All returns an iterator over the providers, fetching pages lazily (see AppointmentsService.All).
func (s *ProvidersService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*Provider, error] {
	return s.lister(opts).all(ctx)
}

// Pages returns an iterator over the pages of the listing.
func (s *ProvidersService) Pages(ctx context.Context, opts *ListOptions) iter.Seq2[*Page[Provider], error] {
	return s.lister(opts).pages(ctx)
}

// Get returns the provider with the given id.
func (s *ProvidersService) Get(ctx context.Context, id ProviderID) (*Provider, error) {
	if id <= 0 {
		return nil, &ValidationError{Resource: "provider id", Problems: []string{"must be positive"}}
	}
	var p Provider
	if err := s.c.do(ctx, "GET", s.c.endpoint(kindProviders+"/"+itoa(int64(id))+"/", nil), nil, &p); err != nil {
		return nil, err
	}
	out := providerFromWire(&p)
	return &out, nil
}
