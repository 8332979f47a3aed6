package flame

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"harness/harness/scenario"
)

// Where each view is mounted. pprof's pages link to each other relatively
// ("./top", "?si=…"), so any prefix works; /ui/ is the one pprof's own
// server uses.
const (
	plainPrefix  = "/ui"
	workerPrefix = "/by-worker/ui"
)

// Link is an entry point into the web UI for the user to print.
type Link struct {
	Name string // "flame graph", "flame graph by worker", "model thread", …
	URL  string
}

// tagFocusParam is the web UI's URL name for -tagfocus (pprof
// internal/driver/config.go, the urlparam map: "tagfocus": "tf").
const tagFocusParam = "tf"

// modelOrder puts the harness's own models in the order its tables use;
// command model names follow alphabetically.
var modelOrder = []string{scenario.Serial, scenario.Thread, scenario.Process}

func sortModels(models []string) { sortInOrder(models, modelOrder) }

// sortInOrder sorts xs in the order of order; what order lacks follows,
// alphabetically.
func sortInOrder(xs, order []string) {
	rank := func(x string) int {
		if i := slices.Index(order, x); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(xs, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
}

// tagFocus is a -tagfocus value selecting samples whose label key is
// exactly value. Anchoring matters twice: "thread" must not match a
// "thread2" model, and pprof reads a value that is only a number ("1",
// "2:4") as a numeric range, which never matches a string label. Commas
// separate alternatives in a tagfocus value, so a literal one is written
// as \x2c.
func tagFocus(key, value string) string {
	rx := strings.ReplaceAll(regexp.QuoteMeta(value), ",", `\x2c`)
	return key + "=^" + rx + "$"
}

// viewURL is base + prefix + "/flamegraph", with the query escaped.
func viewURL(base, prefix string, q url.Values) string {
	u := base + prefix + "/flamegraph"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// modelLinks returns one flame graph link per model, focused on it.
func modelLinks(base, modelKey string, models []string) []Link {
	var links []Link
	for _, m := range models {
		q := url.Values{tagFocusParam: {tagFocus(modelKey, m)}}
		links = append(links, Link{Name: "model " + m, URL: viewURL(base, plainPrefix, q)})
	}
	return links
}
