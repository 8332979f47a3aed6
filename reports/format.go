package reports

import (
	"fmt"
)

// Duration prints ns with three significant digits in a unit that suits it.
func Duration(ns float64) string {
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

// Bytes prints a size in binary units with three significant digits.
func Bytes(b float64) string {
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

// Cores prints a cores-busy figure.
func Cores(c float64) string { return fmt.Sprintf("%.2f", c) }
