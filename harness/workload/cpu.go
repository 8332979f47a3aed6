package workload

import (
	"context"
	"math"
)

func init() {
	register(&Kind{
		Name: "cpu",
		Doc:  "The seed's loop: sum math.Sqrt(i) for i in [0, iterations) in every worker. Pure CPU, no sharing.",
		Params: []Param{{
			Name: "iterations", Type: Int, Min: 1, Max: 100_000_000_000, Default: int64(400_000_000),
			Doc:   "math.Sqrt calls per worker",
			field: func(p *Params) any { return &p.Iterations },
		}},
		New: func(p Params, env Env) (Instance, error) { return &cpu{n: p.Iterations, gil: env.GIL}, nil },
	})
}

type cpu struct {
	n   int64
	gil *GIL
}

// checkEvery bounds how long a worker computes between GIL checks; CPython
// checks its eval-breaker about as often.
const checkEvery = 1 << 12

func (c *cpu) Work(ctx context.Context, worker int) (uint64, error) {
	c.gil.Acquire()
	defer c.gil.Release()
	var sum float64
	for i := int64(0); i < c.n; {
		end := min(i+checkEvery, c.n)
		for ; i < end; i++ {
			sum += math.Sqrt(float64(i))
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c.gil.Yield()
	}
	return math.Float64bits(sum), nil
}
