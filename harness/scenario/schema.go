package scenario

import (
	"encoding/json"
	"time"

	"harness/harness/workload"
)

// Schema returns a JSON Schema (draft 2020-12) of the scenario format, for
// editors that complete and check YAML against a schema. It is generated
// from the same tables the loader validates with, so the two cannot drift;
// the loader is still the authority (it also checks that programs exist and
// that the batch's names are unique).
func Schema() ([]byte, error) {
	durationPattern := `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	duration := func(doc string, lo, hi, def time.Duration) map[string]any {
		return map[string]any{"type": "string", "pattern": durationPattern,
			"description": doc + " (" + lo.String() + " to " + hi.String() + ")", "default": def.String()}
	}
	var kinds []any
	for _, k := range workload.Kinds() {
		props := map[string]any{"kind": map[string]any{"const": k.Name, "description": k.Doc}}
		for _, pa := range k.Params {
			var s map[string]any
			switch pa.Type {
			case workload.Int:
				s = map[string]any{"type": "integer", "minimum": pa.Min, "maximum": pa.Max, "default": pa.Default}
			case workload.Duration:
				s = map[string]any{"type": "string", "pattern": durationPattern, "default": pa.DefaultText()}
			case workload.Enum:
				s = map[string]any{"enum": pa.Enum, "default": pa.Default}
			}
			s["description"] = pa.Doc
			props[pa.Name] = s
		}
		kinds = append(kinds, map[string]any{
			"type": "object", "required": []string{"kind"}, "additionalProperties": false, "properties": props,
		})
	}
	argv := map[string]any{"type": "array", "minItems": 1, "maxItems": MaxArgs,
		"items": map[string]any{"type": []string{"string", "number", "boolean"}}}
	kinds = append(kinds, map[string]any{
		"type": "object", "required": []string{"kind", "commands"}, "additionalProperties": false,
		"properties": map[string]any{
			"kind": map[string]any{"const": "command", "description": "Run any program, one per model; observed from outside (/proc) only."},
			"commands": map[string]any{
				"type": "object", "minProperties": 1, "maxProperties": MaxModels,
				"description":          `Model name → program and arguments ("{workers}" is replaced by the worker count); a single string with shell: true.`,
				"propertyNames":        map[string]any{"pattern": modelRE.String(), "maxLength": 32},
				"additionalProperties": map[string]any{"oneOf": []any{argv, map[string]any{"type": "string", "minLength": 1}}},
			},
			"shell": map[string]any{"type": "boolean", "default": false, "description": "run each command as one string with sh -c"},
			"env":   map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "number", "boolean"}}},
			"dir":   map[string]any{"type": "string", "description": "working directory of the programs"},
		},
	})
	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://harness.dev/schema/scenario-v1.json",
		"title":                "harness scenario (v1)",
		"type":                 "object",
		"required":             []string{"name", "workload"},
		"additionalProperties": false,
		"properties": map[string]any{
			"name":        map[string]any{"type": "string", "pattern": nameRE.String(), "maxLength": MaxNameLen, "description": "names the output folder"},
			"description": map[string]any{"type": "string"},
			"workload":    map[string]any{"oneOf": kinds},
			"models": map[string]any{"type": "array", "minItems": 1, "uniqueItems": true,
				"items":       map[string]any{"type": "string", "pattern": modelRE.String()},
				"description": "serial, thread, process for built-in workloads (default [thread, process]); for commands, names under workload.commands (default: all)"},
			"workers": map[string]any{
				"description": `worker count: N, "auto" (= CPUs) or a sweep list`,
				"default":     "auto",
				"oneOf": []any{
					map[string]any{"type": "integer", "minimum": 1, "maximum": MaxWorkers},
					map[string]any{"const": "auto"},
					map[string]any{"type": "array", "minItems": 1, "maxItems": MaxSweep, "uniqueItems": true,
						"items": map[string]any{"type": "integer", "minimum": 1, "maximum": MaxWorkers}},
				},
			},
			"repeat":          map[string]any{"type": "integer", "minimum": 1, "maximum": MaxRepeat, "default": 1, "description": "measured repetitions per (model, workers)"},
			"warmup":          map[string]any{"type": "integer", "minimum": 0, "maximum": MaxWarmup, "default": 0, "description": "unmeasured repetitions first"},
			"timeout":         duration("per trial", MinTimeout, MaxTimeout, DefaultTimeout),
			"profiles":        map[string]any{"type": "array", "uniqueItems": true, "items": map[string]any{"enum": ProfileKinds}, "description": "recorded inside Go workers; must be empty for commands (default [cpu, trace])"},
			"sample_interval": duration("period of the outside /proc sampler", MinSampleInterval, MaxSampleInterval, DefaultSampleInterval),
			"gil":             map[string]any{"type": "boolean", "default": false, "description": "emulate a global interpreter lock in each worker process"},
			"gil_interval":    duration("GIL switch interval", MinGILInterval, MaxGILInterval, DefaultGILInterval),
		},
	}
	return json.MarshalIndent(schema, "", "  ")
}
