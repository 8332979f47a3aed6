// Package rundir defines the run directory: the files a run writes, and
// run.json, the complete measured result of one scenario. The report
// renderer reads only what is defined here, so that any run can be rendered
// again later without running anything.
//
// Clocks: every *_ns timestamp is wall-clock time in nanoseconds since the
// Unix epoch, read with time.Now() in the process that observed the event
// (the orchestrator or a worker child; they share the host's clock). Every
// duration is in nanoseconds. CPU figures come from getrusage unless the
// field says otherwise.
package rundir

import (
	"harness/harness/scenario"
)

// SchemaVersion is run.json's "schema"; it changes when a field changes
// meaning or goes away, not when one is added.
const SchemaVersion = 1

// Run is run.json: one scenario's run.
type Run struct {
	Schema         int               `json:"schema"`
	HarnessVersion string            `json:"harness_version"`
	Complete       bool              `json:"complete"`              // every planned trial ran and the files were collected
	Interrupted    bool              `json:"interrupted,omitempty"` // the run was stopped (Ctrl-C, SIGTERM)
	Host           Host              `json:"host"`
	Scenario       scenario.Scenario `json:"scenario"`
	StartNs        int64             `json:"start_ns"`
	EndNs          int64             `json:"end_ns"`
	// ExecFloorNs is the start-up floor of a worker process on this
	// machine: spawn requested → ready from a re-exec of the harness binary
	// that does nothing (median of 5, measured at the start of the run).
	// The process model's spawn latency includes it.
	ExecFloorNs int64 `json:"exec_floor_ns,omitempty"`
	// Order is the trial IDs in the order they ran, warm-ups included.
	Order    []string  `json:"order"`
	Trials   []Trial   `json:"trials"`
	Profiles []Profile `json:"profiles,omitempty"` // merged profiles under profiles/
	Warnings []string  `json:"warnings,omitempty"`
}

// Host describes the machine the run was measured on.
type Host struct {
	Hostname   string `json:"hostname"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Kernel     string `json:"kernel"`
	CPUModel   string `json:"cpu_model"`
	CPUs       int    `json:"cpus"`       // online CPUs (runtime.NumCPU)
	GOMAXPROCS int    `json:"gomaxprocs"` // of the orchestrator; workers inherit the environment
	GoVersion  string `json:"go_version"` // toolchain that built the harness and its workers
	MemBytes   int64  `json:"mem_bytes"`
	// Cgroup is the cgroup v2 directory trials ran under, when one was
	// writable; empty when CPU totals fall back to rusage only.
	Cgroup string `json:"cgroup,omitempty"`
}

// Trial statuses.
const (
	StatusOK          = "ok"
	StatusFailed      = "failed"      // a process failed, or checksums disagree
	StatusTimeout     = "timeout"     // the trial ran past the scenario's timeout and was ended
	StatusInterrupted = "interrupted" // the harness was stopped during the trial
)

// Trial is one run of the workload under one model with one worker count.
type Trial struct {
	ID      string `json:"id"` // "<model>-w<workers>-r<rep>", or "…-warmup<rep>"
	Model   string `json:"model"`
	Workers int    `json:"workers"`
	Rep     int    `json:"rep"` // 1-based within (model, workers); warm-ups count separately
	Warmup  bool   `json:"warmup"`
	// Bare: run without profiles and without the outside sampler, as the
	// baseline of `harness run --overhead`. Not in the summary table.
	Bare   bool   `json:"bare,omitempty"`
	Seq    int    `json:"seq"` // position in the run order, 0-based
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Notes are things a reviewer should know that did not fail the
	// trial, such as processes it left behind.
	Notes []string `json:"notes,omitempty"`
	Dir   string   `json:"dir"` // raw files, relative to the scenario directory

	// Phases, wall clock: the first spawn was requested, the orchestrator
	// released the start barrier, the last process was reaped.
	SpawnNs int64 `json:"spawn_ns"`
	GoNs    int64 `json:"go_ns,omitempty"`
	EndNs   int64 `json:"end_ns"`

	// WallNs is the work phase: first worker start to last worker end (Go
	// workers), or process start to last exit (commands). Speedup is
	// computed from it.
	WallNs int64 `json:"wall_ns"`
	// ElapsedNs is first spawn request to last process reaped: start-up and
	// tear-down included.
	ElapsedNs int64 `json:"elapsed_ns"`
	// CPUUserNs and CPUSysNs sum the rusage of every process of the trial
	// over its whole life (reaped descendants included).
	CPUUserNs int64 `json:"cpu_user_ns"`
	CPUSysNs  int64 `json:"cpu_sys_ns"`
	// WorkCPUNs is CPU time spent during the work phase only: each Go
	// worker process reads getrusage(RUSAGE_SELF) at its first work start
	// and last work end. Zero for commands (see Observed).
	WorkCPUNs int64 `json:"work_cpu_ns,omitempty"`
	// CoresBusy is WorkCPUNs / WallNs for Go workers, and the sampled
	// average for commands.
	CoresBusy float64 `json:"cores_busy"`
	// PeakRSSBytes is the trial's memory: for Go workers the sum of the
	// processes' own peaks (max_rss_bytes; they live at the same time),
	// for commands the largest sum of the RSS of the whole process tree
	// read in one sample (the program's children included).
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// HarnessCPUNs is the harness's own CPU while the trial ran: user +
	// system of the orchestrator process, all its threads
	// (getrusage(RUSAGE_SELF)), from before the first spawn to after the
	// last reap — the outside sampler, the control pipes, the output
	// tails. A bare trial's is the part the sampler does not account for.
	HarnessCPUNs int64 `json:"harness_cpu_ns,omitempty"`
	// Counter sums the per-process counters of workloads that keep one
	// (lock); CounterExpected is what it must be.
	Counter         *int64 `json:"counter,omitempty"`
	CounterExpected *int64 `json:"counter_expected,omitempty"`

	Processes []Process `json:"processes"`
	// Runs has one entry per worker. (The count is "workers"; JSON cannot
	// have both under one name.)
	Runs []Worker `json:"worker_runs"`

	// Observed is the outside observer's view of the trial; nil when the
	// trial did not get as far as starting a process.
	Observed *Observed `json:"observed,omitempty"`
}

// Process is one child process the harness started.
type Process struct {
	PID     int      `json:"pid"`
	Argv    []string `json:"argv"`
	Workers []int    `json:"workers,omitempty"` // worker IDs it ran (Go workers)
	SpawnNs int64    `json:"spawn_ns"`          // spawn requested (just before fork/exec)
	// MainNs: a worker's main started (after the runtime's own start-up);
	// ReadyNs: all its workers were waiting at the start barrier.
	MainNs  int64 `json:"main_ns,omitempty"`
	ReadyNs int64 `json:"ready_ns,omitempty"`
	EndNs   int64 `json:"end_ns"` // reaped
	// ExitCode is the exit status, or -1 when a signal ended the process;
	// Signal then names it ("killed", "terminated", …).
	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal,omitempty"`
	// MaxRSSBytes is the process's own peak resident set: a Go worker's
	// VmHWM read by itself at the end of its work; for a command, or a
	// worker that died first, the largest RSS the sampler read.
	//
	// RusageMaxRSSBytes is wait4's ru_maxrss, kept for reference but not
	// used: Linux carries the parent's RSS high-water mark into a child
	// started with vfork+exec (exec_mmap records the old mm's), so it is
	// never below the harness's own RSS at the time of the spawn.
	MaxRSSBytes       int64  `json:"max_rss_bytes"`
	RusageMaxRSSBytes int64  `json:"rusage_max_rss_bytes"`
	CPUUserNs         int64  `json:"cpu_user_ns"`
	CPUSysNs          int64  `json:"cpu_sys_ns"`
	WorkCPUNs         int64  `json:"work_cpu_ns,omitempty"`
	Counter           *int64 `json:"counter,omitempty"`
	// GILSwitches counts the hand-overs of the emulated GIL (gil: true).
	GILSwitches int64 `json:"gil_switches,omitempty"`
	// Files are the raw files it wrote, relative to the scenario directory.
	Files []string `json:"files,omitempty"`
	// Output of the process: the byte counts are exact, the tails are the
	// last bytes kept (the full streams are not kept: a runaway child must
	// not fill the disk).
	StdoutBytes int64  `json:"stdout_bytes"`
	StderrBytes int64  `json:"stderr_bytes"`
	StdoutTail  string `json:"stdout_tail,omitempty"`
	StderrTail  string `json:"stderr_tail,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Worker is one unit of the workload: a goroutine in the thread model, a
// process in the process model, a turn in the serial model.
type Worker struct {
	ID   int    `json:"id"`   // 1-based
	Name string `json:"name"` // "w1": the pprof label value
	PID  int    `json:"pid"`
	// SpawnNs: thread model, the goroutine was started; process model, the
	// process spawn was requested; serial, the process spawn. ReadyNs: the
	// worker was waiting at the start barrier. StartNs/EndNs: its work.
	SpawnNs  int64  `json:"spawn_ns"`
	ReadyNs  int64  `json:"ready_ns"`
	StartNs  int64  `json:"start_ns"`
	EndNs    int64  `json:"end_ns"`
	Checksum string `json:"checksum"`
}

// Profile is one merged profile under profiles/.
type Profile struct {
	Kind    string   `json:"kind"` // cpu, wall, heap, mutex, block, goroutine
	File    string   `json:"file"` // relative to the scenario directory
	Inputs  int      `json:"inputs"`
	Samples int      `json:"samples"`
	Skipped []string `json:"skipped,omitempty"` // raw files that could not be read, with why
}

// Observed is what the outside observer saw of a trial: every process of
// it and its descendants, sampled from /proc every interval. The samples
// themselves are in Dir/samples.json.
type Observed struct {
	SamplesFile string `json:"samples_file"` // relative to the scenario directory
	IntervalNs  int64  `json:"interval_ns"`
	// The window summarised: first spawn request to last process reaped.
	StartNs int64 `json:"start_ns"`
	EndNs   int64 `json:"end_ns"`
	// SampledCPUNs sums the threads' on-CPU time (schedstat) seen in the
	// window; ProcessCPUNs the processes' CPU clocks, exited threads
	// included. Both miss processes too short-lived to be sampled.
	SampledCPUNs int64 `json:"sampled_cpu_ns"`
	ProcessCPUNs int64 `json:"process_cpu_ns"`
	// RunqueueNs: time the trial's threads were runnable but waiting for a
	// CPU (schedstat field 2).
	RunqueueNs int64   `json:"runqueue_ns"`
	AvgCores   float64 `json:"avg_cores"`  // SampledCPUNs / window
	PeakCores  float64 `json:"peak_cores"` // largest total over one sampling interval
	// PeakRSSTotalBytes is the largest sum of the processes' RSS read in
	// one tick: unlike the rusage sum, processes that did not peak at the
	// same time are not added up.
	PeakRSSTotalBytes int64 `json:"peak_rss_total_bytes"`
	// MachineOtherAvgCores is the machine's busy cores (/proc/stat) minus
	// the trial's own: load from other processes during the trial.
	MachineOtherAvgCores float64 `json:"machine_other_avg_cores"`
	// ExactCPUNs is the exact CPU total of the trial: the trial's cgroup
	// (cpu.stat) where one could be created, else the rusage of the
	// processes it started (which includes their reaped descendants).
	ExactCPUNs  int64  `json:"exact_cpu_ns"`
	ExactSource string `json:"exact_source"` // "cgroup" or "rusage"
	// UnattributedCPUNs is ExactCPUNs − ProcessCPUNs: CPU of processes
	// that lived too briefly for the sampler to see, and of threads'
	// last moments before they exited.
	UnattributedCPUNs int64             `json:"unattributed_cpu_ns"`
	Processes         []ObservedProcess `json:"processes"`
	// Leftovers are descendants still alive when the trial's own processes
	// had exited (a daemon, a double fork); the harness ended them.
	Leftovers []ObservedProcess `json:"leftovers,omitempty"`
}

// ObservedProcess is one process the observer saw.
type ObservedProcess struct {
	PID          int    `json:"pid"`
	PPID         int    `json:"ppid"`
	Comm         string `json:"comm"`
	CPUNs        int64  `json:"cpu_ns"`         // its threads' on-CPU time in the window
	ProcessCPUNs int64  `json:"process_cpu_ns"` // its CPU clock's delta
	RunqueueNs   int64  `json:"runqueue_ns"`
	PeakRSSBytes int64  `json:"peak_rss_bytes"`
}
