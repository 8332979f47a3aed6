package flame

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"harness/harness/rundir"
)

// defaultKind is the profile Resolve picks when none is named.
const defaultKind = "cpu"

// kindOrder is the order merged profile kinds are listed in.
var kindOrder = []string{"cpu", "wall", "heap", "mutex", "block", "goroutine"}

// Resolve turns `harness pprof DIR [PROFILE]` into a profile file. DIR is a
// scenario run directory (run.json, profiles/) or a batch directory
// (batch.json) holding exactly one scenario; a profile file is accepted
// as DIR too. PROFILE is a kind (cpu when empty) naming the merged profile
// run.json records for it, or a path (it has a separator or a dot): a
// relative one is tried in the scenario directory first (run.json's file
// names are relative to it), then in profiles/, then in the working
// directory.
func Resolve(dir, prof string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("run directory: %w", err)
	}
	if !fi.IsDir() {
		if prof != "" {
			return "", fmt.Errorf("%s is a file, not a run directory; give either a directory and a profile, or a profile file alone", dir)
		}
		return dir, nil
	}
	scen, err := scenarioDir(dir)
	if err != nil {
		return "", err
	}
	if prof == "" {
		prof = defaultKind
	}
	if !isPath(prof) {
		return kindFile(scen, prof)
	}
	candidates := []string{prof}
	if !filepath.IsAbs(prof) {
		candidates = []string{filepath.Join(scen, prof), filepath.Join(scen, rundir.ProfilesDir, prof), prof}
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("profile %s: not found (looked for %s)", prof, strings.Join(candidates, ", "))
}

// isPath tells a path from a kind name: kinds have no separator and no
// extension.
func isPath(s string) bool {
	return strings.ContainsRune(s, filepath.Separator) || strings.ContainsRune(s, '/') || strings.Contains(s, ".")
}

// scenarioDir returns dir itself for a scenario run directory, or the only
// scenario of a batch directory.
func scenarioDir(dir string) (string, error) {
	kind, err := rundir.KindOf(dir)
	if err != nil {
		return "", err
	}
	if kind == rundir.ScenarioDir {
		return dir, nil
	}
	b, err := rundir.ReadBatch(dir)
	if err != nil {
		return "", err
	}
	switch len(b.Scenarios) {
	case 0:
		return "", fmt.Errorf("batch %s has no scenarios", dir)
	case 1:
		return filepath.Join(dir, b.Scenarios[0].Dir), nil
	}
	var dirs []string
	for _, sc := range b.Scenarios {
		dirs = append(dirs, filepath.Join(dir, sc.Dir))
	}
	return "", fmt.Errorf("batch %s has %d scenarios; name one of its directories: %s", dir, len(dirs), strings.Join(dirs, ", "))
}

// kindFile is the merged profile of kind that run.json records, or an
// error (wrapping os.ErrNotExist) that says why there is none — every
// input of the kind was skipped, or the run did not record it — and which
// kinds there are.
func kindFile(scen, kind string) (string, error) {
	run, err := rundir.ReadRun(scen)
	if err != nil {
		return "", err
	}
	var kinds []string
	for _, p := range run.Profiles {
		switch {
		case p.Kind == kind && p.File != "":
			path := filepath.Join(scen, p.File)
			if _, err := os.Stat(path); err != nil {
				return "", fmt.Errorf("%s profile of %s: %w", kind, scen, err)
			}
			return path, nil
		case p.Kind == kind:
			return "", fmt.Errorf("no %s profile in %s: %w: every input was skipped (%s)", kind, scen, os.ErrNotExist, strings.Join(p.Skipped, "; "))
		case p.File != "":
			kinds = append(kinds, p.Kind)
		}
	}
	have := "it has no merged profiles"
	if len(kinds) > 0 {
		sortInOrder(kinds, kindOrder)
		have = "available: " + strings.Join(kinds, ", ")
	}
	return "", fmt.Errorf("no %s profile in %s: %w; %s", kind, scen, os.ErrNotExist, have)
}
