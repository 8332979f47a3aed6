package observe

import (
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"
)

// Config configures an Observer.
type Config struct {
	// Interval is the sampling period; 0 means 10 ms.
	Interval time.Duration
	// Discover, if set, is called at the first tick and at every later
	// one (Stop's last included) at which a task was created on the
	// machine since the tick before, as the children files are read: a
	// process cannot appear in either without a new pid. It is called with
	// the Observer's lock held and must not call the Observer. Every pid it
	// returns that is not yet known is watched like a root, with its
	// descendants. Use it for processes the children files cannot lead to:
	// the members of the trial's cgroup, or this process's own children
	// when it is a child subreaper and orphaned grandchildren were
	// re-parented to it.
	Discover func() []int
}

// Observer samples a set of process trees from outside through /proc.
// Its methods are safe for concurrent use.
type Observer struct {
	interval time.Duration
	discover func() []int
	host     host
	fs       procfs.FS

	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	result   *Samples

	mu        sync.Mutex
	stopped   bool
	known     map[int]*proc  // alive processes by pid
	goneStart map[int]uint64 // starttime of gone pids: a zombie still listed as a child is not new
	alive     []*proc        // sampled every tick
	all       []*proc        // every process ever known, in discovery order
	machine   MachineSeries
	statFd    int    // /proc/stat, -1 if it could not be opened
	loadFd    int    // /proc/loadavg, -1 if it could not be opened
	lastPID   int    // its last field at the previous tick
	buf       []byte // one read buffer for every file
	scratch   []int  // pids or tids parsed from buf

	// The sampler's own cost, for the benchmark.
	ticks  int64
	tickNs int64
}

// host holds the conversions measured once at Start.
type host struct {
	nsPerTick  int64 // ns per CLK_TCK tick
	pageSize   int64
	bootToUnix int64 // add to CLOCK_BOOTTIME ns to get Unix ns
	cpus       int
}

func (h host) startNs(starttime uint64) int64 {
	return h.bootToUnix + int64(starttime)*h.nsPerTick
}

type proc struct {
	argvTries int // re-reads of an empty command line
	pid       int
	starttime uint64
	series    ProcessSeries // Threads is filled in by build
	statFd    int
	statmFd   int       // -1 if unavailable
	taskFd    int       // /proc/<pid>/task, for getdents; -1 if unavailable
	threads   []*thread // alive
	all       []*thread // every thread ever seen, in discovery order
}

type thread struct {
	series     ThreadSeries
	schedFd    int
	childrenFd int  // -1 where the kernel lacks CONFIG_PROC_CHILDREN
	fresh      bool // children not read yet
}

// processCPUClock is the clockid of the CPU-time clock of process pid
// (MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) in the kernel): the sum of
// every thread's runtime, exited threads included, exact to the ns and
// brought up to date for threads running at the time of the read. Linux
// lets any process read it. /proc/<pid>/stat utime+stime is the same sum
// cut to 1/CLK_TCK (10 ms), and stays the fallback. Per-thread clocks of
// another process cannot be read, so threads use schedstat.
func processCPUClock(pid int) int32 {
	const cpuclockSched = 2
	return int32(^pid<<3 | cpuclockSched)
}

func nowNs() int64 { return time.Now().UnixNano() }

// Start begins sampling at once (one tick before it returns) and then
// every cfg.Interval in its own goroutine, until Stop.
func Start(cfg Config) *Observer {
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Millisecond
	}
	tck := clockTicks()
	o := &Observer{
		interval: cfg.Interval,
		discover: cfg.Discover,
		host: host{
			nsPerTick:  int64(time.Second) / tck,
			pageSize:   int64(unix.Getpagesize()),
			bootToUnix: bootToUnixNs(),
			cpus:       onlineCPUs(),
		},
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
		known:     make(map[int]*proc),
		goneStart: make(map[int]uint64),
		buf:       make([]byte, 4096),
		statFd:    -1,
		loadFd:    -1,
	}
	o.fs, _ = procfs.NewDefaultFS() // only fails if /proc is not mounted; reads then fail one by one
	if fd, err := openRO("/proc/stat"); err == nil {
		o.statFd = fd
	}
	if fd, err := openRO("/proc/loadavg"); err == nil {
		o.loadFd = fd
	}
	o.tick()
	go o.loop()
	return o
}

func onlineCPUs() int {
	if st, err := procfs.NewStat(); err == nil && len(st.CPU) > 0 {
		return len(st.CPU)
	}
	return 0
}

func (o *Observer) loop() {
	defer close(o.done)
	tk := time.NewTicker(o.interval)
	defer tk.Stop()
	for {
		select {
		case <-o.quit:
			return
		case <-tk.C:
			o.tick()
		}
	}
}

// Watch adds a root: pid and all its descendants are sampled from now on,
// starting with a sample of pid taken before Watch returns. A pid that has
// already exited is ignored.
func (o *Observer) Watch(pid int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	n := len(o.alive)
	o.add(pid)
	// New processes' threads are fresh: their children are read anyway.
	for i := n; i < len(o.alive); i++ {
		o.sampleProc(o.alive[i], false)
	}
	o.compact()
}

// Sample takes a tick now, besides the schedule. The runner calls it when
// a child has exited but is not reaped yet: a zombie's stat and CPU clock
// still hold its final totals, which the next scheduled tick would miss.
func (o *Observer) Sample() { o.tick() }

// Live returns the pids known and alive now (zombies excluded), checked
// through the kept file descriptors, which cannot follow a pid to a new
// process. A pid can still exit and be reused after Live returns; ending
// stragglers through the trial's cgroup avoids that race.
func (o *Observer) Live() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return nil
	}
	var pids []int
	for _, p := range o.alive {
		if st, err := o.readStat(p.statFd); err == nil && !isDead(st) {
			pids = append(pids, p.pid)
		}
	}
	sort.Ints(pids)
	return pids
}

// Stop takes one last sample, stops sampling, closes every file and
// returns all samples. Later calls return the same *Samples.
func (o *Observer) Stop() *Samples {
	o.stopOnce.Do(func() {
		close(o.quit)
		<-o.done
		o.tick()
		o.mu.Lock()
		defer o.mu.Unlock()
		o.stopped = true
		for _, p := range o.alive {
			p.close()
		}
		o.alive = nil
		for _, fd := range []*int{&o.statFd, &o.loadFd} {
			if *fd >= 0 {
				unix.Close(*fd)
				*fd = -1
			}
		}
		o.result = o.build()
	})
	return o.result
}

func (o *Observer) tick() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopped {
		return
	}
	start := time.Now()
	o.sampleMachine()
	forked := o.forked()
	if forked && o.discover != nil {
		for _, pid := range o.discover() {
			o.add(pid)
		}
	}
	// Processes found during the tick are appended and sampled in it too.
	for i := 0; i < len(o.alive); i++ {
		o.sampleProc(o.alive[i], forked)
	}
	o.compact()
	o.ticks++
	o.tickNs += int64(time.Since(start))
}

func (o *Observer) sampleMachine() {
	if o.statFd < 0 {
		return
	}
	t := nowNs()
	// Only the first line is needed; /proc/stat is regenerated whole on
	// every read from offset 0 anyway, so a short read costs the same.
	n, err := unix.Pread(o.statFd, o.buf, 0)
	if err != nil {
		return
	}
	busy, err := parseCPULine(firstLine(o.buf[:n]))
	if err != nil {
		return
	}
	o.machine.T = append(o.machine.T, t)
	o.machine.BusyNs = append(o.machine.BusyNs, int64(busy)*o.host.nsPerTick)
}

// forked reports whether a task (process or thread) may have been created
// on the machine since the previous tick, judged by the last pid
// allocated, the last field of /proc/loadavg; true when it cannot tell.
// Reading every thread's children file doubles the cost of a tick, and
// Discover (the runner's open, read and close files) can cost more than
// the rest of it, while nothing can have appeared in either without a new
// pid: a process adopted by a subreaper or in the
// trial's cgroup was forked after the previous tick, or was found then.
// /proc/loadavg is read before both, so that a fork after it is seen at
// the next tick.
func (o *Observer) forked() bool {
	if o.loadFd < 0 {
		return true
	}
	n, err := unix.Pread(o.loadFd, o.buf, 0)
	if err != nil {
		return true
	}
	last := parseLastPID(o.buf[:n])
	forked := last <= 0 || last != o.lastPID
	o.lastPID = last
	return forked
}

// add starts tracking pid if it is alive and new. Its first sample is taken
// by the caller's loop over o.alive.
func (o *Observer) add(pid int) {
	if pid <= 0 {
		return
	}
	if _, ok := o.known[pid]; ok {
		return
	}
	dir := "/proc/" + strconv.Itoa(pid)
	statFd, err := openRO(dir + "/stat")
	if err != nil {
		return
	}
	t := nowNs()
	st, err := o.readStat(statFd)
	if prev, seen := o.goneStart[pid]; err != nil || (seen && prev == st.starttime) {
		unix.Close(statFd)
		return
	}
	p := &proc{
		pid:       pid,
		starttime: st.starttime,
		statFd:    statFd,
		statmFd:   -1,
		taskFd:    -1,
	}
	p.series.PID = pid
	p.series.PPID = st.ppid
	p.series.Comm = string(st.comm)
	p.series.Argv = o.argv(pid)
	p.appendSample(min(o.host.startNs(st.starttime), t-1), 0, 0)
	if fd, err := openRO(dir + "/statm"); err == nil {
		p.statmFd = fd
	}
	if fd, err := unix.Open(dir+"/task", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
		p.taskFd = fd
	}
	o.known[pid] = p
	o.alive = append(o.alive, p)
	o.all = append(o.all, p)
}

func (o *Observer) argv(pid int) []string {
	pr, err := o.fs.Proc(pid)
	if err != nil {
		return nil
	}
	argv, _ := pr.CmdLine()
	return argv
}

func (p *proc) appendSample(t, cpu, rss int64) {
	p.series.T = append(p.series.T, t)
	p.series.CPUNs = append(p.series.CPUNs, cpu)
	p.series.RSSBytes = append(p.series.RSSBytes, rss)
}

// isDead reports a process that has exited: a zombie (or dead) leader with
// no thread left. A leader that called pthread_exit is a zombie too, but
// its other threads still run.
func isDead(st statFields) bool {
	return (st.state == 'Z' || st.state == 'X') && st.numThreads <= 1
}

// readStat reads and parses /proc/<pid>/stat through its kept fd; an
// error (ESRCH) means the process was reaped.
func (o *Observer) readStat(fd int) (statFields, error) {
	b, err := preadFull(fd, &o.buf)
	if err != nil {
		return statFields{}, err
	}
	return parseStat(b)
}

// sampleProc reads p and its threads, and, where forked says a task was
// created since the previous tick, its threads' children files.
func (o *Observer) sampleProc(p *proc, forked bool) {
	t := nowNs()
	// The process CPU clock is read before stat: if stat is then still
	// readable through the kept fd, the pid was not reused in between.
	var ts unix.Timespec
	clockErr := unix.ClockGettime(processCPUClock(p.pid), &ts)
	st, err := o.readStat(p.statFd)
	if err != nil {
		o.gone(p)
		return
	}
	switch {
	case string(st.comm) != p.series.Comm: // an exec since the last read
		p.series.Comm = string(st.comm)
		p.series.Argv = o.argv(p.pid)
	case len(p.series.Argv) == 0 && p.argvTries < 3:
		// Read while the process was between fork and exec, the command
		// line can be empty: try again a few times.
		p.argvTries++
		p.series.Argv = o.argv(p.pid)
	}
	cpu := ts.Nano()
	if clockErr != nil {
		cpu = int64(st.utime+st.stime) * o.host.nsPerTick
	}
	var rss int64
	if p.statmFd >= 0 {
		if b, err := preadFull(p.statmFd, &o.buf); err == nil {
			if pages, err := parseStatmResident(b); err == nil {
				rss = pages * o.host.pageSize
			}
		}
	}
	p.appendSample(t, cpu, rss)

	dead := isDead(st)
	// New threads are looked for only when the count differs: a birth and
	// a death in one interval leave it equal, but the death is seen below,
	// so the birth is found on the next tick.
	if !dead && st.numThreads != len(p.threads) {
		o.listThreads(p)
	}
	live := p.threads[:0]
	for _, th := range p.threads {
		if !o.sampleThread(th) {
			th.close()
			continue
		}
		live = append(live, th)
		if th.childrenFd < 0 || !(forked || th.fresh) {
			continue
		}
		th.fresh = false
		if b, err := preadFull(th.childrenFd, &o.buf); err == nil {
			o.scratch = appendPIDs(o.scratch[:0], b)
			for _, c := range o.scratch {
				o.add(c)
			}
		}
	}
	clear(p.threads[len(live):])
	p.threads = live
	if dead {
		o.gone(p)
	}
}

func (o *Observer) sampleThread(th *thread) bool {
	t := nowNs()
	b, err := preadFull(th.schedFd, &o.buf)
	if err != nil {
		return false
	}
	on, rq, err := parseSchedstat(b)
	if err != nil {
		return false
	}
	s := &th.series
	s.T = append(s.T, t)
	s.OnCPUNs = append(s.OnCPUNs, on)
	s.RunqueueNs = append(s.RunqueueNs, rq)
	return true
}

// listThreads re-reads the kept task directory (lseek to 0, getdents) and
// adds the threads not yet known.
func (o *Observer) listThreads(p *proc) {
	if p.taskFd < 0 {
		return
	}
	if _, err := unix.Seek(p.taskFd, 0, 0); err != nil {
		return
	}
	o.scratch = o.scratch[:0]
	for {
		n, err := unix.Getdents(p.taskFd, o.buf)
		if err != nil || n <= 0 {
			break
		}
		o.scratch = appendDirentTIDs(o.scratch, o.buf[:n])
	}
	for _, tid := range o.scratch {
		if !slices.ContainsFunc(p.threads, func(th *thread) bool { return th.series.TID == tid }) {
			o.addThread(p, tid)
		}
	}
}

func (o *Observer) addThread(p *proc, tid int) {
	dir := "/proc/" + strconv.Itoa(p.pid) + "/task/" + strconv.Itoa(tid) + "/"
	fd, err := openRO(dir + "schedstat")
	if err != nil {
		return
	}
	th := &thread{schedFd: fd, childrenFd: -1, fresh: true}
	th.series.TID = tid
	start := nowNs()
	if pr, err := o.fs.Thread(p.pid, tid); err == nil {
		if st, err := pr.Stat(); err == nil {
			th.series.Name = st.Comm
			start = min(start-1, o.host.startNs(st.Starttime))
		}
	}
	th.series.T = append(th.series.T, start)
	th.series.OnCPUNs = append(th.series.OnCPUNs, 0)
	th.series.RunqueueNs = append(th.series.RunqueueNs, 0)
	if fd, err := openRO(dir + "children"); err == nil {
		th.childrenFd = fd
	}
	p.threads = append(p.threads, th)
	p.all = append(p.all, th)
}

// gone closes a process that has exited; its series stays in o.all.
func (o *Observer) gone(p *proc) {
	p.close()
	delete(o.known, p.pid)
	o.goneStart[p.pid] = p.starttime
}

func (p *proc) close() {
	for _, fd := range []*int{&p.statFd, &p.statmFd, &p.taskFd} {
		if *fd >= 0 {
			unix.Close(*fd)
			*fd = -1
		}
	}
	for _, th := range p.threads {
		th.close()
	}
	p.threads = nil
}

func (th *thread) close() {
	if th.schedFd >= 0 {
		unix.Close(th.schedFd)
		th.schedFd = -1
	}
	if th.childrenFd >= 0 {
		unix.Close(th.childrenFd)
		th.childrenFd = -1
	}
}

// compact drops gone processes from the per-tick list.
func (o *Observer) compact() {
	live := o.alive[:0]
	for _, p := range o.alive {
		if p.statFd >= 0 {
			live = append(live, p)
		}
	}
	clear(o.alive[len(live):])
	o.alive = live
}

func (o *Observer) build() *Samples {
	s := &Samples{
		IntervalNs: int64(o.interval),
		CPUs:       o.host.cpus,
		Machine:    o.machine,
		Processes:  make([]ProcessSeries, 0, len(o.all)),
	}
	for _, p := range o.all {
		ps := p.series
		ps.Threads = make([]ThreadSeries, len(p.all))
		for i, th := range p.all {
			ps.Threads[i] = th.series
		}
		s.Processes = append(s.Processes, ps)
	}
	return s
}
