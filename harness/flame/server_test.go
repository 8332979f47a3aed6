package flame

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes.
type syncBuffer struct {
	lockedWriter
	b bytes.Buffer
}

func newSyncBuffer() *syncBuffer {
	s := &syncBuffer{}
	s.w = &s.b
	return s
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type getter struct {
	t      *testing.T
	client *http.Client
}

// newGetter returns an HTTP client that does not follow redirects and
// whose idle connections the test closes, so they count neither as the
// server's goroutines nor as leaks.
func newGetter(t *testing.T) *getter {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &getter{t: t, client: &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (g *getter) get(u string) (*http.Response, string) {
	g.t.Helper()
	resp, err := g.client.Get(u)
	if err != nil {
		g.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(body)
}

func (g *getter) close() { g.client.Transport.(*http.Transport).CloseIdleConnections() }

func startTestServer(t *testing.T, ctx context.Context, opt Options) (*Server, string) {
	t.Helper()
	isolatePprofSettings(t)
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	writeProfile(t, path, makeProfile(testSamples))
	s, err := Start(ctx, path, opt)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s, path
}

// stopAndCheck cancels, checks that Wait returns within a second, that the
// port is closed and that no goroutine is left.
func stopAndCheck(t *testing.T, s *Server, cancel context.CancelFunc, g *getter, before int) {
	t.Helper()
	g.close()
	cancel()
	waited := make(chan error, 1)
	go func() { waited <- s.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("Wait: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Wait did not return within 1s of cancel")
	}
	u, _ := url.Parse(s.URL)
	if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		c.Close()
		t.Errorf("port %s still accepts connections after Wait", u.Host)
	}
	checkGoroutines(t, before)
}

func link(t *testing.T, s *Server, name string) string {
	t.Helper()
	for _, l := range s.Links {
		if l.Name == name {
			return l.URL
		}
	}
	t.Fatalf("no link %q in %+v", name, s.Links)
	return ""
}

func TestServeAndStop(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newSyncBuffer()
	s, _ := startTestServer(t, ctx, Options{Log: logs})
	g := newGetter(t)

	u, err := url.Parse(s.URL)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" {
		t.Fatalf("URL %q: want http://127.0.0.1:<bound port>", s.URL)
	}
	wantNames := []string{"flame graph", "flame graph by worker", "model serial", "model thread", "model process", "model 2", "model py,3.1"}
	var names []string
	for _, l := range s.Links {
		names = append(names, l.Name)
		if _, err := url.ParseRequestURI(l.URL); err != nil {
			t.Errorf("link %s: invalid URL %q: %v", l.Name, l.URL, err)
		}
	}
	if strings.Join(names, "|") != strings.Join(wantNames, "|") {
		t.Errorf("links %q, want %q", names, wantNames)
	}
	if want := s.URL + "/ui/flamegraph"; s.Links[0].URL != want {
		t.Errorf("first link %s, want %s", s.Links[0].URL, want)
	}

	// Every entry link is a flame graph page; what it shows tells whether
	// the view and the filter took.
	cases := []struct {
		link      string
		want, not []string
	}{
		{"flame graph", []string{"main.serialWork", "main.threadWork", "main.processWork", "main.oddWork", "main.numWork"}, nil},
		{"flame graph by worker", []string{`"w1"`, `"w2"`, `"none"`, "main.threadWork"}, nil},
		{"model serial", []string{"main.serialWork"}, []string{"main.threadWork", "main.processWork", "main.oddWork"}},
		{"model thread", []string{"main.threadWork"}, []string{"main.serialWork", "main.processWork", "main.oddWork"}},
		{"model process", []string{"main.processWork"}, []string{"main.serialWork", "main.threadWork", "main.oddWork"}},
		{"model py,3.1", []string{"main.oddWork"}, []string{"main.serialWork", "main.threadWork", "main.processWork", "main.numWork"}},
		{"model 2", []string{"main.numWork"}, []string{"main.serialWork", "main.threadWork", "main.processWork", "main.oddWork"}},
	}
	for _, c := range cases {
		resp, body := g.get(link(t, s, c.link))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d: %.300s", c.link, resp.StatusCode, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "<html") {
			t.Errorf("%s: Content-Type %q, body %.100q: want HTML", c.link, ct, body)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %s", c.link, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(body, w) {
				t.Errorf("%s: page shows %s, which the filter should drop", c.link, w)
			}
		}
	}
	// The plain view has no worker pseudo-frames: the split is its own view.
	if _, body := g.get(link(t, s, "flame graph")); strings.Contains(body, `"w1"`) {
		t.Errorf("plain flame graph shows worker frames")
	}

	// The root leads to the flame graph; unknown paths are not served from
	// http.DefaultServeMux.
	if resp, _ := g.get(s.URL + "/"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/ui/flamegraph" {
		t.Errorf("GET /: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := g.get(s.URL + "/ui/"); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "flamegraph" {
		t.Errorf("GET /ui/: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/ui/debug/pprof/", "/debug/pprof/", "/nothing"} {
		if resp, _ := g.get(s.URL + p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := g.get(s.URL + "/ui/top"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /ui/top: %d", resp.StatusCode)
	}
	if _, err := exec.LookPath("dot"); err != nil {
		if resp, _ := g.get(s.URL + "/ui/graph"); resp.StatusCode != http.StatusNotImplemented {
			t.Errorf("GET /ui/graph without dot: %d, want 501", resp.StatusCode)
		}
		if !strings.Contains(strings.Join(s.Notes, "\n"), "dot") {
			t.Errorf("notes %q do not say the graph view needs dot", s.Notes)
		}
	}

	// DNS rebinding: a loopback server answers loopback host names only.
	req, _ := http.NewRequest("GET", s.URL+"/ui/flamegraph", nil)
	req.Host = "attacker.example:80"
	if resp, err := g.client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host attacker.example: %d, want 403", resp.StatusCode)
		}
	}

	// pprof's messages go to Log, not the terminal.
	if resp, _ := g.get(s.URL + "/ui/flamegraph?tf=model%3D%5Enothing%24"); resp.StatusCode != http.StatusOK {
		t.Errorf("focus on nothing: %d", resp.StatusCode)
	}
	stopAndCheck(t, s, cancel, g, before)
	if !strings.Contains(logs.String(), "pprof: TagFocus expression matched no samples") {
		t.Errorf("pprof's messages did not reach Log: %q", logs.String())
	}
	if strings.Contains(logs.String(), "Serving web UI") {
		t.Errorf("pprof's own URL, without the prefix, reached Log: %q", logs.String())
	}
}

func TestListenPolicy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	writeProfile(t, path, makeProfile(testSamples))
	for _, addr := range []string{"0.0.0.0:0", ":::0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		_, err := Start(ctx, path, Options{Addr: addr})
		if addr == ":::0" {
			if err == nil {
				t.Errorf("Start %q: no error for a malformed address", addr)
			} else if !errors.Is(err, ErrInput) {
				t.Errorf("Start %q: %v, want an ErrInput", addr, err)
			}
			continue
		}
		if !errors.Is(err, ErrNotLoopback) || !errors.Is(err, ErrInput) {
			t.Errorf("Start %q without ListenAny: %v, want ErrNotLoopback, an ErrInput", addr, err)
		}
	}

	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, _ := startTestServer(t, ctx, Options{Addr: "0.0.0.0:0", ListenAny: true})
	g := newGetter(t)
	if u, _ := url.Parse(s.URL); u.Hostname() != "localhost" || u.Port() == "0" {
		t.Errorf("URL %s: want localhost and the bound port", s.URL)
	}
	if !strings.Contains(strings.Join(s.Notes, "\n"), "not loopback only") {
		t.Errorf("notes %q do not warn about listening beyond loopback", s.Notes)
	}
	if resp, _ := g.get(s.Links[0].URL); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", s.Links[0].URL, resp.StatusCode)
	}
	stopAndCheck(t, s, cancel, g, before)
}

func TestListenAddr(t *testing.T) {
	for _, c := range []struct {
		addr, want string
		any        bool
		err        bool
	}{
		{"", "127.0.0.1:0", false, false},
		{":8080", "127.0.0.1:8080", false, false},
		{"localhost:0", "localhost:0", false, false},
		{"127.0.0.2:0", "127.0.0.2:0", false, false},
		{"[::1]:0", "[::1]:0", false, false},
		{"0.0.0.0:0", "", false, true},
		{"0.0.0.0:0", "0.0.0.0:0", true, false},
		{"10.1.2.3:80", "", false, true},
		{"8080", "", false, true},
		{"127.0.0.1:65536", "", false, true},
		{"127.0.0.1:http", "", false, true},
	} {
		got, err := listenAddr(c.addr, c.any)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("listenAddr(%q, %v) = %q, %v; want %q, error %v", c.addr, c.any, got, err, c.want, c.err)
		}
	}
}

func TestStartErrors(t *testing.T) {
	isolatePprofSettings(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pb.gz")
	writeFile(t, garbage, "not a profile")
	// What the arguments cause is ErrInput (the command line's exit 2).
	if _, err := Start(context.Background(), filepath.Join(dir, "missing.pb.gz"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.pb.gz") || !errors.Is(err, ErrInput) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Start(context.Background(), garbage, Options{}); err == nil || !strings.Contains(err.Error(), "parse profile") || !errors.Is(err, ErrInput) {
		t.Errorf("garbage file: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	good := filepath.Join(dir, "cpu.pb.gz")
	writeProfile(t, good, makeProfile(testSamples))
	if _, err := Start(ctx, good, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	// A port in use is an error, not a hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Start(context.Background(), good, Options{Addr: ln.Addr().String()}); err == nil || !strings.Contains(err.Error(), "listen on") || errors.Is(err, ErrInput) {
		t.Errorf("port in use: %v, want an error that is not ErrInput", err)
	}
}

// Without labels there is nothing to split or focus on: the flame graph
// alone, and notes saying why.
func TestUnlabelledProfile(t *testing.T) {
	isolatePprofSettings(t)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	writeProfile(t, path, makeProfile([]sampleSpec{{fn: "main.work", nanos: 10e6}}))
	s, err := Start(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := newGetter(t)
	if len(s.Links) != 1 || s.Links[0].Name != "flame graph" {
		t.Errorf("links %+v, want the flame graph only", s.Links)
	}
	notes := strings.Join(s.Notes, "\n")
	if !strings.Contains(notes, "no worker labels") || !strings.Contains(notes, "no model labels") {
		t.Errorf("notes %q", notes)
	}
	if resp, _ := g.get(s.URL + "/by-worker/ui/flamegraph"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("by-worker view without worker labels: %d, want 404", resp.StatusCode)
	}
	if resp, body := g.get(s.Links[0].URL); resp.StatusCode != http.StatusOK || !strings.Contains(body, "main.work") {
		t.Errorf("flame graph: %d", resp.StatusCode)
	}
	stopAndCheck(t, s, cancel, g, before)
}

// Two servers at once share pprof's package state; both must work and
// stop.
func TestTwoServers(t *testing.T) {
	isolatePprofSettings(t)
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	writeProfile(t, path, makeProfile(testSamples))
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	servers := make([]*Server, 2)
	errs := make([]error, 2)
	for i := range servers {
		wg.Go(func() { servers[i], errs[i] = Start(ctx, path, Options{}) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	g := newGetter(t)
	for _, s := range servers {
		if resp, _ := g.get(link(t, s, "model thread")); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", s.URL, resp.StatusCode)
		}
		if resp, _ := g.get(link(t, s, "flame graph by worker")); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", s.URL, resp.StatusCode)
		}
	}
	g.close()
	cancel()
	for _, s := range servers {
		if err := s.Wait(); err != nil {
			t.Error(err)
		}
	}
	checkGoroutines(t, before)
}

// The opener gets the flame graph URL; a stand-in xdg-open records it.
func TestOpenBrowser(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the stand-in opener is a shell script named xdg-open")
	}
	bin := t.TempDir()
	got := filepath.Join(bin, "opened")
	writeFile(t, filepath.Join(bin, "xdg-open"), "#!/bin/sh\necho \"$1\" > "+got+"\n")
	if err := os.Chmod(filepath.Join(bin, "xdg-open"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := startTestServer(t, ctx, Options{OpenBrowser: true})
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, err := os.ReadFile(got)
		if err == nil && strings.TrimSpace(string(data)) == s.Links[0].URL {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("opener got %q (%v), want %s", data, err, s.Links[0].URL)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopAndCheck(t, s, cancel, newGetter(t), before)
}

func TestOpenBrowserMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no xdg-open, no dot
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := startTestServer(t, ctx, Options{OpenBrowser: true})
	notes := strings.Join(s.Notes, "\n")
	if !strings.Contains(notes, "no browser opened") || !strings.Contains(notes, s.Links[0].URL) {
		t.Errorf("notes %q: want the missing opener and the URL to open", notes)
	}
	if !strings.Contains(notes, "needs Graphviz's dot") {
		t.Errorf("notes %q: want the missing dot", notes)
	}
	stopAndCheck(t, s, cancel, newGetter(t), before)
}
