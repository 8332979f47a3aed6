package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"strings"

	"harness/harness/rundir"
)

// BatchEntry is one scenario of a batch with its headline figures.
type BatchEntry struct {
	Name    string `json:"name"`
	Dir     string `json:"dir"`
	Kind    string `json:"kind,omitempty"`
	Status  string `json:"status"`
	Trials  int    `json:"trials"`
	Failed  int    `json:"failed"`
	Verdict string `json:"verdict,omitempty"`
	// Headline is the figures of each model at the largest worker count:
	// median wall (speedup), cores busy, peak RSS.
	Headline string   `json:"headline,omitempty"`
	Error    string   `json:"error,omitempty"`
	Rows     []Row    `json:"rows,omitempty"`
	Charts   []string `json:"charts,omitempty"` // PNGs, relative to the batch directory
}

// BatchSummary is the batch's summary.json.
type BatchSummary struct {
	Schema      int          `json:"schema"`
	Complete    bool         `json:"complete"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Host        SummaryHost  `json:"host"`
	Scenarios   []BatchEntry `json:"scenarios"`
}

// RenderBatch re-renders every scenario of a batch directory, then the
// batch's own README.md, index.html and summary.json listing them.
func RenderBatch(dir string) error {
	b, err := rundir.ReadBatch(dir)
	if err != nil {
		return err
	}
	var reps []*Report
	var errs []string
	for _, s := range b.Scenarios {
		sdir := filepath.Join(dir, s.Dir)
		if !exists(filepath.Join(sdir, rundir.RunFile)) {
			reps = append(reps, nil)
			continue
		}
		r, err := Render(sdir)
		if err != nil {
			errs = append(errs, err.Error())
		}
		reps = append(reps, r)
	}
	if err := WriteBatchIndex(dir, b, reps); err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// WriteBatchIndex writes the batch's README.md, index.html and
// summary.json from already rendered scenario reports (nil where a
// scenario has no run).
func WriteBatchIndex(dir string, b *rundir.Batch, reps []*Report) error {
	sum := BatchSummary{Schema: SummarySchema, Complete: b.Complete, Interrupted: b.Interrupted}
	for i, s := range b.Scenarios {
		e := BatchEntry{Name: s.Name, Dir: s.Dir, Status: s.Status, Trials: s.Trials, Failed: s.Failed, Error: s.Error}
		if i < len(reps) && reps[i] != nil {
			r := reps[i]
			e.Kind, e.Verdict, e.Rows = r.Run.Scenario.Workload.Kind, r.Verdict, r.Rows
			e.Headline = headline(r.Rows)
			for _, c := range r.Charts {
				e.Charts = append(e.Charts, filepath.Join(s.Dir, c.PNG))
			}
			h := r.Run.Host
			sum.Host = SummaryHost{CPUs: h.CPUs, CPUModel: h.CPUModel, Kernel: h.Kernel, GoVersion: h.GoVersion}
		}
		sum.Scenarios = append(sum.Scenarios, e)
	}
	if err := rundir.WriteJSON(filepath.Join(dir, "summary.json"), sum); err != nil {
		return err
	}
	if err := rundir.WriteFile(filepath.Join(dir, "README.md"), []byte(batchMarkdown(sum))); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := batchTemplate.Execute(&buf, sum); err != nil {
		return fmt.Errorf("render batch index.html: %w", err)
	}
	return rundir.WriteFile(filepath.Join(dir, "index.html"), buf.Bytes())
}

func batchMarkdown(s BatchSummary) string {
	var b strings.Builder
	b.WriteString("# harness batch\n\n")
	if s.Interrupted || !s.Complete {
		b.WriteString("> **Incomplete batch**: not every scenario ran to the end.\n\n")
	}
	if s.Host.CPUs > 0 {
		fmt.Fprintf(&b, "Host: %d × %s, Linux %s, %s.\n\n", s.Host.CPUs, s.Host.CPUModel, s.Host.Kernel, s.Host.GoVersion)
	}
	b.WriteString("| scenario | kind | status | trials | at the largest worker count: wall (speedup) · cores busy · peak RSS | verdict |\n|---|---|---|--:|---|---|\n")
	for _, e := range s.Scenarios {
		status := e.Status
		if e.Failed > 0 {
			status += fmt.Sprintf(" (%d failed)", e.Failed)
		}
		verdict := e.Verdict
		if e.Error != "" {
			verdict = "error: " + e.Error
		}
		fmt.Fprintf(&b, "| [%s](%s/README.md) | %s | %s | %d | %s | %s |\n", e.Name, e.Dir, e.Kind, status, e.Trials, mdEscape(e.Headline), mdEscape(verdict))
	}
	return b.String()
}

var batchTemplate = template.Must(template.New("batch").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>harness batch</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: #1b1b1b; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; } td, th { padding: .4em .7em; border-bottom: 1px solid #e4e4e4; vertical-align: top; text-align: left; }
.warn { background: #fff4e5; border-left: 4px solid #e69f00; padding: .6em 1em; }
.failed { color: #b00; font-weight: bold; }
</style>
</head>
<body>
<h1>harness batch</h1>
{{if or .Interrupted (not .Complete)}}<p class="warn"><strong>Incomplete batch</strong>: not every scenario ran to the end.</p>{{end}}
{{if .Host.CPUs}}<p>Host: {{.Host.CPUs}} × {{.Host.CPUModel}}, Linux {{.Host.Kernel}}, {{.Host.GoVersion}}.</p>{{end}}
<table>
<tr><th>scenario</th><th>kind</th><th>status</th><th>trials</th><th>at the largest worker count: wall (speedup) · cores busy · peak RSS</th><th>verdict</th></tr>
{{range .Scenarios}}<tr><td><a href="{{.Dir}}/index.html">{{.Name}}</a></td><td>{{.Kind}}</td><td{{if ne .Status "ok"}} class="failed"{{end}}>{{.Status}}{{if .Failed}} ({{.Failed}} failed){{end}}</td><td>{{.Trials}}</td><td>{{.Headline}}</td><td>{{if .Error}}error: {{.Error}}{{else}}{{.Verdict}}{{end}}</td></tr>
{{end}}</table>
</body>
</html>
`))

// headline condenses a scenario's table to its largest worker count: per
// model the median wall (and speedup), cores busy and peak RSS.
func headline(rows []Row) string {
	maxW := 0
	for _, r := range rows {
		maxW = max(maxW, r.Workers)
	}
	var parts []string
	for _, r := range rows {
		if r.Workers != maxW || r.WallNs == nil {
			continue
		}
		s := fmt.Sprintf("%s ×%d: %s", r.Model, r.Workers, Duration(r.WallNs.Median))
		if r.Speedup != nil && r.Model != "serial" {
			s += fmt.Sprintf(" (%.2f×)", r.Speedup.Value)
		}
		if r.CoresBusy != nil {
			s += " · " + Cores(r.CoresBusy.Median) + " cores"
		}
		if r.PeakRSSBytes != nil {
			s += " · " + Bytes(r.PeakRSSBytes.Median)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
