package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Output formats.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the output formats Write accepts.
func Formats() []string { return []string{FormatText, FormatMarkdown, FormatJSON} }

// Write renders r in one of Formats().
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case FormatText:
		return r.writeText(w)
	case FormatMarkdown:
		return r.writeMarkdown(w)
	case FormatJSON:
		return r.writeJSON(w)
	}
	return fmt.Errorf("unknown format %q; formats: %s", format, strings.Join(Formats(), ", "))
}

// writeJSON writes r as indented JSON: the Result struct is the schema.
func (r *Result) writeJSON(w io.Writer) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode comparison: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// lowConfidenceNote explains the "±" of a sample with fewer than 6 values.
const lowConfidenceNote = "n < 6: no 95% interval of the median exists; ± is the min…max range"

// footnotes numbers the notes table cells refer to, in order of first
// use, like benchstat's: a reason repeated on every row is explained once.
type footnotes struct {
	texts []string
}

func (fn *footnotes) mark(text string) string {
	i := slices.Index(fn.texts, text)
	if i < 0 {
		fn.texts = append(fn.texts, text)
		i = len(fn.texts) - 1
	}
	return superscript(i + 1)
}

func superscript(n int) string {
	digits := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	var b strings.Builder
	for _, c := range strconv.Itoa(n) {
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// labels are the column headers of the two sides: the model names when
// models are compared, else A and B (the header lines say which directory
// each is).
func (r *Result) labels() (string, string) {
	if r.Mode == ModeModels {
		return r.A.Model, r.B.Model
	}
	return "A", "B"
}

// sampleCell renders a side: median ± the relative half-width of its
// interval (the larger side, as benchstat does), marked when the interval
// is only the range.
func sampleCell(f figure, s *Sample, fn *footnotes) string {
	if s == nil {
		return "-"
	}
	cell := f.format(s.Median) + " ± " + spreadPct(s)
	if s.LowConfidence {
		cell += " " + fn.mark(lowConfidenceNote)
	}
	return cell
}

func spreadPct(s *Sample) string {
	half := math.Max(s.Hi-s.Median, s.Median-s.Lo)
	switch {
	case half == 0:
		return "0%"
	case s.Median == 0:
		return "∞"
	}
	return fmt.Sprintf("%.0f%%", 100*half/math.Abs(s.Median))
}

// pCell is benchstat's "(p=0.002 n=6)", or n=6+5 when the sides differ,
// marked when the test could not have found a difference.
func pCell(f Figure, fn *footnotes) string {
	na, nb := 0, 0
	if f.A != nil {
		na = f.A.N
	}
	if f.B != nil {
		nb = f.B.N
	}
	n := fmt.Sprint(na)
	if na != nb {
		n = fmt.Sprintf("%d+%d", na, nb)
	}
	cell := fmt.Sprintf("p=%.3f n=%s", f.P, n)
	if f.Reason != "" {
		cell += " " + fn.mark(f.Reason)
	}
	return cell
}

// writeText writes the terminal table: per scenario, one block per figure,
// one line per model and worker count.
func (r *Result) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	if r.Mode == ModeModels {
		fmt.Fprintf(ew, "%s: A = %s, B = %s\n", r.A.Dir, r.A.Model, r.B.Model)
	} else {
		fmt.Fprintf(ew, "A = %s\nB = %s\n", r.A.Dir, r.B.Dir)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(ew, "note: %s\n", n)
	}
	for _, l := range r.onlyScenarioLines() {
		fmt.Fprintln(ew, l)
	}
	var fn footnotes
	for _, sr := range r.Scenarios {
		fmt.Fprintf(ew, "\n%s\n", r.scenarioTitle(sr, strings.Clone))
		for _, n := range sr.Notes {
			fmt.Fprintf(ew, "  note: %s\n", n)
		}
		for _, l := range r.onlyGroupLines(sr) {
			fmt.Fprintf(ew, "  %s\n", l)
		}
		if len(sr.Rows) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(ew, 0, 8, 2, ' ', 0)
		la, lb := r.labels()
		fmt.Fprintf(tw, "  \t%s\t%s\t%s\tΔ\tp\n", r.groupHeader("\t"), la, lb)
		var last string
		r.eachFigure(sr, func(f figure, row Row, fig Figure) {
			title := f.title
			if title == last {
				title = "" // the figure names its block once
			} else {
				last = title
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", title, r.groupCells(row, "\t", strings.Clone),
				sampleCell(f, fig.A, &fn), sampleCell(f, fig.B, &fn), fig.DeltaString(), pCell(fig, &fn))
		})
		tw.Flush()
	}
	fmt.Fprintf(ew, "\n%s\n", r.legend())
	for i, t := range fn.texts {
		fmt.Fprintf(ew, "%s %s\n", superscript(i+1), t)
	}
	r.writeViolations(ew, strings.Clone, "")
	return ew.err
}

// writeMarkdown writes the same as writeText as Markdown for a review: one
// table per scenario, one line per figure, model and worker count.
func (r *Result) writeMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, "## harness compare")
	fmt.Fprintln(ew)
	if r.Mode == ModeModels {
		fmt.Fprintf(ew, "Models of %s: A = %s, B = %s.\n", code(r.A.Dir), code(r.A.Model), code(r.B.Model))
	} else {
		fmt.Fprintf(ew, "A = %s, B = %s.\n", code(r.A.Dir), code(r.B.Dir))
	}
	writeList(ew, "\n", slices.Concat(r.Notes, r.onlyScenarioLines()), "")
	var fn footnotes
	for _, sr := range r.Scenarios {
		fmt.Fprintf(ew, "\n### %s\n\n", r.scenarioTitle(sr, code))
		writeList(ew, "", slices.Concat(sr.Notes, r.onlyGroupLines(sr)), "\n")
		if len(sr.Rows) == 0 {
			continue
		}
		la, lb := r.labels()
		fmt.Fprintf(ew, "| figure | %s | %s | %s | Δ | p |\n", r.groupHeader(" | "), cellEscape(la), cellEscape(lb))
		if r.Mode == ModeModels {
			fmt.Fprintln(ew, "|:--|--:|--:|--:|--:|:--|")
		} else {
			fmt.Fprintln(ew, "|:--|:--|--:|--:|--:|--:|:--|")
		}
		r.eachFigure(sr, func(f figure, row Row, fig Figure) {
			delta := fig.DeltaString()
			if fig.Significant {
				delta = "**" + delta + "**"
			}
			fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s |\n", f.title, r.groupCells(row, " | ", cellEscape),
				sampleCell(f, fig.A, &fn), sampleCell(f, fig.B, &fn), delta, pCell(fig, &fn))
		})
	}
	fmt.Fprintf(ew, "\n%s.\n", r.legend())
	var notes []string
	for i, t := range fn.texts {
		notes = append(notes, superscript(i+1)+" "+t)
	}
	writeList(ew, "\n", notes, "")
	r.writeViolations(ew, code, "- ")
	return ew.err
}

// writeList writes items as a Markdown list between before and after;
// nothing when there are none.
func writeList(w io.Writer, before string, items []string, after string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprint(w, before)
	for _, it := range items {
		fmt.Fprintf(w, "- %s\n", it)
	}
	fmt.Fprint(w, after)
}

// eachFigure calls fn for every figure of every row of sr, by figure then
// row: the order of both tables.
func (r *Result) eachFigure(sr ScenarioResult, fn func(f figure, row Row, fig Figure)) {
	for _, f := range figures {
		for _, row := range sr.Rows {
			if fig, ok := row.figure(f.name); ok {
				fn(f, row, fig)
			}
		}
	}
}

// legend explains the table's cells.
func (r *Result) legend() string {
	la, lb := r.labels()
	return fmt.Sprintf("%s, %s: median ± 95%% interval of the median; Δ: change of the medians, %s vs %s; ~: not significant (Mann-Whitney U, α = %v)",
		la, lb, lb, la, r.Alpha)
}

// writeViolations says what --fail-on found, when it was given.
func (r *Result) writeViolations(w io.Writer, quote func(string) string, bullet string) {
	if len(r.FailOn) == 0 {
		return
	}
	limits := quote("--fail-on " + strings.Join(r.FailOn, ","))
	if len(r.Violations) == 0 {
		fmt.Fprintf(w, "\n%s: no significant change beyond a limit.\n", limits)
		return
	}
	fmt.Fprintf(w, "\n%s: %d significant change(s) beyond a limit:\n", limits, len(r.Violations))
	if bullet == "" {
		bullet = "  FAIL "
	} else {
		fmt.Fprintln(w)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(w, "%s%s\n", bullet, v)
	}
}

// onlyScenarioLines names the scenarios that were not compared because
// only one side has them.
func (r *Result) onlyScenarioLines() []string {
	var lines []string
	line := func(names []string, has, lacks string) {
		if len(names) == 0 {
			return
		}
		what := "scenarios only in " + has
		if r.Mode == ModeModels {
			what = "scenarios that ran " + has + " but not " + lacks
		}
		lines = append(lines, fmt.Sprintf("%s (not compared): %s", what, strings.Join(names, ", ")))
	}
	la, lb := r.labels()
	line(r.OnlyInA, la, lb)
	line(r.OnlyInB, lb, la)
	return lines
}

// onlyGroupLines names the groups of sr that were not compared because
// only one side has them.
func (r *Result) onlyGroupLines(sr ScenarioResult) []string {
	la, lb := r.labels()
	var lines []string
	if len(sr.OnlyInA) > 0 {
		lines = append(lines, fmt.Sprintf("only in %s (not compared): %s", la, r.groupsText(sr.OnlyInA)))
	}
	if len(sr.OnlyInB) > 0 {
		lines = append(lines, fmt.Sprintf("only in %s (not compared): %s", lb, r.groupsText(sr.OnlyInB)))
	}
	return lines
}

func (r *Result) scenarioTitle(sr ScenarioResult, quote func(string) string) string {
	switch {
	case r.Mode == ModeModels:
		return fmt.Sprintf("%s — %s", sr.Name, quote(sr.DirA))
	case sr.NameB != "":
		return fmt.Sprintf("%s vs %s — %s → %s", sr.Name, sr.NameB, quote(sr.DirA), quote(sr.DirB))
	}
	return fmt.Sprintf("%s — %s → %s", sr.Name, quote(sr.DirA), quote(sr.DirB))
}

// groupsText lists groups that are not compared; in models mode the
// header already names the model.
func (r *Result) groupsText(gs []Group) string {
	if r.Mode != ModeModels {
		return groupsText(gs)
	}
	var ws []string
	for _, g := range gs {
		ws = append(ws, fmt.Sprintf("w%d", g.Workers))
	}
	return strings.Join(ws, ", ")
}

func (r *Result) groupHeader(sep string) string {
	if r.Mode == ModeModels {
		return "workers"
	}
	return "model" + sep + "workers"
}

func (r *Result) groupCells(row Row, sep string, esc func(string) string) string {
	if r.Mode == ModeModels {
		return fmt.Sprint(row.Workers)
	}
	return fmt.Sprintf("%s%s%d", esc(row.Model), sep, row.Workers)
}

func (row Row) figure(name string) (Figure, bool) {
	for _, f := range row.Figures {
		if f.Name == name {
			return f, true
		}
	}
	return Figure{}, false
}

func code(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }

func cellEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// errWriter keeps the first write error so that rendering code can print
// freely and report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
