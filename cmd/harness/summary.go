package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"harness/harness/rundir"
	"harness/reports"
)

// printSummary prints a scenario's table: one row per (workers, model).
func printSummary(w io.Writer, rep *reports.Report) {
	run := rep.Run
	fmt.Fprintf(w, "\n%s — %s (%s)\n", run.Scenario.Name, rep.Dir, run.Scenario.Workload.Kind)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tworkers\tn\twall\t(min…max)\tCPU\tcores busy\tspeedup\tspawn\tpeak RSS\t")
	for _, r := range rep.Rows {
		speed := "-"
		if r.Speedup != nil {
			speed = fmt.Sprintf("%.2f×", r.Speedup.Value)
		}
		wall, lo, hi := "-", "-", "-"
		if r.WallNs != nil {
			wall, lo, hi = reports.Duration(r.WallNs.Median), reports.Duration(r.WallNs.Min), reports.Duration(r.WallNs.Max)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t(%s…%s)\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Model, r.Workers, r.N(), wall, lo, hi, median(r.CPUNs, reports.Duration), median(r.CoresBusy, reports.Cores),
			speed, median(r.SpawnNs, reports.Duration), median(r.PeakRSSBytes, reports.Bytes))
	}
	tw.Flush()
	if run.Scenario.Workload.IsCommand() {
		fmt.Fprintln(w, "wall: program spawn → exit (median of n); CPU: rusage user+sys of the program and its children;")
		fmt.Fprintln(w, "cores busy: CPU / wall; RSS: the process tree's largest sampled sum.")
	} else {
		fmt.Fprintln(w, "wall: first worker start → last worker end (median of n); CPU: rusage user+sys of all processes;")
		fmt.Fprintln(w, "cores busy: work-phase CPU / wall; spawn: spawn requested → worker ready; RSS: sum of processes' peak.")
	}
	if cpu, share, ok := reports.HarnessCPU(run); ok {
		fmt.Fprintf(w, "the harness itself: %s of CPU per trial (median, getrusage), %.1f%% of one core — the sampler, pipes, tails.\n",
			reports.Duration(cpu), 100*share)
	}
	if notes := reports.OutlierNotes(rep.Rows); len(notes) > 0 {
		fmt.Fprintln(w, "outliers (modified z-score > 3.5 and ≥ 5% from the row's median; the report says more):")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	if ovs := rep.Overheads; len(ovs) > 0 {
		fmt.Fprintln(w, "\ninstrumentation overhead (profiles + sampler vs bare twins, interleaved):")
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "model\tworkers\tinstrumented\tbare\tratio\t[interval]\tp\tn\tharness CPU/trial\t")
		for _, o := range ovs {
			mark := "~"
			if o.Significant {
				mark = "significant"
			}
			own := "-"
			if o.InstrumentedHarnessCPU > 0 {
				own = reports.Duration(o.InstrumentedHarnessCPU) + " vs " + reports.Duration(o.BareHarnessCPU)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.3f×\t[%.3f–%.3f]\t%.2f %s\t%d+%d\t%s\t\n", o.Model, o.Workers,
				reports.Duration(o.InstrumentedWall), reports.Duration(o.BareWall), o.Ratio.Value, o.Ratio.Lo, o.Ratio.Hi,
				o.P, mark, o.NInstrumented, o.NBare, own)
		}
		tw.Flush()
		fmt.Fprintln(w, "harness CPU/trial: the harness's own CPU while a trial ran (getrusage), instrumented vs bare: the sampler's cost")
	}
	for _, t := range run.Trials {
		if t.Status != rundir.StatusOK {
			fmt.Fprintf(w, "%s %s: %s\n", strings.ToUpper(t.Status), t.ID, t.Error)
		}
	}
	for _, warn := range run.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func median(f *reports.Figure, format func(float64) string) string {
	if f == nil {
		return "-"
	}
	return format(f.Median)
}
