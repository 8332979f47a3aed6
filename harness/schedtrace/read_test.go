package schedtrace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/exp/trace"
)

const ms = int64(time.Millisecond)

// tracedWorkload runs the workload child once: its trace (with 10ms
// generations, so that cut copies keep whole generations) and its times.
type tracedWorkload struct {
	data  []byte
	times workloadTimes
}

var (
	workloadOnce sync.Once
	workloadRes  tracedWorkload
)

func workload(t *testing.T) tracedWorkload {
	t.Helper()
	workloadOnce.Do(func() { workloadRes = runWorkload(t) })
	if workloadRes.data == nil {
		t.Fatal("workload child failed (see the first test that ran it)")
	}
	return workloadRes
}

func runWorkload(t *testing.T) tracedWorkload {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.trace")
	out, _ := runChild(t, "workload:"+path, "GODEBUG=traceadvanceperiod=10000000")
	var w tracedWorkload
	if err := json.Unmarshal(out, &w.times); err != nil {
		t.Fatalf("workload child output %q: %v", out, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w.data = data
	return w
}

func mustRead(t *testing.T, data []byte, opt Options) *Schedule {
	t.Helper()
	s, err := Read(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return s
}

// findLane returns the first lane of s that match accepts, nil if none.
func findLane(s *Schedule, match func(*Goroutine) bool) *Goroutine {
	for i := range s.Goroutines {
		if match(&s.Goroutines[i]) {
			return &s.Goroutines[i]
		}
	}
	return nil
}

func worker(s *Schedule, id string) *Goroutine {
	return findLane(s, func(g *Goroutine) bool { return g.Worker == id })
}

func laneByID(s *Schedule, id int64) *Goroutine {
	return findLane(s, func(g *Goroutine) bool { return g.ID == id })
}

// within returns a complaint when v is outside [lo, hi], "" otherwise.
func within(what string, v, lo, hi int64) string {
	if v < lo || v > hi {
		return fmt.Sprintf("%s = %.1fms, want in [%.1f, %.1f]ms", what, float64(v)/1e6, float64(lo)/1e6, float64(hi)/1e6)
	}
	return ""
}

// knownWorkers returns the three workers of the workload child.
func knownWorkers(t *testing.T, s *Schedule) (spin, sleep, blk *Goroutine) {
	t.Helper()
	spin, sleep, blk = worker(s, "w1"), worker(s, "w2"), worker(s, "w3")
	if spin == nil || sleep == nil || blk == nil {
		t.Fatalf("worker lanes missing: %+v", laneNames(s))
	}
	return spin, sleep, blk
}

func TestKnownWork(t *testing.T) {
	w := workload(t)
	s := mustRead(t, w.data, Options{})
	if s.Truncated || !s.WallClock || s.Binned {
		t.Fatalf("Truncated=%v (%s) WallClock=%v Binned=%v", s.Truncated, s.Err, s.WallClock, s.Binned)
	}
	spin, sleep, blk := knownWorkers(t, s)
	for _, c := range []struct {
		g    *Goroutine
		name string
	}{{spin, ".spinWorker"}, {sleep, ".sleepWorker"}, {blk, ".chanSyscallWorker"}} {
		if !strings.HasSuffix(c.g.Name, c.name) {
			t.Errorf("worker %s: name %q, want suffix %q", c.g.Worker, c.g.Name, c.name)
		}
	}
	// What each worker does, whatever the machine's load: a spinner never
	// blocks and makes no system call (the runtime parking it for a GC
	// stack scan is Runnable, not Blocked: under load that was up to 20 ms
	// of a 50 ms spin); a sleeper mostly waits; the third waits, then sits in
	// a system call.
	if v := spin.Totals[Blocked] + spin.Totals[Syscall]; v > 2*ms {
		t.Errorf("spinner blocked or in syscalls %.1fms (totals %v)", float64(v)/1e6, spin.Totals)
	}
	if sleep.Totals[Syscall] != 0 || sleep.Totals[Blocked] <= sleep.Totals.Scheduled() {
		t.Errorf("sleeper totals %v: want mostly blocked, no syscall", sleep.Totals)
	}
	if blk.Totals[Blocked] == 0 || blk.Totals[Syscall] == 0 {
		t.Errorf("chan+syscall worker totals %v: want both blocked and syscall time", blk.Totals)
	}

	// The wall window lies within the times taken around trace.Start/Stop.
	if s.StartNs < w.times.BeforeNs || s.EndNs > w.times.AfterNs {
		t.Errorf("trace window %d..%d outside the child's clock readings %d..%d", s.StartNs, s.EndNs, w.times.BeforeNs, w.times.AfterNs)
	}
	checkConsistent(t, s)

	// Durations need a machine that lets the child run: under heavy load the
	// tracer's timestamps clump at generation boundaries (seen here: 11 ms of
	// a 30 ms syscall re-dated into the channel wait before it). A wrong
	// reader fails every attempt; a loaded machine rarely fails three.
	errs := knownDurations(t, s, w.times)
	for attempt := 1; len(errs) > 0 && attempt < 3; attempt++ {
		t.Logf("attempt %d: %s; again with a fresh child", attempt, strings.Join(errs, "; "))
		fresh := runWorkload(t)
		errs = knownDurations(t, mustRead(t, fresh.data, Options{}), fresh.times)
	}
	for _, e := range errs {
		t.Error(e)
	}
}

// knownDurations checks the workers' state totals against what the workload
// child guarantees; the upper bounds are generous, the lower bounds exact.
func knownDurations(t *testing.T, s *Schedule, times workloadTimes) []string {
	const slack = 40 * ms
	spin, sleep, blk := knownWorkers(t, s)
	var errs []string
	for _, e := range []string{
		within("spin scheduled+runnable", spin.Totals.Scheduled()+spin.Totals[Runnable], int64(spinFor)-2*ms, int64(spinFor)+slack),
		within("spin scheduled", spin.Totals.Scheduled(), int64(spinFor)/2, int64(spinFor)+slack),
		within("sleep blocked", sleep.Totals[Blocked], int64(sleepFor)-2*ms, int64(sleepFor)+slack),
		within("sleep scheduled", sleep.Totals.Scheduled(), 0, 5*ms),
		within("chan blocked", blk.Totals[Blocked], int64(blockFor)/2, int64(blockFor)+slack),
		within("syscall", blk.Totals[Syscall], int64(syscallFor)-2*ms, int64(syscallFor)+slack),
		within("start − before", s.StartNs-times.BeforeNs, 0, 10*ms),
		within("after − end", times.AfterNs-s.EndNs, 0, 10*ms),
	} {
		if e != "" {
			errs = append(errs, e)
		}
	}
	return errs
}

func laneNames(s *Schedule) []string {
	var n []string
	for _, g := range s.Goroutines {
		n = append(n, g.Worker+":"+g.Name)
	}
	return n
}

// checkConsistent checks the invariants of any Schedule: bins sum to totals,
// lanes sum to the schedule, intervals (if kept) are ordered, inside the
// trace, and sum to totals and to the bins.
func checkConsistent(t *testing.T, s *Schedule) {
	t.Helper()
	var sum StateNs
	count := 0
	lanes := append([]Goroutine(nil), s.Goroutines...)
	if s.Other != nil {
		lanes = append(lanes, *s.Other)
	}
	for _, g := range lanes {
		count += g.Count
		sum.add(&g.Totals)
		var bsum StateNs
		for _, b := range g.Bins {
			bsum.add(&b)
		}
		if bsum != g.Totals {
			t.Errorf("goroutine %d: bins sum %v != totals %v", g.ID, bsum, g.Totals)
		}
		if g.FirstBin < 0 || g.FirstBin+len(g.Bins) > len(s.Bins) {
			t.Errorf("goroutine %d: bins [%d, %d) outside [0, %d)", g.ID, g.FirstBin, g.FirstBin+len(g.Bins), len(s.Bins))
		}
		if s.Binned && len(g.Intervals) > 0 {
			t.Errorf("goroutine %d: intervals in a binned schedule", g.ID)
		}
		if s.Binned || g.ID == 0 {
			continue
		}
		var isum StateNs
		for i, iv := range g.Intervals {
			if iv.EndNs <= iv.StartNs || iv.StartNs < s.StartNs || iv.EndNs > s.EndNs ||
				(i > 0 && iv.StartNs < g.Intervals[i-1].EndNs) {
				t.Fatalf("goroutine %d: bad interval %d %+v (trace %d..%d)", g.ID, i, iv, s.StartNs, s.EndNs)
			}
			isum[iv.State] += iv.EndNs - iv.StartNs
		}
		if isum != g.Totals {
			t.Errorf("goroutine %d: intervals sum %v != totals %v", g.ID, isum, g.Totals)
		}
		if first, want := binIntervals(s, g.Intervals); len(want) > 0 && (first != g.FirstBin || !reflect.DeepEqual(want, g.Bins)) {
			t.Errorf("goroutine %d: bins from intervals differ from streamed bins", g.ID)
		}
	}
	if sum != s.Totals {
		t.Errorf("lanes sum %v != schedule totals %v", sum, s.Totals)
	}
	var all StateNs
	for _, b := range s.Bins {
		all.add(&b)
	}
	if all != s.Totals {
		t.Errorf("schedule bins sum %v (%d bins) != totals %v", all, len(s.Bins), s.Totals)
	}
	if count != s.NumGoroutines {
		t.Errorf("lanes hold %d goroutines, NumGoroutines %d", count, s.NumGoroutines)
	}
}

// binIntervals bins intervals on the schedule's final grid directly — the
// reference for the streamed, halved bins.
func binIntervals(s *Schedule, ivs []Interval) (first int, bins []StateNs) {
	if len(ivs) == 0 {
		return 0, nil
	}
	idx := func(w int64) int { return int((w - s.BinOriginNs) / s.BinNs) }
	first = idx(ivs[0].StartNs)
	bins = make([]StateNs, idx(ivs[len(ivs)-1].EndNs-1)-first+1)
	for _, iv := range ivs {
		for a := iv.StartNs; a < iv.EndNs; {
			i := idx(a)
			e := min(iv.EndNs, s.BinOriginNs+int64(i+1)*s.BinNs)
			bins[i-first][iv.State] += e - a
			a = e
		}
	}
	return first, bins
}

// TestTruncated cuts the trace at fractions of its length: each cut is
// flagged Truncated and agrees with the whole trace as far as it goes.
func TestTruncated(t *testing.T) {
	w := workload(t)
	full := mustRead(t, w.data, Options{})
	// The 16-byte header and the first batch's kind: the batch header
	// breaks off, and x/exp/trace's error wraps io.EOF.
	if s := mustRead(t, w.data[:17], Options{}); !s.Truncated || s.Err == "" {
		t.Errorf("cut inside the first batch header: Truncated=%v Err=%q", s.Truncated, s.Err)
	}
	for _, frac := range []float64{0.01, 0.3, 0.6, 0.9, 0.999} {
		n := cutPoint(t, w.data, int(float64(len(w.data))*frac))
		s := mustRead(t, w.data[:n], Options{})
		if !s.Truncated || s.Err == "" {
			t.Errorf("cut at %d/%d: Truncated=%v Err=%q", n, len(w.data), s.Truncated, s.Err)
		}
		if s.StartNs == 0 { // no whole generation
			if frac >= 0.6 {
				t.Errorf("cut at %.0f%%: no events", frac*100)
			}
			continue
		}
		if s.StartNs != full.StartNs || s.EndNs > full.EndNs || s.Events >= full.Events {
			t.Errorf("cut at %.0f%%: window %d..%d (%d events), full %d..%d (%d)", frac*100,
				s.StartNs, s.EndNs, s.Events, full.StartNs, full.EndNs, full.Events)
		}
		// Whatever was read agrees with the whole trace up to the cut.
		for _, g := range s.Goroutines {
			fg := laneByID(full, g.ID)
			if fg == nil || fg.Name != g.Name || fg.Worker != g.Worker {
				t.Errorf("cut at %.0f%%: goroutine %d %q %q, full %+v", frac*100, g.ID, g.Name, g.Worker, fg)
				continue
			}
			for st, v := range g.Totals {
				// 1 µs of slack: the cut read maps trace time to wall
				// time with its own clock snapshots, which can round
				// a nanosecond apart.
				if v > fg.Totals[st]+1000 {
					t.Errorf("cut at %.0f%%: goroutine %d %s %d > full %d", frac*100, g.ID, State(st), v, fg.Totals[st])
				}
			}
		}
		if frac >= 0.9 && (worker(s, "w1") == nil || worker(s, "w2") == nil || worker(s, "w3") == nil) {
			t.Errorf("cut at %.0f%%: workers missing: %v", frac*100, laneNames(s))
		}
		checkConsistent(t, s)
	}
}

// cutPoint is n, or the nearest length below it at which x/exp/trace
// itself sees the trace cut: a cut just after a generation's last batch
// leaves a trace that is whole as far as any reader can tell (a couple of
// lengths per generation, under one in a thousand here), and a cut a byte
// before it is not. Only a file's name can tell such a cut (the reports'
// ".partial" traces).
func cutPoint(t *testing.T, data []byte, n int) int {
	t.Helper()
	for ; n > 16; n-- {
		r, err := trace.NewReader(bytes.NewReader(data[:n]))
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = r.ReadEvent()
		}
		if err != io.EOF {
			return n
		}
	}
	return n
}

func TestBinnedMatchesExact(t *testing.T) {
	w := workload(t)
	exact := mustRead(t, w.data, Options{})
	binned := mustRead(t, w.data, Options{MaxIntervals: -1})
	if exact.Binned || !binned.Binned {
		t.Fatalf("Binned: exact %v, binned %v", exact.Binned, binned.Binned)
	}
	if exact.Totals != binned.Totals || !reflect.DeepEqual(exact.Bins, binned.Bins) {
		t.Errorf("totals differ: exact %v, binned %v", exact.Totals, binned.Totals)
	}
	for i := range exact.Goroutines {
		e, b := exact.Goroutines[i], binned.Goroutines[i]
		if e.ID != b.ID || e.Totals != b.Totals || !reflect.DeepEqual(e.Bins, b.Bins) {
			t.Errorf("lane %d: exact %d %v, binned %d %v", i, e.ID, e.Totals, b.ID, b.Totals)
		}
	}
	checkConsistent(t, binned)
}

func TestJSONRoundTrip(t *testing.T) {
	s := mustRead(t, workload(t).data, Options{})
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Schedule
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, &back) {
		t.Error("schedule changed in a JSON round trip")
	}
	if !bytes.Contains(data, []byte(`"State":"syscall"`)) {
		t.Error("states are not written by name")
	}
}

// TestTwoProcessesOneClock traces two processes one after the other: their
// schedules land on one wall-clock axis in the right order, and with a
// common window they share the bin grid.
func TestTwoProcessesOneClock(t *testing.T) {
	a, b := runWorkload(t), runWorkload(t)
	sa, sb := mustRead(t, a.data, Options{}), mustRead(t, b.data, Options{})
	if !(sa.StartNs >= a.times.BeforeNs && sa.EndNs <= a.times.AfterNs &&
		a.times.AfterNs <= b.times.BeforeNs &&
		sb.StartNs >= b.times.BeforeNs && sb.EndNs <= b.times.AfterNs) {
		t.Errorf("windows out of order: a %d..%d in %+v, b %d..%d in %+v",
			sa.StartNs, sa.EndNs, a.times, sb.StartNs, sb.EndNs, b.times)
	}
	// Both processes see one host clock: wall − trace time agrees.
	if d := clockOffset(t, a.data) - clockOffset(t, b.data); d < -ms || d > ms {
		t.Errorf("wall−trace offsets of the two processes differ by %dns", d)
	}

	opt := Options{WindowStartNs: a.times.BeforeNs, WindowEndNs: b.times.AfterNs, Bins: 500}
	wa, wb := mustRead(t, a.data, opt), mustRead(t, b.data, opt)
	if wa.BinOriginNs != opt.WindowStartNs || wa.BinNs != wb.BinNs || wa.BinOriginNs != wb.BinOriginNs ||
		len(wa.Bins) != 500 || len(wb.Bins) != 500 {
		t.Fatalf("grids differ: a %d+%d×%d, b %d+%d×%d", wa.BinOriginNs, len(wa.Bins), wa.BinNs, wb.BinOriginNs, len(wb.Bins), wb.BinNs)
	}
	// a's activity is in the earlier bins, b's in the later ones.
	lastA, firstB := lastBusy(wa), firstBusy(wb)
	if lastA < 0 || firstB < 0 || lastA > firstB {
		t.Errorf("a busy until bin %d, b busy from bin %d", lastA, firstB)
	}
	if wa.Totals != sa.Totals {
		t.Errorf("a window covering the trace changed totals: %v vs %v", wa.Totals, sa.Totals)
	}
	checkConsistent(t, wa)
	checkConsistent(t, wb)

	// A window starting mid-syscall clips the syscall exactly.
	var sys Interval
	for _, iv := range worker(sa, "w3").Intervals {
		if iv.State == Syscall {
			sys = iv
		}
	}
	mid := (sys.StartNs + sys.EndNs) / 2
	c := mustRead(t, a.data, Options{WindowStartNs: mid, WindowEndNs: sa.EndNs})
	if got := worker(c, "w3").Totals[Syscall]; sys.EndNs == 0 || got != sys.EndNs-mid {
		t.Errorf("syscall %+v clipped at %d: %dns, want %d", sys, mid, got, sys.EndNs-mid)
	}
	if c.Totals.Sum() >= sa.Totals.Sum() {
		t.Errorf("clipped totals %v, whole %v", c.Totals, sa.Totals)
	}
	for _, g := range c.Goroutines {
		for _, iv := range g.Intervals {
			if iv.StartNs < mid {
				t.Fatalf("interval %+v before the window start %d", iv, mid)
			}
		}
	}
	checkConsistent(t, c)
}

func clockOffset(t *testing.T, data []byte) int64 {
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := r.ReadEvent()
		if err != nil {
			t.Fatalf("no clock snapshot: %v", err)
		}
		if ev.Kind() == trace.EventSync {
			if cs := ev.Sync().ClockSnapshot; cs != nil {
				return cs.Wall.UnixNano() - int64(cs.Mono)
			}
		}
	}
}

func firstBusy(s *Schedule) int {
	for i, b := range s.Bins {
		if b.Scheduled() > 0 {
			return i
		}
	}
	return -1
}

func lastBusy(s *Schedule) int {
	for i := len(s.Bins) - 1; i >= 0; i-- {
		if s.Bins[i].Scheduled() > 0 {
			return i
		}
	}
	return -1
}

func TestGarbage(t *testing.T) {
	w := workload(t)
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	for _, in := range [][]byte{nil, []byte("hello"), junk, []byte("go 1.99 trace\x00\x00\x00")} {
		if s, err := Read(bytes.NewReader(in), Options{}); err == nil {
			t.Errorf("Read(%q…) = %+v, want an error", in[:min(len(in), 16)], s)
		}
	}
	if _, err := Read(bytes.NewReader(nil), Options{WindowStartNs: 2, WindowEndNs: 1}); err == nil {
		t.Error("inverted window accepted")
	}
	// A valid header then junk, and a real trace with flipped bytes: no
	// panic; a schedule flagged Truncated or an error.
	inputs := [][]byte{append(append([]byte(nil), w.data[:16]...), junk...)}
	for i := 0; i < 20; i++ {
		d := append([]byte(nil), w.data...)
		for j := 0; j < 8; j++ {
			d[16+rng.IntN(len(d)-16)] ^= byte(1 + rng.IntN(255))
		}
		inputs = append(inputs, d)
	}
	for _, in := range inputs {
		s, err := Read(bytes.NewReader(in), Options{})
		if err == nil && s == nil {
			t.Error("nil schedule without error")
		}
	}
}

func FuzzRead(f *testing.F) {
	if data, err := traceInProcess(func() { time.Sleep(time.Millisecond) }); err == nil {
		f.Add(data)
	}
	f.Add([]byte("go 1.26 trace\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Read(bytes.NewReader(in), Options{Bins: 50, MaxLanes: 4})
		if err == nil && s == nil {
			t.Fatal("nil schedule without error")
		}
	})
}
