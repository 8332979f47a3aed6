package observe

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

// golden is a hand-built trial on a toy clock (ns):
//
//	ticks at 0 10 20 30 40; machine busy 0 20 45 65 80
//	process 1: CPU clock 0 10 20 30 40, RSS 0 100 200 150 0 (read with the ticks)
//	  thread 11 read at 0 10 20 30 40: on-CPU 0 10 20 25 30, runqueue 0 0 2 2 2
//	  thread 12 read at 5 15 25 35:    on-CPU 0 5 5 5
//	process 2: read at 10 21 30, RSS 50 60 70
//	  thread 21 read at 10 20 30:      on-CPU 0 10 20
func golden() *Samples {
	return &Samples{
		IntervalNs: 10,
		CPUs:       2,
		Machine:    MachineSeries{T: []int64{0, 10, 20, 30, 40}, BusyNs: []int64{0, 20, 45, 65, 80}},
		Processes: []ProcessSeries{
			{
				PID: 1, PPID: 0, Comm: "a", Argv: []string{"a", "-x"},
				T: []int64{0, 10, 20, 30, 40}, CPUNs: []int64{0, 10, 20, 30, 40}, RSSBytes: []int64{0, 100, 200, 150, 0},
				Threads: []ThreadSeries{
					{TID: 11, Name: "a", T: []int64{0, 10, 20, 30, 40}, OnCPUNs: []int64{0, 10, 20, 25, 30}, RunqueueNs: []int64{0, 0, 2, 2, 2}},
					{TID: 12, Name: "a", T: []int64{5, 15, 25, 35}, OnCPUNs: []int64{0, 5, 5, 5}, RunqueueNs: []int64{0, 0, 0, 0}},
				},
			},
			{
				PID: 2, PPID: 1, Comm: "b",
				T: []int64{10, 21, 30}, CPUNs: []int64{0, 0, 0}, RSSBytes: []int64{50, 60, 70},
				Threads: []ThreadSeries{
					{TID: 21, Name: "b", T: []int64{10, 20, 30}, OnCPUNs: []int64{0, 10, 20}, RunqueueNs: []int64{0, 0, 0}},
				},
			},
		},
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		name           string
		startNs, endNs int64
		want           Summary
	}{
		{
			// CPU: thread 11 30, thread 12 5, thread 21 20.
			// Per tick: [0,10) 10+2.5, [10,20) 10+2.5+10, [20,30) 5+10, [30,40) 5.
			// RSS per tick: 0, 100+50, 200+60, 150+70 (the read at 40 is outside).
			// Process clocks: 40 and 0. Machine: 80 busy − own (process 1: 40 by
			// its clock over 35 by threads; process 2: 20 by threads) over 40.
			name: "whole", startNs: 0, endNs: 40,
			want: Summary{
				StartNs: 0, EndNs: 40,
				CPUNs: 55, ProcessCPUNs: 40, RunqueueNs: 2, AvgCores: 1.375, PeakCores: 2.25,
				PeakRSSTotalBytes: 260, MachineOtherAvgCores: 0.5,
				Processes: []ProcessSummary{
					{PID: 1, PPID: 0, Comm: "a", CPUNs: 35, ProcessCPUNs: 40, RunqueueNs: 2, PeakRSSBytes: 200},
					{PID: 2, PPID: 1, Comm: "b", CPUNs: 20, ProcessCPUNs: 0, RunqueueNs: 0, PeakRSSBytes: 70},
				},
			},
		},
		{
			// Thread 11: 5 of [0,10) + 10 + 2.5 of [20,30) = 17.5; thread 12: 5;
			// thread 21: 10 + 5 = 15. Total 37.5, rounded half away from zero.
			// Ticks [5,10) 7.5/5, [10,20) 22.5/10, [20,25) 7.5/5.
			// Process 1's clock: 20, below its threads' 22.5.
			// Machine over [5,25): 10 + 25 + 10 = 45; other (45 − 37.5)/20.
			// Runqueue: 2 over [10,20) → all inside.
			name: "partial", startNs: 5, endNs: 25,
			want: Summary{
				StartNs: 5, EndNs: 25,
				CPUNs: 38, ProcessCPUNs: 20, RunqueueNs: 2, AvgCores: 1.875, PeakCores: 2.25,
				PeakRSSTotalBytes: 260, MachineOtherAvgCores: 0.375,
				Processes: []ProcessSummary{
					{PID: 1, PPID: 0, Comm: "a", CPUNs: 23, ProcessCPUNs: 20, RunqueueNs: 2, PeakRSSBytes: 200},
					{PID: 2, PPID: 1, Comm: "b", CPUNs: 15, ProcessCPUNs: 0, RunqueueNs: 0, PeakRSSBytes: 60},
				},
			},
		},
		{name: "empty", startNs: 40, endNs: 40, want: Summary{StartNs: 40, EndNs: 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSummary(t, golden().Summary(tc.startNs, tc.endNs), tc.want)
		})
	}
}

func checkSummary(t *testing.T, got, want Summary) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"AvgCores", got.AvgCores, want.AvgCores},
		{"PeakCores", got.PeakCores, want.PeakCores},
		{"MachineOtherAvgCores", got.MachineOtherAvgCores, want.MachineOtherAvgCores},
	} {
		if math.Abs(f.got-f.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	got.AvgCores, got.PeakCores, got.MachineOtherAvgCores = 0, 0, 0
	want.AvgCores, want.PeakCores, want.MachineOtherAvgCores = 0, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary\n got %+v\nwant %+v", got, want)
	}
}

func TestUtilization(t *testing.T) {
	u := golden().Utilization(0, 40, 10)
	// Machine busy per bin 2, 2.5, 2, 1.5 cores, minus the trial's own:
	// process 1 by its clock (40 over the range, its threads 35), 1 core
	// per bin; process 2 by its threads, 0, 1, 1, 0.
	want := &Utilization{
		StartNs: 0, BinNs: 10,
		Total: []float64{1.25, 2.25, 1.5, 0.5},
		Processes: []ProcessUtilization{
			{PID: 1, Comm: "a", Cores: []float64{1.25, 1.25, 0.5, 0.5}},
			{PID: 2, Comm: "b", Cores: []float64{0, 1, 1, 0}},
		},
		MachineOther: []float64{1, 0.5, 0, 0.5},
	}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("utilization\n got %+v\nwant %+v", u, want)
	}
	// Bins of 20 are the averages of pairs of bins of 10.
	u = golden().Utilization(0, 40, 20)
	if !reflect.DeepEqual(u.Total, []float64{1.75, 1}) || !reflect.DeepEqual(u.MachineOther, []float64{0.75, 0.25}) {
		t.Errorf("20 ns bins: total %v, other %v", u.Total, u.MachineOther)
	}
	// The chart's other load averages to the summary's.
	if avg, sum := (u.MachineOther[0]+u.MachineOther[1])/2, golden().Summary(0, 40).MachineOtherAvgCores; math.Abs(avg-sum) > 1e-9 {
		t.Errorf("other load: bins average %v, summary %v", avg, sum)
	}
	// The whole span, [0, 41), takes five bins; the fifth has no delta
	// and no machine coverage.
	u = golden().Utilization(0, 0, 10)
	if len(u.Total) != 5 || u.Total[4] != 0 || u.MachineOther[4] != 0 || u.Total[1] != 2.25 {
		t.Errorf("whole span: start %d, total %v, other %v", u.StartNs, u.Total, u.MachineOther)
	}
}

func TestSchedule(t *testing.T) {
	sch := golden().Schedule()
	if len(sch) != 3 {
		t.Fatalf("%d threads, want 3", len(sch))
	}
	th := sch[0]
	if th.PID != 1 || th.TID != 11 || th.Comm != "a" ||
		!reflect.DeepEqual(th.Running, []float64{1, 1, 0.5, 0.5}) ||
		!reflect.DeepEqual(th.Waiting, []float64{0, 0.2, 0, 0}) || len(th.T) != 5 {
		t.Errorf("thread 11: %+v", th)
	}
	if !reflect.DeepEqual(sch[1].Running, []float64{0.5, 0, 0}) {
		t.Errorf("thread 12 running %v", sch[1].Running)
	}
}

func TestSpreadEdges(t *testing.T) {
	bins := make([]float64, 2)
	// A zero-length interval (a synthesized start clamped to the read)
	// goes whole to the bin holding it; a negative delta counts as zero;
	// deltas outside the edges are ignored.
	spread([]int64{-20, -10, 12, 12, 15, 50}, []int64{0, 5, 5, 9, 8, 20}, []int64{0, 10, 20}, bins)
	// [-10,12): 0; [12,12): 4 into bin 1; [12,15): −1 → 0; [15,50): 12 over 35, 5 in bin 1.
	want := []float64{0, 4 + 12.0*5/35}
	if math.Abs(bins[0]-want[0]) > 1e-12 || math.Abs(bins[1]-want[1]) > 1e-12 {
		t.Errorf("bins %v, want %v", bins, want)
	}
}

func TestWriteRead(t *testing.T) {
	s := golden()
	var buf bytes.Buffer
	if err := s.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"on_cpu_ns":[0,10,20,25,30]`) {
		t.Errorf("not columnar: %s", buf.String())
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, s)
	}
	bad := `{"processes":[{"pid":1,"t":[1,2],"cpu_ns":[0],"rss_bytes":[0,0]}]}`
	if _, err := Read(strings.NewReader(bad)); err == nil {
		t.Error("Read accepted columns of unequal length")
	}
}
