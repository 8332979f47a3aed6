package reports

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"harness/internal/browser"
)

// TestBrowser loads each fixture's index.html, charts inlined, in headless
// Chromium: the page must log no errors and every chart (figure svg) must
// be visible — laid out with a size, not hidden, and painting something.
func TestBrowser(t *testing.T) {
	if browser.Find() == "" {
		t.Skip("no Chromium: set CHROMIUM or put chromium on PATH (CI installs it, so this test runs there)")
	}
	for _, name := range []string{"cpu", "cmd"} {
		t.Run(name, func(t *testing.T) {
			dir := fixture(t, name)
			r, err := Render(dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := browser.Check(ctx, filepath.Join(dir, "index.html"), "figure svg")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.ConsoleErrors {
				t.Errorf("console: %s", e)
			}
			if len(res.Elements) != len(r.Charts) || len(r.Charts) == 0 {
				t.Errorf("%d charts on the page, %d rendered", len(res.Elements), len(r.Charts))
			}
			for _, e := range res.Elements {
				if !e.Visible || e.Width < 600 {
					t.Errorf("chart %s", e)
				}
			}
		})
	}
}
