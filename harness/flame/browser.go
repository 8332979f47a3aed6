package flame

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"runtime"
)

// browserCommand is the opener for this OS. On Linux "open" is often
// openvt (Debian's alternatives), so only macOS gets "open".
func browserCommand() string {
	if runtime.GOOS == "darwin" {
		return "open"
	}
	return "xdg-open"
}

// openBrowser starts the opener on url and returns a function that waits
// for it. It never fails the server: a missing or failing opener is only
// reported. The opener is killed if ctx ends first, so Wait does not hang
// on a stuck one.
func openBrowser(ctx context.Context, url string, log io.Writer) (note string, wait func()) {
	name := browserCommand()
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Sprintf("no browser opened: %s not found; open %s", name, url), func() {}
	}
	cmd := exec.CommandContext(ctx, path, url)
	// No pipes: the browser it starts would inherit them, and Wait would
	// then wait for the browser to exit, not the opener.
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return fmt.Sprintf("no browser opened: %s: %v; open %s", name, err, url), func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := cmd.Wait(); err != nil && ctx.Err() == nil {
			fmt.Fprintf(log, "flame: %s %s: %v\n", name, url, err)
		}
	}()
	return "", func() { <-done }
}
