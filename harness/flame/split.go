package flame

import (
	"strings"

	"github.com/google/pprof/profile"
)

// splitByLabel returns a copy of p in which every sample carrying label key
// gets a root pseudo-frame named after its value(s), as pprof's -tagroot
// does (internal/driver/tagroot.go: function name = values joined by ",",
// file name = the key). It is done here because -tagroot is a driver-wide
// setting with no web UI URL parameter, so one driver cannot serve the
// plain and the split view at once.
func splitByLabel(p *profile.Profile, key string) *profile.Profile {
	q := p.Copy()
	var maxLoc, maxFn uint64
	for _, l := range q.Location {
		maxLoc = max(maxLoc, l.ID)
	}
	for _, f := range q.Function {
		maxFn = max(maxFn, f.ID)
	}
	locs := map[string]*profile.Location{}
	for _, s := range q.Sample {
		vals := s.Label[key]
		if len(vals) == 0 {
			continue
		}
		name := strings.Join(vals, ",")
		loc := locs[name]
		if loc == nil {
			maxFn++
			fn := &profile.Function{ID: maxFn, Name: name, SystemName: name, Filename: key}
			q.Function = append(q.Function, fn)
			maxLoc++
			loc = &profile.Location{ID: maxLoc, Line: []profile.Line{{Function: fn}}}
			q.Location = append(q.Location, loc)
			locs[name] = loc
		}
		// Location[0] is the leaf: the root is the last entry.
		s.Location = append(s.Location[:len(s.Location):len(s.Location)], loc)
	}
	return q
}

// labelValues returns the distinct values of string label key in p.
func labelValues(p *profile.Profile, key string) []string {
	seen := map[string]bool{}
	var vals []string
	for _, s := range p.Sample {
		for _, v := range s.Label[key] {
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
	}
	return vals
}
