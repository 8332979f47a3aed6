// Package worker is the child side of a Go trial: the harness binary
// re-executed in worker mode runs one process's share of the workers, with
// the profiles the scenario asks for, behind a start barrier the
// orchestrator releases.
//
// The orchestrator and a worker process talk over two pipes passed as extra
// file descriptors, so that the child's stdout and stderr stay free for
// whatever the workload prints:
//
//	fd 3, child → orchestrator: one JSON Message per line (ready, then done)
//	fd 4, orchestrator → child: the line "go" releases the start barrier
//
// EOF on fd 4 before "go" means the orchestrator is gone or gave up: the
// child exits without working.
package worker

import (
	"strconv"
	"time"

	"harness/harness/rundir"
	"harness/harness/workload"
)

// Mode is the hidden first argument that makes the harness binary a worker.
const Mode = "__worker"

// LabelWorker is the pprof label each worker's goroutine runs under, its
// value WorkerName(id); the collector keeps it in the merged profiles.
const LabelWorker = "worker"

// Spec is what every process of a trial is told; the orchestrator writes it
// to the trial's raw directory as spec.json.
type Spec struct {
	Scenario    string          `json:"scenario"`
	Trial       string          `json:"trial"`
	Model       string          `json:"model"`
	Workers     int             `json:"workers"`
	Rep         int             `json:"rep"`
	Kind        string          `json:"kind"`
	Params      workload.Params `json:"params"`
	GIL         bool            `json:"gil"`
	GILInterval time.Duration   `json:"gil_interval_ns,omitempty"`
	Profiles    []string        `json:"profiles"`
	// Processes lists, per process index, the worker IDs it runs; the
	// serial model's one process runs them one after another.
	Processes [][]int `json:"processes"`
	// Dir is the trial's raw directory; process files go to Dir/<pid>/.
	Dir string `json:"dir"`
}

// Message is one line a worker process sends the orchestrator.
type Message struct {
	Type string `json:"type"` // "ready" or "done"
	PID  int    `json:"pid"`
	// ready: when main started (after the runtime's own start-up) and when
	// every worker of the process was waiting at the barrier.
	MainNs  int64 `json:"main_ns,omitempty"`
	ReadyNs int64 `json:"ready_ns,omitempty"`
	// done:
	Workers   []rundir.Worker `json:"workers,omitempty"`
	WorkCPUNs int64           `json:"work_cpu_ns,omitempty"`
	// PeakRSSBytes is the process's VmHWM: its own peak resident set
	// since its exec (wait4's ru_maxrss would include the harness's).
	PeakRSSBytes int64  `json:"peak_rss_bytes,omitempty"`
	Counter      *int64 `json:"counter,omitempty"`
	GILSwitch    int64  `json:"gil_switches,omitempty"`
	Error        string `json:"error,omitempty"`
}

// WorkerName is the pprof label value of worker id: "w3". Not "3": pprof's
// -tagfocus reads numeric-looking values as a range and matches nothing.
func WorkerName(id int) string { return "w" + strconv.Itoa(id) }
