// Package observe samples a trial's processes from outside, through /proc,
// so that any program can be measured, including those that cannot be
// traced from inside.
//
// Every Config.Interval (10 ms) the sampler reads, for each live process
// of the trial and all its descendants:
//
//   - per thread, /proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU
//     and waiting on a runqueue. Per-thread stat ticks are not used: they
//     count in 1/CLK_TCK (10 ms) and the kernel samples at its own HZ, so a
//     10 ms timeline built from them is wrong;
//   - per process, its CPU-time clock (clock_gettime on
//     MAKE_PROCESS_CPUCLOCK(pid), which any process may read: every
//     thread's runtime in ns, exited threads included; /proc/<pid>/stat
//     utime+stime, the same at 1/CLK_TCK = 10 ms, is the fallback), statm
//     resident pages, and stat for state, thread count, comm and ppid;
//   - once per tick, the machine-wide "cpu" line of /proc/stat, so a report
//     can show the load of other processes.
//
// Descendants are found through /proc/<pid>/task/<tid>/children of every
// thread of every known process and through Config.Discover, both read
// only at ticks in which a task was created on the machine (the last pid
// in /proc/loadavg moved): nothing new can appear in them otherwise.
//
// Files are opened once and re-read with pread at offset 0 (a kept fd
// costs a fraction of an open/read/close and cannot follow a pid to a new
// process once the old one is reaped); a read error means the task is gone
// and its files are closed. Each read is stamped with the wall clock
// (time.Now().UnixNano(), Unix ns) just before it, since the sampler is
// preempted under load and intervals vary (p99 14–17 ms at 10 ms here):
// rates are always a delta over that delta's own interval.
//
// What polling cannot see: CPU a thread uses between its last read and its
// exit, and processes that live less than an interval. And what it sees
// late: the kernel brings a running thread's runtime up to date only at its
// scheduler tick (4 ms at HZ 250), in schedstat and the process clock
// alike, so one 10 ms delta can be off by that much (≈0.13 cores of noise
// per 10 ms bin; a peak can exceed the CPU count by as much). A per-trial cgroup
// (package harness/cgroup) or rusage at exit gives exact totals for those.
package observe
