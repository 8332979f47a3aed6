package flame

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/pprof/driver"
	"github.com/google/pprof/profile"
)

// driverMu serialises driver start-up. pprof's driver writes package-level
// state while it starts (its current config, its interactive-mode flag);
// once it has handed over its handlers it only reads the config, under its
// own lock.
var driverMu sync.Mutex

// fetcher hands pprof a profile already in memory, so the file is parsed
// once and the worker-split copy needs no file of its own.
type fetcher struct{ p *profile.Profile }

// Fetch returns an empty source: pprof treats a non-empty one as remote and
// would save a copy of the profile under $HOME/pprof.
func (f fetcher) Fetch(string, time.Duration, time.Duration) (*profile.Profile, string, error) {
	return f.p, "", nil
}

// runningDriver is one pprof driver blocked in our HTTPServer callback.
type runningDriver struct {
	handlers map[string]http.Handler
	stop     chan struct{} // closed to let the callback, and so PProf, return
	done     chan error    // PProf's result
}

// startDriver runs driver.PProf over p until stop is called and returns
// once pprof has built its handlers. hostport is only what pprof prints:
// the listener is ours.
func startDriver(p *profile.Profile, name, hostport string, ui logUI) (*runningDriver, error) {
	d := &runningDriver{stop: make(chan struct{}), done: make(chan error, 1)}
	ready := make(chan map[string]http.Handler, 1)
	opt := &driver.Options{
		Flagset: newPresetFlags(
			"-http="+hostport,
			"-no_browser",
			// Go profiles carry their function names; this keeps
			// pprof from looking for binaries or symbol servers.
			"-symbolize=none",
			name,
		),
		Fetch: fetcher{p},
		UI:    ui,
		// PProf returns when this does: block until told to stop, so the
		// server's lifetime is ours and PProf's goroutine ends with it.
		HTTPServer: func(args *driver.HTTPServerArgs) error {
			ready <- args.Handlers
			<-d.stop
			return nil
		},
	}

	driverMu.Lock()
	defer driverMu.Unlock()
	go func() { d.done <- driver.PProf(opt) }()
	select {
	case d.handlers = <-ready:
		return d, nil
	case err := <-d.done:
		if err == nil {
			err = fmt.Errorf("returned without serving")
		}
		return nil, fmt.Errorf("pprof %s: %w", name, err)
	}
}

// close stops the driver and waits for PProf to return.
func (d *runningDriver) close() error {
	close(d.stop)
	return <-d.done
}
