package rundir

// Batch is batch.json at the root of a batch directory: the scenarios one
// `harness run` ran, each in a sub-directory of its name.
type Batch struct {
	Schema         int             `json:"schema"`
	HarnessVersion string          `json:"harness_version"`
	StartNs        int64           `json:"start_ns"`
	EndNs          int64           `json:"end_ns"`
	Complete       bool            `json:"complete"`
	Interrupted    bool            `json:"interrupted,omitempty"`
	Scenarios      []BatchScenario `json:"scenarios"`
}

// BatchScenario is one scenario of a batch.
type BatchScenario struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Dir    string `json:"dir"` // relative to the batch directory
	Status string `json:"status"`
	// Failed counts trials that did not succeed, warm-ups included.
	Failed int    `json:"failed"`
	Trials int    `json:"trials"`
	Error  string `json:"error,omitempty"` // the harness itself failed on this scenario
}
