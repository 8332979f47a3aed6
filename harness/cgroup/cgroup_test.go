package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"

	"harness/internal/proctest"
)

// The test binary re-executes itself as the workload.
const helperEnv = "CGROUP_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "spin": // two busy threads for 200 ms, and a grandchild doing the same
		c := helper("spin-leaf")
		if err := c.Start(); err != nil {
			os.Exit(2)
		}
		proctest.Spin(2, 200*time.Millisecond)
		if err := c.Wait(); err != nil {
			os.Exit(3)
		}
	case "spin-leaf":
		proctest.Spin(2, 200*time.Millisecond)
	case "sleep": // sleep with a sleeping grandchild until killed
		c := helper("sleep-leaf")
		if err := c.Start(); err != nil {
			os.Exit(2)
		}
		fmt.Println(c.Process.Pid)
		time.Sleep(time.Hour)
	case "sleep-leaf":
		time.Sleep(time.Hour)
	}
	os.Exit(0)
}

func helper(mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	return cmd
}

// newGroup skips the test where cgroups v2 are not writable: CI machines
// may not allow it, and then the harness falls back to rusage.
func newGroup(t *testing.T) *Group {
	t.Helper()
	if _, err := probe(); err != nil {
		t.Skipf("cgroup v2 unavailable here, harness falls back to rusage: %v", err)
	}
	g, err := New(t.Name())
	if err != nil {
		t.Fatalf("probe succeeded but New failed: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func inGroup(cmd *exec.Cmd, g *Group) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: g.FD()}
	return cmd
}

// TestCPUMatchesRusage: cpu.stat counts exactly what rusage of the reaped
// child (which includes its reaped grandchild) counts.
func TestCPUMatchesRusage(t *testing.T) {
	g := newGroup(t)
	cmd := inGroup(helper("spin"), g)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	ruNs := ru.Utime.Nano() + ru.Stime.Nano()
	usage, user, system, err := g.CPU()
	if err != nil {
		t.Fatal(err)
	}
	diff := usage.Nanoseconds() - ruNs
	t.Logf("cpu.stat usage %v (user %v, system %v), rusage %v: %+.3f ms",
		usage, user, system, time.Duration(ruNs), float64(diff)/1e6)
	if tol := max(int64(2*time.Millisecond), ruNs/100); diff < -tol || diff > tol {
		t.Errorf("cpu.stat %v and rusage %v differ by more than %v", usage, time.Duration(ruNs), time.Duration(tol))
	}
	if usage < 50*time.Millisecond || user+system > usage+time.Millisecond || user == 0 {
		t.Errorf("implausible cpu.stat: usage %v user %v system %v", usage, user, system)
	}
	if pids, err := g.Procs(); err != nil || len(pids) != 0 {
		t.Errorf("after exit: members %v, %v", pids, err)
	}
}

// startSleepers starts a child and grandchild in g and waits until both
// are members.
func startSleepers(t *testing.T, g *Group) (*exec.Cmd, int) {
	t.Helper()
	cmd := inGroup(helper("sleep"), g)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	var gpid int
	if _, err := fmt.Fscan(out, &gpid); err != nil {
		t.Fatalf("grandchild pid: %v", err)
	}
	pids, err := g.Procs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, cmd.Process.Pid) || !slices.Contains(pids, gpid) {
		t.Fatalf("members %v, want %d and %d", pids, cmd.Process.Pid, gpid)
	}
	return cmd, gpid
}

func TestKill(t *testing.T) {
	g := newGroup(t)
	cmd, _ := startSleepers(t, g)
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	checkKilled(t, cmd)
	waitEmpty(t, g)
}

// TestKillEach exercises the fallback for kernels without cgroup.kill.
func TestKillEach(t *testing.T) {
	g := newGroup(t)
	cmd, _ := startSleepers(t, g)
	if err := g.killEach(); err != nil {
		t.Fatal(err)
	}
	checkKilled(t, cmd)
	waitEmpty(t, g)
}

// TestCloseKillsAndRemoves: Close ends what is left (the grandchild is
// not ours to reap, the child is still unreaped) and removes the group.
func TestCloseKillsAndRemoves(t *testing.T) {
	g := newGroup(t)
	cmd, _ := startSleepers(t, g)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(g.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("group directory still there: %v", err)
	}
	checkKilled(t, cmd)
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, _, err := g.CPU(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("CPU after Close: %v", err)
	}
	if g.FD() != -1 {
		t.Error("FD after Close is not -1")
	}
}

func checkKilled(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("child ended with %v, want SIGKILL", err)
	}
}

func waitEmpty(t *testing.T, g *Group) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
		pids, err := g.Procs()
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("members left after kill: %v", pids)
		}
	}
}

func TestNewUniqueAndSanitized(t *testing.T) {
	a := newGroup(t)
	g, err := New("../a b/c\x00")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if a.path == g.path || a.FD() < 0 || g.FD() < 0 {
		t.Errorf("paths %q %q, fds %d %d", a.path, g.path, a.FD(), g.FD())
	}
	base := g.path[strings.LastIndex(g.path, "/")+1:]
	if !strings.HasPrefix(base, "harness-_a_b_c_-") || strings.ContainsAny(base, "/ \x00") {
		t.Errorf("name %q", base)
	}
	if _, err := os.Stat(g.path + "/cgroup.procs"); err != nil {
		t.Errorf("not a cgroup: %v", err)
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "trial",
		"..":                    "trial",
		"py-threads/run 3":      "py-threads_run_3",
		".hidden":               "hidden",
		strings.Repeat("x", 60): strings.Repeat("x", 48),
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	mount := func(fstype, root, point string) *procfs.MountInfo {
		return &procfs.MountInfo{FSType: fstype, Root: root, MountPoint: point}
	}
	v2 := func(path string) procfs.Cgroup { return procfs.Cgroup{HierarchyID: 0, Path: path} }
	v1 := procfs.Cgroup{HierarchyID: 4, Controllers: []string{"memory"}, Path: "/x"}
	cases := []struct {
		name    string
		mounts  []*procfs.MountInfo
		cgs     []procfs.Cgroup
		want    string
		wantErr bool
	}{
		{"hybrid", []*procfs.MountInfo{mount("cgroup", "/", "/sys/fs/cgroup/memory"), mount("cgroup2", "/", "/sys/fs/cgroup/unified")},
			[]procfs.Cgroup{v1, v2("/")}, "/sys/fs/cgroup/unified", false},
		{"unified", []*procfs.MountInfo{mount("cgroup2", "/", "/sys/fs/cgroup")},
			[]procfs.Cgroup{v2("/user.slice/session-1.scope")}, "/sys/fs/cgroup/user.slice/session-1.scope", false},
		{"container subtree", []*procfs.MountInfo{mount("cgroup2", "/docker/abc", "/sys/fs/cgroup")},
			[]procfs.Cgroup{v2("/docker/abc/inner")}, "/sys/fs/cgroup/inner", false},
		{"not under mount root", []*procfs.MountInfo{mount("cgroup2", "/docker/abc", "/sys/fs/cgroup")},
			[]procfs.Cgroup{v2("/docker/abcd")}, "", true},
		{"v1 only", []*procfs.MountInfo{mount("cgroup", "/", "/sys/fs/cgroup/memory")},
			[]procfs.Cgroup{v1}, "", true},
		{"no mount", nil, []procfs.Cgroup{v2("/")}, "", true},
	}
	for _, tc := range cases {
		got, err := resolve(tc.mounts, tc.cgs)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: resolve = %q, %v; want %q (error %v)", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestAvailableMatchesNew(t *testing.T) {
	_, perr := probe()
	if Available() != (perr == nil) {
		t.Fatal("Available disagrees with probe")
	}
	if perr != nil {
		if !errors.Is(perr, ErrUnavailable) {
			t.Errorf("probe error %v does not wrap ErrUnavailable", perr)
		}
		if _, err := New("x"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("New where unavailable: %v", err)
		}
		t.Skipf("cgroup v2 unavailable: %v", perr)
	}
}

// TestCloseAll: the groups still open are closed (members killed,
// directories removed); one closed before is not touched again.
func TestCloseAll(t *testing.T) {
	a, b, closed := newGroup(t), newGroup(t), newGroup(t)
	cmd, _ := startSleepers(t, a)
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CloseAll(); err != nil {
		t.Fatal(err)
	}
	for _, g := range []*Group{a, b} {
		if _, err := os.Stat(g.path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after CloseAll: %v", g.path, err)
		}
	}
	checkKilled(t, cmd)
	open.Lock()
	n := len(open.groups)
	open.Unlock()
	if n != 0 {
		t.Errorf("%d groups still registered", n)
	}
}

// TestSweepStale: empty directories of a harness that is gone are removed;
// those of a live harness, or with members, or not the harness's, stay.
func TestSweepStale(t *testing.T) {
	live := newGroup(t) // this process's: never swept
	base := filepath.Dir(live.path)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(gone.Process.Pid)
	mk := func(name string) string {
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(dir) })
		return dir
	}
	staleGroup := mk("harness-seed-cpu-thread-w2-r1-" + dead + "-7")
	staleProbe := mk("harness-probe-" + dead)
	foreign := mk("other-" + dead + "-1")
	busyStale := mk("harness-busy-" + dead + "-2")
	fd, err := unix.Open(busyStale, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	busy := &Group{path: busyStale, fd: fd}
	t.Cleanup(func() { busy.Close() })
	startSleepers(t, busy)
	sweepStale(base)
	for dir, want := range map[string]bool{
		staleGroup: false, staleProbe: false, foreign: true, busyStale: true, live.path: true,
	} {
		_, err := os.Stat(dir)
		if exists := err == nil; exists != want {
			t.Errorf("%s: exists %v after the sweep, want %v", filepath.Base(dir), exists, want)
		}
	}
}
