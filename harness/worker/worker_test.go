package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorkerName(t *testing.T) {
	if got := WorkerName(12); got != "w12" {
		t.Errorf("WorkerName(12) = %q", got)
	}
}

// TestRecorderFiles: profiles are written under a .partial name while they
// run and renamed when whole, so a killed process leaves recognisably
// incomplete files and a clean stop leaves none.
func TestRecorderFiles(t *testing.T) {
	dir := t.TempDir()
	rec, err := startRecorder(dir, []string{"cpu", "trace", "heap", "mutex", "block", "goroutine"})
	if err != nil {
		t.Fatal(err)
	}
	partial, _ := filepath.Glob(filepath.Join(dir, "*"+Partial))
	if len(partial) != 2 {
		t.Errorf("while running: %v, want cpu and trace as .partial", partial)
	}
	rec.snapshotGoroutines()
	if err := rec.stop(); err != nil {
		t.Fatal(err)
	}
	if err := rec.stop(); err != nil {
		t.Errorf("second stop: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	want := "block.pb.gz cpu.pb.gz goroutine.pb.gz heap.pb.gz mutex.pb.gz trace.out"
	if got := strings.Join(files, " "); got != want {
		t.Errorf("files %q, want %q", got, want)
	}
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if partial, _ := filepath.Glob(filepath.Join(dir, "*"+Partial)); len(partial) != 0 {
		t.Errorf("left partial files: %v", partial)
	}
}

func TestPeakRSS(t *testing.T) {
	if rss := peakRSS(); rss < 1<<20 {
		t.Errorf("VmHWM %d bytes", rss)
	}
}
