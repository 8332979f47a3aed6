package flame

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestModelLinks(t *testing.T) {
	models := []string{"zsh", "process", "py,3.1", "thread", "serial", "2"}
	sortModels(models)
	if want := []string{"serial", "thread", "process", "2", "py,3.1", "zsh"}; !slices.Equal(models, want) {
		t.Fatalf("sorted %q, want %q", models, want)
	}
	for _, l := range modelLinks("http://127.0.0.1:1234", "model", models) {
		u, err := url.Parse(l.URL)
		if err != nil {
			t.Fatalf("%s: %v", l.URL, err)
		}
		if u.Path != "/ui/flamegraph" {
			t.Errorf("%s: path %s", l.URL, u.Path)
		}
		tf := u.Query().Get("tf")
		key, rx, ok := strings.Cut(tf, "=")
		if !ok || key != "model" {
			t.Fatalf("%s: tf=%q", l.URL, tf)
		}
		m := l.Name[len("model "):]
		// The value must be one regexp (pprof splits on commas) that
		// matches the model exactly and nothing longer.
		re, err := regexp.Compile(rx)
		if err != nil || !re.MatchString(m) || re.MatchString(m+"x") || re.MatchString("x"+m) {
			t.Errorf("tf value %q does not select exactly %q (%v)", rx, m, err)
		}
		if slices.Contains([]byte(rx), ',') {
			t.Errorf("tf value %q has a comma, which pprof reads as two regexps", rx)
		}
	}
}
