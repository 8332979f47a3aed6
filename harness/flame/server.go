package flame

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/google/pprof/profile"

	"harness/harness/collect"
)

// Options configures Start. The zero value serves on a free loopback port,
// opens no browser and discards pprof's messages.
type Options struct {
	// Addr is host:port to listen on; default 127.0.0.1:0 (any free port).
	// An empty host means 127.0.0.1, as in pprof's -http=:port.
	Addr string
	// ListenAny allows an Addr that is not on the loopback interface.
	ListenAny bool
	// OpenBrowser opens the flame graph with xdg-open (open on macOS).
	OpenBrowser bool
	// Log receives pprof's messages and the server's errors; nil discards.
	Log io.Writer
}

// Server is a running web UI.
type Server struct {
	URL   string   // http://host:port with the bound port; "/" redirects to the flame graph
	Links []Link   // entry points to print, the flame graph first
	Notes []string // things the user should know (missing dot, no worker labels, …)

	done chan struct{}
	err  error
}

// shutdownGrace bounds how long Wait lets in-flight requests finish once the
// context is cancelled; pprof's handlers do not watch the request context.
const shutdownGrace = 2 * time.Second

// Start serves the profile at profilePath in pprof's web UI and returns
// once the server is listening. It stops when ctx is cancelled; Wait
// reports when it has.
func Start(ctx context.Context, profilePath string, opt Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	addr, err := listenAddr(opt.Addr, opt.ListenAny)
	if err != nil {
		return nil, err
	}
	prof, err := readProfile(profilePath)
	if err != nil {
		return nil, err
	}
	logw := io.Writer(io.Discard)
	if opt.Log != nil {
		logw = &lockedWriter{w: opt.Log}
	}
	ui := logUI{w: logw}

	s := &Server{done: make(chan struct{})}
	models := labelValues(prof, collect.LabelModel)
	sortModels(models)
	// Split before the plain driver gets prof: pprof trims the profile it
	// is given.
	var byWorker *profile.Profile
	if len(labelValues(prof, collect.LabelWorker)) > 0 {
		byWorker = splitByLabel(prof, collect.LabelWorker)
	} else {
		s.Notes = append(s.Notes, "the profile has no worker labels: no flame graph by worker")
	}
	if len(models) == 0 {
		s.Notes = append(s.Notes, "the profile has no model labels: no per-model links")
	}
	if len(prof.Sample) == 0 {
		s.Notes = append(s.Notes, "the profile has no samples")
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	hostport := net.JoinHostPort(urlHost(bound.IP), strconv.Itoa(bound.Port))
	s.URL = "http://" + hostport
	if !bound.IP.IsLoopback() {
		s.Notes = append(s.Notes, fmt.Sprintf("listening on %s, not loopback only: whoever can reach it can read the profile", bound))
	}

	var drivers []*runningDriver
	stopDrivers := func() error {
		var errs []error
		for _, d := range drivers {
			errs = append(errs, d.close())
		}
		return errors.Join(errs...)
	}
	mux := http.NewServeMux()
	views := []struct {
		prefix, name string
		prof         *profile.Profile
	}{
		{plainPrefix, "flame graph", prof},
		{workerPrefix, "flame graph by worker", byWorker},
	}
	for _, v := range views {
		if v.prof == nil {
			continue
		}
		d, err := startDriver(v.prof, profilePath, hostport, ui)
		if err != nil {
			ln.Close()
			stopDrivers()
			return nil, err
		}
		drivers = append(drivers, d)
		mux.Handle(v.prefix+"/", http.StripPrefix(v.prefix, route(d.handlers)))
		s.Links = append(s.Links, Link{Name: v.name, URL: viewURL(s.URL, v.prefix, nil)})
	}
	s.Links = append(s.Links, modelLinks(s.URL, collect.LabelModel, models)...)
	mux.Handle("/{$}", http.RedirectHandler(plainPrefix+"/flamegraph", http.StatusFound))

	if _, err := exec.LookPath("dot"); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("the graph view (%s%s/graph) needs Graphviz's dot, which is not on PATH; the flame graph, top, peek and source views work without it", s.URL, plainPrefix))
	}

	var handler http.Handler = mux
	if bound.IP.IsLoopback() {
		handler = loopbackHostOnly(mux)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(logw, "flame: ", 0),
	}

	ctx, cancel := context.WithCancel(ctx)
	serveErr := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		} else {
			// Serving failed on its own: stop everything else too.
			err = fmt.Errorf("serve %s: %w", s.URL, err)
			cancel()
		}
		serveErr <- err
	}()

	waitBrowser := func() {}
	if opt.OpenBrowser {
		var note string
		note, waitBrowser = openBrowser(ctx, s.Links[0].URL, logw)
		if note != "" {
			s.Notes = append(s.Notes, note)
		}
	}

	go func() {
		defer close(s.done)
		defer cancel()
		<-ctx.Done()
		sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
		if err := srv.Shutdown(sctx); err != nil {
			fmt.Fprintf(logw, "flame: requests still running after %v, closing: %v\n", shutdownGrace, err)
			srv.Close()
		}
		scancel()
		s.err = errors.Join(<-serveErr, stopDrivers())
		waitBrowser()
	}()
	return s, nil
}

// Wait blocks until the context given to Start is cancelled and the server,
// pprof's drivers and any browser opener have stopped. It returns nil after
// a clean stop, or what made serving fail.
func (s *Server) Wait() error {
	<-s.done
	return s.err
}

// route serves pprof's handlers by exact path. Unknown paths get 404 rather
// than http.DefaultServeMux, pprof's own fallback, which would publish
// whatever other packages registered there (net/http/pprof, expvar).
func route(handlers map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := handlers[r.URL.Path]
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// urlHost is the host to put in URLs for a listener bound to ip: an
// unspecified address (0.0.0.0, ::) is reachable locally as localhost.
func urlHost(ip net.IP) string {
	if ip.IsUnspecified() {
		return "localhost"
	}
	return ip.String()
}

func readProfile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, inputError{fmt.Errorf("read profile: %w", err)}
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, inputError{fmt.Errorf("parse profile %s: %w", path, err)}
	}
	return p, nil
}
