package runner

import (
	"fmt"
	"sort"
	"strings"

	"harness/harness/rundir"
)

// verifyChecksums checks that every worker computed the same checksum in
// every trial: the models must do the same work, or comparing them means
// nothing. The reference for each worker is the checksum most trials agree
// on (ties go to the earliest trial); a trial that disagrees fails.
func verifyChecksums(run *rundir.Run) {
	type vote struct {
		count int
		first int
	}
	votes := map[int]map[string]*vote{} // worker id → checksum → votes
	for i, t := range run.Trials {
		if t.Status != rundir.StatusOK {
			continue
		}
		for _, w := range t.Runs {
			if w.Checksum == "" {
				continue
			}
			if votes[w.ID] == nil {
				votes[w.ID] = map[string]*vote{}
			}
			v := votes[w.ID][w.Checksum]
			if v == nil {
				v = &vote{first: i}
				votes[w.ID][w.Checksum] = v
			}
			v.count++
		}
	}
	ref := map[int]string{}
	for id, bySum := range votes {
		var sums []string
		for s := range bySum {
			sums = append(sums, s)
		}
		sort.Slice(sums, func(a, b int) bool {
			va, vb := bySum[sums[a]], bySum[sums[b]]
			if va.count != vb.count {
				return va.count > vb.count
			}
			return va.first < vb.first
		})
		ref[id] = sums[0]
	}
	for i := range run.Trials {
		t := &run.Trials[i]
		if t.Status != rundir.StatusOK {
			continue
		}
		var bad []string
		for _, w := range t.Runs {
			if w.Checksum != "" && w.Checksum != ref[w.ID] {
				bad = append(bad, fmt.Sprintf("%s checksum %s, other trials %s", w.Name, w.Checksum, ref[w.ID]))
			}
		}
		if len(bad) > 0 {
			t.Status = rundir.StatusFailed
			t.Error = "checksum mismatch: " + strings.Join(bad, "; ")
		}
	}
}
