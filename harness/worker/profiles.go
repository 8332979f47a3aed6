package worker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"

	"github.com/felixge/fgprof"

	"harness/harness/rundir"
)

// recorder runs the profiles a process was asked for and writes them into
// its raw directory. Stop is safe to call twice and from a signal handler's
// goroutine: a worker that is ended on timeout still flushes what it has.
type recorder struct {
	dir      string
	kinds    map[string]bool
	closers  []func() error
	once     sync.Once
	stopErr  error
	mu       sync.Mutex
	snapshot []byte // goroutine profile taken while the workers ran
}

func startRecorder(dir string, kinds []string) (*recorder, error) {
	r := &recorder{dir: dir, kinds: map[string]bool{}}
	for _, k := range kinds {
		r.kinds[k] = true
	}
	if r.kinds["mutex"] {
		runtime.SetMutexProfileFraction(1)
	}
	if r.kinds["block"] {
		runtime.SetBlockProfileRate(1)
	}
	if r.kinds["cpu"] {
		f, err := r.create("cpu.pb.gz")
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("start cpu profile: %w", err)
		}
		r.closers = append(r.closers, func() error { pprof.StopCPUProfile(); return r.finish(f) })
	}
	if r.kinds["trace"] {
		f, err := r.create(rundir.TraceFile)
		if err != nil {
			return nil, err
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("start trace: %w", err)
		}
		r.closers = append(r.closers, func() error { trace.Stop(); return r.finish(f) })
	}
	if r.kinds["wall"] {
		f, err := r.create("wall.pb.gz")
		if err != nil {
			return nil, err
		}
		stop := fgprof.Start(f, fgprof.FormatPprof)
		r.closers = append(r.closers, func() error {
			err := stopFgprof(stop)
			if errors.Is(err, errNoWallSamples) {
				// Not a failure: the process ended within fgprof's
				// first sampling period. Leave no empty file behind.
				f.Close()
				os.Remove(f.Name())
				return nil
			}
			if ferr := r.finish(f); err == nil {
				err = ferr
			}
			return err
		})
	}
	return r, nil
}

var errNoWallSamples = errors.New("no wall-clock samples")

// stopFgprof stops fgprof. Version 0.9.5 divides by its achieved sample
// rate, rounded to an integer, and panics when that is zero: a process
// that took no sample (it ran less than 1/99 s), or too few for its
// duration. There is no newer version; recover and report it.
func stopFgprof(stop func() error) (err error) {
	defer func() {
		if recover() != nil {
			err = errNoWallSamples
		}
	}()
	return stop()
}

// Partial is the suffix of a raw file still being written. A process
// that is killed outright leaves its files under that name: incomplete,
// and recognisably so; a clean stop (SIGTERM included) renames them.
const Partial = ".partial"

func (r *recorder) create(name string) (*os.File, error) {
	f, err := os.Create(filepath.Join(r.dir, name+Partial))
	if err != nil {
		return nil, fmt.Errorf("create profile: %w", err)
	}
	return f, nil
}

// finish closes a file made by create and gives it its final name.
func (r *recorder) finish(f *os.File) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	final := strings.TrimSuffix(f.Name(), Partial)
	if err := os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("write %s: %w", final, err)
	}
	return nil
}

// snapshotGoroutines records the goroutine profile now, while the workers
// exist; written out by stop.
func (r *recorder) snapshotGoroutines() {
	if !r.kinds["goroutine"] {
		return
	}
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 0); err == nil {
		r.mu.Lock()
		r.snapshot = b.Bytes()
		r.mu.Unlock()
	}
}

// stop ends the running profiles (in reverse start order) and writes the
// snapshot profiles. The files are in the recorder's directory; the
// orchestrator lists it rather than trusting a list a worker might not
// live to send.
func (r *recorder) stop() error {
	r.once.Do(func() {
		var errs []error
		for i := len(r.closers) - 1; i >= 0; i-- {
			if err := r.closers[i](); err != nil {
				errs = append(errs, err)
			}
		}
		write := func(name string, to func(io.Writer) error) {
			f, err := r.create(name)
			if err != nil {
				errs = append(errs, err)
				return
			}
			if err := to(f); err != nil {
				errs = append(errs, fmt.Errorf("write %s: %w", name, err))
				f.Close()
				return
			}
			if err := r.finish(f); err != nil {
				errs = append(errs, err)
			}
		}
		lookup := func(kind string) func(io.Writer) error {
			return func(w io.Writer) error { return pprof.Lookup(kind).WriteTo(w, 0) }
		}
		if r.kinds["heap"] {
			runtime.GC() // so in-use figures are current, not as of the last GC
			write("heap.pb.gz", lookup("heap"))
		}
		if r.kinds["mutex"] {
			write("mutex.pb.gz", lookup("mutex"))
		}
		if r.kinds["block"] {
			write("block.pb.gz", lookup("block"))
		}
		r.mu.Lock()
		snap := r.snapshot
		r.mu.Unlock()
		if r.kinds["goroutine"] && snap != nil {
			write("goroutine.pb.gz", func(w io.Writer) error { _, err := w.Write(snap); return err })
		}
		if len(errs) > 0 {
			r.stopErr = fmt.Errorf("stop profiles: %v", errs)
		}
	})
	return r.stopErr
}
