package workload

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func init() {
	register(&Kind{
		Name: "fault",
		Doc:  "A worker that misbehaves on purpose, to see how the harness reports it: the target worker crashes, hangs or floods its output after a short wait; the others just wait.",
		Params: []Param{{
			Name: "fault", Type: Enum, Enum: []string{"panic", "exit", "kill", "hang", "hang-ignore-term", "spew", "none"}, Default: "panic",
			Doc:   "panic; exit (status 3); kill (SIGKILL itself); hang (until ended); hang-ignore-term (ignores SIGTERM too); spew (floods stdout); none",
			field: func(p *Params) any { return &p.Fault },
		}, {
			Name: "target", Type: Int, Min: 0, Max: 128, Default: int64(1),
			Doc:   "the worker that misbehaves (1-based); 0 for every worker",
			field: func(p *Params) any { return &p.Target },
		}, {
			Name: "after", Type: Duration, Min: 0, Max: int64(time.Minute), Default: 20 * time.Millisecond,
			Doc:   "how long every worker works (waits) before the fault",
			field: func(p *Params) any { return &p.Duration },
		}, {
			Name: "spew_mb", Type: Int, Min: 1, Max: 16 << 10, Default: int64(64),
			Doc:   "MiB written to stdout by a spewing worker",
			field: func(p *Params) any { return &p.SpewMB },
		}},
		New: func(p Params, env Env) (Instance, error) { return &fault{p: p}, nil },
	})
}

type fault struct{ p Params }

// Work waits, then the target worker misbehaves. The faults are real: a
// panic that ends the process, an exit, a SIGKILL, a hang, a flood of
// output. In the thread model they end every worker of the process, as a
// crashing thread ends its process.
func (f *fault) Work(ctx context.Context, worker int) (uint64, error) {
	select {
	case <-time.After(f.p.Duration):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if f.p.Target != 0 && int64(worker) != f.p.Target {
		return 1, nil
	}
	switch f.p.Fault {
	case "panic":
		panic(fmt.Sprintf("harness fault workload: worker w%d panics on purpose", worker))
	case "exit":
		fmt.Fprintf(os.Stderr, "harness fault workload: worker w%d exits with status 3\n", worker)
		os.Exit(3)
	case "kill":
		fmt.Fprintf(os.Stderr, "harness fault workload: worker w%d kills its process\n", worker)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case "hang-ignore-term":
		signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
		fmt.Fprintf(os.Stderr, "harness fault workload: worker w%d hangs and ignores SIGTERM\n", worker)
		select {}
	case "hang":
		fmt.Fprintf(os.Stderr, "harness fault workload: worker w%d hangs\n", worker)
		select {}
	case "spew":
		line := []byte("harness fault workload: spewing output to see that the harness keeps only a bounded tail of it.....\n")
		var n int64
		for n < f.p.SpewMB<<20 {
			k, err := os.Stdout.Write(line)
			n += int64(k)
			if err != nil {
				return 0, err
			}
		}
		fmt.Fprintf(os.Stderr, "harness fault workload: worker w%d wrote %d bytes to stdout\n", worker, n)
		return uint64(n), nil
	}
	return 1, nil
}
