package reports

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"harness/harness/rundir"
)

type markdownExporter struct{}

func (markdownExporter) Name() string { return "README.md" }

// Export writes README.md: the report to paste into a performance review.
func (markdownExporter) Export(r *Report) error {
	return r.writeFile("README.md", []byte(Markdown(r)))
}

// Markdown renders the scenario report as Markdown.
func Markdown(r *Report) string {
	run := r.Run
	sc := run.Scenario
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# %s: what threads buy and what processes buy\n\n", sc.Name)
	if run.Interrupted || !run.Complete {
		p("> **Incomplete run**: %s. The figures cover the trials that ran.\n\n", incompleteWhy(run))
	}
	if r.Verdict != "" {
		p("**Verdict.** %s\n\n", r.Verdict)
	}
	p("| | |\n|---|---|\n")
	desc := ""
	if sc.Description != "" {
		desc = ": " + mdEscape(sc.Description)
	}
	p("| scenario | `%s`%s |\n", sc.File, desc)
	p("| workload | %s |\n", mdEscape(workloadText(run)))
	p("| models | %s |\n", mdEscape(modelsText(run)))
	p("| profiles | %s |\n", profilesText(run))
	p("| host | %s |\n", mdEscape(hostText(run.Host)))
	p("| measured | %s |\n\n", measuredText(run))

	p("## Summary\n\n")
	if len(r.Rows) == 0 {
		p("%s\n\n", noRows)
	} else {
		p("%s\n", MarkdownTable(r.Rows, sc.Workload.IsCommand()))
	}
	p("How each figure was measured:\n\n")
	for _, m := range Methods(run) {
		p("- **%s**: %s.\n", m.Figure, m.How)
	}
	p("\n")
	if notes := OutlierNotes(r.Rows); len(notes) > 0 {
		p("**Outliers** (%s):\n\n", OutliersRule)
		for _, n := range notes {
			p("- %s.\n", n)
		}
		p("\n")
	}
	if r.Scaling != nil {
		p("## Scaling\n\n")
		p("%s\n\n", scalingIntro)
		for _, l := range r.Scaling.Lines() {
			p("- %s.\n", mdEscape(strings.TrimSuffix(l, ".")))
		}
		p("\n")
	}
	if ovs := r.Overheads; len(ovs) > 0 {
		p("## Instrumentation overhead\n\n%s\n\n", overheadIntro)
		for _, l := range OverheadLines(ovs) {
			p("- %s.\n", l)
		}
		p("\n")
	}
	if failed := failedTrials(run); len(failed) > 0 {
		p("## Failed trials\n\n")
		for _, t := range failed {
			p("- `%s` **%s**: %s\n", t.ID, t.Status, mdEscape(strings.ReplaceAll(t.Error, "\n", "; ")))
		}
		p("\n")
	}

	if len(r.Charts) > 0 || len(r.ChartProblems) > 0 {
		p("## Charts\n\n")
		for _, c := range r.Charts {
			p("### %s\n\n![%s](%s)\n\n%s ([SVG](%s))\n\n", c.Title, c.Title, c.PNG, c.Caption, c.SVG)
		}
		for _, pr := range r.ChartProblems {
			p("> **Chart not drawn**: %s\n\n", mdEscape(pr))
		}
	}
	if g := mermaidGantt(run); g != "" {
		p("## Worker phases\n\nThe representative trial of each model (median wall time at the largest worker count); milliseconds since its first spawn request. Phases shorter than 1 ms do not show at this scale: see the table.\n\n```mermaid\n%s```\n\n", g)
	}

	p("## Profiles and traces\n\n")
	if len(run.Profiles) > 0 {
		p("Merged profiles, every sample labelled `model`, `worker` (w1…; `none` = no worker's goroutine), `workers`, `rep`, `pid`:\n\n")
		for _, pr := range run.Profiles {
			if pr.File == "" {
				continue
			}
			p("- `%s`: %d processes, %d samples\n", pr.File, pr.Inputs, pr.Samples)
		}
		p("\nFrom this directory:\n\n```sh\n")
		p("harness pprof .              # flame graph in the browser, embedded pprof UI (or: harness pprof . wall)\n")
		if pr := firstProfile(run); pr != "" {
			p("go tool pprof -http=: %s\n", pr)
			p("go tool pprof -top -tagfocus=model=thread %s\n", pr)
		}
		p("```\n\n")
	}
	if traces, more := traceFiles(run); len(traces) > 0 {
		p("Execution traces (one per worker process; the representative trials'):\n\n```sh\n")
		for _, f := range traces {
			p("go tool trace %s\n", f)
		}
		if more {
			p("# … and every other trial's under raw/\n")
		}
		p("```\n\n")
	}
	if exists(filepath.Join(r.Dir, rundir.TimelineFile)) {
		p("`timeline.json` holds every trial's processes, worker phases and running spans on one clock: open it in https://ui.perfetto.dev or chrome://tracing. %s\n\n", timelineBound)
	}
	p("`run.json` holds every measured value; `summary.json` the figures of the table.\n")
	if len(run.Warnings) > 0 {
		p("\n## Warnings\n\n")
		for _, w := range run.Warnings {
			p("- %s\n", mdEscape(w))
		}
	}
	return b.String()
}

// MarkdownTable is the summary table in Markdown.
func MarkdownTable(rows []Row, command bool) string {
	head, cells := Table(rows, command)
	var b strings.Builder
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|---")
	for range head[1:] {
		b.WriteString("|--:")
	}
	b.WriteString("|\n")
	for _, row := range cells {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// Table is the summary table's header and cells, as every document shows
// it: medians, the wall time's interval, speedup and efficiency with
// theirs. Commands have no serial baseline or barrier, so no speedup or
// spawn columns.
func Table(rows []Row, command bool) (head []string, cells [][]string) {
	head = []string{"model", "workers", "n", "wall [95% CI]", "CPU", "cores busy"}
	if !command {
		head = append(head, "speedup vs serial", "efficiency", "spawn → ready")
	}
	head = append(head, "peak RSS (sum)")
	for _, r := range rows {
		row := []string{r.Model, fmt.Sprint(r.Workers), r.N(), cell(r.WallNs, Duration, true), cell(r.CPUNs, Duration, false), cell(r.CoresBusy, Cores, false)}
		if !command {
			row = append(row, ratioCell(r.Speedup, "×"), ratioCell(r.Efficiency, ""), cell(r.SpawnNs, Duration, false))
		}
		row = append(row, cell(r.PeakRSSBytes, Bytes, false))
		cells = append(cells, row)
	}
	return head, cells
}

// mermaidGantt is the seed's gantt block: each representative trial's
// workers with their spawn, barrier wait and work phases.
func mermaidGantt(run *rundir.Run) string {
	var b strings.Builder
	any := false
	b.WriteString("gantt\n    dateFormat x\n    axisFormat %S.%L s\n")
	for _, t := range representative(run) {
		if len(t.Runs) == 0 {
			continue
		}
		any = true
		fmt.Fprintf(&b, "    section %s (%d workers)\n", t.Model, t.Workers)
		ms := func(ns int64) int64 { return (ns - t.SpawnNs) / int64(time.Millisecond) }
		for i, w := range t.Runs {
			if i == 16 {
				fmt.Fprintf(&b, "    %d more workers :milestone, %d, 0\n", len(t.Runs)-16, ms(w.StartNs))
				break
			}
			if w.SpawnNs > 0 && w.ReadyNs >= w.SpawnNs {
				fmt.Fprintf(&b, "    %s spawn :done, %d, %d\n", w.Name, ms(w.SpawnNs), max(ms(w.ReadyNs), ms(w.SpawnNs)))
			}
			if w.ReadyNs > 0 && w.StartNs >= w.ReadyNs {
				fmt.Fprintf(&b, "    %s wait :active, %d, %d\n", w.Name, ms(w.ReadyNs), ms(w.StartNs))
			}
			if w.StartNs > 0 && w.EndNs > w.StartNs {
				fmt.Fprintf(&b, "    %s work :crit, %d, %d\n", w.Name, ms(w.StartNs), ms(w.EndNs))
			}
		}
	}
	if !any {
		return ""
	}
	return b.String()
}

func incompleteWhy(run *rundir.Run) string {
	if run.Interrupted {
		return "the run was interrupted"
	}
	return "not every planned trial ran"
}

func firstProfile(run *rundir.Run) string {
	for _, kind := range []string{"cpu", "wall"} {
		for _, p := range run.Profiles {
			if p.Kind == kind && p.File != "" {
				return p.File
			}
		}
	}
	return ""
}

// mdEscape keeps text from breaking a table cell or starting markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
