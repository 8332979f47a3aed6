// Package proctest finds processes by what is on their command line, so
// that tests can check that no process they started is left behind: give
// every run a unique marker (a temporary directory in its arguments) and
// look for it afterwards.
package proctest

import (
	"os"
	"strconv"
	"strings"
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
