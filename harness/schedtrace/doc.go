// Package schedtrace turns a runtime/trace execution trace into a
// per-goroutine schedule: time per state (running, runnable, blocked, in a
// syscall, in GC mark assist) for each goroutine, lanes of exact intervals or
// time bins for a schedule chart, and the sums over all goroutines for an
// "effective parallelism" chart.
//
// The trace is streamed (golang.org/x/exp/trace, one event at a time) and
// aggregated on the fly. Times are wall clock (unix ns), mapped from the
// trace clock by the clock snapshots in the trace, so the schedules of
// several processes on one host share one time axis; Options can fix a
// common window and bin grid for them.
//
// Memory does not grow with the number of events. Read keeps: per live
// goroutine ~20 B; per goroutine lane a compact sparse row of bins, all lanes
// together at most MaxLanes·Bins records of ~48 B (~6 MB at the defaults,
// lanes of workers excepted: they are never summed away); one dense row for
// the "other goroutines" lane; up to MaxIntervals intervals. The result holds
// at most MaxLanes+1 lanes of at most Bins bins. The x/exp/trace reader
// itself holds one to two generations (~1 s of trace each): measured peak RSS
// is ~4.5–6× the largest generation, 245–300 MiB for a trace of a saturated
// two-core channel-heavy process (50 MB generations), whatever its length.
// Most of that is GC headroom: Read does not touch GC settings, but a
// process reading big traces can set a soft limit (debug.SetMemoryLimit or
// GOMEMLIMIT): at 200 MiB the same read peaked at 201 MiB, no slower.
//
// Caveat: "running" means scheduled on a P, not on a CPU. A goroutine on a P
// whose thread the OS has descheduled still counts as running; under load
// from other processes running time can far exceed CPU time (0.47 core-s
// running against 0.22 s of rusage CPU was measured). Label trace-derived
// figures "scheduled", and take CPU time from rusage or CPU profiles.
//
// Conventions: a worker goroutine names itself with
// trace.Log(ctx, WorkerCategory, "w3"); a goroutine's name is its start
// function (traces carry no goroutine names or pprof labels).
package schedtrace
