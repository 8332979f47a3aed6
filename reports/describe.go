package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"harness/harness/rundir"
	"harness/harness/stats"
	"harness/harness/workload"
)

// Method says how one figure of the table was measured; the documents
// print these under the table.
type Method struct {
	Figure string
	How    string
}

// Methods lists how every figure of the table was measured, for this run.
func Methods(run *rundir.Run) []Method {
	reps := fmt.Sprintf("median of %d successful repetitions per row", run.Scenario.Repeat)
	if run.Scenario.Warmup > 0 {
		reps += fmt.Sprintf(", after %d unmeasured warm-up(s)", run.Scenario.Warmup)
	}
	ms := []Method{{"n", "successful measured repetitions; the table shows the " + reps +
		"; repetitions ran interleaved across models so drift of the machine lands on each alike"}}
	ci := "[lo–hi] is a 95% confidence interval for the median (order statistics, benchmath); with fewer than 6 repetitions no such interval exists and the range [min–max] is shown, marked †"
	if run.Scenario.Workload.IsCommand() {
		ms = append(ms,
			Method{"wall", "the program's process, spawn requested → exited, wall clock (time.Now in the harness); " + ci},
			Method{"CPU", "user + system CPU of the program and all its reaped descendants (wait4 rusage)"},
			Method{"cores busy", fmt.Sprintf("average cores in use by the program's process tree over its life, from /proc/<pid>/task/<tid>/schedstat sampled every %v", run.Scenario.SampleInterval)},
		)
	} else {
		ms = append(ms,
			Method{"wall", "work phase: first worker's start → last worker's end, after the start barrier opened; wall clock (time.Now in the workers, one host clock); " + ci},
			Method{"CPU", "user + system CPU of every process of the trial over its whole life, start-up and profile writing included (wait4 rusage)"},
			Method{"cores busy", "CPU during the work phase (getrusage(RUSAGE_SELF) in each worker process at its first start and last end) / wall"},
			Method{"speedup", "median serial wall / median wall at the same worker count; the interval is interval arithmetic on the two medians' intervals (coverage ≥ the product of theirs)"},
			Method{"efficiency", "speedup / workers: 1.00 is perfect scaling"},
			Method{"spawn → ready", "per trial, the median over workers of spawn requested (process model: just before fork/exec; thread model: the go statement) → waiting at the start barrier" + floorText(run)},
		)
	}
	if run.Scenario.Workload.IsCommand() {
		ms = append(ms, Method{"peak RSS", fmt.Sprintf("the largest sum of the resident sets of the program's whole process tree read in one sample (/proc/<pid>/statm every %v)", run.Scenario.SampleInterval)})
	} else {
		ms = append(ms, Method{"peak RSS", "sum over the trial's processes of each one's peak resident set (VmHWM, read by each worker process at its end; they run at the same time). Not wait4's ru_maxrss: Linux carries the parent's high-water mark into a child started with vfork+exec"})
	}
	if h := harnessCPUText(run); h != "" {
		ms = append(ms, Method{"the harness's own CPU (not in the table)", h})
	}
	return ms
}

// HarnessCPU is the harness's own CPU per measured trial (median of
// harness_cpu_ns) and its median share of one core over the trial; ok is
// false for runs recorded before the figure existed.
func HarnessCPU(run *rundir.Run) (medianNs, share float64, ok bool) {
	var cpu, shares []float64
	for _, t := range run.Trials {
		if t.Warmup || t.Bare || t.HarnessCPUNs <= 0 || t.EndNs <= t.SpawnNs {
			continue
		}
		cpu = append(cpu, float64(t.HarnessCPUNs))
		shares = append(shares, float64(t.HarnessCPUNs)/float64(t.EndNs-t.SpawnNs))
	}
	if len(cpu) == 0 {
		return 0, 0, false
	}
	return stats.Summarize(cpu).Median, stats.Summarize(shares).Median, true
}

// harnessCPUText says what watching the trials cost the harness itself.
func harnessCPUText(run *rundir.Run) string {
	cpu, share, ok := HarnessCPU(run)
	if !ok {
		return ""
	}
	return fmt.Sprintf("the harness process used a median %s of CPU per trial, %.1f%% of one core over the trial "+
		"(getrusage(RUSAGE_SELF), first spawn → last reap: the outside sampler every %v, the control pipes, the output tails). "+
		"When the workers fill every core, that CPU is taken from them",
		Duration(cpu), 100*share, run.Scenario.SampleInterval)
}

// workloadText describes the workload and its parameters.
func workloadText(run *rundir.Run) string {
	w := run.Scenario.Workload
	if w.IsCommand() && w.Command != nil {
		var parts []string
		for _, m := range run.Scenario.Models {
			argv := w.Command.Argv[m]
			exe := w.Command.Resolved[m]
			s := fmt.Sprintf("%s: `%s`", m, strings.Join(argv, " "))
			if exe != "" && len(argv) > 0 && exe != argv[0] {
				s += fmt.Sprintf(" (ran `%s`)", exe)
			}
			parts = append(parts, s)
		}
		return "command — " + strings.Join(parts, "; ")
	}
	k, ok := workload.Lookup(w.Kind)
	if !ok || w.Params == nil {
		return w.Kind
	}
	var ps []string
	for _, pa := range k.Params {
		switch v := pa.Ptr(w.Params).(type) {
		case *int64:
			ps = append(ps, fmt.Sprintf("%s = %d", pa.Name, *v))
		case *time.Duration:
			ps = append(ps, fmt.Sprintf("%s = %v", pa.Name, *v))
		case *string:
			ps = append(ps, fmt.Sprintf("%s = %s", pa.Name, *v))
		}
	}
	return fmt.Sprintf("%s — %s", w.Kind, strings.Join(ps, ", "))
}

func hostText(h rundir.Host) string {
	mem := ""
	if h.MemBytes > 0 {
		mem = ", " + Bytes(float64(h.MemBytes)) + " RAM"
	}
	return fmt.Sprintf("%s: %d × %s, Linux %s, %s, GOMAXPROCS %d%s", h.Hostname, h.CPUs, h.CPUModel, h.Kernel, h.GoVersion, h.GOMAXPROCS, mem)
}

func modelsText(run *rundir.Run) string {
	sc := run.Scenario
	s := fmt.Sprintf("%s; workers %s", strings.Join(sc.Models, ", "), sc.WorkersSpec)
	if sc.WorkersSpec == "auto" && len(sc.Workers) == 1 {
		s += fmt.Sprintf(" (= %d CPUs)", sc.Workers[0])
	}
	s += fmt.Sprintf("; %d repetition(s)", sc.Repeat)
	if sc.Warmup > 0 {
		s += fmt.Sprintf(" + %d warm-up", sc.Warmup)
	}
	if sc.GIL {
		s += fmt.Sprintf("; GIL emulated (switch interval %v)", sc.GILInterval)
	}
	return s
}

func profilesText(run *rundir.Run) string {
	p := "none"
	if len(run.Scenario.Profiles) > 0 {
		p = strings.Join(run.Scenario.Profiles, ", ")
	}
	s := fmt.Sprintf("%s; processes sampled from outside (/proc) every %v", p, run.Scenario.SampleInterval)
	for _, k := range run.Scenario.Profiles {
		if k == "wall" {
			// Measured with harness run --overhead on a CPU-bound loop: the
			// wall profile alone cost 3.9–4.1%, cpu or trace 1–2% each.
			s += " (the wall profile, fgprof, stops the world about 99 times a second to read every goroutine's stack: it added about 4% to a CPU-bound loop's wall time here, against 1–2% for cpu or trace; measure it on yours with harness run --overhead)"
		}
	}
	return s
}

func measuredText(run *rundir.Run) string {
	start := time.Unix(0, run.StartNs).UTC()
	return fmt.Sprintf("%s, took %v, harness %s", start.Format("2006-01-02 15:04:05 MST"),
		time.Duration(run.EndNs-run.StartNs).Round(time.Second), run.HarnessVersion)
}

// cell formats a figure as "median [lo–hi]", with † for a low-confidence
// interval.
func cell(f *Figure, format func(float64) string, withCI bool) string {
	if f == nil {
		return "–"
	}
	if !withCI || f.N < 2 {
		return format(f.Median)
	}
	mark := ""
	if f.LowConfidence {
		mark = "†"
	}
	return fmt.Sprintf("%s [%s–%s]%s", format(f.Median), format(f.CILo), format(f.CIHi), mark)
}

func ratioCell(r *Ratio, unit string) string {
	if r == nil {
		return "–"
	}
	mark := ""
	if r.LowConfidence {
		mark = "†"
	}
	return fmt.Sprintf("%.2f%s [%.2f–%.2f]%s", r.Value, unit, r.Lo, r.Hi, mark)
}

// traceFiles lists, per representative trial, the raw traces it wrote: the
// first maxTraceLines of them, and whether there are more.
func traceFiles(run *rundir.Run) (files []string, more bool) {
	var out []string
	for _, t := range representative(run) {
		for i := range t.Processes {
			if f := traceFile(t, &t.Processes[i], false); f != "" {
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	if len(out) > maxTraceLines {
		return out[:maxTraceLines], true
	}
	return out, false
}

// maxTraceLines is how many `go tool trace` commands the documents list.
const maxTraceLines = 6

// OutliersRule says what an outlier is, for the line above OutlierNotes.
const OutliersRule = "repetitions more than 3.5 robust standard deviations (modified z-score) and 5% from their row's median; interference from other processes is the usual cause, and the medians are robust to them"

// OutlierNotes names, per row, the repetitions flagged as outliers and in
// which figures, as hyperfine warns: one line per row, e.g.
// "serial, 2 workers: serial-w2-r1 (spawn), serial-w2-r5 (wall, spawn)".
func OutlierNotes(rows []Row) []string {
	var out []string
	for _, r := range rows {
		var order []string
		figs := map[string][]string{}
		for _, f := range []struct {
			name string
			fig  *Figure
		}{{"wall", r.WallNs}, {"CPU", r.CPUNs}, {"cores busy", r.CoresBusy}, {"spawn", r.SpawnNs}, {"peak RSS", r.PeakRSSBytes}} {
			if f.fig == nil {
				continue
			}
			for _, id := range f.fig.Outliers {
				if figs[id] == nil {
					order = append(order, id)
				}
				figs[id] = append(figs[id], f.name)
			}
		}
		if len(order) == 0 {
			continue
		}
		sort.Strings(order)
		parts := make([]string, len(order))
		for i, id := range order {
			parts[i] = fmt.Sprintf("%s (%s)", id, strings.Join(figs[id], ", "))
		}
		out = append(out, fmt.Sprintf("%s, %d workers: %s", r.Model, r.Workers, strings.Join(parts, ", ")))
	}
	return out
}

// floorText states the start-up floor a process-model spawn includes.
func floorText(run *rundir.Run) string {
	if run.ExecFloorNs <= 0 {
		return ""
	}
	return fmt.Sprintf("; a worker process's spawn includes the harness binary's own start-up, %s here (a re-exec that reports ready at once, median of 5): a smaller Go binary would start faster",
		Duration(float64(run.ExecFloorNs)))
}

// noRows stands in for the summary table when no repetition completed
// (an interrupted or wholly failed run).
const noRows = "No measured repetition completed, so there is no figure to show: the trials and why they ended are listed below."
