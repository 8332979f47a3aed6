package workload

import (
	"context"
	"fmt"
	"os"
	"time"
)

func init() {
	register(&Kind{
		Name: "io",
		Doc:  "Blocking waits: ops waits of duration each, by sleeping or by reading a pipe that a timer writes. Little CPU; shows what concurrency buys when work waits.",
		Params: []Param{{
			Name: "ops", Type: Int, Min: 1, Max: 1_000_000, Default: int64(50),
			Doc:   "blocking waits per worker",
			field: func(p *Params) any { return &p.Ops },
		}, {
			Name: "duration", Type: Duration, Min: int64(time.Microsecond), Max: int64(10 * time.Second), Default: 20 * time.Millisecond,
			Doc:   "length of each wait",
			field: func(p *Params) any { return &p.Duration },
		}, {
			Name: "wait", Type: Enum, Enum: []string{"sleep", "pipe"}, Default: "sleep",
			Doc:   "sleep: time.Sleep; pipe: a blocking read on a pipe a timer writes one byte to",
			field: func(p *Params) any { return &p.Wait },
		}},
		New: func(p Params, env Env) (Instance, error) { return &ioWait{p: p, gil: env.GIL}, nil },
	})
}

type ioWait struct {
	p   Params
	gil *GIL
}

// Work waits ops times. Like CPython, a worker does not hold the GIL while it
// waits. The checksum counts completed waits and bytes read, so a wait that
// returned early or read nothing changes it.
func (w *ioWait) Work(ctx context.Context, worker int) (uint64, error) {
	var r, wr *os.File
	if w.p.Wait == "pipe" {
		var err error
		if r, wr, err = os.Pipe(); err != nil {
			return 0, fmt.Errorf("pipe: %w", err)
		}
		defer r.Close()
		defer wr.Close()
	}
	var sum uint64
	buf := make([]byte, 1)
	for i := int64(0); i < w.p.Ops; i++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		switch w.p.Wait {
		case "pipe":
			t := time.AfterFunc(w.p.Duration, func() { wr.Write([]byte{1}) })
			n, err := r.Read(buf)
			t.Stop()
			if err != nil {
				return 0, fmt.Errorf("read pipe: %w", err)
			}
			sum += uint64(n) << 32
		default:
			time.Sleep(w.p.Duration)
		}
		sum++
		w.gil.Acquire() // a little bookkeeping under the GIL, as an interpreter would
		w.gil.Release()
	}
	return sum, nil
}
