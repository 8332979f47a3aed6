package flame

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// logUI is a driver.UI that sends pprof's messages to a writer: the harness
// owns the terminal, and the web UI never reads commands.
type logUI struct {
	w io.Writer
}

func (u logUI) ReadLine(string) (string, error) { return "", io.EOF }

func (u logUI) Print(args ...any) { u.line(args) }

func (u logUI) PrintErr(args ...any) { u.line(args) }

func (u logUI) line(args []any) {
	s := strings.TrimSuffix(fmt.Sprint(args...), "\n")
	// Start reports the URL itself; pprof's, printed once per driver,
	// lacks the prefix its views are mounted under.
	if strings.HasPrefix(s, "Serving web UI on ") {
		return
	}
	fmt.Fprintf(u.w, "pprof: %s\n", s)
}

func (logUI) IsTerminal() bool { return false }

// WantBrowser is false: Start opens the browser itself, at the flame graph
// and only when asked.
func (logUI) WantBrowser() bool { return false }

func (logUI) SetAutoComplete(func(string) string) {}

// lockedWriter serialises writes: pprof's handlers, the browser launcher
// and Start all log from their own goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
