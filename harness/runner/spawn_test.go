package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"harness/harness/rundir"
	"harness/harness/worker"
	"harness/harness/workload"
)

// BenchmarkSpawnReady measures spawn requested → worker ready for one
// worker process (no profiles), and BenchmarkSpawnBare the same binary
// re-executed doing nothing. The goal: ready ≤ 1.5 × bare.
func BenchmarkSpawnReady(b *testing.B) {
	exe, _ := os.Executable()
	dir := b.TempDir()
	k, _ := workload.Lookup("cpu")
	spec := worker.Spec{Scenario: "bench", Trial: "t", Model: "process", Workers: 1, Kind: "cpu",
		Params: k.Defaults(), Processes: [][]int{{1}}, Dir: dir}
	specPath := filepath.Join(dir, "spec.json")
	if err := rundir.WriteJSON(specPath, spec); err != nil {
		b.Fatal(err)
	}
	benchSpawn(b, procSpec{path: exe, argv: []string{"harness", worker.Mode, "--spec", specPath, "--process", "0"}, control: true, cgroupFD: -1})
}

func BenchmarkSpawnBare(b *testing.B) {
	exe, _ := os.Executable()
	benchSpawn(b, procSpec{path: exe, argv: []string{"harness", worker.Mode, "--floor"}, control: true, cgroupFD: -1})
}

func benchSpawn(b *testing.B, ps procSpec) {
	var total time.Duration
	for b.Loop() {
		p, err := startProc(ps)
		if err != nil {
			b.Fatal(err)
		}
		p.reap()
		if _, ok := <-p.msgs; !ok {
			b.Fatalf("child exited before it was ready: %s", p.stderr.Bytes())
		}
		total += time.Duration(time.Now().UnixNano() - p.rec.SpawnNs)
		p.toChild.Close() // a worker then exits without working
		<-p.exited
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/ready")
}
