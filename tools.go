//go:build tools

// Package harness pins dependencies until the code that uses them lands.
package harness

import (
	_ "github.com/felixge/fgprof"
	_ "github.com/goccy/go-yaml"
	_ "github.com/google/pprof/driver"
	_ "github.com/google/pprof/profile"
	_ "github.com/prometheus/procfs"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/exp/trace"
	_ "golang.org/x/perf/benchmath"
	_ "golang.org/x/sys/unix"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg/vgsvg"
	_ "gonum.org/v1/plot/vg/vgimg"
	_ "github.com/chromedp/chromedp"
)
