package workload

import (
	"context"
	"math"
	"sync"
)

func init() {
	register(&Kind{
		Name: "lock",
		Doc:  "Workers increment one shared counter under a sync.Mutex, with some work inside and outside the critical section. In the process model each process has its own counter and reports its total.",
		Params: []Param{{
			Name: "iterations", Type: Int, Min: 1, Max: 1_000_000_000, Default: int64(2_000_000),
			Doc:   "counter increments per worker",
			field: func(p *Params) any { return &p.Iterations },
		}, {
			Name: "critical_work", Type: Int, Min: 0, Max: 1_000_000, Default: int64(20),
			Doc:   "math.Sqrt calls inside the critical section, per increment",
			field: func(p *Params) any { return &p.CriticalWork },
		}, {
			Name: "outside_work", Type: Int, Min: 0, Max: 1_000_000, Default: int64(20),
			Doc:   "math.Sqrt calls outside the critical section, per increment",
			field: func(p *Params) any { return &p.OutsideWork },
		}},
		New:     func(p Params, env Env) (Instance, error) { return &lock{p: p, gil: env.GIL}, nil },
		Counter: func(p Params, workers int) int64 { return p.Iterations * int64(workers) },
	})
}

type lock struct {
	p       Params
	gil     *GIL
	mu      sync.Mutex
	counter int64
}

func (l *lock) Counter() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counter
}

// Work increments the shared counter. The checksum sums only values the
// worker computes from its own loop index, so it is the same however the
// workers interleave; the counter total is checked by the orchestrator.
func (l *lock) Work(ctx context.Context, worker int) (uint64, error) {
	l.gil.Acquire()
	defer l.gil.Release()
	var sum float64
	for i := int64(0); i < l.p.Iterations; i++ {
		for j := int64(0); j < l.p.OutsideWork; j++ {
			sum += math.Sqrt(float64(i + j))
		}
		l.mu.Lock()
		l.counter++
		for j := int64(0); j < l.p.CriticalWork; j++ {
			sum += math.Sqrt(float64(i ^ j))
		}
		l.mu.Unlock()
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			l.gil.Yield()
		}
	}
	return math.Float64bits(sum), nil
}
