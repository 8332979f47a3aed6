package browser

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"harness/internal/proctest"
)

// reap kills every process that still has dataDir in its command line, and
// waits until none is left for a few looks in a row. A zombie has an empty
// command line, so a killed process that is only waiting to be reaped by
// its new parent does not count: it runs no code and holds no resources
// but its id.
//
// The main Chromium process is our child and chromedp waits for it, but its
// helpers (zygote, renderer, GPU, network, crashpad) are its children, not
// ours: when the main process is killed they are re-parented and can live on.
// They are found by the user data directory, which Chromium passes to them
// and which is unique to one browser, so no other browser on the machine is
// touched. A helper can fork just as its parent dies, hence the repeated looks.
func reap(dataDir string, limit time.Duration) error {
	const quietLooks = 3
	deadline := time.Now().Add(limit)
	quiet := 0
	var left []int
	for {
		left = proctest.Matching(dataDir)
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL) // it may be gone already
		}
		if len(left) == 0 {
			quiet++
			if quiet == quietLooks {
				return nil
			}
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var b strings.Builder
	for _, pid := range left {
		fmt.Fprintf(&b, "\n  %d %s", pid, cmdline(pid))
	}
	return errors.New("processes still running after " + limit.String() + ":" + b.String())
}

// cmdline returns the command line of a process, shortened, for messages.
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return "(gone)"
	}
	s := strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
