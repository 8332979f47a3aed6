package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"harness/harness/rundir"
)

// chromeEvent is what the test reads of a Chrome trace event. Pointers
// tell a missing field from a zero one.
type chromeEvent struct {
	Ph   string          `json:"ph"`
	Name string          `json:"name"`
	PID  *int            `json:"pid"`
	TID  *int            `json:"tid"`
	TS   *float64        `json:"ts"`
	Dur  *float64        `json:"dur"`
	Args json.RawMessage `json:"args"`
}

type chromeTrace struct {
	TraceEvents     []chromeEvent  `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData"`
}

// checkTimeline checks a timeline.json: the JSON object form of the Chrome
// trace event format; every X event with pid, tid, ts and a dur ≥ 0;
// every C event with pid, ts and numeric args; metadata naming every pid
// used and every (pid, tid) an X event uses. It returns the parsed trace.
func checkTimeline(t *testing.T, path string) *chromeTrace {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tr chromeTrace
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatalf("%s: not JSON: %v", path, err)
	}
	if len(tr.TraceEvents) == 0 || (tr.DisplayTimeUnit != "ms" && tr.DisplayTimeUnit != "ns") {
		t.Fatalf("%s: %d events, displayTimeUnit %q", path, len(tr.TraceEvents), tr.DisplayTimeUnit)
	}
	procNames := map[int]bool{}
	threadNames := map[[2]int]bool{}
	usedPID := map[int]bool{}
	usedThread := map[[2]int]bool{}
	for i, e := range tr.TraceEvents {
		where := fmt.Sprintf("event %d (%s %q)", i, e.Ph, e.Name)
		if e.PID == nil {
			t.Fatalf("%s: no pid", where)
		}
		switch e.Ph {
		case "M":
			var args struct {
				Name      *string `json:"name"`
				SortIndex *int    `json:"sort_index"`
			}
			if err := json.Unmarshal(e.Args, &args); err != nil {
				t.Fatalf("%s: args: %v", where, err)
			}
			switch e.Name {
			case "process_name":
				if args.Name == nil || *args.Name == "" {
					t.Fatalf("%s: no name", where)
				}
				procNames[*e.PID] = true
			case "thread_name":
				if e.TID == nil || args.Name == nil || *args.Name == "" {
					t.Fatalf("%s: no tid or name", where)
				}
				threadNames[[2]int{*e.PID, *e.TID}] = true
			case "process_sort_index", "thread_sort_index":
				if args.SortIndex == nil {
					t.Fatalf("%s: no sort_index", where)
				}
			default:
				t.Fatalf("%s: unknown metadata", where)
			}
		case "X":
			if e.TID == nil || e.TS == nil || e.Dur == nil || *e.Dur < 0 || e.Name == "" {
				t.Fatalf("%s: pid/tid/ts/dur/name missing or negative dur: %+v", where, e)
			}
			usedPID[*e.PID] = true
			usedThread[[2]int{*e.PID, *e.TID}] = true
		case "C":
			var args map[string]float64
			if e.TS == nil || json.Unmarshal(e.Args, &args) != nil || len(args) == 0 {
				t.Fatalf("%s: counter without ts or numeric args: %s", where, e.Args)
			}
			usedPID[*e.PID] = true
		case "i":
			if e.TS == nil {
				t.Fatalf("%s: no ts", where)
			}
			usedPID[*e.PID] = true
		default:
			t.Fatalf("%s: unexpected phase", where)
		}
	}
	for pid := range usedPID {
		if !procNames[pid] {
			t.Errorf("pid %d is used but has no process_name", pid)
		}
	}
	for th := range usedThread {
		if !threadNames[th] {
			t.Errorf("pid %d tid %d is used by X events but has no thread_name", th[0], th[1])
		}
	}
	return &tr
}

// TestTimelineCPU: the cpu fixture's timeline has every trial, every
// process of every trial, worker phases that do not overlap, goroutine
// running spans and counters.
func TestTimelineCPU(t *testing.T) {
	dir := fixture(t, "cpu")
	r := render(t, dir)
	tr := checkTimeline(t, filepath.Join(dir, rundir.TimelineFile))
	names := map[string]int{}
	procs := map[string]bool{}
	byThread := map[[2]int][]chromeEvent{}
	for _, e := range tr.TraceEvents {
		switch e.Ph {
		case "X":
			names[e.Name]++
			byThread[[2]int{*e.PID, *e.TID}] = append(byThread[[2]int{*e.PID, *e.TID}], e)
		case "C":
			names["counter "+e.Name]++
		case "M":
			if e.Name == "process_name" {
				var a struct{ Name string }
				json.Unmarshal(e.Args, &a)
				procs[a.Name] = true
			}
		}
	}
	nproc := 0
	for _, trial := range r.Run.Trials {
		nproc += len(trial.Processes)
		if !procs["trial "+trial.ID] {
			t.Errorf("no track for trial %s", trial.ID)
		}
		for _, p := range trial.Processes {
			if !procs[fmt.Sprintf("%s · pid %d (harness)", trial.ID, p.PID)] {
				t.Errorf("no process %s · pid %d", trial.ID, p.PID)
			}
		}
	}
	if len(procs) != len(r.Run.Trials)+nproc {
		t.Errorf("%d processes in the timeline, want %d trials + %d processes", len(procs), len(r.Run.Trials), nproc)
	}
	for _, n := range []string{"running", "work", "waiting at start barrier", "spawn → ready", "counter cores busy", "counter CPU"} {
		if names[n] == 0 {
			t.Errorf("no %q events; have %v", n, names)
		}
	}
	// Spans on one thread follow each other without overlapping, so a
	// viewer never has to nest them; the process track nests start-up.
	for th, evs := range byThread {
		sort.SliceStable(evs, func(i, j int) bool { return *evs[i].TS < *evs[j].TS })
		for i := 1; i < len(evs); i++ {
			prev, cur := evs[i-1], evs[i]
			end := *prev.TS + *prev.Dur
			nested := *cur.TS >= *prev.TS && *cur.TS+*cur.Dur <= end+1e-6
			if *cur.TS < end-1e-6 && !nested {
				t.Errorf("pid %d tid %d: %q [%v +%v] overlaps %q [%v +%v]", th[0], th[1], cur.Name, *cur.TS, *cur.Dur, prev.Name, *prev.TS, *prev.Dur)
			}
		}
	}
}

// TestTimelineCommand: a command's timeline shows the program's threads
// on a CPU from the sampler, and the processes it forked.
func TestTimelineCommand(t *testing.T) {
	dir := fixture(t, "cmd")
	render(t, dir)
	tr := checkTimeline(t, filepath.Join(dir, rundir.TimelineFile))
	onCPU, procs := 0, 0
	for _, e := range tr.TraceEvents {
		if e.Ph == "X" && (e.Name == "on CPU" || e.Name == "partly on CPU") {
			onCPU++
		}
		if e.Ph == "M" && e.Name == "process_name" {
			procs++
		}
	}
	run, err := rundir.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The process model's program forks two children: they are in the
	// timeline though run.json lists only the program.
	if onCPU == 0 || procs <= 2*len(run.Trials) {
		t.Errorf("%d on-CPU spans, %d processes for %d trials", onCPU, procs, len(run.Trials))
	}
}

func TestAppendMicros(t *testing.T) {
	for ns, want := range map[int64]string{0: "0.000", 1: "0.001", 999: "0.999", 1000: "1.000", 1234567: "1234.567", -1500: "-1.500"} {
		if got := string(appendMicros(nil, ns)); got != want {
			t.Errorf("appendMicros(%d) = %s, want %s", ns, got, want)
		}
	}
}
