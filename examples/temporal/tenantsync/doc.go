// Package tenantsync runs the OnCall sync of many clinics (tenants) on Temporal: a workflow per clinic, activities
// that plan and apply its changes through package syncer, and a registry of the clinics a worker serves.
//
// # Workflow
//
// SyncWorkflow (registered as WorkflowName, started with WorkflowID(tenant)) syncs at start, then after each
// SyncInput.Interval or at each SignalEHRChanged, whichever comes first, and continues as new every PassesPerRun
// syncs. A sync is rounds of: the Plan activity, then one Apply activity per EHR key with actions, at most
// SyncInput.Parallelism at once, until a plan is empty (or MaxRounds). A failed sync is reported (QueryStatus) and
// the next one tries again; a refused token ends the tenant's workflow with a non-retryable error of type
// ErrTypeUnauthorized, and no other tenant notices.
//
// # No PHI or token in history
//
// Temporal records every workflow input, activity input and result, signal and query answer in the workflow's
// history, on the Temporal cluster. This package records there only tenant ids, EHR keys and ids, OnCall ids,
// action kinds, field names, client ids, counts and times. So EHR appointments never travel between activities:
// Plan reads the EHR and lists OnCall itself, and returns the plan's actions in their JSON form (syncer.Action
// leaves out the parameters that carry names and emails); each Apply reads again the EHR appointment and the
// OnCall appointments of its key. That is also why there are no separate "read the EHR" and "list OnCall"
// activities: their results would be the patient data itself. The token is given to a tenant's oncall.Client in
// the worker's memory (TenantConfig.Token, from the worker's environment or secret store) and named nowhere else.
// Error texts, recorded as failures, are the client's (requests and statuses) or name an EHR adapter's error by
// its type only.
//
// # No duplicate
//
// Apply plans its key again from what the EHR and OnCall hold at that moment, so an attempt after a crash applies
// what is still needed and nothing else. A create is the one write that cannot be recognised by reading the
// appointment it names (it has none yet): a retried Apply (activity.GetInfo(ctx).Attempt > 1) of a group that
// creates lists OnCall first and matches the key in the metadata the syncer writes (syncer.KeyEMRID,
// syncer.KeyEMRSource), so an appointment an earlier attempt created is found, not created again. Within an
// attempt, syncer.Runner.Apply settles a create whose answer was lost the same way. Activity timeouts end an
// attempt's context before Temporal starts the next, so two attempts of a key never write at once; one workflow
// per tenant, by id, keeps two syncs of a clinic from running at once.
//
// # Tenancy
//
// Tenants maps a tenant id to its own oncall.Client (its region pinned, its own rate limit and retries), its EHR
// adapter and its policy. Activities look the tenant up by id. A tenant's failures stay its own: its limiter and
// retries are its client's, its activities are bounded by timeouts and by its workflow's Parallelism (the worker's
// activity slots are shared), and a refused token is not retried.
package tenantsync
