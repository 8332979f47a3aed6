package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"

	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/harness/schedtrace"
	"harness/harness/workload"
)

// Exit codes of a worker process.
const (
	ExitOK       = 0
	ExitWorkload = 1 // the workload or its profiles failed; the done message says why
	ExitUsage    = 2
	ExitOrphaned = 3   // the orchestrator went away before releasing the barrier
	ExitSignaled = 143 // ended by SIGTERM after flushing profiles (128 + 15)
)

// Main is the entry point of worker mode: harness __worker --spec FILE
// --process K. It returns the process exit code.
func Main(args []string) int {
	mainNs := time.Now().UnixNano()
	fs := flag.NewFlagSet(Mode, flag.ContinueOnError)
	specPath := fs.String("spec", "", "trial spec.json")
	index := fs.Int("process", 0, "process index in the spec")
	floor := fs.Bool("floor", false, "report ready at once and exit: the start-up floor of this binary")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	// os.NewFile takes any fd number, and when 3 and 4 were not inherited
	// the runtime's own epoll and event fds may hold them: check that they
	// are the pipes the harness passes.
	for _, fd := range []int{3, 4} {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
			fmt.Fprintln(os.Stderr, "harness worker: started without control pipes; this mode is for the harness itself")
			return ExitUsage
		}
	}
	ctlOut := os.NewFile(3, "harness-ctl-out")
	ctlIn := os.NewFile(4, "harness-ctl-in")
	c := &child{out: json.NewEncoder(ctlOut), pid: os.Getpid()}
	if *floor {
		c.send(Message{Type: "ready", PID: c.pid, MainNs: mainNs, ReadyNs: time.Now().UnixNano()})
		return ExitOK
	}
	code, err := c.run(*specPath, *index, mainNs, bufio.NewReader(ctlIn))
	if err != nil {
		fmt.Fprintf(os.Stderr, "harness worker %d: %v\n", c.pid, err)
		c.send(Message{Type: "done", PID: c.pid, Error: err.Error()})
	}
	return code
}

type child struct {
	mu  sync.Mutex
	out *json.Encoder
	pid int
}

func (c *child) send(m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Encode(m) // nothing to do if the orchestrator is gone
}

func (c *child) run(specPath string, index int, mainNs int64, in *bufio.Reader) (int, error) {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return ExitUsage, fmt.Errorf("read spec: %w", err)
	}
	var spec Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return ExitUsage, fmt.Errorf("read spec %s: %w", specPath, err)
	}
	if index < 0 || index >= len(spec.Processes) {
		return ExitUsage, fmt.Errorf("process index %d out of range (spec has %d)", index, len(spec.Processes))
	}
	kind, ok := workload.Lookup(spec.Kind)
	if !ok {
		return ExitUsage, fmt.Errorf("unknown workload kind %q", spec.Kind)
	}
	dir := filepath.Join(spec.Dir, strconv.Itoa(c.pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ExitWorkload, fmt.Errorf("create raw directory: %w", err)
	}

	rec, err := startRecorder(dir, spec.Profiles)
	if err != nil {
		return ExitWorkload, err
	}
	// On SIGTERM (timeout, Ctrl-C) flush the profiles and trace, so that a
	// trial that was ended still has usable partial files.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		rec.stop()
		os.Exit(ExitSignaled)
	}()

	env := workload.Env{}
	if spec.GIL {
		env.GIL = workload.NewGIL(spec.GILInterval)
	}
	inst, err := kind.New(spec.Params, env)
	if err != nil {
		rec.stop()
		return ExitWorkload, fmt.Errorf("set up %s workload: %w", spec.Kind, err)
	}

	ids := spec.Processes[index]
	runs := make([]rundir.Worker, len(ids))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	var errMu sync.Mutex
	var workErr error

	work := func(i int) {
		id := ids[i]
		name := WorkerName(id)
		runs[i].StartNs = time.Now().UnixNano()
		tctx, task := trace.NewTask(ctx, "worker "+name)
		var sum uint64
		var err error
		pprof.Do(tctx, pprof.Labels(LabelWorker, name), func(ctx context.Context) {
			// The schedule chart names a goroutine's lane by this log.
			trace.Log(ctx, schedtrace.WorkerCategory, name)
			sum, err = inst.Work(ctx, id)
		})
		task.End()
		runs[i].EndNs = time.Now().UnixNano()
		runs[i].Checksum = fmt.Sprintf("%016x", sum)
		if err != nil {
			errMu.Lock()
			if workErr == nil {
				workErr = fmt.Errorf("worker %s: %w", name, err)
			}
			errMu.Unlock()
		}
	}
	for i, id := range ids {
		runs[i].ID, runs[i].Name, runs[i].PID = id, WorkerName(id), c.pid
	}
	if spec.Model == scenario.Serial {
		// One goroutine per worker, one after another: each worker still
		// has a goroutine of its own in the trace.
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			for i := range ids {
				var one sync.WaitGroup
				one.Add(1)
				go func() { defer one.Done(); work(i) }()
				one.Wait()
			}
		}()
	} else {
		for i := range ids {
			ready.Add(1)
			done.Add(1)
			runs[i].SpawnNs = time.Now().UnixNano()
			go func() {
				defer done.Done()
				runs[i].ReadyNs = time.Now().UnixNano()
				ready.Done()
				<-release
				work(i)
			}()
		}
	}
	ready.Wait()
	readyNs := time.Now().UnixNano()
	c.send(Message{Type: "ready", PID: c.pid, MainNs: mainNs, ReadyNs: readyNs})

	line, err := in.ReadString('\n')
	if err != nil || line != "go\n" {
		rec.stop()
		if err == io.EOF || err == nil {
			return ExitOrphaned, fmt.Errorf("orchestrator closed the control pipe before the start signal")
		}
		return ExitOrphaned, fmt.Errorf("read start signal: %w", err)
	}
	cpu0 := ProcessCPU()
	close(release)
	rec.snapshotGoroutines()
	done.Wait()
	cpu1 := ProcessCPU()

	stopErr := rec.stop()
	msg := Message{Type: "done", PID: c.pid, Workers: runs, WorkCPUNs: cpu1 - cpu0,
		GILSwitch: env.GIL.Switches(), PeakRSSBytes: peakRSS()}
	if ctr, ok := inst.(workload.Counter); ok {
		v := ctr.Counter()
		msg.Counter = &v
	}
	code := ExitOK
	for _, err := range []error{workErr, stopErr} {
		if err != nil && msg.Error == "" {
			fmt.Fprintf(os.Stderr, "harness worker %d: %v\n", c.pid, err)
			msg.Error, code = err.Error(), ExitWorkload
		}
	}
	c.send(msg)
	return code, nil
}

// ProcessCPU is this process's user+system CPU so far, every thread, ns
// (getrusage(RUSAGE_SELF)). The orchestrator measures its own with it too.
func ProcessCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// peakRSS is the process's VmHWM, in bytes; 0 if unreadable.
func peakRSS() int64 {
	self, err := procfs.Self()
	if err != nil {
		return 0
	}
	st, err := self.NewStatus()
	if err != nil {
		return 0
	}
	return int64(st.VmHWM)
}
