package observe

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"harness/internal/proctest"
)

// The test binary re-executes itself as the workload: with helperEnv set,
// TestMain runs the helper named by it and exits.
const helperEnv = "OBSERVE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(strings.Fields(mode)))
	}
	os.Exit(m.Run())
}

// helperCmd prepares the test binary in a helper mode, e.g.
// helperCmd("spin", "4", "300ms").
func helperCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(args, " "))
	cmd.Stderr = os.Stderr
	return cmd
}

func runHelper(args []string) int {
	switch args[0] {
	case "spin": // spin N D: N busy OS threads for D, then exit
		proctest.Spin(atoi(args[1]), dur(args[2]))
	case "tree": // tree K D: K child processes each spinning one thread for D; wait for them
		var cmds []*exec.Cmd
		for range atoi(args[1]) {
			c := helperCmd("spin", "1", args[2])
			if err := c.Start(); err != nil {
				return fail(err)
			}
			cmds = append(cmds, c)
		}
		for _, c := range cmds {
			if err := c.Wait(); err != nil {
				return fail(err)
			}
		}
	case "chain": // chain N D: a chain of N more processes below this one; the last sleeps D
		if n := atoi(args[1]); n > 0 {
			c := helperCmd("chain", strconv.Itoa(n-1), args[2])
			if err := c.Run(); err != nil {
				return fail(err)
			}
		} else {
			time.Sleep(dur(args[2]))
		}
	case "orphan": // orphan: start a child that spins until stdin closes, print its pid, exit at once
		c := helperCmd("spin-stdin")
		c.Stdin = os.Stdin
		if err := c.Start(); err != nil {
			return fail(err)
		}
		fmt.Println(c.Process.Pid)
	case "spin-stdin": // spin one thread until stdin reaches EOF
		done := make(chan struct{})
		go func() {
			io.Copy(io.Discard, os.Stdin)
			close(done)
		}()
		for x := 0; ; x++ {
			select {
			case <-done:
				return 0
			default:
			}
		}
	default:
		return fail(fmt.Errorf("unknown helper mode %q", args))
	}
	return 0
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func dur(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "helper:", err)
	return 2
}

// rusageNs is the user+system CPU of a reaped child and its reaped
// descendants.
func rusageNs(t *testing.T, cmd *exec.Cmd) int64 {
	t.Helper()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
