package scenario

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// resolveInterpreter looks through a launcher shim to the interpreter it
// starts. pyenv's `python3` on PATH is a shell script that runs about twenty
// helper processes before Python itself; measuring it would measure the
// shim. For a program named python* that is a script rather than a binary,
// ask the interpreter for sys.executable and run that instead. Anything else
// is returned unchanged.
func resolveInterpreter(path string) string {
	base := filepath.Base(path)
	if !strings.HasPrefix(base, "python") || !isScript(path) {
		return path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return path
	}
	real := strings.TrimSpace(string(bytes.SplitN(out, []byte("\n"), 2)[0]))
	if st, err := os.Stat(real); err != nil || st.IsDir() || !filepath.IsAbs(real) {
		return path
	}
	return real
}

func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head, _ := bufio.NewReader(f).Peek(2)
	return string(head) == "#!"
}
