// Package proctest finds processes by what is on their command line, so
// that tests can check that no process they started is left behind: give
// every run a unique marker (a temporary directory in its arguments) and
// look for it afterwards.
package proctest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Matching lists the live processes, other than this one, whose command
// line contains s. Zombies have an empty command line and are not listed.
func Matching(s string) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(cmd), s) {
			out = append(out, pid)
		}
	}
	return out
}

// Spin keeps n OS threads busy for d: a multi-threaded child for the
// observer's tests. Each goroutine stays locked to its thread, so the
// thread exits with it, as a worker's would.
func Spin(n int, d time.Duration) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			runtime.LockOSThread()
			x := 0
			for end := time.Now().Add(d); time.Now().Before(end); {
				for i := range 10000 {
					x += i
				}
			}
			_ = x
		})
	}
	wg.Wait()
}
