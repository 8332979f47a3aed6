package runner

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"harness/harness/rundir"
	"harness/harness/worker"
)

// Sizes of the output tails kept per stream: in the raw directory, and in
// run.json (where it is quoted in reports of failed workers).
const (
	tailFileBytes = 64 << 10
	tailJSONBytes = 4 << 10
	tailLines     = 20
)

// waitDelay bounds how long Wait waits for the output pipes after the
// process exited: a grandchild that inherited them (a daemon, a double
// fork) could hold them open for ever. Such leftovers are ended and
// reported after the trial.
const waitDelay = time.Second

// started holds the pids this process started and has not reaped yet, so
// that the sweep for adopted orphans never reaps a child an exec.Cmd is
// still waiting for.
var started sync.Map // pid → struct{}

type procSpec struct {
	path     string   // executable
	argv     []string // argv[0] as the program should see it
	env      []string // nil: inherit
	dir      string
	control  bool // a Go worker: pass the control pipes as fds 3 and 4
	cgroupFD int  // ≥ 0: start in that cgroup
}

// proc is one running child and what is known of it so far.
type proc struct {
	cmd     *exec.Cmd
	rec     rundir.Process
	stdout  *tail
	stderr  *tail
	toChild *os.File // fd 4's other end; "go" is written here
	// beforeReap, if set, runs once the child has exited and before it is
	// reaped, while its /proc entries still hold its final figures.
	beforeReap func()
	msgs       chan worker.Message // closed at EOF of fd 3
	exited     chan struct{}       // closed once reaped
	waitErr    error
}

// startProc starts a child. The caller sets beforeReap if it wants to, then
// calls p.reap() to have it waited for in the background.
func startProc(ps procSpec) (*proc, error) {
	p := &proc{
		stdout: newTail(tailFileBytes),
		stderr: newTail(tailFileBytes),
		exited: make(chan struct{}),
	}
	cmd := &exec.Cmd{Path: ps.path, Args: ps.argv, Env: ps.env, Dir: ps.dir,
		Stdout: p.stdout, Stderr: p.stderr, WaitDelay: waitDelay}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // its own process group: one kill ends it and its children
		Pdeathsig: syscall.SIGKILL, // and it dies with us if we are killed outright
	}
	if ps.cgroupFD >= 0 {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = ps.cgroupFD
	}
	var fromChild, childOut, childIn *os.File
	if ps.control {
		var err error
		if fromChild, childOut, err = os.Pipe(); err != nil {
			return nil, fmt.Errorf("control pipe: %w", err)
		}
		if childIn, p.toChild, err = os.Pipe(); err != nil {
			fromChild.Close()
			childOut.Close()
			return nil, fmt.Errorf("control pipe: %w", err)
		}
		cmd.ExtraFiles = []*os.File{childOut, childIn}
	}
	p.cmd = cmd
	p.rec.Argv = ps.argv
	p.rec.SpawnNs = time.Now().UnixNano()
	err := cmd.Start()
	if ps.control {
		childOut.Close()
		childIn.Close()
	}
	if err != nil {
		if ps.control {
			fromChild.Close()
			p.toChild.Close()
		}
		return nil, fmt.Errorf("start %s: %w", ps.argv[0], err)
	}
	p.rec.PID = cmd.Process.Pid
	started.Store(p.rec.PID, struct{}{})
	if ps.control {
		p.msgs = make(chan worker.Message, 4)
		go p.readMessages(fromChild)
	}
	return p, nil
}

func (p *proc) readMessages(r *os.File) {
	defer close(p.msgs)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var m worker.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			m = worker.Message{Type: "invalid", Error: fmt.Sprintf("unreadable control message: %v", err)}
		}
		p.msgs <- m
	}
	// Otherwise the trial would only say the worker never reported.
	if err := sc.Err(); err != nil {
		p.msgs <- worker.Message{Type: "invalid", Error: fmt.Sprintf("control pipe: %v", err)}
	}
}

// reap waits for the child in the background; exited is closed when done.
func (p *proc) reap() { go p.wait() }

func (p *proc) wait() {
	if p.beforeReap != nil {
		var info unix.Siginfo
		for {
			// WNOWAIT: wait for the exit without reaping.
			err := unix.Waitid(unix.P_PID, p.rec.PID, &info, unix.WEXITED|unix.WNOWAIT, nil)
			if err != unix.EINTR {
				break
			}
		}
		p.beforeReap()
	}
	p.waitErr = p.cmd.Wait()
	p.rec.EndNs = time.Now().UnixNano()
	started.Delete(p.rec.PID)
	if p.toChild != nil {
		p.toChild.Close()
	}
	st := p.cmd.ProcessState
	if st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			p.rec.ExitCode = -1
			p.rec.Signal = unix.SignalName(ws.Signal())
			if p.rec.Signal == "" {
				p.rec.Signal = ws.Signal().String()
			}
		} else {
			p.rec.ExitCode = st.ExitCode()
		}
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			p.rec.CPUUserNs = ru.Utime.Nano()
			p.rec.CPUSysNs = ru.Stime.Nano()
			p.rec.RusageMaxRSSBytes = ru.Maxrss * 1024 // KiB on Linux; see the field
		}
	}
	switch {
	case p.waitErr == nil, errors.As(p.waitErr, new(*exec.ExitError)):
	case errors.Is(p.waitErr, exec.ErrWaitDelay):
		// The process exited; a descendant still holds its output.
	default:
		p.rec.Error = p.waitErr.Error()
	}
	p.rec.StdoutBytes, p.rec.StderrBytes = p.stdout.Total(), p.stderr.Total()
	p.rec.StdoutTail = lastLines(p.stdout.Bytes(), tailLines, tailJSONBytes)
	p.rec.StderrTail = lastLines(p.stderr.Bytes(), tailLines, tailJSONBytes)
	close(p.exited)
}

// signalGroup sends sig to the child's whole process group.
func (p *proc) signalGroup(sig syscall.Signal) {
	select {
	case <-p.exited:
		return
	default:
	}
	// The group id is the pid (Setpgid). ESRCH: already gone.
	syscall.Kill(-p.rec.PID, sig)
}

// failed reports why the process counts as failed, or "".
func (p *proc) failed() string {
	switch {
	case p.rec.Error != "":
		return p.rec.Error
	case p.rec.Signal != "":
		return fmt.Sprintf("killed by signal %s", p.rec.Signal)
	case p.rec.ExitCode != 0:
		return fmt.Sprintf("exit status %d", p.rec.ExitCode)
	}
	return ""
}

// describeFailure names the process with its status and the last lines of
// its stderr, for the trial's error.
func (p *proc) describeFailure(name string) string {
	msg := fmt.Sprintf("%s (pid %d): %s", name, p.rec.PID, p.failed())
	if s := stderrGist(p.stderr.Bytes()); s != "" {
		msg += "; stderr: " + s
	}
	return msg
}

var goCrash = regexp.MustCompile(`(?m)^(panic|fatal error): .*$`)

// stderrGist picks what to quote of a failed process's stderr: for a Go
// crash, the panic line and the frame that panicked (the last lines are
// the goroutine dump's tail, which says nothing); otherwise the last lines.
func stderrGist(b []byte) string {
	if loc := goCrash.FindIndex(b); loc != nil {
		lines := strings.Split(string(b[loc[0]:]), "\n")
		gist := lines[0]
		inStack := false
		for _, l := range lines[1:] {
			switch {
			case strings.HasPrefix(l, "goroutine "):
				inStack = true
			case !inStack || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "panic(") || strings.HasPrefix(l, "runtime."):
				// file:line lines, and the runtime's own frames
			default:
				// "pkg.(*T).Method(0x1, {0x2, 0x3})": the argument
				// words mean nothing to a reader.
				if j := strings.LastIndex(l, "("); j > 0 && strings.HasSuffix(l, ")") {
					l = l[:j]
				}
				return gist + " in " + strings.TrimSpace(l)
			}
		}
		return gist
	}
	return lastLines(b, 5, 1024)
}
