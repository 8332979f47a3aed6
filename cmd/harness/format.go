package main

import (
	"fmt"
	"time"
)

func durationOf(ns int64) time.Duration { return time.Duration(ns) }

// fmtDuration prints ns with three significant digits in a unit that suits it.
func fmtDuration(ns float64) string {
	switch {
	case ns <= 0:
		return "-"
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	default:
		return sig3(ns/1e9) + " s"
	}
}

func sig3(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func fmtBytes(b float64) string {
	switch {
	case b <= 0:
		return "-"
	case b < 1<<20:
		return sig3(b/(1<<10)) + " KiB"
	case b < 1<<30:
		return sig3(b/(1<<20)) + " MiB"
	default:
		return sig3(b/(1<<30)) + " GiB"
	}
}
