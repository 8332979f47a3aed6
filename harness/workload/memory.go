package workload

import (
	"context"
	"math/bits"
)

func init() {
	register(&Kind{
		Name: "memory",
		Doc:  "A table of shared_mb MiB built once per process and read by every worker in it: the thread model holds one copy, the process model one per process.",
		Params: []Param{{
			Name: "shared_mb", Type: Int, Min: 1, Max: 4096, Default: int64(64),
			Doc:   "size of the per-process table, MiB",
			field: func(p *Params) any { return &p.SharedMB },
		}, {
			Name: "passes", Type: Int, Min: 1, Max: 10_000, Default: int64(4),
			Doc:   "full reads of the table per worker",
			field: func(p *Params) any { return &p.Passes },
		}},
		New: newMemory,
	})
}

type memory struct {
	table  []uint64
	passes int64
	gil    *GIL
}

// newMemory builds the table once per process; this is the cost a new
// process pays and a new thread does not.
func newMemory(p Params, env Env) (Instance, error) {
	t := make([]uint64, p.SharedMB<<20/8)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range t {
		x = splitmix(x)
		t[i] = x
	}
	return &memory{table: t, passes: p.Passes, gil: env.GIL}, nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	z := x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Work reads the whole table passes times. Each worker starts at its own
// offset so that workers do not walk the same cache lines in lock step, and
// the checksum does not depend on the order of the additions.
func (m *memory) Work(ctx context.Context, worker int) (uint64, error) {
	m.gil.Acquire()
	defer m.gil.Release()
	n := len(m.table)
	start := (worker * 4099) % n
	var sum uint64
	for p := int64(0); p < m.passes; p++ {
		// table[start:], then table[:start]: no division per element (a
		// modulo per read took 3× the time of the reads themselves).
		for _, part := range [][]uint64{m.table[start:], m.table[:start]} {
			for len(part) > 0 {
				chunk := part[:min(checkEvery, len(part))]
				part = part[len(chunk):]
				for _, v := range chunk {
					sum += bits.RotateLeft64(v, int(p))
				}
				if err := ctx.Err(); err != nil {
					return 0, err
				}
				m.gil.Yield()
			}
		}
	}
	return sum, nil
}
