// Package scenario loads and validates scenario files: what to run, under
// which concurrency models, with how many workers, how often and with which
// profiles.
//
// Loading is strict. Unknown keys, wrong types, out-of-range values and
// programs that cannot be found are errors naming the file, line, column and
// field, with an excerpt of the source. Nothing about a file is trusted
// before it validates, and a batch of files runs only when every file does.
package scenario

import (
	"slices"
	"time"

	"harness/harness/workload"
)

// The models of Go workloads. Command scenarios may name any model.
const (
	Serial  = "serial"
	Thread  = "thread"
	Process = "process"
)

// Profile kinds a Go worker can record from inside.
var ProfileKinds = []string{"cpu", "heap", "mutex", "block", "goroutine", "wall", "trace"}

// Scenario is one validated scenario file. Its JSON form is recorded in
// run.json as "the scenario as loaded", defaults filled in.
type Scenario struct {
	File        string   `json:"file"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Workload    Workload `json:"workload"`
	Models      []string `json:"models"`
	// Workers is the list of worker counts to run, ascending; "auto" has
	// been resolved to the number of CPUs.
	Workers        []int         `json:"workers"`
	WorkersSpec    string        `json:"workers_spec"` // as written: "auto", "4", "[1, 2, 4]"
	Repeat         int           `json:"repeat"`
	Warmup         int           `json:"warmup"`
	Timeout        time.Duration `json:"timeout_ns"`
	Profiles       []string      `json:"profiles"`
	SampleInterval time.Duration `json:"sample_interval_ns"`
	GIL            bool          `json:"gil"`
	GILInterval    time.Duration `json:"gil_interval_ns,omitempty"`

	nameLine, nameCol int // where the name is, for batch-level errors
}

// Workload is what every worker runs: a built-in kind with its parameters,
// or a command.
type Workload struct {
	Kind    string           `json:"kind"`
	Params  *workload.Params `json:"params,omitempty"`
	Command *Command         `json:"command,omitempty"`
}

// IsCommand reports whether the workload runs an external program, which is
// observed from outside only.
func (w Workload) IsCommand() bool { return w.Kind == "command" }

// Command is a command workload: one program per model.
type Command struct {
	// Argv per model; "{workers}" in any argument is replaced by the
	// worker count. With Shell, each argv is ["sh", "-c", script].
	Argv  map[string][]string `json:"argv"`
	Shell bool                `json:"shell,omitempty"`
	Env   map[string]string   `json:"env,omitempty"`
	Dir   string              `json:"dir,omitempty"`
	// Resolved is the executable each model's argv[0] resolved to when the
	// file was loaded (see Resolve).
	Resolved map[string]string `json:"resolved,omitempty"`

	order []string // models in file order: the default for models
}

// Has reports whether the scenario records profile kind k.
func (s *Scenario) Has(k string) bool { return slices.Contains(s.Profiles, k) }

// Trials is how many child runs the scenario asks for, warm-up included.
func (s *Scenario) Trials() int {
	return len(s.Models) * len(s.Workers) * (s.Repeat + s.Warmup)
}
