package scenario

import "time"

// Limits that keep any scenario file from exhausting the machine. They are
// checked while loading, with the file, line and field in the error.
const (
	MaxFileBytes   = 1 << 20 // a scenario is a few hundred bytes
	MaxNodes       = 10_000  // YAML nodes after alias expansion ("billion laughs")
	MaxWorkers     = 128     // per trial; the process model starts one process each
	MaxSweep       = 16      // worker counts in one sweep
	MaxRepeat      = 100
	MaxWarmup      = 20
	MaxTrials      = 1000 // models × worker counts × (repeat + warmup)
	MaxModels      = 8
	MaxArgs        = 256
	MaxNameLen     = 64
	MinTimeout     = time.Second
	MaxTimeout     = 6 * time.Hour
	DefaultTimeout = 10 * time.Minute
	// MaxBatch bounds the whole batch's worst case: trials × timeout.
	MaxBatch = 7 * 24 * time.Hour

	MinSampleInterval     = time.Millisecond
	MaxSampleInterval     = 10 * time.Second
	DefaultSampleInterval = 10 * time.Millisecond

	MinGILInterval     = 50 * time.Microsecond
	MaxGILInterval     = time.Second
	DefaultGILInterval = 5 * time.Millisecond // CPython's sys.getswitchinterval()
)
