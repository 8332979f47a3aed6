// Package browser is test support for the HTML reports: it loads a page from
// disk in a real headless Chromium and says whether it logged errors and
// whether its charts can be seen.
//
// A report is one self-contained index.html with inline SVG charts. Go-side
// checks (parsing the HTML, counting <svg> tags) cannot tell that a chart is
// hidden by CSS, has no size, or draws nothing, nor that a script on the page
// throws; only a browser that lays the page out and runs it can. Each call
// starts its own Chromium and stops it before returning, so that a test never
// leaves a browser behind, even when it fails or times out.
package browser

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// timeout bounds one whole call, start to stop, so that a Chromium that
	// hangs cannot hang a test. A start takes about a second here; a caller's
	// earlier deadline wins.
	timeout = 30 * time.Second

	// stopTimeout bounds the graceful close of the browser. After it the
	// process is killed, so stopping never takes much longer than this.
	stopTimeout = 5 * time.Second

	// settle is how long to wait after the load event, for errors from
	// timers and for late layout. Errors that come later are not seen.
	settle = 150 * time.Millisecond

	// The page is laid out in a window of this size, so that results do
	// not depend on a default that can change between Chromium versions.
	windowWidth, windowHeight = 1280, 800
)

// Find returns the Chromium executable to use: the CHROMIUM environment
// variable if it is set, else the first of chromium, chromium-browser and
// google-chrome on PATH, else "". Tests skip when it returns "".
func Find() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		// An explicit choice that does not resolve is returned as it is, so
		// that the start fails loudly instead of silently using another
		// browser.
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if full, err := exec.LookPath(name); err == nil {
			return full
		}
	}
	return ""
}

// Result is what Check saw on a page.
type Result struct {
	// ConsoleErrors holds, in order of arrival, the console.error and
	// console.assert calls, the uncaught exceptions and unhandled
	// rejections, and the browser log entries of level error (such as a
	// resource that failed to load), each as readable text.
	ConsoleErrors []string

	// Elements holds every element that matched the selector, in document
	// order.
	Elements []Element

	// Title is the document title.
	Title string
}

// Element is one element that matched the selector of Check.
type Element struct {
	Index int    // position among the matches, from 0, in document order
	Tag   string // lower-case tag name, such as "svg" or "img"
	ID    string // id attribute, or ""

	// Width and Height are the size of its border box, in CSS pixels.
	Width, Height float64

	// Visible is true when a person would see the element; see Check.
	Visible bool

	// Reason says why Visible is false, such as "display:none" or "svg paints
	// nothing"; it is "" when Visible is true.
	Reason string
}

// String describes the element for test failure messages.
func (e Element) String() string {
	s := fmt.Sprintf("#%d <%s", e.Index, e.Tag)
	if e.ID != "" {
		s += " id=" + e.ID
	}
	s += fmt.Sprintf("> %gx%g", e.Width, e.Height)
	if e.Visible {
		return s + " visible"
	}
	return s + " not visible: " + e.Reason
}

// Check loads file://path in a new headless Chromium with a 1280x800 window,
// waits for the load event and a short settle, and reports the console errors,
// the title, and every element that matches the CSS selector (none when
// selector is "").
//
// An element is visible when a person looking at the page, scrolling if need
// be, would see it drawn:
//   - it and its ancestors are rendered: no display:none, no
//     visibility:hidden, no opacity:0 (as checkVisibility says);
//   - its box has a non-zero width and height;
//   - its box overlaps the document (left:-9999px does not), and no ancestor
//     with overflow:hidden or overflow:clip cuts it away entirely;
//   - an <img> has loaded and decodes: a broken image still has the box of
//     its width and height attributes, so the box alone proves nothing (a lazy
//     image is made to load first, as scrolling to it would);
//   - an <svg> paints something: a shape, text or image inside it that has a
//     fill or a stroke, a non-empty box, and lies in the svg's box. An empty
//     <svg> with a size is a blank rectangle, not a chart.
//
// Colours are not compared: a chart drawn white on white counts as visible.
//
// Every Chromium process that Check started is gone when it returns; if one
// cannot be stopped, Check returns an error. The whole call is bounded by
// about 30 s, or by ctx if it ends sooner.
func Check(ctx context.Context, path, selector string) (*Result, error) {
	u, err := fileURL(path)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var mu sync.Mutex // the listener runs on chromedp's reader goroutine
	listen := func(ev any) {
		if s := errorText(ev); s != "" {
			mu.Lock()
			res.ConsoleErrors = append(res.ConsoleErrors, s)
			mu.Unlock()
		}
	}
	err = withBrowser(ctx, func(ctx context.Context) error {
		// Listen before navigating, so that errors of the first script
		// are seen. The listener runs before the reply to any later
		// command is delivered, so after the last Evaluate below every
		// earlier event has been recorded.
		if err := chromedp.Listen(ctx, listen); err != nil {
			return fmt.Errorf("listening to console events: %w", err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.Sleep(settle)); err != nil {
			return fmt.Errorf("loading %s: %w", u, err)
		}
		sel, err := json.Marshal(selector)
		if err != nil {
			return fmt.Errorf("encoding selector: %w", err)
		}
		page, err := chromedp.Run(ctx, chromedp.Evaluate[pageInfo](
			"("+inspectJS+")("+string(sel)+")", chromedp.EvalAwaitPromise))
		if err != nil {
			return fmt.Errorf("inspecting %s with selector %q: %w", u, selector, err)
		}
		res.Title = page.Title
		for _, e := range page.Elements {
			res.Elements = append(res.Elements, Element{
				Index: e.Index, Tag: e.Tag, ID: e.ID,
				Width: e.Width, Height: e.Height,
				Visible: e.Reason == "", Reason: e.Reason,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	return res, nil
}

// pageInfo is what inspectJS returns.
type pageInfo struct {
	Title    string `json:"title"`
	Elements []struct {
		Index  int     `json:"index"`
		Tag    string  `json:"tag"`
		ID     string  `json:"id"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
		Reason string  `json:"reason"`
	} `json:"elements"`
}

// inspectJS is a JavaScript function of a selector that returns a pageInfo.
// It is in its own file so that it can be read as JavaScript.
//
//go:embed inspect.js
var inspectJS string

// fileURL turns a path into a file:// URL, after checking that it is a file:
// a missing file would otherwise load Chromium's error page and fail later
// with a less clear message.
func fileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("page %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("page: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("page %s: not a regular file", abs)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// errorText returns the text of an event that reports an error on the page,
// or "" for any other event.
func errorText(ev any) string {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		// console.assert(false) is shown as an error by DevTools, so
		// count it with console.error.
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return ""
		}
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		return withPlace("console."+string(ev.Type)+": "+strings.Join(parts, " "), callPlace(ev.StackTrace))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return "exception"
		}
		text := d.Text // "Uncaught" or "Uncaught (in promise)"
		if d.Exception != nil {
			// The description of an Error starts with "Error: message"
			// and goes on with the stack; keep the first line.
			desc, _, _ := strings.Cut(remoteText(d.Exception), "\n")
			text += " " + desc
		}
		place := d.URL
		if place == "" {
			place = callPlace(d.StackTrace)
		} else {
			place += fmt.Sprintf(":%d:%d", d.LineNumber+1, d.ColumnNumber+1)
		}
		return withPlace("exception: "+strings.TrimSpace(text), place)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil || e.Level != log.EntryLevelError {
			return ""
		}
		// The URL matters most here: for a failed load it names the
		// missing resource, which the text ("Failed to load resource:
		// net::ERR_FILE_NOT_FOUND") does not.
		return withPlace("log "+string(e.Source)+": "+e.Text, e.URL)
	}
	return ""
}

// remoteText renders a console argument roughly as the DevTools console does:
// a string as it is, anything else by its description or value.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return "null"
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	}
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

// callPlace returns "url:line:col" of the top frame of a stack, or "".
func callPlace(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf("%s:%d:%d", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}

func withPlace(text, place string) string {
	if place == "" {
		return text
	}
	return text + " (" + place + ")"
}

// startHook, when set by a test, is called with the user data directory and
// the process id of each browser once it runs, so that the test can look for
// its processes afterwards without confusing them with other browsers on the
// machine.
var startHook func(dataDir string, pid int)

// withBrowser starts a headless Chromium with a 1280x800 window, runs f with a
// chromedp context for its first tab, and stops the browser: gracefully, then
// by force, and then it kills and waits out any process that still uses the
// browser's private user data directory. All of it is bounded by timeout.
func withBrowser(parent context.Context, f func(ctx context.Context) error) (err error) {
	exe := Find()
	if exe == "" {
		return errors.New("browser: no Chromium found (set CHROMIUM, or put chromium on PATH)")
	}
	// A fresh, empty profile per browser: nothing is shared between runs
	// or with another test binary, and the directory name identifies this
	// browser's processes (Chromium passes it to its helpers).
	dataDir, err := os.MkdirTemp("", "harness-browser-")
	if err != nil {
		return fmt.Errorf("browser: user data directory: %w", err)
	}

	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()

	var output bytes.Buffer // the start of what Chromium printed, for the error of a failed start
	var outputMu sync.Mutex
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(windowWidth, windowHeight),
		chromedp.NoSandbox, // as root, Chromium refuses to start with its sandbox
		chromedp.Flag("disable-gpu", true),
		// This machine has no network; without these Chromium tries, and
		// its refused connections are logged many at a time.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.CombinedOutput(writerFunc(func(p []byte) (int, error) {
			outputMu.Lock()
			defer outputMu.Unlock()
			if room := 16<<10 - output.Len(); room > 0 {
				output.Write(p[:min(room, len(p))])
			}
			return len(p), nil
		})),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)

	// chromedp logs protocol trouble to the standard logger, which would
	// only add noise to test output. Keep it for the error of a failed run.
	var logged []string
	var loggedMu sync.Mutex
	errorf := func(format string, args ...any) {
		loggedMu.Lock()
		defer loggedMu.Unlock()
		if len(logged) < 10 {
			logged = append(logged, fmt.Sprintf(format, args...))
		}
	}
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithErrorf(errorf))

	// Stop on every way out, a failed start and a panic in f included: a
	// browser half started when a deadline hit has helpers too.
	started := false
	defer func() {
		if started && ctx.Err() == nil {
			// Close gracefully first, so that Chromium stops and waits
			// for its own helpers. Once ctx is done the allocator has
			// killed the browser already, and a close would only wait.
			cctx, ccancel := context.WithTimeout(context.WithoutCancel(bctx), stopTimeout)
			_ = chromedp.Cancel(cctx) // an error only means it is killed below
			ccancel()
		}
		bcancel()
		// Kill what is left before the allocator waits for the main
		// process: helpers that hold its output pipe would make it wait
		// a second longer.
		_ = reap(dataDir, stopTimeout)
		acancel() // kills the main process if it is still there, and waits for it
		if stopErr := reap(dataDir, stopTimeout); stopErr != nil {
			err = errors.Join(err, fmt.Errorf("browser: stopping %s: %w", exe, stopErr))
		}
		if rmErr := os.RemoveAll(dataDir); rmErr != nil {
			err = errors.Join(err, fmt.Errorf("browser: removing %s: %w", dataDir, rmErr))
		}
	}()

	// Start the browser with a no-op, so that a failure to start is told
	// apart from a failure of f.
	if err := chromedp.Do(bctx); err != nil {
		outputMu.Lock()
		defer outputMu.Unlock()
		// chromedp quotes the output when the browser exits early, but
		// not when the start times out.
		if out := strings.TrimSpace(output.String()); out != "" && !strings.Contains(err.Error(), out) {
			err = fmt.Errorf("%w\nChromium printed:\n%s", err, out)
		}
		return fmt.Errorf("browser: starting %s: %w", exe, err)
	}
	started = true
	if startHook != nil {
		if p := chromedp.FromContext(bctx).Browser.Process(); p != nil {
			startHook(dataDir, p.Pid)
		}
	}

	if err := f(bctx); err != nil {
		loggedMu.Lock()
		defer loggedMu.Unlock()
		if len(logged) > 0 {
			err = fmt.Errorf("%w\nchromedp logged:\n  %s", err, strings.Join(logged, "\n  "))
		}
		return fmt.Errorf("browser: %w", err)
	}
	return nil
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
