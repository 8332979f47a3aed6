package runner

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// EnableSubreaper makes this process the child subreaper of everything it
// starts: a grandchild whose parent exits (a double fork, a daemon) is
// re-parented to us instead of to init, so we still see it and can end it.
func EnableSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// adoptedChildren lists this process's children that it did not start
// itself: orphans re-parented to it as subreaper.
func adoptedChildren() []int {
	var out []int
	self := os.Getpid()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(self) + "/task/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			if _, ours := started.Load(pid); !ours {
				out = append(out, pid)
			}
		}
	}
	return out
}

// sweepOrphans ends and reaps every adopted orphan and the given pids (the
// observer's last view of the trial's process tree). Only processes we
// adopted are reaped here; the ones we started are reaped by their
// exec.Cmd.
func sweepOrphans(extra []int) {
	seen := map[int]bool{}
	kill := func(pid int) {
		if seen[pid] || pid <= 1 || pid == os.Getpid() {
			return
		}
		seen[pid] = true
		if _, ours := started.Load(pid); ours {
			return
		}
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range extra {
		kill(pid)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		orphans := adoptedChildren()
		for _, pid := range orphans {
			kill(pid)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
		if len(orphans) == 0 || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
