package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"harness/harness/workload"
)

var (
	nameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	modelRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// LoadFiles loads and validates every file, then checks the batch as a whole
// (scenario names must be unique: they name output folders). It returns
// either every scenario or every error, never a mix.
func LoadFiles(paths []string) ([]*Scenario, error) {
	var (
		out  []*Scenario
		errs Errors
		seen = map[string]*Scenario{}
	)
	for _, path := range paths {
		s, err := LoadFile(path)
		var es Errors
		switch {
		case errors.As(err, &es):
			errs = append(errs, es...)
			continue
		case err != nil:
			errs = append(errs, &Error{File: path, Msg: err.Error()})
			continue
		}
		if prev, dup := seen[s.Name]; dup {
			errs = append(errs, &Error{File: path, Line: s.nameLine, Column: s.nameCol, Field: "name",
				Msg: fmt.Sprintf("scenario %q is also defined in %s; names must be unique in a batch", s.Name, prev.File)})
			continue
		}
		seen[s.Name] = s
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// LoadFile reads and validates one scenario file.
func LoadFile(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, Errors{{File: path, Msg: "is a directory, not a scenario file"}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	return Load(path, data)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Load validates the contents of one scenario file; path is used in errors
// and to resolve relative paths.
func Load(path string, data []byte) (*Scenario, error) {
	fail := func(msg string) (*Scenario, error) { return nil, Errors{{File: path, Msg: msg}} }
	switch {
	case len(data) > MaxFileBytes:
		return fail(fmt.Sprintf("file is larger than %d bytes; a scenario file is a few hundred", MaxFileBytes))
	case len(bytes.TrimSpace(data)) == 0:
		return fail("file is empty; a scenario needs at least name and workload")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail(fmt.Sprintf("not a text file (NUL byte at offset %d)", i))
	}
	if !utf8.Valid(data) {
		return fail("not a text file (invalid UTF-8)")
	}

	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Errors{syntaxError(path, err)}
	}
	var docs []*ast.DocumentNode
	for _, doc := range file.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		return fail("file has no content; a scenario needs at least name and workload")
	}
	d := &decoder{file: path, anchors: map[string]ast.Node{}}
	if len(docs) > 1 {
		d.errorf(docs[1].Body, "", "one scenario per file; this is a second YAML document")
		return nil, d.errs
	}
	if !d.checkAliases(docs[0].Body) {
		return nil, d.errs
	}
	s := d.scenario(docs[0].Body)
	if len(d.errs) > 0 {
		// The decoder checks a mapping's keys before it descends into
		// their values: report in the order of the file, as a reader goes.
		sort.SliceStable(d.errs, func(i, j int) bool {
			a, b := d.errs[i], d.errs[j]
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		return nil, d.errs
	}
	return s, nil
}

// syntaxError turns the YAML library's error into ours, keeping its position.
func syntaxError(path string, err error) *Error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return newError(path, ye.GetToken(), "", "YAML syntax: "+ye.GetMessage())
	}
	return &Error{File: path, Msg: "YAML syntax: " + err.Error()}
}

// checkAliases collects anchors and bounds the size of the document with
// aliases expanded, so that "billion laughs" files are refused before any
// value is read.
func (d *decoder) checkAliases(root ast.Node) bool {
	ast.Walk(visitor(func(n ast.Node) {
		if a, ok := n.(*ast.AnchorNode); ok {
			d.anchors[a.Name.GetToken().Value] = a.Value
		}
	}), root)
	memo := map[ast.Node]int{}
	var size func(n ast.Node, depth int) int
	size = func(n ast.Node, depth int) int {
		if n == nil {
			return 0
		}
		if depth > 100 {
			return MaxNodes + 1
		}
		if v, ok := memo[n]; ok {
			return v
		}
		memo[n] = MaxNodes + 1 // a cycle counts as too big
		total := 1
		switch v := n.(type) {
		case *ast.AliasNode:
			target, ok := d.anchors[v.Value.GetToken().Value]
			if !ok {
				d.errorf(v, "", "alias *%s refers to no anchor", v.Value.GetToken().Value)
				return 1
			}
			total += size(target, depth+1)
		case *ast.AnchorNode:
			total += size(v.Value, depth+1)
		case *ast.TagNode:
			total += size(v.Value, depth+1)
		case *ast.MappingNode:
			for _, mv := range v.Values {
				total += size(mv.Key, depth+1) + size(mv.Value, depth+1)
				if total > MaxNodes {
					break
				}
			}
		case *ast.MappingValueNode:
			total += size(v.Key, depth+1) + size(v.Value, depth+1)
		case *ast.SequenceNode:
			for _, it := range v.Values {
				total += size(it, depth+1)
				if total > MaxNodes {
					break
				}
			}
		}
		if total > MaxNodes {
			total = MaxNodes + 1
		}
		memo[n] = total
		return total
	}
	if size(root, 0) > MaxNodes {
		at := root
		if m, ok := root.(*ast.MappingNode); ok && len(m.Values) > 0 {
			at = m.Values[0].Key
		}
		d.errorf(at, "", "document is too large or too deeply nested with aliases expanded (limit %d nodes)", MaxNodes)
		return false
	}
	return len(d.errs) == 0
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	v(n)
	return v
}

var topFields = []string{"name", "description", "workload", "models", "workers", "repeat", "warmup",
	"timeout", "profiles", "sample_interval", "gil", "gil_interval"}

func (d *decoder) scenario(root ast.Node) *Scenario {
	pairs, ok := d.mapping(root, "")
	if !ok {
		return nil
	}
	s := &Scenario{
		File:           d.file,
		Repeat:         1,
		Timeout:        DefaultTimeout,
		SampleInterval: DefaultSampleInterval,
		GILInterval:    DefaultGILInterval,
		WorkersSpec:    "auto",
	}
	// Problems with the file as a whole point at its first key.
	top := root
	if len(pairs) > 0 {
		top = pairs[0].keyNd
	}
	fields := map[string]pair{}
	for _, p := range pairs {
		if !slices.Contains(topFields, p.key) {
			d.unknown(p, "", topFields)
			continue
		}
		fields[p.key] = p
	}
	if p, ok := fields["name"]; ok {
		if v, ok := d.str(p.value, "name"); ok {
			switch {
			case len(v) > MaxNameLen:
				d.errorf(p.value, "name", "must be at most %d characters", MaxNameLen)
			case !nameRE.MatchString(v):
				d.errorf(p.value, "name", "%q must match [a-z0-9][a-z0-9._-]*: it names the output folder", v)
			default:
				s.Name = v
				tk := p.value.GetToken()
				s.nameLine, s.nameCol = tk.Position.Line, tk.Position.Column
			}
		}
	} else {
		d.errorf(top, "name", "is required")
	}
	if p, ok := fields["description"]; ok {
		s.Description, _ = d.str(p.value, "description")
	}
	wp, hasWorkload := fields["workload"]
	if !hasWorkload {
		d.errorf(top, "workload", "is required")
		return s
	}
	s.Workload = d.workload(wp.value)
	isCommand := s.Workload.IsCommand()

	// Models.
	switch p, ok := fields["models"]; {
	case ok && isCommand:
		if s.Workload.Command == nil {
			break
		}
		ms, good := d.words(p.value, "models", nil)
		for i, m := range ms {
			if _, has := s.Workload.Command.Argv[m]; !has {
				items, _ := d.list(p.value, "models")
				d.errorf(items[i], fmt.Sprintf("models[%d]", i), "no command for model %q under workload.commands", m)
				good = false
			}
		}
		if good && len(ms) == 0 {
			d.errorf(p.value, "models", "must name at least one model")
		}
		s.Models = ms
	case ok:
		ms, good := d.words(p.value, "models", []string{Serial, Thread, Process})
		if good && len(ms) == 0 {
			d.errorf(p.value, "models", "must name at least one model")
		}
		s.Models = ms
	case isCommand:
		if c := s.Workload.Command; c != nil {
			s.Models = c.order
		}
	default:
		s.Models = []string{Thread, Process}
	}

	if p, ok := fields["workers"]; ok {
		s.Workers, s.WorkersSpec = d.workers(p.value)
	} else {
		s.Workers = []int{autoWorkers()}
	}
	if p, ok := fields["repeat"]; ok {
		v, _ := d.integer(p.value, "repeat", 1, MaxRepeat)
		s.Repeat = int(v)
	}
	if p, ok := fields["warmup"]; ok {
		v, _ := d.integer(p.value, "warmup", 0, MaxWarmup)
		s.Warmup = int(v)
	}
	if p, ok := fields["timeout"]; ok {
		s.Timeout, _ = d.duration(p.value, "timeout", MinTimeout, MaxTimeout)
	}
	if p, ok := fields["sample_interval"]; ok {
		s.SampleInterval, _ = d.duration(p.value, "sample_interval", MinSampleInterval, MaxSampleInterval)
	}

	// Profiles: what a Go worker records from inside. A command is a
	// program we did not write, so there is no inside to record.
	switch p, ok := fields["profiles"]; {
	case ok:
		ps, _ := d.words(p.value, "profiles", ProfileKinds)
		if isCommand && len(ps) > 0 {
			items, _ := d.list(p.value, "profiles")
			d.errorf(items[0], "profiles[0]", "%q needs a Go worker: command scenarios are observed from outside only (/proc), so profiles must be empty", ps[0])
		}
		s.Profiles = ps
	case isCommand:
		s.Profiles = []string{}
	default:
		s.Profiles = []string{"cpu", "trace"}
	}

	if p, ok := fields["gil"]; ok {
		s.GIL, _ = d.boolean(p.value, "gil")
		if isCommand && s.GIL {
			d.errorf(p.value, "gil", "applies to built-in workloads only; a command's interpreter has its own lock")
		}
	}
	if p, ok := fields["gil_interval"]; ok {
		s.GILInterval, _ = d.duration(p.value, "gil_interval", MinGILInterval, MaxGILInterval)
	}
	if !s.GIL {
		s.GILInterval = 0
	}

	if len(d.errs) == 0 {
		if n := s.Trials(); n > MaxTrials {
			d.errorf(top, "", "asks for %d trials (models × worker counts × (repeat + warmup)); the limit is %d", n, MaxTrials)
		} else if s.Timeout*time.Duration(n) > MaxBatch {
			d.errorf(fields["timeout"].value, "timeout", "%d trials × %v could run longer than %v", n, s.Timeout, MaxBatch)
		}
	}
	return s
}

// unknown reports an unknown key, suggesting the closest known one.
func (d *decoder) unknown(p pair, field string, known []string) {
	msg := fmt.Sprintf("unknown field %q", p.key)
	if s := closest(p.key, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "; known fields: " + strings.Join(known, ", ")
	}
	d.errorf(p.keyNd, join(field, p.key), "%s", msg)
}

// workers reads N, "auto" or a list of counts.
func (d *decoder) workers(n ast.Node) ([]int, string) {
	const field = "workers"
	switch v := d.resolve(n).(type) {
	case *ast.StringNode:
		if v.Value != "auto" {
			d.errorf(n, field, "must be a number, \"auto\" or a list of numbers, got %q", v.Value)
			return nil, ""
		}
		return []int{autoWorkers()}, "auto"
	case *ast.SequenceNode:
		if len(v.Values) == 0 || len(v.Values) > MaxSweep {
			d.errorf(n, field, "a sweep lists 1 to %d worker counts, got %d", MaxSweep, len(v.Values))
			return nil, ""
		}
		var ws []int
		var text []string
		for i, it := range v.Values {
			f := fmt.Sprintf("%s[%d]", field, i)
			w, ok := d.integer(it, f, 1, MaxWorkers)
			if !ok {
				continue
			}
			if slices.Contains(ws, int(w)) {
				d.errorf(it, f, "%d is listed twice", w)
				continue
			}
			ws = append(ws, int(w))
			text = append(text, intText(w))
		}
		sort.Ints(ws)
		return ws, "[" + strings.Join(text, ", ") + "]"
	default:
		w, ok := d.integer(n, field, 1, MaxWorkers)
		if !ok {
			return nil, ""
		}
		return []int{int(w)}, intText(w)
	}
}

// workload reads the workload mapping: kind, then that kind's parameters.
func (d *decoder) workload(n ast.Node) Workload {
	const field = "workload"
	pairs, ok := d.mapping(n, field)
	if !ok {
		return Workload{}
	}
	var kindPair *pair
	for i := range pairs {
		if pairs[i].key == "kind" {
			kindPair = &pairs[i]
		}
	}
	var kinds []string
	for _, k := range workload.Kinds() {
		kinds = append(kinds, k.Name)
	}
	kinds = append(kinds, "command")
	if kindPair == nil {
		d.errorf(n, "workload.kind", "is required; one of %s", strings.Join(kinds, ", "))
		return Workload{}
	}
	kind, ok := d.str(kindPair.value, "workload.kind")
	if !ok {
		return Workload{}
	}
	if kind == "command" {
		return Workload{Kind: kind, Command: d.command(pairs)}
	}
	k, ok := workload.Lookup(kind)
	if !ok {
		d.errorf(kindPair.value, "workload.kind", "unknown kind %q; one of %s", kind, strings.Join(kinds, ", "))
		return Workload{Kind: kind}
	}
	params := k.Defaults()
	known := []string{"kind"}
	for _, pa := range k.Params {
		known = append(known, pa.Name)
	}
	for _, p := range pairs {
		if p.key == "kind" {
			continue
		}
		i := slices.IndexFunc(k.Params, func(pa workload.Param) bool { return pa.Name == p.key })
		if i < 0 {
			d.unknown(p, field, known)
			continue
		}
		d.param(k.Params[i], &params, p.value, join(field, p.key))
	}
	return Workload{Kind: kind, Params: &params}
}

func (d *decoder) param(pa workload.Param, params *workload.Params, n ast.Node, field string) {
	switch ptr := pa.Ptr(params).(type) {
	case *int64:
		if v, ok := d.integer(n, field, pa.Min, pa.Max); ok {
			*ptr = v
		}
	case *time.Duration:
		if v, ok := d.duration(n, field, time.Duration(pa.Min), time.Duration(pa.Max)); ok {
			*ptr = v
		}
	case *string:
		v, ok := d.str(n, field)
		if !ok {
			return
		}
		if !slices.Contains(pa.Enum, v) {
			d.errorf(n, field, "%s", unknownValue(v, pa.Enum))
			return
		}
		*ptr = v
	}
}

func (d *decoder) command(pairs []pair) *Command {
	const field = "workload"
	known := []string{"kind", "commands", "shell", "env", "dir"}
	c := &Command{Argv: map[string][]string{}}
	var cmds *pair
	for i, p := range pairs {
		switch p.key {
		case "kind":
		case "commands":
			cmds = &pairs[i]
		case "shell":
			c.Shell, _ = d.boolean(p.value, "workload.shell")
		case "env":
			c.Env = d.env(p.value)
		case "dir":
			c.Dir, _ = d.str(p.value, "workload.dir")
			if c.Dir != "" {
				if st, err := os.Stat(c.Dir); err != nil || !st.IsDir() {
					d.errorf(p.value, "workload.dir", "%q is not a directory", c.Dir)
				}
			}
		default:
			d.unknown(p, field, known)
		}
	}
	if cmds == nil {
		d.errorf(pairs[0].keyNd, "workload.commands", "is required for kind command: a mapping of model name to program, e.g. thread: [python3, threads.py, \"{workers}\"]")
		return nil
	}
	models, ok := d.mapping(cmds.value, "workload.commands")
	if !ok {
		return nil
	}
	if len(models) == 0 || len(models) > MaxModels {
		d.errorf(cmds.value, "workload.commands", "must map 1 to %d models to programs", MaxModels)
		return nil
	}
	for _, m := range models {
		f := "workload.commands." + m.key
		if !modelRE.MatchString(m.key) || len(m.key) > 32 {
			d.errorf(m.keyNd, f, "model name %q must match [a-z][a-z0-9_-]* (at most 32 characters)", m.key)
			continue
		}
		var argv []string
		if c.Shell {
			script, ok := d.str(m.value, f)
			if !ok {
				continue
			}
			if strings.TrimSpace(script) == "" {
				d.errorf(m.value, f, "script is empty")
				continue
			}
			argv = []string{"sh", "-c", script}
		} else {
			items, ok := d.list(m.value, f)
			if !ok {
				if _, isStr := d.resolve(m.value).(*ast.StringNode); isStr {
					d.errs[len(d.errs)-1].Msg += "; give the program and its arguments as a list, or set shell: true to run one string with sh -c"
				}
				continue
			}
			if len(items) == 0 || len(items) > MaxArgs {
				d.errorf(m.value, f, "must list the program and 0 to %d arguments", MaxArgs-1)
				continue
			}
			good := true
			for i, it := range items {
				s, ok := scalarText(d.resolve(it))
				if !ok {
					d.errorf(it, fmt.Sprintf("%s[%d]", f, i), "must be a string, not %s", describe(d.resolve(it)))
					good = false
				}
				argv = append(argv, s)
			}
			if !good {
				continue
			}
		}
		prog := argv[0]
		node := m.value
		if items, ok := d.resolve(m.value).(*ast.SequenceNode); ok && !c.Shell {
			node = items.Values[0]
			f += "[0]"
		}
		path, err := lookProgram(prog, c.Dir)
		if err != nil {
			d.errorf(node, f, "%v", err)
			continue
		}
		c.Argv[m.key] = argv
		c.order = append(c.order, m.key)
		if c.Resolved == nil {
			c.Resolved = map[string]string{}
		}
		c.Resolved[m.key] = resolveInterpreter(path)
	}
	return c
}

// scalarText accepts numbers and booleans as arguments too: [sleep, 1] is
// what people write.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return v.GetToken().Value, true
	}
	return "", false
}

func (d *decoder) env(n ast.Node) map[string]string {
	pairs, ok := d.mapping(n, "workload.env")
	if !ok {
		return nil
	}
	env := map[string]string{}
	for _, p := range pairs {
		f := "workload.env." + p.key
		if p.key == "" || strings.ContainsAny(p.key, "=\x00") {
			d.errorf(p.keyNd, f, "%q is not a valid environment variable name", p.key)
			continue
		}
		v, ok := scalarText(d.resolve(p.value))
		if !ok {
			d.errorf(p.value, f, "must be a string, not %s", describe(d.resolve(p.value)))
			continue
		}
		env[p.key] = v
	}
	return env
}

// lookProgram finds the executable a command will run, as exec would: a
// name with a slash is a path (relative to dir), anything else is searched
// in PATH.
func lookProgram(prog, dir string) (string, error) {
	if prog == "" {
		return "", fmt.Errorf("program name is empty")
	}
	if strings.Contains(prog, "/") {
		p := prog
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		st, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("program %q not found", prog)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("program %q is not an executable file", prog)
		}
		return filepath.Abs(p)
	}
	p, err := exec.LookPath(prog)
	if err != nil {
		return "", fmt.Errorf("program %q not found in PATH", prog)
	}
	return p, nil
}

// closest returns the known word within edit distance 2 of s, if any.
func closest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if dd := editDistance(s, k); dd < bestD {
			best, bestD = k, dd
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// autoWorkers is "workers: auto", also the default: one worker per CPU, up
// to MaxWorkers.
func autoWorkers() int { return min(runtime.NumCPU(), MaxWorkers) }
