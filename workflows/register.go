package workflows

import "go.temporal.io/sdk/workflow"

func workflowOpts() workflow.RegisterOptions {
	return workflow.RegisterOptions{Name: EncodeTitleName}
}

// Registry is what a worker registers workflows on (worker.Worker and the
// replayer both satisfy it).
type Registry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// Register registers every reel workflow under its stable name.
func Register(r Registry) {
	r.RegisterWorkflowWithOptions(EncodeTitle, workflowOpts())
	r.RegisterWorkflowWithOptions(IdentifySource, workflow.RegisterOptions{Name: IdentifySourceName})
	r.RegisterWorkflowWithOptions(Campaign, workflow.RegisterOptions{Name: CampaignName})
}
