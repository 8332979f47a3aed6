package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must return a scenario
// or errors, never panic, and every error must name the file. The seed
// corpus is every valid and invalid file under testdata; crashers found by
// `go test -fuzz=FuzzLoad` are added under testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		switch {
		case err == nil && s == nil:
			t.Fatal("no scenario and no error")
		case err != nil && s != nil:
			t.Fatal("both a scenario and an error")
		case err != nil:
			es, ok := err.(Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %T %v", err, err)
			}
			for _, e := range es {
				if e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("error without file or message: %+v", e)
				}
			}
		default:
			if s.Name == "" || len(s.Models) == 0 || len(s.Workers) == 0 || s.Trials() > MaxTrials {
				t.Fatalf("invalid scenario accepted: %+v", s)
			}
		}
	})
}
