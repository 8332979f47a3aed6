package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"harness/harness/rundir"
)

type htmlExporter struct{}

func (htmlExporter) Name() string { return "index.html" }

// Export writes index.html: the same report as README.md, self-contained
// (charts inlined as SVG, no scripts, no network), for a browser.
func (htmlExporter) Export(r *Report) error {
	page, err := HTML(r)
	if err != nil {
		return err
	}
	return r.writeFile("index.html", page)
}

type htmlChart struct {
	Chart
	Inline template.HTML
}

// HTML renders the scenario report as a self-contained page.
func HTML(r *Report) ([]byte, error) {
	run := r.Run
	var charts []htmlChart
	for _, c := range r.Charts {
		svg, err := os.ReadFile(filepath.Join(r.Dir, c.SVG))
		if err != nil {
			return nil, fmt.Errorf("inline %s: %w", c.SVG, err)
		}
		charts = append(charts, htmlChart{Chart: c, Inline: template.HTML(inlineSVG(svg, c.Title))})
	}
	head, cells := Table(r.Rows, run.Scenario.Workload.IsCommand())
	traces, moreTraces := traceFiles(run)
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, map[string]any{
		"R": r, "Run": run, "Sc": run.Scenario, "Head": head, "Rows": cells, "Charts": charts,
		"Info": [][2]string{
			{"scenario", run.Scenario.File + describeSuffix(run.Scenario.Description)},
			{"workload", workloadText(run)},
			{"models", modelsText(run)},
			{"profiles", profilesText(run)},
			{"host", hostText(run.Host)},
			{"measured", measuredText(run)},
		},
		"Overhead": OverheadLines(r.Overheads), "OverheadIntro": overheadIntro,
		"Methods": Methods(run), "ScalingIntro": scalingIntro, "NoRows": noRows, "Outliers": OutlierNotes(r.Rows), "OutliersRule": OutliersRule, "Failed": failedTrials(run),
		"Incomplete": run.Interrupted || !run.Complete, "Why": incompleteWhy(run),
		"Profile": firstProfile(run), "Traces": traces, "MoreTraces": moreTraces,
		"Timeline": exists(filepath.Join(r.Dir, rundir.TimelineFile)), "TimelineBound": timelineBound,
	})
	if err != nil {
		return nil, fmt.Errorf("render index.html: %w", err)
	}
	return buf.Bytes(), nil
}

func describeSuffix(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}

var xmlProlog = regexp.MustCompile(`^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?`)

// inlineSVG prepares a chart's SVG for inlining: no XML prolog, an
// accessible title, and a size the page's CSS can scale.
func inlineSVG(svg []byte, title string) string {
	s := xmlProlog.ReplaceAllString(string(svg), "")
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
		if j := strings.Index(s, ">"); j > 0 {
			s = s[:j] + ` role="img" aria-label="` + template.HTMLEscapeString(title) + `"` + s[j:]
		}
	}
	return s
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"trialError": func(t rundir.Trial) string { return strings.ReplaceAll(t.Error, "\n", "; ") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Sc.Name}} — harness report</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: #1b1b1b; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .3em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.verdict { background: #f3f7fb; border-left: 4px solid #0072b2; padding: .6em 1em; }
.warn { background: #fff4e5; border-left: 4px solid #e69f00; padding: .6em 1em; }
table { border-collapse: collapse; margin: .8em 0; } td, th { padding: .3em .7em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
table.figures td:not(:first-child), table.figures th:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.info th { text-align: left; color: #555; font-weight: normal; white-space: nowrap; }
figure { margin: 1.5em 0; } figure svg { width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { color: #444; font-size: .92em; margin-top: .4em; }
code, pre { font-family: ui-monospace, "Liberation Mono", Menlo, monospace; font-size: .9em; }
pre { background: #f6f6f6; padding: .7em 1em; overflow-x: auto; }
.small { color: #555; font-size: .9em; }
.scroll { overflow-x: auto; }
</style>
</head>
<body>
<h1>{{.Sc.Name}}: what threads buy and what processes buy</h1>
{{if .Incomplete}}<p class="warn"><strong>Incomplete run</strong>: {{.Why}}. The figures cover the trials that ran.</p>{{end}}
{{if .R.Verdict}}<p class="verdict"><strong>Verdict.</strong> {{.R.Verdict}}</p>{{end}}
<table class="info">
{{range .Info}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}</table>

<h2>Summary</h2>
{{if .Rows}}<div class="scroll"><table class="figures">
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></div>{{else}}<p>{{.NoRows}}</p>{{end}}
<p class="small">How each figure was measured:</p>
<ul class="small">
{{range .Methods}}<li><strong>{{.Figure}}</strong>: {{.How}}.</li>
{{end}}</ul>
{{if .Outliers}}<p class="warn"><strong>Outliers</strong> ({{.OutliersRule}}):{{range .Outliers}}<br>{{.}}{{end}}</p>{{end}}
{{if .R.Scaling}}<h2>Scaling</h2>
<p class="small">{{.ScalingIntro}}</p>
<ul>{{range .R.Scaling.Lines}}<li>{{.}}</li>
{{end}}</ul>{{end}}
{{if .Overhead}}<h2>Instrumentation overhead</h2>
<p class="small">{{.OverheadIntro}}</p>
<ul>{{range .Overhead}}<li>{{.}}.</li>
{{end}}</ul>{{end}}
{{if .Failed}}<h2>Failed trials</h2>
<ul>{{range .Failed}}<li><code>{{.ID}}</code> <strong>{{.Status}}</strong>: {{trialError .}}</li>{{end}}</ul>{{end}}

{{if or .Charts .R.ChartProblems}}<h2>Charts</h2>
{{range .R.ChartProblems}}<p class="warn"><strong>Chart not drawn</strong>: {{.}}</p>
{{end}}{{range .Charts}}<figure id="chart-{{.Name}}">
<h3>{{.Title}}</h3>
{{.Inline}}
<figcaption>{{.Caption}} <a href="{{.PNG}}">PNG</a> · <a href="{{.SVG}}">SVG</a></figcaption>
</figure>
{{end}}{{end}}

<h2>Profiles and traces</h2>
{{if .Run.Profiles}}<p>Merged profiles; every sample is labelled <code>model</code>, <code>worker</code> (w1…; <code>none</code> = no worker's goroutine), <code>workers</code>, <code>rep</code>, <code>pid</code>:</p>
<ul>{{range .Run.Profiles}}{{if .File}}<li><a href="{{.File}}"><code>{{.File}}</code></a>: {{.Inputs}} processes, {{.Samples}} samples</li>{{end}}{{end}}</ul>
<p>From this directory:</p>
<pre>harness pprof .              # flame graph in the browser (embedded pprof UI)
{{if .Profile}}go tool pprof -http=: {{.Profile}}
go tool pprof -top -tagfocus=model=thread {{.Profile}}{{end}}</pre>{{end}}
{{if .Traces}}<p>Execution traces of the representative trials (all trials' are under <code>raw/</code>):</p>
<pre>{{range .Traces}}go tool trace {{.}}
{{end}}{{if .MoreTraces}}# … and every other trial's under raw/
{{end}}</pre>{{end}}
{{if .Timeline}}<p><a href="timeline.json"><code>timeline.json</code></a>: every trial's processes, worker phases and running spans on one clock; open it in ui.perfetto.dev or chrome://tracing. {{.TimelineBound}}</p>{{end}}
<p><a href="run.json"><code>run.json</code></a> holds every measured value; <a href="summary.json"><code>summary.json</code></a> the figures of the table.</p>
{{if .Run.Warnings}}<h2>Warnings</h2><ul>{{range .Run.Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body>
</html>
`))
