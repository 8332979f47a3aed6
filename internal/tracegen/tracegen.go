// Package tracegen writes large execution traces for the benchmarks that
// measure reading them (harness/schedtrace, reports): eight worker pairs
// ping-ponging on channels (many short running spans), short-lived
// goroutines (many goroutine ids), some allocation (GC and mark assists)
// and syscalls. Such a trace takes seconds to write, so it is cached in the
// temporary directory, one per toolchain.
package tracegen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// MinBytes is the size the benchmark trace reaches (the "≥ 100 MB").
const MinBytes = 100 << 20

// version changes with the load, so that a stale cached trace is not reused.
const version = 4

// Cached returns the cached benchmark trace, calling generate to write it
// to a temporary path first when it is missing. generate should run Write
// in a child process: tracing the benchmark's own process would disturb it.
func Cached(generate func(path string) error) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("harness-bench-v%d-%s-%s.trace", version, runtime.Version(), runtime.GOARCH))
	if st, err := os.Stat(path); err == nil && st.Size() >= MinBytes {
		return path, nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	if err := generate(tmp); err != nil {
		return "", fmt.Errorf("generate %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return path, nil
}

// Bench returns the cached benchmark trace for a benchmark, skipping it
// under -short, and generating the trace with generate (which should run
// Write in a child process) when it is missing.
func Bench(b testing.TB, generate func(path string)) string {
	if testing.Short() {
		b.Skip("needs a 100 MB trace")
	}
	path, err := Cached(func(tmp string) error {
		b.Logf("generating %s (≥ %d MB; cached for later runs)", tmp, MinBytes>>20)
		generate(tmp)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// Write traces the load in this process into path until the file holds at
// least minBytes. Each ping goroutine logs a worker id ("w1"…) under
// category, as the harness's workers do.
func Write(path string, minBytes int64, category string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		return err
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	ctx := context.Background()
	short := func() {
		defer wg.Done()
		c := make(chan int, 1)
		for j := 0; j < 8; j++ {
			c <- j
			<-c
			runtime.Gosched()
		}
	}
	for w := 1; w <= 8; w++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			trace.Log(ctx, category, fmt.Sprintf("w%d", w))
			for i := 0; !stop.Load(); i++ {
				ping <- i
				<-pong
				if i%128 == 0 {
					wg.Add(1)
					go short()
				}
			}
			close(ping)
		}()
		go func() {
			defer wg.Done()
			var keep [][]byte
			for v := range ping {
				if v%64 == 0 {
					keep = append(keep, make([]byte, 4096))
					if len(keep) > 256 {
						keep = keep[:0]
					}
				}
				pong <- v
			}
		}()
	}
	wg.Add(1)
	go func() { // batches of short-lived goroutines, one batch at a time
		defer wg.Done()
		for !stop.Load() {
			var batch sync.WaitGroup
			for i := 0; i < 16; i++ {
				batch.Add(1)
				wg.Add(1)
				go func() {
					defer batch.Done()
					short()
				}()
			}
			batch.Wait()
			_ = syscall.Getppid()
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for {
		time.Sleep(100 * time.Millisecond)
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if st.Size() >= minBytes+minBytes/20 {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	return f.Close()
}
