package observe

import (
	"os"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseStat(t *testing.T) {
	// A comm with spaces and parentheses; fields 14/15 utime/stime, 20
	// num_threads, 22 starttime.
	line := "4242 (we) ird (x) R 1 4242 4242 0 -1 4194304 100 0 0 0 123 45 0 0 20 0 7 0 98765 1000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if string(st.comm) != "we) ird (x" || st.state != 'R' || st.ppid != 1 || st.utime != 123 ||
		st.stime != 45 || st.numThreads != 7 || st.starttime != 98765 {
		t.Errorf("parseStat = %+v (comm %q)", st, st.comm)
	}
	for _, bad := range []string{"", "1 (x", "1 (x) R 1 2 3"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
	// The live file of this process.
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip(err)
	}
	st, err = parseStat(b)
	if err != nil || st.ppid != os.Getppid() || st.numThreads < 1 || st.state == 0 {
		t.Errorf("own stat: %+v, %v", st, err)
	}
}

func TestParseSmallFiles(t *testing.T) {
	on, rq, err := parseSchedstat([]byte("1234567 890 12\n"))
	if err != nil || on != 1234567 || rq != 890 {
		t.Errorf("parseSchedstat = %d %d %v", on, rq, err)
	}
	if _, _, err := parseSchedstat([]byte("12\n")); err == nil {
		t.Error("short schedstat accepted")
	}
	pages, err := parseStatmResident([]byte("5000 321 100 10 0 900 0\n"))
	if err != nil || pages != 321 {
		t.Errorf("parseStatmResident = %d %v", pages, err)
	}
	busy, err := parseCPULine([]byte("cpu  100 2 30 9999 50 4 5 6 77 8\ncpu0 1 2 3"))
	if err != nil || busy != 100+2+30+4+5+6 {
		t.Errorf("parseCPULine = %d %v", busy, err)
	}
	if _, err := parseCPULine([]byte("cpu0 1 2 3 4")); err == nil {
		t.Error("per-CPU line taken for the total")
	}
	if got := appendPIDs(nil, []byte("12 345 6789 ")); !slices.Equal(got, []int{12, 345, 6789}) {
		t.Errorf("appendPIDs = %v", got)
	}
	if got := parseLastPID([]byte("0.52 0.58 0.59 2/123 4567\n")); got != 4567 {
		t.Errorf("parseLastPID = %d", got)
	}
	if got := parseLastPID([]byte("garbage")); got != 0 {
		t.Errorf("parseLastPID(garbage) = %d", got)
	}
	if got := appendPIDs(nil, nil); len(got) != 0 {
		t.Errorf("appendPIDs(empty) = %v", got)
	}
}

func TestDirentTIDs(t *testing.T) {
	fd, err := unix.Open("/proc/self/task", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	read := func() []int {
		if _, err := unix.Seek(fd, 0, 0); err != nil {
			t.Fatal(err)
		}
		var tids []int
		for {
			n, err := unix.Getdents(fd, buf)
			if err != nil || n <= 0 {
				return tids
			}
			tids = appendDirentTIDs(tids, buf[:n])
		}
	}
	want, _ := os.ReadDir("/proc/self/task")
	got := read()
	if len(got) != len(want) || !slices.Contains(got, os.Getpid()) {
		t.Errorf("tids %v, directory has %d entries", got, len(want))
	}
	if again := read(); !slices.Equal(slices.Sorted(slices.Values(again)), slices.Sorted(slices.Values(got))) {
		t.Errorf("second read of the kept fd: %v vs %v", again, got)
	}
	for _, e := range want {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			t.Errorf("non-numeric task %q", e.Name())
		}
	}
}

func TestClockTicks(t *testing.T) {
	if tck := clockTicks(); tck != 100 {
		t.Logf("CLK_TCK is %d here", tck) // not an error, but worth seeing
	}
	if clockTicks() <= 0 {
		t.Fatal("CLK_TCK not positive")
	}
}
