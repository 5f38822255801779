package tenantsync

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/syncer"
)

// ErrUnknownTenant is wrapped by the error of an activity asked about a tenant this worker does not serve.
var ErrUnknownTenant = errors.New("tenantsync: unknown tenant")

// TenantConfig is what a worker knows about one clinic. It lives in the worker's memory only: the token comes from
// the worker's environment or secret store, never from a workflow's input, and the workflow names the tenant by ID.
type TenantConfig struct {
	// ID names the tenant in workflow ids, inputs and logs. It must not be empty, and should not be a clinic's
	// name if that is sensitive: it is recorded in workflow history.
	ID string
	// Region is the tenant's OnCall region; its client is pinned to it.
	Region oncall.Region
	// Token is the tenant's OnCall API key. It is handed to the tenant's client and not kept anywhere else.
	Token string
	// Division is where new appointments are created, Providers maps EHR staff ids to OnCall providers and
	// DefaultProvider stands in for unmapped ones (see syncer.Policy).
	Division        oncall.DivisionID
	Providers       map[string]oncall.ProviderID
	DefaultProvider oncall.ProviderID
	// EHR reads the tenant's EHR. If it also implements carelogic.URLStore, each OnCall appointment created is
	// stored on its EHR record.
	EHR carelogic.Adapter
	// RateLimit and Burst are the tenant's own request rate (oncall.WithRateLimit); zero means
	// oncall.DefaultRateLimit. Every tenant has its own limiter, so one tenant's traffic never delays another's.
	RateLimit float64
	Burst     int
	// ClientOptions are added to the tenant's client options after the rate limit: a base URL for a test server,
	// a retry policy, a logger.
	ClientOptions []oncall.Option
}

// Tenant is one clinic as a worker serves it: its own client (its region pinned, its own rate limit and retries),
// its EHR and its sync policy.
type Tenant struct {
	id     string
	client *oncall.Client
	ehr    carelogic.Adapter
	policy syncer.Policy
}

// ID returns the tenant's id.
func (t *Tenant) ID() string { return t.id }

// Client returns the tenant's OnCall client.
func (t *Tenant) Client() *oncall.Client { return t.client }

// EHR returns the tenant's EHR adapter.
func (t *Tenant) EHR() carelogic.Adapter { return t.ehr }

// Policy returns the tenant's sync policy, without its Now.
func (t *Tenant) Policy() syncer.Policy { return t.policy }

// Tenants is a worker's registry of the clinics it serves, looked up by id from every activity. It is safe for
// concurrent use.
type Tenants struct {
	mu sync.RWMutex
	m  map[string]*Tenant
}

// NewTenants returns an empty registry.
func NewTenants() *Tenants { return &Tenants{m: map[string]*Tenant{}} }

// Add builds the tenant's client and registers it, replacing a tenant with the same id (a rotated token, say).
// It does no I/O. Its errors name the tenant, never the token.
func (ts *Tenants) Add(c TenantConfig) error {
	if c.ID == "" {
		return errors.New("tenantsync: a tenant needs an id")
	}
	if c.EHR == nil {
		return fmt.Errorf("tenantsync: tenant %q has no EHR adapter", c.ID)
	}
	if c.Division == 0 {
		return fmt.Errorf("tenantsync: tenant %q has no division", c.ID)
	}
	rate, burst := c.RateLimit, c.Burst
	if rate <= 0 {
		rate = oncall.DefaultRateLimit
	}
	if burst <= 0 {
		burst = 1
	}
	opts := append([]oncall.Option{oncall.WithRateLimit(rate, burst)}, c.ClientOptions...)
	client, err := oncall.NewClient(c.Region, c.Token, opts...)
	if err != nil {
		return fmt.Errorf("tenantsync: tenant %q: %w", c.ID, err)
	}
	policy := syncer.DefaultPolicy(c.Division)
	policy.Providers = maps.Clone(c.Providers)
	policy.DefaultProvider = c.DefaultProvider
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.m == nil {
		ts.m = map[string]*Tenant{}
	}
	ts.m[c.ID] = &Tenant{id: c.ID, client: client, ehr: c.EHR, policy: policy}
	return nil
}

// Remove stops serving a tenant; activities for it then fail with ErrUnknownTenant, which is not retried.
func (ts *Tenants) Remove(id string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	delete(ts.m, id)
}

// Get returns the tenant with the id, or an error wrapping ErrUnknownTenant.
func (ts *Tenants) Get(id string) (*Tenant, error) {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	t, ok := ts.m[id]
	if !ok {
		return nil, fmt.Errorf("tenant %q: %w", id, ErrUnknownTenant)
	}
	return t, nil
}

// IDs returns the ids of the tenants served, sorted.
func (ts *Tenants) IDs() []string {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return slices.Sorted(maps.Keys(ts.m))
}
