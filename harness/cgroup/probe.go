package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"
)

// Available reports whether New can work here: a cgroup v2 hierarchy holds
// this process, a sub-cgroup can be created in it, and the kernel can start
// a child in it (CLONE_INTO_CGROUP, Linux ≥ 5.7). The probe runs once.
func Available() bool {
	_, err := probe()
	return err == nil
}

// probe returns the directory new groups are made in, or an error wrapping
// ErrUnavailable that says why there is none.
var probe = sync.OnceValues(func() (string, error) {
	base, err := ownDir()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if err := kernelAtLeast(5, 7); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	// Write permission bits say little here (root in a container, a
	// read-only mount, delegation): try the real thing.
	dir := filepath.Join(base, "harness-probe-"+strconv.Itoa(unix.Getpid()))
	if err := unix.Mkdir(dir, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return "", fmt.Errorf("%w: mkdir %s: %w", ErrUnavailable, dir, err)
	}
	if err := unix.Rmdir(dir); err != nil {
		return "", fmt.Errorf("%w: rmdir %s: %w", ErrUnavailable, dir, err)
	}
	sweepStale(base)
	return base, nil
})

// staleName matches the directories probe (harness-probe-PID) and New
// (harness-NAME-PID-N) make; the submatch is the pid of the harness that
// made it.
var staleName = regexp.MustCompile(`^harness-(?:probe-(\d+)|.*-(\d+)-\d+)$`)

// sweepStale removes the empty group directories left under base by
// harness processes that are gone (killed with SIGKILL, say). A directory
// of a live pid is left alone, and so is one with members: rmdir refuses
// it.
func sweepStale(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		m := staleName.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1] + m[2])
		if err != nil || pid == unix.Getpid() || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		unix.Rmdir(filepath.Join(base, e.Name()))
	}
}

// ownDir is this process's cgroup v2 directory.
func ownDir() (string, error) {
	mounts, err := procfs.GetMounts()
	if err != nil {
		return "", fmt.Errorf("read /proc/self/mountinfo: %w", err)
	}
	self, err := procfs.Self()
	if err != nil {
		return "", fmt.Errorf("open /proc/self: %w", err)
	}
	cgs, err := self.Cgroups()
	if err != nil {
		return "", fmt.Errorf("read /proc/self/cgroup: %w", err)
	}
	return resolve(mounts, cgs)
}

// resolve joins the cgroup2 mount point with this process's "0::" path,
// made relative to the mount's root (a container's cgroup2 mount may show
// only a subtree).
func resolve(mounts []*procfs.MountInfo, cgs []procfs.Cgroup) (string, error) {
	own, found := "", false
	for _, c := range cgs {
		if c.HierarchyID == 0 && len(c.Controllers) == 0 {
			own, found = c.Path, true
			break
		}
	}
	if !found {
		return "", errors.New(`no "0::" line in /proc/self/cgroup: not in a cgroup v2 hierarchy`)
	}
	if strings.HasSuffix(own, " (deleted)") {
		return "", fmt.Errorf("own cgroup %q was removed", own)
	}
	mounted := false
	for _, m := range mounts {
		if m.FSType != "cgroup2" {
			continue
		}
		mounted = true
		rel, ok := strings.CutPrefix(own, strings.TrimSuffix(m.Root, "/"))
		if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
			continue
		}
		return filepath.Join(m.MountPoint, rel), nil
	}
	if !mounted {
		return "", errors.New("no cgroup2 mount in /proc/self/mountinfo")
	}
	return "", fmt.Errorf("own cgroup %q is outside every cgroup2 mount", own)
}

func kernelAtLeast(major, minor int) error {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	rel := unix.ByteSliceToString(u.Release[:])
	var ma, mi int
	if _, err := fmt.Sscanf(rel, "%d.%d", &ma, &mi); err != nil {
		return fmt.Errorf("kernel release %q: %w", rel, err)
	}
	if ma < major || ma == major && mi < minor {
		return fmt.Errorf("kernel %s is older than %d.%d (CLONE_INTO_CGROUP)", rel, major, minor)
	}
	return nil
}
