package flame

import (
	"flag"
	"io"
	"strings"
)

// presetFlags is a driver.FlagSet that parses a fixed argument list instead
// of os.Args: the harness CLI owns the command line, and pprof must neither
// see nor reject the harness's own flags.
type presetFlags struct {
	fs    *flag.FlagSet
	args  []string
	usage []string
}

func newPresetFlags(args ...string) *presetFlags {
	fs := flag.NewFlagSet("pprof", flag.ContinueOnError)
	// pprof prints usage through the UI when Parse fails; the flag
	// package's own output would only duplicate it on stderr.
	fs.SetOutput(io.Discard)
	return &presetFlags{fs: fs, args: args}
}

func (f *presetFlags) Bool(name string, def bool, usage string) *bool {
	return f.fs.Bool(name, def, usage)
}

func (f *presetFlags) Int(name string, def int, usage string) *int {
	return f.fs.Int(name, def, usage)
}

func (f *presetFlags) Float64(name string, def float64, usage string) *float64 {
	return f.fs.Float64(name, def, usage)
}

func (f *presetFlags) String(name, def, usage string) *string {
	return f.fs.String(name, def, usage)
}

// StringList keeps one value per flag, as pprof's own GoFlags does; the
// preset arguments never repeat a list flag.
func (f *presetFlags) StringList(name, def, usage string) *[]*string {
	return &[]*string{f.fs.String(name, def, usage)}
}

func (f *presetFlags) ExtraUsage() string { return strings.Join(f.usage, "\n") }

func (f *presetFlags) AddExtraUsage(eu string) { f.usage = append(f.usage, eu) }

// Parse follows the driver.FlagSet contract: on an unknown flag or no
// arguments it calls usage and returns nil.
func (f *presetFlags) Parse(usage func()) []string {
	if err := f.fs.Parse(f.args); err != nil || f.fs.NArg() == 0 {
		usage()
		return nil
	}
	return f.fs.Args()
}
