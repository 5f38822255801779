// Package sdk is the root of oncall-go, a Go SDK that keeps appointments in an EHR (first target: Qualifacts
// CareLogic) in sync with OnCall Health, the Canadian and US virtual-care platform. It holds documentation only;
// the code is in its packages:
//
//   - [github.com/oncallsync/oncall-go/oncall]: a typed, region-pinned client for the OnCall Health REST API
//     (appointments, participants, providers, divisions, contacts), with lazy iter.Seq2 pagination, typed errors,
//     retries that never repeat a write that may have happened, and client-side rate limiting.
//   - [github.com/oncallsync/oncall-go/oncall/webhook]: OnCall's appointment_created and appointment_updated
//     events, and an http.Handler that never trusts a payload: it re-reads the appointment from the client's own
//     region.
//   - [github.com/oncallsync/oncall-go/oncall/oncalltest]: an in-memory OnCall API for tests and demos, with
//     webhooks and deterministic fault injection.
//   - [github.com/oncallsync/oncall-go/carelogic]: the EHR side: appointment occurrences with per-participant
//     statuses (Scheduled, Kept, DNS, CBT, CBC, Error and custom ones) and the Adapter interface an integration
//     implements; [github.com/oncallsync/oncall-go/carelogic/siu] and
//     [github.com/oncallsync/oncall-go/carelogic/fhir] read HL7 v2 SIU messages and FHIR R4 Appointments into it,
//     and [github.com/oncallsync/oncall-go/carelogic/siu/mllp] receives SIU over MLLP, as interface engines send it.
//   - [github.com/oncallsync/oncall-go/syncer]: the reconciliation: pure status mapping and planning, a Runner
//     that applies a plan without ever creating a duplicate, the OnCall-to-EHR direction, and the event-driven
//     sync (a Ledger, Runner.SyncChanges, and a Loop); [github.com/oncallsync/oncall-go/syncer/boltledger] keeps
//     the ledger on disk.
//
// # Quickstart
//
// Sync an EHR into OnCall's Canadian region:
//
//	client, err := oncall.NewClient(oncall.RegionCA, os.Getenv("ONCALL_API_TOKEN"))
//	if err != nil {
//		return err
//	}
//	runner := &syncer.Runner{Client: client}
//	report, err := runner.Sync(ctx, ehr, syncer.Window{From: from, To: to}, syncer.DefaultPolicy(division))
//	fmt.Print(report) // what it did, and what needs a person
//	return err        // an *syncer.IncompleteError when anything failed or needs a person
//
// where ehr is a carelogic.Adapter: an SIU feed (siu.ReadDir), FHIR files (fhir.ReadPath), or the integration's
// own. The command examples/sync does this end to end against the in-memory server: go run ./examples/sync.
// The command examples/service is the always-on version: HL7 over MLLP, webhooks, a ledger on disk, and a full
// reconcile on a schedule: go run ./examples/service.
//
// The README has the rest: regions and data residency, retries and rate limits, testing, and every assumption the
// SDK makes where OnCall's public documentation is silent.
package sdk
