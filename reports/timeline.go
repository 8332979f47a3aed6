package reports

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"

	"harness/harness/observe"
	"harness/harness/rundir"
	"harness/harness/schedtrace"
)

// timelineExporter writes timeline.json: every process of every trial on
// one clock in the Chrome trace event format, which ui.perfetto.dev and
// chrome://tracing open. Per trial there is a "trial" track (its span,
// the barrier release, cores busy as a counter) and one Perfetto process
// per trial process, holding its life, its workers' phases, its
// goroutines' running spans (from its execution trace) or, for programs
// without a trace, its threads' time on a CPU (from the sampler), and
// its CPU use as a counter.
//
// Size: goroutine spans are exact while a trace has at most its share of
// timelineSpans intervals (schedtrace's MaxIntervals); past that they are
// rebuilt from the trace's time bins, one span per run of bins in which
// the goroutine was on a P at least half the time, so a goroutine gives
// at most half as many spans as there are bins. Goroutines beyond the
// workers and the extraLanes busiest are not drawn one by one. So the
// file stays within tens of MB whatever the traces' size.
type timelineExporter struct{}

func (timelineExporter) Name() string { return rundir.TimelineFile }

// timelineBound tells the documents' readers how the timeline's size is
// bounded, so that they know what a span means when traces are large.
var timelineBound = fmt.Sprintf("Its size is bounded: a trace contributes its goroutines' exact running spans while it has at most "+
	"its share of %d state intervals (between %d and %d per trace), and beyond that one span per run of time bins in which the goroutine was on a P "+
	"for at least half the bin (marked binned); only the workers and the %d busiest other goroutines of each process get a track. "+
	"Threads of programs without a trace show their time on a CPU per sampling interval.", timelineSpans, minTraceSpans, maxTraceSpans, extraLanes)

// Export reads every trial's raw files once: the representatives' are the
// charts' (Report.dataOf), the others are read one at a time and dropped.
func (timelineExporter) Export(r *Report) error {
	traces := countTraces(r.Run)
	trials := make([]*rundir.Trial, len(r.Run.Trials))
	for i := range r.Run.Trials {
		trials[i] = &r.Run.Trials[i]
	}
	slices.SortStableFunc(trials, func(a, b *rundir.Trial) int { return cmp.Compare(a.Seq, b.Seq) })
	return rundir.WriteWith(filepath.Join(r.Dir, rundir.TimelineFile), func(w io.Writer) error {
		tw := &timelineWriter{w: bufio.NewWriterSize(w, 1<<16), origin: timelineOrigin(r.Run)}
		tw.begin(r)
		for _, t := range trials {
			tw.trial(r.dataOf(t, traces))
		}
		return tw.end()
	})
}

// timelineOrigin is time zero of the timeline: the run's start, or its
// first trial's spawn when the start was not recorded.
func timelineOrigin(run *rundir.Run) int64 {
	o := run.StartNs
	for _, t := range run.Trials {
		if s, _ := window(&t); s > 0 && (o == 0 || s < o) {
			o = s
		}
	}
	return o
}

// timelineWriter streams events. Processes and threads get synthetic ids
// (pids are reused between trials); their names carry the real ones.
type timelineWriter struct {
	w       *bufio.Writer
	origin  int64
	n       int // events written
	nextPID int // last synthetic pid handed out
	buf     []byte
	err     error
}

func (tw *timelineWriter) begin(r *Report) {
	other, _ := json.Marshal(map[string]any{
		"scenario":             r.Run.Scenario.Name,
		"clock":                "wall clock; ts 0 is this Unix time in ns",
		"origin_unix_ns":       tw.origin,
		"goroutine_spans_note": "exact up to a per-trace budget of intervals, else one span per run of time bins in which the goroutine was on a P at least half the time (args.binned)",
	})
	tw.raw(`{"displayTimeUnit":"ms","otherData":`)
	tw.raw(string(other))
	tw.raw(`,"traceEvents":[` + "\n")
}

func (tw *timelineWriter) end() error {
	tw.raw("\n]}\n")
	if tw.err != nil {
		return tw.err
	}
	return tw.w.Flush()
}

func (tw *timelineWriter) raw(s string) {
	if tw.err == nil {
		_, tw.err = tw.w.WriteString(s)
	}
}

// head starts an event in the writer's buffer: its phase (and scope),
// name, pid and tid.
func (tw *timelineWriter) head(open, name string, pid, tid int) []byte {
	b := append(tw.buf[:0], open...)
	b = append(b, `,"name":`...)
	b = appendString(b, name)
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(pid), 10)
	b = append(b, `,"tid":`...)
	return strconv.AppendInt(b, int64(tid), 10)
}

// event closes the event head began, with args (none if nil), and writes
// it; its buffer is reused for the next.
func (tw *timelineWriter) event(b []byte, args map[string]any) {
	if args != nil {
		if a, err := json.Marshal(args); err == nil {
			b = append(b, `,"args":`...)
			b = append(b, a...)
		}
	}
	b = append(b, '}')
	tw.buf = b
	if tw.err != nil {
		return
	}
	if tw.n > 0 {
		tw.w.WriteString(",\n")
	}
	_, tw.err = tw.w.Write(b)
	tw.n++
}

// ts appends `,"ts":` and wall-clock ns as the timeline's µs.
func (tw *timelineWriter) ts(b []byte, ns int64) []byte {
	return appendMicros(append(b, `,"ts":`...), ns-tw.origin)
}

// appendMicros appends ns as µs with three decimals, exactly: a span's ts
// + dur is then its end to the ns, and adjacent spans (a worker's phases)
// neither overlap nor leave a gap when a viewer adds them up.
func appendMicros(b []byte, ns int64) []byte {
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
	}
	b = strconv.AppendInt(b, ns/1000, 10)
	f := ns % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

// meta writes a metadata event (process or thread name or sort index).
func (tw *timelineWriter) meta(name string, pid, tid int, args map[string]any) {
	tw.event(tw.head(`{"ph":"M"`, name, pid, tid), args)
}

// process starts a Perfetto process: a synthetic pid with a name and a
// sort index (timeline order), and its first thread.
func (tw *timelineWriter) process(name string) int {
	tw.nextPID++
	pid := tw.nextPID
	tw.meta("process_name", pid, 0, map[string]any{"name": name})
	tw.meta("process_sort_index", pid, 0, map[string]any{"sort_index": pid})
	return pid
}

// thread names a thread of pid and orders it by its tid.
func (tw *timelineWriter) thread(pid, tid int, name string) {
	tw.meta("thread_name", pid, tid, map[string]any{"name": name})
	tw.meta("thread_sort_index", pid, tid, map[string]any{"sort_index": tid})
}

// complete writes an X event [a, b) wall-clock ns; args may be nil.
func (tw *timelineWriter) complete(pid, tid int, name string, a, b int64, args map[string]any) {
	if b < a || a == 0 {
		return
	}
	bb := tw.ts(tw.head(`{"ph":"X"`, name, pid, tid), a)
	bb = append(bb, `,"dur":`...)
	tw.event(appendMicros(bb, b-a), args)
}

// counter writes a C event: series' value v at wall-clock ns t.
func (tw *timelineWriter) counter(pid int, name, series string, t int64, v float64) {
	if !finite(v) {
		v = 0 // JSON has no NaN; a counter must stay readable
	}
	bb := tw.ts(tw.head(`{"ph":"C"`, name, pid, 0), t)
	bb = append(bb, `,"args":{`...)
	bb = appendString(bb, series)
	bb = append(bb, ':')
	bb = strconv.AppendFloat(bb, v, 'f', 3, 64)
	tw.event(append(bb, '}'), nil)
}

// counterBins writes a counter's value per bin of width binNs from
// startNs, then 0 at endNs, where the series stops.
func (tw *timelineWriter) counterBins(pid int, name, series string, startNs, binNs int64, vs []float64, endNs int64) {
	for i, v := range vs {
		tw.counter(pid, name, series, startNs+int64(i)*binNs, v)
	}
	tw.counter(pid, name, series, endNs, 0)
}

// instant writes a process-scoped instant event.
func (tw *timelineWriter) instant(pid, tid int, name string, t int64) {
	tw.event(tw.ts(tw.head(`{"ph":"i","s":"p"`, name, pid, tid), t), nil)
}

func appendString(b []byte, s string) []byte {
	j, _ := json.Marshal(s)
	return append(b, j...)
}

// trial writes one trial: its own track, then each process.
func (tw *timelineWriter) trial(d *trialData) {
	t := d.Trial
	s, e := window(t)
	label := t.ID
	if t.Warmup {
		label += " (warm-up)"
	}
	if t.Bare {
		label += " (bare: no profiles, not sampled)"
	}
	if t.Status != rundir.StatusOK {
		label += " — " + t.Status
	}
	pid := tw.process("trial " + label)
	tw.thread(pid, 0, "trial")
	args := map[string]any{"model": t.Model, "workers": t.Workers, "status": t.Status, "wall_ns": t.WallNs, "cores_busy": t.CoresBusy}
	if t.Error != "" {
		args["error"] = t.Error
	}
	tw.complete(pid, 0, t.ID, s, e, args)
	if t.GoNs > 0 {
		tw.instant(pid, 0, "start barrier released", t.GoNs)
	}
	var u *observe.Utilization
	var threads []observe.ThreadSchedule
	if d.Samples != nil {
		threads = d.Samples.Schedule()
		if e > s {
			u = d.Samples.Utilization(s, e, evenBin(e-s, max(d.Samples.IntervalNs, 1)))
			tw.counterBins(pid, "cores busy", "trial", u.StartNs, u.BinNs, u.Total, e)
			// /proc/stat's 10 ms ticks make the machine's load noisy at the
			// sampling interval: coarser bins, as in the utilization chart.
			if e-s >= machineBinNs {
				m := d.Samples.Utilization(s, e, evenBin(e-s, max(d.Samples.IntervalNs, machineBinNs)))
				tw.counterBins(pid, "other load on the machine", "cores", m.StartNs, m.BinNs, m.MachineOther, e)
			}
		}
	}

	seen := map[int]bool{}
	for i := range t.Processes {
		p := &t.Processes[i]
		seen[p.PID] = true
		tw.proc(d, p, &d.Procs[i], threads, u)
	}
	// Descendants the sampler saw (a command's children).
	if d.Samples != nil {
		for _, sp := range d.Samples.Processes {
			if !seen[sp.PID] {
				seen[sp.PID] = true
				tw.proc(d, &rundir.Process{PID: sp.PID, Argv: sp.Argv}, nil, threads, u)
			}
		}
	}
}

// proc writes one process of a trial: its life, its workers' phases, its
// goroutines from pt's trace (nil: none) or else its threads from the
// sampler, and its CPU use.
func (tw *timelineWriter) proc(d *trialData, p *rundir.Process, pt *procTrace, threads []observe.ThreadSchedule, u *observe.Utilization) {
	t := d.Trial
	comm := ""
	if len(p.Argv) > 0 {
		comm = filepath.Base(p.Argv[0])
	}
	if d.Samples != nil {
		for _, sp := range d.Samples.Processes {
			if sp.PID == p.PID && sp.Comm != "" {
				comm = sp.Comm
			}
		}
	}
	name := fmt.Sprintf("%s · pid %d", t.ID, p.PID)
	if comm != "" {
		name += " (" + comm + ")"
	}
	pid := tw.process(name)
	tid := 0
	next := func(name string) int {
		tid++
		tw.thread(pid, tid, name)
		return tid
	}
	if p.SpawnNs > 0 {
		life := next("process")
		args := map[string]any{"pid": p.PID, "exit_code": p.ExitCode, "max_rss_bytes": p.MaxRSSBytes, "cpu_ns": p.CPUUserNs + p.CPUSysNs}
		if p.Signal != "" {
			args["signal"] = p.Signal
		}
		if p.Error != "" {
			args["error"] = p.Error
		}
		tw.complete(pid, life, fmt.Sprintf("process %d", p.PID), p.SpawnNs, max(p.EndNs, p.SpawnNs), args)
		if p.ReadyNs > p.SpawnNs {
			tw.complete(pid, life, "start-up (spawn → ready)", p.SpawnNs, p.ReadyNs, nil)
		}
	}
	for _, w := range t.Runs {
		if w.PID != p.PID {
			continue
		}
		th := next(w.Name + " phases")
		tw.complete(pid, th, "spawn → ready", w.SpawnNs, w.ReadyNs, nil)
		tw.complete(pid, th, "waiting at start barrier", w.ReadyNs, w.StartNs, nil)
		tw.complete(pid, th, "work", w.StartNs, w.EndNs, map[string]any{"checksum": w.Checksum})
	}
	if pt != nil && pt.Sched != nil {
		for i := range pt.Sched.Goroutines {
			g := &pt.Sched.Goroutines[i]
			label := fmt.Sprintf("goroutine %d", g.ID)
			if g.Worker != "" {
				label = fmt.Sprintf("%s (goroutine %d)", g.Worker, g.ID)
			} else if g.Name != "" {
				label += " " + g.Name
			}
			tw.goroutine(pid, next(label), pt.Sched, g)
		}
	} else {
		for i := range threads {
			if th := &threads[i]; th.PID == p.PID {
				tw.osThread(pid, next(fmt.Sprintf("%s (tid %d)", th.Name, th.TID)), th)
			}
		}
	}
	if u != nil {
		for _, pu := range u.Processes {
			if pu.PID == p.PID {
				tw.counterBins(pid, "CPU", "cores", u.StartNs, u.BinNs, pu.Cores, u.StartNs+int64(len(pu.Cores))*u.BinNs)
			}
		}
	}
}

// goroutine writes a goroutine's time on a P: exact intervals, or runs of
// bins in which it was on a P at least half the bin.
func (tw *timelineWriter) goroutine(pid, tid int, s *schedtrace.Schedule, g *schedtrace.Goroutine) {
	if len(g.Intervals) > 0 {
		for _, iv := range g.Intervals {
			switch iv.State {
			case schedtrace.Running:
				tw.complete(pid, tid, "running", iv.StartNs, iv.EndNs, nil)
			case schedtrace.GCAssist:
				tw.complete(pid, tid, "GC assist", iv.StartNs, iv.EndNs, nil)
			}
		}
		return
	}
	binned := map[string]any{"binned": true, "bin_ns": s.BinNs}
	runStart := int64(-1)
	for i := 0; i <= len(g.Bins); i++ {
		on := i < len(g.Bins) && 2*g.Bins[i].Scheduled() >= s.BinNs
		at := s.BinStartNs(g.FirstBin + i)
		switch {
		case on && runStart < 0:
			runStart = at
		case !on && runStart >= 0:
			tw.complete(pid, tid, "running", runStart, at, binned)
			runStart = -1
		}
	}
}

// osThread writes a thread's time on a CPU per sampling interval: one
// span per interval it was on a CPU for at least 5% of, consecutive
// intervals of at least 95% merged. The sampler gives no finer timing.
func (tw *timelineWriter) osThread(pid, tid int, th *observe.ThreadSchedule) {
	start, sum, n := int64(-1), 0.0, 0
	flush := func(end int64) {
		if start >= 0 {
			tw.complete(pid, tid, "on CPU", start, end, map[string]any{"cpu_share": round3(sum / float64(n))})
			start, sum, n = -1, 0, 0
		}
	}
	for k, r := range th.Running {
		a, b := th.T[k], th.T[k+1]
		switch {
		case r < 0.05:
			flush(a)
		case r >= 0.95:
			if start < 0 {
				start = a
			}
			sum += r
			n++
		default:
			flush(a)
			name := "partly on CPU"
			if r >= 0.5 {
				name = "on CPU"
			}
			tw.complete(pid, tid, name, a, b, map[string]any{"cpu_share": round3(r), "runqueue_share": round3(th.Waiting[k])})
		}
		if k == len(th.Running)-1 {
			flush(b)
		}
	}
}

func round3(v float64) float64 {
	if !finite(v) {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 3, 64), 64)
	return f
}
