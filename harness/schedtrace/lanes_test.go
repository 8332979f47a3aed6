package schedtrace

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime/trace"
	"sync"
	"testing"
)

// traceInProcess traces f in this process.
func traceInProcess(f func()) ([]byte, error) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		return nil, err
	}
	f()
	trace.Stop()
	return buf.Bytes(), nil
}

// TestManyGoroutines: 10k short goroutines and 3 workers, with few lanes and
// bins: lanes are capped, workers kept, Other holds the rest, and the lanes'
// cost never exceeds the budget.
func TestManyGoroutines(t *testing.T) {
	const n = 10000
	data, err := traceInProcess(func() {
		var wg sync.WaitGroup
		for w := 1; w <= 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				trace.Log(context.Background(), WorkerCategory, fmt.Sprintf("w%d", w))
				ch := make(chan int)
				var inner sync.WaitGroup
				for i := 0; i < n/3; i++ {
					inner.Add(1)
					go func() { defer inner.Done(); ch <- i }()
					<-ch
				}
				inner.Wait()
			}()
		}
		wg.Wait()
	})
	if err != nil {
		t.Skip("cannot trace:", err)
	}
	opt := Options{MaxLanes: 8, Bins: 100}.withDefaults()
	s, b, err := read(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.NumGoroutines < n || len(s.Goroutines) != opt.MaxLanes || s.Other == nil || s.Other.Count < n-opt.MaxLanes {
		t.Fatalf("%d goroutines, %d lanes, other %+v", s.NumGoroutines, len(s.Goroutines), s.Other)
	}
	for i, id := range []string{"w1", "w2", "w3"} {
		if s.Goroutines[i].Worker != id {
			t.Errorf("lane %d is %q, want worker %s first", i, s.Goroutines[i].Worker, id)
		}
	}
	if b.peakCost > opt.MaxLanes*opt.Bins*laneBudgetFactor+laneCost {
		t.Errorf("lanes cost peaked at %d records, budget %d", b.peakCost, b.budget)
	}
	if !s.Binned {
		t.Error("30k+ intervals kept")
	}
	checkConsistent(t, s)

	// The lanes bound changes which goroutines have lanes, not the sums.
	wide := mustRead(t, data, Options{MaxLanes: 100000, Bins: 100})
	if wide.Totals != s.Totals || !reflect.DeepEqual(wide.Bins, s.Bins) {
		t.Errorf("totals with all lanes %v, with 8 %v", wide.Totals, s.Totals)
	}
}

// TestSparseHalving compares streamed sparse bins, halved along the way,
// with bins computed directly at the final width.
func TestSparseHalving(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 200; iter++ {
		g := newGrid(1000, 1+rng.Int64N(50), 16, false)
		var sp sparse
		var d dense
		var ivs []Interval
		now := g.origin + rng.Int64N(100)
		for k := rng.IntN(60); k > 0; k-- {
			end := now + 1 + rng.Int64N(g.width*int64(1+rng.IntN(6)))
			for end > g.end() {
				sp = sp.halve(g.width)
				d.halve()
				g.width *= 2
				g.resetCur()
			}
			g.advance(end)
			st := State(rng.IntN(int(NumStates)))
			sp.add(&g, now, end, st)
			d.add(&g, now, end, st)
			ivs = append(ivs, Interval{now, end, st})
			now = end
		}
		if len(ivs) == 0 {
			continue
		}
		s := &Schedule{BinOriginNs: g.origin, BinNs: g.width}
		wantFirst, want := binIntervals(s, ivs)
		first, got := sp.expand(g.width)
		if int(first) != wantFirst || !reflect.DeepEqual(got, want) {
			t.Fatalf("iter %d: sparse bins from %d %v, want from %d %v", iter, first, got, wantFirst, want)
		}
		var ds dense
		ds.addSparse(&g, sp)
		all := d.bins(g.n)
		if !reflect.DeepEqual(ds.bins(g.n), all) {
			t.Fatalf("iter %d: folded sparse bins differ from dense bins", iter)
		}
		if !reflect.DeepEqual(all[wantFirst:wantFirst+len(want)], want) {
			t.Fatalf("iter %d: dense bins %v, want %v", iter, all, want)
		}
	}
}
