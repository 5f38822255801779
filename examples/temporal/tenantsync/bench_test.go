package tenantsync

import (
	"fmt"
	"testing"
	"time"

	"github.com/oncallsync/oncall-go/carelogic"
	"github.com/oncallsync/oncall-go/oncall"
	"github.com/oncallsync/oncall-go/oncall/oncalltest"
	"github.com/oncallsync/oncall-go/syncer"
)

// Benchmark settings: every clinic has benchAppointments new 1:1s to create, an OnCall that answers each request
// after benchLatency, and a client limited to benchRate requests a second, OnCall's default.
const (
	benchAppointments = 20
	benchLatency      = 20 * time.Millisecond
	benchRate         = oncall.DefaultRateLimit
)

// BenchmarkTenants syncs N clinics from scratch through one worker (Temporal's test environment, in process, with
// the clinics' OnCall fakes in the same process) and reports the requests a second sent to OnCall, across
// tenants, and the tenants synced a second.
func BenchmarkTenants(b *testing.B) {
	for _, n := range []int{10, 50, 200, 400} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			var requests int
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				tenants := NewTenants()
				servers := make([]*oncalltest.Server, n)
				ins := make([]SyncInput, n)
				now := time.Now().UTC().Truncate(time.Minute)
				for i := range n {
					srv := oncalltest.NewServer()
					if err := srv.SetFaults(oncalltest.Faults{Seed: 1, Rate: 1, Kinds: []oncalltest.FaultKind{oncalltest.FaultLatency}, Latency: benchLatency}); err != nil {
						b.Fatal(err)
					}
					div := srv.AddDivision("Clinic")
					prov := srv.AddProvider("Provider", "provider@clinic.example.org", div)
					id := fmt.Sprintf("bench-%03d", i)
					err := tenants.Add(TenantConfig{
						ID: id, Region: oncall.RegionCA, Token: srv.Token(), Division: div,
						Providers: map[string]oncall.ProviderID{"staff-1": prov}, EHR: carelogic.NewMemory(benchSchedule(now)...),
						RateLimit: benchRate, Burst: 1,
						ClientOptions: []oncall.Option{oncall.WithBaseURL(srv.URL()), oncall.WithRetryPolicy(fastRetries)},
					})
					if err != nil {
						b.Fatal(err)
					}
					servers[i] = srv
					ins[i] = SyncInput{Tenant: id, StopAfter: 1}
				}
				t := &testing.T{}
				env, _ := newEnv(t, &Activities{Tenants: tenants}, nil)
				b.StartTimer()
				start := time.Now()
				env.ExecuteWorkflow(fleetWorkflow, ins)
				elapsed += time.Since(start)
				b.StopTimer()
				if err := env.GetWorkflowError(); err != nil {
					b.Fatal(err)
				}
				var out map[string]FleetOutcome
				if err := env.GetWorkflowResult(&out); err != nil {
					b.Fatal(err)
				}
				for _, srv := range servers {
					requests += srv.RequestCount("", "")
					srv.Close()
				}
				for id, o := range out {
					if o.Result == nil || !o.Result.Passes[0].Converged || o.Result.Passes[0].Applied[syncer.ActionCreate] != benchAppointments {
						b.Fatalf("%s: %+v", id, o)
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "tenants/s")
			b.ReportMetric(float64(requests)/float64(n*b.N), "req/tenant")
		})
	}
}

// benchSchedule is benchAppointments 1:1s over the coming days.
func benchSchedule(now time.Time) []carelogic.Appointment {
	appts := make([]carelogic.Appointment, benchAppointments)
	for i := range appts {
		appts[i] = carelogic.Appointment{
			ID: fmt.Sprintf("appt-%d", i), Source: "bench", Kind: carelogic.Individual, Modality: carelogic.Video,
			ProviderID: "staff-1", Start: now.Add(time.Duration(24+i) * time.Hour), Duration: 50 * time.Minute, Activity: "Therapy",
			Participants: []carelogic.Participant{{ClientID: fmt.Sprintf("cl-%d", i), Name: "Client Example", Email: fmt.Sprintf("client%d@example.org", i)}},
		}
	}
	return appts
}
