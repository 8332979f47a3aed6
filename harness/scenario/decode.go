package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// decoder reads typed values out of a YAML syntax tree and records every
// problem with its position. It is written by hand rather than decoding into
// a struct because the library's decoder loses positions for several errors
// (bad durations, custom types) and silently turns numbers into strings.
type decoder struct {
	file    string
	anchors map[string]ast.Node
	errs    Errors
}

func (d *decoder) errorf(n ast.Node, field, format string, args ...any) {
	var tk *token.Token
	if n != nil {
		tk = n.GetToken()
	}
	d.errs = append(d.errs, newError(d.file, tk, field, fmt.Sprintf(format, args...)))
}

// resolve looks through anchors, aliases and tags to the value node.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for i := 0; i < 64 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.anchors[v.Value.GetToken().Value]
			if !ok {
				return v // reported by the alias check
			}
			n = target
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
	return n
}

// pair is one key of a mapping with its value.
type pair struct {
	key   string
	keyNd ast.Node
	value ast.Node
}

// mapping returns the key/value pairs of a mapping node, or reports that the
// field is not a mapping.
func (d *decoder) mapping(n ast.Node, field string) ([]pair, bool) {
	n = d.resolve(n)
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if mv, isOne := n.(*ast.MappingValueNode); isOne {
			m = &ast.MappingNode{Values: []*ast.MappingValueNode{mv}}
		} else {
			d.errorf(n, field, "must be a mapping, not %s", describe(n))
			return nil, false
		}
	}
	var ps []pair
	for _, mv := range m.Values {
		k := d.resolve(mv.Key)
		key := ""
		if k != nil && k.GetToken() != nil {
			key = k.GetToken().Value
		}
		if _, isMerge := k.(*ast.MergeKeyNode); isMerge {
			d.errorf(k, field, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		ps = append(ps, pair{key: key, keyNd: k, value: mv.Value})
	}
	return ps, true
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func describe(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	return n.Type().String()
}

func (d *decoder) str(n ast.Node, field string) (string, bool) {
	switch v := d.resolve(n).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	default:
		d.errorf(n, field, "must be a string, not %s", describe(v))
		return "", false
	}
}

func (d *decoder) boolean(n ast.Node, field string) (bool, bool) {
	if v, ok := d.resolve(n).(*ast.BoolNode); ok {
		return v.Value, true
	}
	d.errorf(n, field, "must be true or false, not %s", describe(d.resolve(n)))
	return false, false
}

// integer reads a whole number in [lo, hi]. Integral floats such as 4e8 are
// accepted: large iteration counts read better that way.
func (d *decoder) integer(n ast.Node, field string, lo, hi int64) (int64, bool) {
	var v int64
	switch x := d.resolve(n).(type) {
	case *ast.IntegerNode:
		switch i := x.Value.(type) {
		case int64:
			v = i
		case uint64:
			if i > math.MaxInt64 {
				d.errorf(n, field, "must be at most %d, got %d", hi, i)
				return 0, false
			}
			v = int64(i)
		}
	case *ast.FloatNode:
		if x.Value != math.Trunc(x.Value) || math.Abs(x.Value) > 1e18 {
			d.errorf(n, field, "must be a whole number, got %v", x.Value)
			return 0, false
		}
		v = int64(x.Value)
	case *ast.StringNode:
		// The YAML library reads 4e8 (no dot) as a plain string; YAML 1.2
		// and people mean a number. Quoted strings stay strings.
		f, err := strconv.ParseFloat(x.Value, 64)
		if x.GetToken().Type != token.StringType || err != nil {
			d.errorf(n, field, "must be an integer, not a string")
			return 0, false
		}
		if f != math.Trunc(f) || math.Abs(f) > 1e18 {
			d.errorf(n, field, "must be a whole number, got %v", x.Value)
			return 0, false
		}
		v = int64(f)
	default:
		d.errorf(n, field, "must be an integer, not %s", describe(x))
		return 0, false
	}
	if v < lo || v > hi {
		d.errorf(n, field, "must be between %d and %d, got %d", lo, hi, v)
		return 0, false
	}
	return v, true
}

// duration reads a Go duration string such as "10ms" in [lo, hi].
func (d *decoder) duration(n ast.Node, field string, lo, hi time.Duration) (time.Duration, bool) {
	s, isStr := d.resolve(n).(*ast.StringNode)
	if !isStr {
		d.errorf(n, field, "must be a duration such as \"10ms\" or \"2m\", not %s", describe(d.resolve(n)))
		return 0, false
	}
	v, err := time.ParseDuration(s.Value)
	if err != nil {
		d.errorf(n, field, "must be a duration such as \"10ms\" or \"2m\", got %q", s.Value)
		return 0, false
	}
	if v < lo || v > hi {
		d.errorf(n, field, "must be between %v and %v, got %v", lo, hi, v)
		return 0, false
	}
	return v, true
}

// list returns the items of a sequence node.
func (d *decoder) list(n ast.Node, field string) ([]ast.Node, bool) {
	s, ok := d.resolve(n).(*ast.SequenceNode)
	if !ok {
		d.errorf(n, field, "must be a list, not %s", describe(d.resolve(n)))
		return nil, false
	}
	return s.Values, true
}

// words reads a list of distinct strings, each one of allowed when allowed
// is not nil.
func (d *decoder) words(n ast.Node, field string, allowed []string) ([]string, bool) {
	items, ok := d.list(n, field)
	if !ok {
		return nil, false
	}
	var out []string
	seen := map[string]bool{}
	good := true
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := d.str(it, f)
		if !ok {
			good = false
			continue
		}
		if allowed != nil && !slices.Contains(allowed, s) {
			d.errorf(it, f, "%s", unknownValue(s, allowed))
			good = false
			continue
		}
		if seen[s] {
			d.errorf(it, f, "%q is listed twice", s)
			good = false
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, good
}

// intText formats v the way a user would write it in the file.
func intText(v int64) string { return strconv.FormatInt(v, 10) }

// unknownValue is the message for a value not in allowed, suggesting the
// closest one when there is one.
func unknownValue(v string, allowed []string) string {
	if c := closest(v, allowed); c != "" {
		return fmt.Sprintf("unknown value %q; did you mean %q? (one of %s)", v, c, strings.Join(allowed, ", "))
	}
	return fmt.Sprintf("unknown value %q; one of %s", v, strings.Join(allowed, ", "))
}
