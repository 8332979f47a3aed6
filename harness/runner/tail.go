package runner

import "sync"

// tail keeps the last bytes written to it and counts them all, so a child
// that writes hundreds of megabytes neither blocks on a full pipe nor fills
// memory or disk.
type tail struct {
	mu    sync.Mutex
	buf   []byte // ring of cap bytes
	next  int    // where the next byte goes
	full  bool
	total int64
}

func newTail(size int) *tail { return &tail{buf: make([]byte, size)} }

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += int64(len(p))
	n := len(p)
	if n >= len(t.buf) {
		copy(t.buf, p[n-len(t.buf):])
		t.next, t.full = 0, true
		return n, nil
	}
	k := copy(t.buf[t.next:], p)
	if k < n {
		copy(t.buf, p[k:])
		t.full = true
	}
	t.next = (t.next + n) % len(t.buf)
	if t.next == 0 && n > 0 {
		t.full = true
	}
	return n, nil
}

// Bytes returns the kept tail, oldest byte first.
func (t *tail) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]byte(nil), t.buf[:t.next]...)
	}
	return append(append([]byte(nil), t.buf[t.next:]...), t.buf[:t.next]...)
}

// Total is the number of bytes ever written.
func (t *tail) Total() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// lastLines returns at most n lines and max bytes from the end of b, for
// error messages.
func lastLines(b []byte, n, max int) string {
	if len(b) > max {
		b = b[len(b)-max:]
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	lines := 0
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			lines++
			if lines == n {
				return string(b[i+1:])
			}
		}
	}
	return string(b)
}
