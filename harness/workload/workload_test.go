package workload

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func small(kind string) Params {
	k, _ := Lookup(kind)
	p := k.Defaults()
	p.Iterations = 20000
	p.Ops, p.Duration = 3, time.Millisecond
	p.SharedMB, p.Passes = 1, 1
	p.CriticalWork, p.OutsideWork = 3, 3
	return p
}

// TestChecksumsDoNotDependOnModel runs each workload's workers one after
// another and all at once in one instance, and in separate instances (the
// process model): every worker's checksum must be the same each time.
func TestChecksumsDoNotDependOnModel(t *testing.T) {
	ctx := context.Background()
	for _, k := range Kinds() {
		if k.Name == "fault" {
			continue // misbehaves on purpose; the runner's tests cover it
		}
		t.Run(k.Name, func(t *testing.T) {
			p := small(k.Name)
			const workers = 3
			serial := make([]uint64, workers)
			inst, err := k.New(p, Env{})
			if err != nil {
				t.Fatal(err)
			}
			for w := 1; w <= workers; w++ {
				if serial[w-1], err = inst.Work(ctx, w); err != nil {
					t.Fatal(err)
				}
			}
			threads := make([]uint64, workers)
			inst2, _ := k.New(p, Env{GIL: NewGIL(time.Millisecond)})
			var wg sync.WaitGroup
			for w := 1; w <= workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					threads[w-1], _ = inst2.Work(ctx, w)
				}()
			}
			wg.Wait()
			for w := 1; w <= workers; w++ {
				own, _ := k.New(p, Env{})
				proc, _ := own.Work(ctx, w)
				if serial[w-1] != threads[w-1] || serial[w-1] != proc || proc == 0 {
					t.Errorf("w%d: serial %x, threads %x, process %x", w, serial[w-1], threads[w-1], proc)
				}
			}
			if c, ok := inst2.(Counter); ok {
				if k.Counter == nil {
					t.Fatalf("kind %s keeps a counter but has no Kind.Counter to check it", k.Name)
				}
				if want := k.Counter(p, workers); c.Counter() != want {
					t.Errorf("counter %d, want %d", c.Counter(), want)
				}
			}
		})
	}
}

func TestWorkStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, k := range Kinds() {
		p := small(k.Name)
		p.Iterations, p.Ops, p.Passes = 1<<40>>10, 1000, 1000
		inst, _ := k.New(p, Env{})
		if _, err := inst.Work(ctx, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err %v, want context.Canceled", k.Name, err)
		}
	}
}

// TestGILSerializes checks the emulation's point: with the GIL, workers take
// turns, so no two of them ever compute at the same time, and the holder
// hands over when others wait.
func TestGILSerializes(t *testing.T) {
	g := NewGIL(200 * time.Microsecond)
	var mu sync.Mutex
	inside, maxInside := 0, 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.Acquire()
			defer g.Release()
			deadline := time.Now().Add(5 * time.Millisecond)
			for time.Now().Before(deadline) {
				mu.Lock()
				inside++
				maxInside = max(maxInside, inside)
				mu.Unlock()
				mu.Lock()
				inside--
				mu.Unlock()
				g.Yield()
			}
		}()
	}
	wg.Wait()
	if maxInside != 1 {
		t.Errorf("%d workers computed at once under the GIL", maxInside)
	}
	if g.Switches() == 0 {
		t.Errorf("the GIL was never handed over")
	}
	var nilGIL *GIL
	nilGIL.Acquire()
	nilGIL.Yield()
	nilGIL.Release()
}

func TestDefaultsInRange(t *testing.T) {
	for _, k := range Kinds() {
		p := k.Defaults()
		for _, pa := range k.Params {
			switch v := pa.Ptr(&p).(type) {
			case *int64:
				if *v < pa.Min || *v > pa.Max {
					t.Errorf("%s.%s default %d outside [%d, %d]", k.Name, pa.Name, *v, pa.Min, pa.Max)
				}
			case *time.Duration:
				if int64(*v) < pa.Min || int64(*v) > pa.Max {
					t.Errorf("%s.%s default %v out of range", k.Name, pa.Name, *v)
				}
			case *string:
				found := false
				for _, e := range pa.Enum {
					found = found || e == *v
				}
				if !found {
					t.Errorf("%s.%s default %q not in %v", k.Name, pa.Name, *v, pa.Enum)
				}
			}
		}
	}
}
