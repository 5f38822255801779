package tenantsync

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"
)

// Registry is what a Temporal worker and a test environment both offer for registration.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers SyncWorkflow under WorkflowName and the activities under ActivityPlan and ActivityApply.
func Register(r Registry, a *Activities) {
	r.RegisterWorkflowWithOptions(SyncWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(a.Plan, activity.RegisterOptions{Name: ActivityPlan})
	r.RegisterActivityWithOptions(a.Apply, activity.RegisterOptions{Name: ActivityApply})
}
