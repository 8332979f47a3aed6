package runner

import (
	"context"
	"runtime"
	"testing"
	"time"

	"harness/harness/rundir"
)

// TestGIL: with the emulated GIL, Go threads take turns like Python's, so
// the thread model keeps about one core busy; the checksums do not change.
func TestGIL(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: nothing to serialize")
	}
	const base = `
workload: {kind: cpu, iterations: 120000000}
models: [thread, process]
workers: 2
profiles: [mutex]
`
	// The contrast below needs two free cores: let other packages' tests
	// finish first if they are running.
	waitQuiet(t, 0.5, 30*time.Second)
	free, err := testRunner(t).Run(context.Background(), load(t, "name: free\n"+base), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gil, err := testRunner(t).Run(context.Background(), load(t, "name: gil\ngil: true\n"+base), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []*rundir.Run{free, gil} {
		for _, tr := range run.Trials {
			if tr.Status != rundir.StatusOK {
				t.Fatalf("%s %s: %s %s", run.Scenario.Name, tr.ID, tr.Status, tr.Error)
			}
		}
	}
	ft, gt := trialOf(t, free, "thread"), trialOf(t, gil, "thread")
	gp := trialOf(t, gil, "process")
	t.Logf("thread model: %.2f cores without the GIL, %.2f with; process model with the GIL: %.2f", ft.CoresBusy, gt.CoresBusy, gp.CoresBusy)
	if gt.CoresBusy >= 1.3 {
		t.Errorf("thread model under the GIL kept %.2f cores busy; want about one (< 1.3)", gt.CoresBusy)
	}
	// Only a machine with two free cores shows the contrast; a busy one
	// starves the free-running threads too.
	if ft.CoresBusy > 1.5 && gt.CoresBusy >= ft.CoresBusy-0.4 {
		t.Errorf("the GIL did not lower the thread model's cores busy (%.2f vs %.2f)", gt.CoresBusy, ft.CoresBusy)
	}
	for i := range ft.Runs {
		if ft.Runs[i].Checksum != gt.Runs[i].Checksum {
			t.Errorf("w%d checksum %s with the GIL, %s without", i+1, gt.Runs[i].Checksum, ft.Runs[i].Checksum)
		}
	}
	// The mutex profile shows the wait on the GIL.
	mutex := readProfile(t, dir+"/profiles/mutex.pb.gz")
	found := false
	for _, s := range mutex.Sample {
		for _, l := range s.Location {
			for _, ln := range l.Line {
				found = found || ln.Function.Name == "harness/harness/workload.(*GIL).Yield"
			}
		}
	}
	if !found {
		t.Errorf("the mutex profile does not show the GIL's hand-overs")
	}
}
