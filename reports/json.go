package reports

import (
	"harness/harness/rundir"
	"path/filepath"
)

// SummarySchema is summary.json's "schema". It changes when a field
// changes meaning or goes away, not when one is added.
const SummarySchema = 1

// Summary is summary.json: the figures of a scenario's table, stable for CI
// and scripts. Units are in the field names (_ns, _bytes); every figure is
// over the successful measured repetitions and says how many there were.
type Summary struct {
	Schema      int         `json:"schema"`
	Scenario    string      `json:"scenario"`
	Kind        string      `json:"kind"`
	Complete    bool        `json:"complete"`
	Interrupted bool        `json:"interrupted,omitempty"`
	Host        SummaryHost `json:"host"`
	Verdict     string      `json:"verdict,omitempty"`
	Rows        []Row       `json:"rows"`
	Scaling     *Scaling    `json:"scaling,omitempty"` // only for sweeps of ≥ 2 worker counts
	// Overhead: only for runs made with --overhead (bare twin trials).
	Overhead []Overhead    `json:"overhead,omitempty"`
	Failed   []FailedTrial `json:"failed_trials,omitempty"`
	Profiles []string      `json:"profiles,omitempty"` // merged profile files
	Warnings []string      `json:"warnings,omitempty"`
}

// SummaryHost is the part of the host that a reader of the figures needs.
type SummaryHost struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
}

// FailedTrial names a trial that did not succeed and why.
type FailedTrial struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// SummaryOf builds summary.json's content.
func SummaryOf(r *Report) Summary {
	run := r.Run
	s := Summary{
		Schema: SummarySchema, Scenario: run.Scenario.Name, Kind: run.Scenario.Workload.Kind,
		Complete: run.Complete, Interrupted: run.Interrupted,
		Host:    SummaryHost{CPUs: run.Host.CPUs, CPUModel: run.Host.CPUModel, Kernel: run.Host.Kernel, GoVersion: run.Host.GoVersion},
		Verdict: r.Verdict, Rows: r.Rows, Scaling: r.Scaling, Overhead: r.Overheads, Warnings: run.Warnings,
	}
	if s.Rows == nil {
		s.Rows = []Row{}
	}
	for _, t := range failedTrials(run) {
		s.Failed = append(s.Failed, FailedTrial{ID: t.ID, Status: t.Status, Error: t.Error})
	}
	for _, p := range run.Profiles {
		if p.File != "" {
			s.Profiles = append(s.Profiles, p.File)
		}
	}
	return s
}

type summaryJSON struct{}

func (summaryJSON) Name() string { return "summary.json" }

func (summaryJSON) Export(r *Report) error {
	return rundir.WriteJSON(filepath.Join(r.Dir, "summary.json"), SummaryOf(r))
}
