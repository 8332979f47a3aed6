// Package workload holds the built-in workloads a Go worker runs: what each
// one computes, its parameters, and the checksum that proves every model did
// the same work.
//
// The orchestrator never calls Work: workloads run only inside worker child
// processes (package worker). The orchestrator uses this package for the
// parameter table (validation, `harness list`, the JSON Schema) and for
// arithmetic that needs no workload code, such as a lock workload's expected
// counter total.
package workload

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Params holds the parameters of every built-in kind; a kind reads only the
// fields its Kind.Params declare. One flat struct keeps run.json and the
// child's spec simple.
type Params struct {
	Iterations   int64         `json:"iterations,omitempty"`
	Ops          int64         `json:"ops,omitempty"`
	Duration     time.Duration `json:"duration_ns,omitempty"`
	Wait         string        `json:"wait,omitempty"`
	SharedMB     int64         `json:"shared_mb,omitempty"`
	Passes       int64         `json:"passes,omitempty"`
	CriticalWork int64         `json:"critical_work,omitempty"`
	OutsideWork  int64         `json:"outside_work,omitempty"`
	Fault        string        `json:"fault,omitempty"`
	Target       int64         `json:"target,omitempty"`
	SpewMB       int64         `json:"spew_mb,omitempty"`
}

// ParamType says how a parameter is written in a scenario file.
type ParamType int

const (
	Int      ParamType = iota // a whole number
	Duration                  // a Go duration string such as "10ms"
	Enum                      // one of a fixed set of strings
)

// Param describes one parameter of a kind: its name in the scenario file,
// its range and default, and where it lives in Params.
type Param struct {
	Name     string
	Type     ParamType
	Doc      string
	Min, Max int64 // Int: the value; Duration: nanoseconds
	Enum     []string
	Default  any // int64, time.Duration or string
	field    func(*Params) any
}

// Ptr returns a pointer into p for this parameter: *int64, *time.Duration
// or *string.
func (pa Param) Ptr(p *Params) any { return pa.field(p) }

// DefaultText is the default as a scenario file would write it.
func (pa Param) DefaultText() string {
	switch v := pa.Default.(type) {
	case time.Duration:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// Kind is one built-in workload.
type Kind struct {
	Name   string
	Doc    string
	Params []Param
	// New builds the per-process state (the shared table, the shared
	// counter) that every worker running in the process uses.
	New func(p Params, env Env) (Instance, error)
	// Counter, for a kind whose processes report a counter, is what the
	// counters of a trial of n workers must sum to: the orchestrator checks
	// it without running workload code. Nil for the other kinds.
	Counter func(p Params, workers int) int64
}

// Env is what a workload gets from the worker process besides its
// parameters.
type Env struct {
	// GIL, when not nil, must be held while a worker computes; see GIL.
	GIL *GIL
}

// Instance is one process's share of a workload.
type Instance interface {
	// Work runs one worker's work and returns its checksum, which must not
	// depend on the model or on how workers interleave.
	Work(ctx context.Context, worker int) (uint64, error)
}

// Counter is implemented by instances that keep a per-process shared total
// (the lock workload's counter), which the worker reports to the
// orchestrator.
type Counter interface {
	Counter() int64
}

var kinds = map[string]*Kind{}

func register(k *Kind) { kinds[k.Name] = k }

// Lookup returns the built-in kind with that name.
func Lookup(name string) (*Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// Kinds returns every built-in kind, sorted by name.
func Kinds() []*Kind {
	var ks []*Kind
	for _, k := range kinds {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].Name < ks[j].Name })
	return ks
}

// Defaults returns Params with every parameter of the kind at its default.
func (k *Kind) Defaults() Params {
	var p Params
	for _, pa := range k.Params {
		switch ptr := pa.Ptr(&p).(type) {
		case *int64:
			*ptr = pa.Default.(int64)
		case *time.Duration:
			*ptr = pa.Default.(time.Duration)
		case *string:
			*ptr = pa.Default.(string)
		}
	}
	return p
}
