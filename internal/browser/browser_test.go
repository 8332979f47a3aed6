package browser

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"harness/internal/proctest"
)

// needChromium skips the test when there is no browser. CI installs one, so
// there these tests always run.
func needChromium(t *testing.T) {
	t.Helper()
	if Find() == "" {
		t.Skip("no Chromium: set CHROMIUM or install it (apt-get install -y chromium); CI installs it")
	}
}

// writePage writes body as dir/index.html and returns its path.
func writePage(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "index.html")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// check runs Check with a deadline that fails the test rather than hanging it.
func check(t *testing.T, path, selector string) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := Check(ctx, path, selector)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	t.Logf("Check took %v", time.Since(start).Round(time.Millisecond))
	return res
}

// chart is a small inline SVG chart like the ones in the reports: axes, a
// line and a label.
func chart(id string) string {
	return `<svg id="` + id + `" width="320" height="200" viewBox="0 0 320 200" xmlns="http://www.w3.org/2000/svg">
  <line x1="40" y1="170" x2="300" y2="170" stroke="#333"/>
  <line x1="40" y1="20" x2="40" y2="170" stroke="#333"/>
  <polyline points="40,160 100,120 160,130 220,60 300,40" fill="none" stroke="#1f77b4" stroke-width="2"/>
  <text x="160" y="195" text-anchor="middle" font-size="12">` + id + `</text>
</svg>`
}

// writePNG writes a small opaque PNG to path.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{0x40, 0x80, 0xc0, 0xff})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCharts(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "flame.png"))
	page := writePage(t, dir, `<!doctype html><html><head><meta charset="utf-8"><title>Run report</title></head><body>
<h1>Run report</h1>
<figure>`+chart("latency")+`</figure>
<figure>`+chart("throughput")+`</figure>
<figure><img id="flame" src="flame.png" width="200" height="100" alt="flame graph"></figure>
<script>console.log("not an error"); console.warn("not an error either");</script>
</body></html>`)

	res := check(t, page, "svg, img")
	if len(res.ConsoleErrors) != 0 {
		t.Errorf("console errors: %q", res.ConsoleErrors)
	}
	if res.Title != "Run report" {
		t.Errorf("title %q, want %q", res.Title, "Run report")
	}
	if len(res.Elements) != 3 {
		t.Fatalf("got %d elements, want 3: %v", len(res.Elements), res.Elements)
	}
	wantIDs := []string{"latency", "throughput", "flame"}
	for i, e := range res.Elements {
		if e.ID != wantIDs[i] || !e.Visible || e.Reason != "" {
			t.Errorf("element %d: %v, want %s visible", i, e, wantIDs[i])
		}
	}
	if e := res.Elements[0]; e.Width != 320 || e.Height != 200 {
		t.Errorf("latency chart is %gx%g, want 320x200", e.Width, e.Height)
	}
}

func TestCheckReportsErrors(t *testing.T) {
	needChromium(t)
	for _, tc := range []struct {
		name string
		body string
		want []string // substrings of one console error
	}{
		{"console.error", `<script>console.error("x", 42)</script>`, []string{"console.error: x 42", "index.html:"}},
		{"exception", `<script>function draw() { throw new Error("boom in draw") } draw()</script>`,
			[]string{"exception: Uncaught Error: boom in draw", "index.html:"}},
		{"missing image", `<img id="gone" src="nope.png" width="50" height="50">`,
			[]string{"Failed to load resource", "nope.png"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := writePage(t, t.TempDir(), `<!doctype html><html><head><title>e</title></head><body>`+tc.body+`</body></html>`)
			res := check(t, page, "img")
			t.Logf("console errors: %q", res.ConsoleErrors)
			if len(res.ConsoleErrors) != 1 {
				t.Fatalf("got %d console errors, want 1: %q", len(res.ConsoleErrors), res.ConsoleErrors)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.ConsoleErrors[0], w) {
					t.Errorf("console error %q does not contain %q", res.ConsoleErrors[0], w)
				}
			}
			// The broken image keeps its 50x50 box, but is no chart.
			for _, e := range res.Elements {
				if e.Visible || !strings.Contains(e.Reason, "nope.png") {
					t.Errorf("missing image: %v, want not visible, naming nope.png", e)
				}
			}
		})
	}
}

func TestCheckInvisible(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	page := writePage(t, dir, `<!doctype html><html><head><title>hidden</title></head><body>
<div style="display:none">`+chart("in-hidden-div")+`</div>
<svg id="display-none" style="display:none" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>
<svg id="zero-size" width="0" height="0"><rect width="100" height="100" fill="red"/></svg>
<svg id="zero-height" width="300" height="0"><rect width="100" height="100" fill="red"/></svg>
<svg id="visibility-hidden" style="visibility:hidden" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>
<svg id="transparent" style="opacity:0" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>
<svg id="empty" width="300" height="200"></svg>
<svg id="unpainted" width="300" height="200"><rect width="100" height="100" fill="none"/><text x="10" y="10"> </text></svg>
<svg id="drawn-outside" width="100" height="100" viewBox="0 0 100 100"><rect x="500" y="500" width="50" height="50" fill="red"/></svg>
<svg id="off-page" style="position:absolute; left:-9999px" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>
<div style="height:0; overflow:hidden">`+chart("clipped")+`</div>
<img id="undecodable" src="data:image/png;base64,bm90IGEgcG5n" width="40" height="40">
`+chart("control")+`
<div style="height:3000px"></div>
<img id="lazy-below-window" loading="lazy" src="p.png" width="20" height="20">
</body></html>`)
	writePNG(t, filepath.Join(dir, "p.png"))

	res := check(t, page, "svg, img")
	if len(res.ConsoleErrors) != 0 {
		t.Errorf("console errors: %q", res.ConsoleErrors)
	}
	want := map[string]string{ // id: substring of the reason
		"in-hidden-div":     "display:none on ancestor <div>",
		"display-none":      "display:none",
		"zero-size":         "zero size",
		"zero-height":       "zero size",
		"visibility-hidden": "visibility:hidden",
		"transparent":       "opacity:0",
		"empty":             "svg paints nothing",
		"unpainted":         "svg paints nothing",
		"drawn-outside":     "svg paints nothing",
		"off-page":          "outside the document",
		"clipped":           "clipped away",
		"undecodable":       "image",
		"control":           "",
		"lazy-below-window": "", // a person who scrolls sees it
	}
	if len(res.Elements) != len(want) {
		t.Errorf("got %d elements, want %d: %v", len(res.Elements), len(want), res.Elements)
	}
	for _, e := range res.Elements {
		t.Log(e)
		w, ok := want[e.ID]
		if !ok {
			t.Errorf("unexpected element %v", e)
			continue
		}
		delete(want, e.ID)
		if wantVisible := w == ""; e.Visible != wantVisible || !strings.Contains(e.Reason, w) {
			t.Errorf("%v; want visible=%v, reason containing %q", e, wantVisible, w)
		}
	}
	for id := range want {
		t.Errorf("element %s not reported", id)
	}
}

// TestNoProcessLeft checks that Check leaves no Chromium process behind, both
// after a normal run and when the caller gives up on a page that never
// finishes loading.
func TestNoProcessLeft(t *testing.T) {
	needChromium(t)
	page := writePage(t, t.TempDir(), `<!doctype html><title>ok</title>`+chart("c"))
	hung := writePage(t, t.TempDir(), `<!doctype html><title>hung</title><script>for (;;) {}</script>`)

	for _, tc := range []struct {
		name string
		page string
		// giveUp, if not 0, cancels the call this long after the browser
		// started: counting from the start keeps the test independent of
		// how long a start takes on a busy machine.
		giveUp time.Duration
	}{
		{"normal", page, 0},
		{"page never loads", hung, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var dataDir string
			var pid int
			var running []int
			var started time.Time
			startHook = func(dir string, p int) {
				dataDir, pid, started = dir, p, time.Now()
				// Without seeing the processes while they run, the check
				// below that they are gone would prove nothing.
				running = proctest.Matching(dir)
				if tc.giveUp > 0 {
					time.AfterFunc(tc.giveUp, cancel)
				}
			}
			defer func() { startHook = nil }()

			_, err := Check(ctx, tc.page, "svg")
			t.Logf("Check returned %v after the start, err: %v", time.Since(started).Round(time.Millisecond), err)
			if dataDir == "" || pid == 0 {
				t.Fatalf("the browser start was not seen; err: %v", err)
			}
			if tc.giveUp == 0 && err != nil {
				t.Fatalf("Check: %v", err)
			}
			if tc.giveUp > 0 {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Check error %v, want one that wraps context.Canceled", err)
				}
				if took := time.Since(started); took > tc.giveUp+stopTimeout {
					t.Errorf("Check returned %v after the start, giving up after %v", took, tc.giveUp)
				}
			}
			if len(running) < 2 || !slices.Contains(running, pid) {
				t.Fatalf("while running, processes using %s: %v; want the browser %d and its helpers", dataDir, running, pid)
			}
			t.Logf("browser %d ran with %d processes", pid, len(running))

			if left := proctest.Matching(dataDir); len(left) > 0 {
				t.Errorf("processes still using %s: %v", dataDir, left)
			}
			for _, p := range running {
				if alive(p) {
					t.Errorf("process %d (%s) is still alive", p, cmdline(p))
				}
			}
			if kids := children(os.Getpid()); len(kids) > 0 {
				t.Errorf("this test process still has children: %v", kids)
			}
			if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("user data directory %s not removed: %v", dataDir, err)
			}
		})
	}
}

func TestFindEnv(t *testing.T) {
	t.Setenv("CHROMIUM", "/no/such/chromium")
	if got := Find(); got != "/no/such/chromium" {
		t.Errorf("Find() = %q with CHROMIUM set, want it as it is", got)
	}
	t.Setenv("CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	if got := Find(); got != "" {
		t.Errorf("Find() = %q with an empty PATH, want \"\"", got)
	}
}

// alive reports whether pid is a process that is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := bytes.Cut(st, []byte(") "))
	return len(rest) > 0 && rest[0] != 'Z'
}

// children returns the processes whose parent is ppid, zombies included: a
// zombie child means a process that was never waited for.
func children(ppid int) []string {
	entries, _ := os.ReadDir("/proc")
	var kids []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		st, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name is in parentheses and can hold spaces, so
		// read the fields after the last ')': state, then ppid.
		i := bytes.LastIndexByte(st, ')')
		f := strings.Fields(string(st[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			kids = append(kids, e.Name()+" "+string(st[:i+1]))
		}
	}
	return kids
}
