package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"harness/harness/rundir"
	"harness/harness/worker"
)

// documents are the files every render writes, whatever the input.
var documents = []string{"README.md", "index.html", "summary.json", rundir.TimelineFile}

// render renders dir and checks what every render must hold: the
// documents, each chart as a PNG of the size the Chart says and an SVG
// that parses as XML, the README and the page naming every chart, and a
// timeline that is a valid Chrome trace.
func render(t *testing.T, dir string) *Report {
	t.Helper()
	r, err := Render(dir)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for _, f := range documents {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, c := range r.Charts {
		checkPNG(t, filepath.Join(dir, c.PNG), c.Width, c.Height)
		checkSVG(t, filepath.Join(dir, c.SVG))
		if c.Title == "" || c.Caption == "" {
			t.Errorf("chart %s: title %q, caption %q", c.Name, c.Title, c.Caption)
		}
		if !bytes.Contains(readme, []byte("]("+c.PNG+")")) {
			t.Errorf("README.md does not show %s", c.PNG)
		}
		if !bytes.Contains(page, []byte(`id="chart-`+c.Name+`"`)) {
			t.Errorf("index.html has no figure for %s", c.Name)
		}
	}
	checkTimeline(t, filepath.Join(dir, rundir.TimelineFile))
	return r
}

func chartNames(r *Report) []string {
	var out []string
	for _, c := range r.Charts {
		out = append(out, c.Name)
	}
	return out
}

func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h || w != 960 || h < 288 {
		t.Errorf("%s: %d×%d pixels, chart says %d×%d (want 960 wide, at least 288 high)", filepath.Base(path), b.Dx(), b.Dy(), w, h)
	}
}

// checkSVG parses the file to the end as XML and checks that its root is
// an <svg> with some drawing in it.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root, shapes := "", 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: not XML: %v", filepath.Base(path), err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			if se.Name.Local == "path" || se.Name.Local == "text" {
				shapes++
			}
		}
	}
	if root != "svg" || shapes < 10 {
		t.Errorf("%s: root <%s>, %d paths and texts", filepath.Base(path), root, shapes)
	}
}

// TestRenderCPU renders the cpu fixture: every chart applies (traces, a
// sweep with a serial baseline).
func TestRenderCPU(t *testing.T) {
	dir := fixture(t, "cpu")
	r := render(t, dir)
	want := []string{"utilization", "gantt", "schedule", "parallelism", "scaling"}
	if got := chartNames(r); !slices.Equal(got, want) {
		t.Errorf("charts %v, want %v", got, want)
	}
	for _, c := range r.Charts {
		if strings.Contains(c.Caption, "truncated") || strings.Contains(c.Caption, "missing") {
			t.Errorf("%s caption reports a problem with whole input: %s", c.Name, c.Caption)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	for _, s := range []string{"## Scaling", "Crossover:", "timeline.json", "bounded"} {
		if !bytes.Contains(readme, []byte(s)) {
			t.Errorf("README.md lacks %q", s)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !bytes.Contains(page, []byte("<h2>Scaling</h2>")) {
		t.Error("index.html lacks the Scaling section")
	}
	sum, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Contains(sum, []byte(`"scaling"`)) {
		t.Error("summary.json lacks scaling")
	}

	// Rendering again gives the same files: nothing depends on an
	// earlier render, and charts that no longer apply are removed.
	if err := os.WriteFile(filepath.Join(dir, "scaling.png"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	editRun(t, dir, func(run *rundir.Run) {
		var keep []rundir.Trial
		for _, tr := range run.Trials {
			if tr.Workers == 2 {
				keep = append(keep, tr)
			}
		}
		run.Trials = keep
	})
	r = render(t, dir)
	if slices.Contains(chartNames(r), "scaling") || r.Scaling != nil {
		t.Errorf("one worker count left, still charts %v, scaling %v", chartNames(r), r.Scaling)
	}
	if _, err := os.Stat(filepath.Join(dir, "scaling.png")); !os.IsNotExist(err) {
		t.Errorf("stale scaling.png kept: %v", err)
	}
}

// TestRenderCommand: a command scenario has no traces and no worker
// timestamps: utilization and the per-thread schedule only, from the
// sampler, and every document.
func TestRenderCommand(t *testing.T) {
	dir := fixture(t, "cmd")
	r := render(t, dir)
	if got := chartNames(r); !slices.Equal(got, []string{"utilization", "schedule"}) {
		t.Errorf("charts %v, want utilization and schedule", got)
	}
	for _, c := range r.Charts {
		if c.Name == "schedule" && !strings.Contains(c.Caption, "OS thread") {
			t.Errorf("schedule of a command is not per thread: %s", c.Caption)
		}
	}
}

// TestRenderBrokenTraces: a killed worker's truncated trace, a missing
// trace and a missing samples.json in the representative trials still
// render every document, and the captions say what is incomplete.
func TestRenderBrokenTraces(t *testing.T) {
	dir := fixture(t, "cpu")
	run, err := rundir.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	reps := representative(run)
	var thread, process *rundir.Trial
	for _, tr := range reps {
		switch tr.Model {
		case "thread":
			thread = tr
		case "process":
			process = tr
		}
	}
	// Cut the thread trial's trace in half, as a killed process leaves it.
	tf := filepath.Join(dir, traceFile(thread, &thread.Processes[0], true))
	data, err := os.ReadFile(tf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tf, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	// Remove one process's trace and the samples of the process trial.
	if err := os.Remove(filepath.Join(dir, traceFile(process, &process.Processes[0], true))); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, process.Dir, rundir.SamplesFile)); err != nil {
		t.Fatal(err)
	}
	r := render(t, dir)
	var sched *Chart
	for i := range r.Charts {
		if r.Charts[i].Name == "schedule" {
			sched = &r.Charts[i]
		}
	}
	if sched == nil {
		t.Fatalf("no schedule chart: %v", chartNames(r))
	}
	for _, s := range []string{"truncated", "missing", thread.ID, process.ID} {
		if !strings.Contains(sched.Caption, s) {
			t.Errorf("schedule caption does not say %q: %s", s, sched.Caption)
		}
	}
}

// TestRenderFailedTrial: a run with a failed trial (the representative of
// the process model killed, its trace cut off) and an interrupted run
// still render every document, naming the failure.
func TestRenderFailedTrial(t *testing.T) {
	dir := fixture(t, "cpu")
	var failed string
	editRun(t, dir, func(run *rundir.Run) {
		for _, tr := range representative(run) {
			if tr.Model != "process" {
				continue
			}
			failed = tr.ID
			tr.Status = rundir.StatusFailed
			tr.Error = "process 2 (pid 123) was killed by signal killed"
			tr.Processes[1].ExitCode, tr.Processes[1].Signal = -1, "killed"
			tr.Runs[1].EndNs = 0
		}
		run.Complete, run.Interrupted = false, true
	})
	run, err := rundir.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A killed worker leaves its trace cut short under the .partial name,
	// and the runner lists that file.
	tr := trialByID(t, run, failed)
	tf := filepath.Join(dir, traceFile(tr, &tr.Processes[1], true))
	data, err := os.ReadFile(tf)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(tf)
	if err := os.WriteFile(tf+worker.Partial, data[:len(data)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	editRun(t, dir, func(run *rundir.Run) {
		p := &trialByID(t, run, failed).Processes[1]
		for i, f := range p.Files {
			if filepath.Base(f) == rundir.TraceFile {
				p.Files[i] = f + worker.Partial
			}
		}
	})
	r := render(t, dir)
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	for _, s := range []string{"## Failed trials", failed, "Incomplete run"} {
		if !bytes.Contains(readme, []byte(s)) {
			t.Errorf("README.md lacks %q", s)
		}
	}
	if len(r.Charts) < 4 {
		t.Errorf("charts %v", chartNames(r))
	}
}

// TestRenderNoSamplesNoTraces: a run directory with nothing but run.json
// (raw files deleted) renders the documents and the charts run.json
// alone supports.
func TestRenderNoSamplesNoTraces(t *testing.T) {
	dir := fixture(t, "cpu")
	if err := os.RemoveAll(filepath.Join(dir, rundir.RawDir)); err != nil {
		t.Fatal(err)
	}
	r := render(t, dir)
	if got := chartNames(r); !slices.Contains(got, "gantt") || !slices.Contains(got, "scaling") {
		t.Errorf("charts %v, want at least gantt and scaling", got)
	}
}

// TestRenderChartFails: a chart that cannot be drawn is reported by
// Render, and named in the documents, which are all written anyway.
func TestRenderChartFails(t *testing.T) {
	saved := chartKinds
	t.Cleanup(func() { chartKinds = saved })
	chartKinds = append([]struct {
		name string
		draw func(r *Report) (*Chart, error)
	}{{"broken", func(*Report) (*Chart, error) { return nil, errors.New("no ink") }}}, saved...)
	dir := fixture(t, "cmd")
	r, err := Render(dir)
	if err == nil || !strings.Contains(err.Error(), "broken chart: no ink") {
		t.Fatalf("Render error %v, want the broken chart's", err)
	}
	for _, f := range documents {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if len(r.Charts) != 2 {
		t.Errorf("charts %v: the others must still be drawn", chartNames(r))
	}
	for _, f := range []string{"README.md", "index.html"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Contains(data, []byte("broken: no ink")) {
			t.Errorf("%s does not name the chart that failed", f)
		}
	}
}

// TestRenderOnlyWarmup: a run interrupted during its warm-up has no
// measured repetition; the documents say so where the table would be.
func TestRenderOnlyWarmup(t *testing.T) {
	dir := fixture(t, "cpu")
	editRun(t, dir, func(run *rundir.Run) {
		for i := range run.Trials {
			run.Trials[i].Warmup = true
		}
		run.Complete, run.Interrupted = false, true
	})
	render(t, dir)
	for _, f := range []string{"README.md", "index.html"} {
		doc, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Contains(doc, []byte(noRows)) || bytes.Contains(doc, []byte("| model | workers |")) {
			t.Errorf("%s: no %q in place of the table", f, noRows)
		}
	}
}

// TestTraceFilesPartial: a representative trial's trace cut short (its
// worker killed) is listed under its .partial name.
func TestTraceFilesPartial(t *testing.T) {
	dir := fixture(t, "cpu")
	run, err := rundir.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr := representative(run)[0]
	p := &tr.Processes[0]
	for i, f := range p.Files {
		if filepath.Base(f) == rundir.TraceFile {
			p.Files[i] = f + worker.Partial
		}
	}
	want := traceFile(tr, p, false)
	if got, _ := traceFiles(run); !strings.HasSuffix(want, worker.Partial) || !slices.Contains(got, want) {
		t.Errorf("traceFiles %q lacks %q", got, want)
	}
}
