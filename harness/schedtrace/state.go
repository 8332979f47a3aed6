package schedtrace

import "fmt"

// State is what a goroutine is doing during a span of time. The states are
// mutually exclusive: a goroutine is in exactly one while it exists.
type State uint8

const (
	// Running: scheduled on a P, executing its own code. This is scheduled
	// time, not CPU time (see the package comment).
	Running State = iota
	// Runnable: ready to run, waiting for a P; or parked by the runtime's
	// preemption (GC stack scan) until the runtime lets it go on.
	Runnable
	// Blocked: waiting for something (channel, lock, sleep, network poller,
	// GC assist credit, …).
	Blocked
	// Syscall: in a system call; it holds its thread, the P may be handed off.
	Syscall
	// GCAssist: scheduled on a P but doing GC mark-assist work instead of its
	// own (the "GC mark assist" range on the goroutine). Not part of Running.
	GCAssist
	// NumStates is the number of states; StateNs is indexed by State.
	NumStates
)

var stateNames = [NumStates]string{"running", "runnable", "blocked", "syscall", "gcassist"}

// String returns the lower-case name used in JSON ("running", …).
func (s State) String() string {
	if s < NumStates {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText encodes a State by name, so cached JSON stays readable.
func (s State) MarshalText() ([]byte, error) {
	if s >= NumStates {
		return nil, fmt.Errorf("schedtrace: invalid state %d", uint8(s))
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("schedtrace: unknown state %q", b)
}

// StateNs holds nanoseconds per State, indexed by State (JSON: an array in
// the order running, runnable, blocked, syscall, gcassist).
type StateNs [NumStates]int64

// Scheduled is the time on a P: Running plus GCAssist. Summed over goroutines
// and divided by elapsed time it is the effective parallelism.
func (t StateNs) Scheduled() int64 { return t[Running] + t[GCAssist] }

// Sum is the time in any state: how long the goroutine(s) existed.
func (t StateNs) Sum() int64 {
	var n int64
	for _, v := range t {
		n += v
	}
	return n
}

func (t *StateNs) add(u *StateNs) {
	for i, v := range u {
		t[i] += v
	}
}
