package schedtrace

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/trace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"harness/internal/tracegen"
)

// The test binary doubles as the program under trace: tests and the benchmark
// re-exec it with childEnv set, so that traces come from a fresh process (its
// own generations, its own GODEBUG) and peak RSS can be measured per process.
const childEnv = "SCHEDTRACE_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(childEnv); ok {
		kind, arg, _ := strings.Cut(mode, ":")
		var err error
		switch kind {
		case "workload":
			err = childWorkload(arg)
		case "generate":
			err = tracegen.Write(arg, tracegen.MinBytes, WorkerCategory)
		case "summarize":
			err = childSummarize(arg, os.Stdout)
		case "parse":
			err = childParse(arg)
		default:
			err = fmt.Errorf("unknown child mode %q", mode)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild re-executes the test binary in the given child mode and returns its
// stdout and the finished process state (for rusage).
func runChild(t testing.TB, mode string, extraEnv ...string) ([]byte, *os.ProcessState) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child %q: %v\n%s", mode, err, stderr.String())
	}
	return out, cmd.ProcessState
}

// workloadTimes is what the workload child reports: wall clock just before
// trace.Start and just after trace.Stop.
type workloadTimes struct {
	BeforeNs, AfterNs int64
}

// Known work for the accuracy tests; named functions so the goroutine names
// (start functions) are predictable.
const (
	spinFor    = 50 * time.Millisecond
	sleepFor   = 50 * time.Millisecond
	blockFor   = 30 * time.Millisecond
	syscallFor = 30 * time.Millisecond
)

func spinWorker(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	trace.Log(ctx, WorkerCategory, "w1")
	x := 1.0
	for end := time.Now().Add(spinFor); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			x = x*1.0000001 + 1e-9
		}
	}
	sink = x
}

func sleepWorker(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	trace.Log(ctx, WorkerCategory, "w2")
	time.Sleep(sleepFor)
}

func chanSyscallWorker(ctx context.Context, wg *sync.WaitGroup, ch <-chan struct{}) {
	defer wg.Done()
	trace.Log(ctx, WorkerCategory, "w3")
	<-ch
	// A raw blocking syscall: the goroutine stays in the Syscall state.
	// A signal (the runtime's preemption, the profiler) can end it early:
	// sleep on for what remains.
	rem := syscall.NsecToTimespec(int64(syscallFor))
	for {
		req := rem
		if err := syscall.Nanosleep(&req, &rem); err != syscall.EINTR {
			break
		}
	}
}

var sink float64

// childWorkload traces the three known workers into path. It runs with
// GODEBUG=traceadvanceperiod set by the parent so the small trace has many
// generations (needed to cut it and still keep whole generations).
func childWorkload(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var times workloadTimes
	times.BeforeNs = time.Now().UnixNano()
	if err := trace.Start(f); err != nil {
		return err
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	ch := make(chan struct{})
	wg.Add(3)
	go spinWorker(ctx, &wg)
	go sleepWorker(ctx, &wg)
	go chanSyscallWorker(ctx, &wg, ch)
	time.Sleep(blockFor)
	close(ch)
	wg.Wait()
	time.Sleep(5 * time.Millisecond) // let the goroutines exit inside the trace
	trace.Stop()
	times.AfterNs = time.Now().UnixNano()
	return json.NewEncoder(os.Stdout).Encode(times)
}
