// Package sdk is the root of oncall-go, a Go SDK that keeps appointments in an EHR (first target: Qualifacts
// CareLogic) in sync with OnCall Health, the Canadian and US virtual-care platform. It holds documentation only;
// the code is in its packages:
//
//   - [github.com/oncallsync/oncall-go/oncall]: a typed, region-pinned client for the OnCall Health REST API, with
//     lazy iter.Seq2 pagination, typed errors, safe retries and client-side rate limiting.
//   - [github.com/oncallsync/oncall-go/carelogic]: the EHR side: the appointment model with per-participant
//     statuses (Scheduled, Kept, DNS, CBT, CBC, Error and custom ones) and the Adapter interface an integration
//     implements; carelogic/siu and carelogic/fhir read HL7 v2 SIU messages and FHIR R4 Appointments into it.
//
// # Quickstart
//
//	client, err := oncall.NewClient(oncall.RegionCA, os.Getenv("ONCALL_API_TOKEN"))
//	if err != nil {
//		return err
//	}
//	for appt, err := range client.Appointments.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(appt.ID, appt.DateTime, appt.Title)
//	}
//
// The README has the rest: regions and data residency, retries and rate limits, testing, and every assumption the
// SDK makes where OnCall's public documentation is silent.
package sdk
