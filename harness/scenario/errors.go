package scenario

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/printer"
	"github.com/goccy/go-yaml/token"
)

// Error is one problem in a scenario file, at a place in it.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem is with the file as a whole
	Column int
	Field  string // dotted path such as "workload.iterations"; empty for syntax errors
	Msg    string
	// Excerpt is the source around the place, with a caret under it.
	Excerpt string
}

// Error is the one-line form: "file:line:col: field: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Detail is the one-line form followed by the source excerpt.
func (e *Error) Detail() string {
	if e.Excerpt == "" {
		return e.Error()
	}
	return e.Error() + "\n" + e.Excerpt
}

// Errors is every problem found in a batch of files, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Detail is every error with its excerpt, separated by blank lines.
func (es Errors) Detail() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Detail()
	}
	return strings.Join(parts, "\n\n")
}

func newError(file string, tk *token.Token, field, msg string) *Error {
	e := &Error{File: file, Field: field, Msg: msg}
	if tk != nil {
		e.Line, e.Column = tk.Position.Line, tk.Position.Column
		var p printer.Printer
		e.Excerpt = strings.TrimRight(p.PrintErrorToken(tk, false), "\n ")
	}
	return e
}
