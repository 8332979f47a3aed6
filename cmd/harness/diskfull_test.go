package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"harness/internal/proctest"
)

// TestDiskFull runs into a full disk: a 256 KiB tmpfs as the output
// directory. The harness must say which path it could not write, exit 1,
// and leave no worker behind. Needs root (mount); skipped otherwise.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	if err := syscall.Mount("tmpfs", out, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (%v): needs root", err)
	}
	defer syscall.Unmount(out, syscall.MNT_DETACH)
	os.WriteFile(filepath.Join(dir, "big.yaml"), []byte(`
name: big
workload: {kind: io, ops: 2000, duration: 100us, wait: pipe}
models: [thread, process]
workers: 2
profiles: [trace, cpu, wall]
`), 0o644)
	cmd := harnessCmd(t, dir, "run", "-o", "out", "big.yaml")
	b, err := cmd.CombinedOutput()
	outText := string(b)
	t.Logf("output:\n%s", outText)
	if code := exitCode(err); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(outText, "no space left on device") || !strings.Contains(outText, "out/") {
		t.Errorf("the error does not name the path and the cause")
	}
	if pids := proctest.Matching(filepath.Join(dir, "out")); len(pids) > 0 {
		t.Errorf("workers left running: %v", pids)
	}
}
