package stats

import (
	"math"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name        string
		a, b        []float64
		p           float64
		significant bool
		deltaPct    float64
		delta       string
		reason      string // substring; "" means Reason must be empty
	}{
		{
			// Complete separation, n=5+5: U = 0. Under H0 each of the
			// C(10,5) = 252 rank assignments is equally likely and only one
			// gives U = 0 in each direction: p = 2/252 = 0.0079365.
			// Medians 3 → 8: +166.67 %.
			name: "separated 5+5", a: []float64{1, 2, 3, 4, 5}, b: []float64{6, 7, 8, 9, 10},
			p: 2.0 / 252, significant: true, deltaPct: 500.0 / 3, delta: "+166.67%",
		},
		{
			// Separation with n=4+4: p = 2/C(8,4) = 2/70 = 0.028571.
			// B faster: medians 6.5 → 2.5, −61.54 %.
			name: "separated 4+4 B faster", a: []float64{5, 6, 7, 8}, b: []float64{1, 2, 3, 4},
			p: 2.0 / 70, significant: true, deltaPct: (2.5/6.5 - 1) * 100, delta: "-61.54%",
		},
		{
			// U = #{(a,b): a > b} = 2 (5>4, 6>4). Number of arrangements
			// with U = k equals the partitions of k into ≤5 parts ≤5:
			// k=0:1, 1:1, 2:2 → P(U ≤ 2) = 4/252, p = 8/252 = 0.031746.
			name: "overlap 5+5 significant", a: []float64{1, 2, 3, 5, 6}, b: []float64{4, 7, 8, 9, 10},
			p: 8.0 / 252, significant: true, deltaPct: (8.0/3 - 1) * 100, delta: "+166.67%",
		},
		{
			// U = 5 (4>3, 6>3, 6>5, 7>3, 7>5). Partitions: k=3:3, 4:5, 5:7,
			// so P(U ≤ 5) = (1+1+2+3+5+7)/252 = 19/252, p = 38/252 = 0.150794.
			// n=5 could reach significance, so no Reason.
			name: "overlap 5+5 not significant", a: []float64{1, 2, 4, 6, 7}, b: []float64{3, 5, 8, 9, 10},
			p: 38.0 / 252, deltaPct: (8.0/4 - 1) * 100, delta: "~",
		},
		{
			// Ties: merged 1,2,2,2,3,4 get midranks 1,3,3,3,5,6. A={1,2,2}:
			// R1 = 7, U1 = 7 − 3·4/2 = 1. Of the C(6,3) = 20 equally likely
			// 3-subsets of the ranks, those with rank sum ≤ 7 are {1,3,3}
			// (3 ways): P(U ≤ 1) = 3/20, p = 0.3. Medians 2 → 3: +50 %.
			name: "ties", a: []float64{1, 2, 2}, b: []float64{2, 3, 4},
			p: 0.3, deltaPct: 50, delta: "~", reason: "need >= 4 samples",
		},
		{
			// n=3+3 can never be significant: best p = 2/C(6,3) = 0.1.
			// benchmath warns.
			name: "3+3 too few", a: []float64{1, 2, 3}, b: []float64{4, 5, 6},
			p: 0.1, deltaPct: 150, delta: "~", reason: "need >= 4 samples to detect a difference at alpha level 0.05",
		},
		{
			// n=2+5: best p = 2/C(7,2) = 2/21 = 0.095238. benchmath stays
			// silent (n2 ≥ 4), the package explains.
			name: "2+5 too few", a: []float64{1, 2}, b: []float64{3, 4, 5, 6, 7},
			p: 2.0 / 21, deltaPct: (5/1.5 - 1) * 100, delta: "~", reason: "smallest possible p is 0.095",
		},
		{
			// Ties at the centre: merged 0,0,1 get midranks 1.5,1.5,3.
			// A's rank is 1.5 (U1 = 0.5) with probability 2/3 or 3 (U1 = 2)
			// with 1/3; doubling P(U ≤ 0.5) = 2/3 gives 4/3, capped at 1.
			name: "ties p capped at 1", a: []float64{0}, b: []float64{0, 1},
			p: 1, deltaPct: nan, delta: "~", reason: "need >= 4 samples",
		},
		{
			name: "all equal", a: []float64{5, 5, 5, 5}, b: []float64{5, 5, 5, 5},
			p: 1, deltaPct: 0, delta: "~", reason: "all samples are equal",
		},
		{
			name: "A empty", a: nil, b: []float64{1, 2},
			p: 1, deltaPct: nan, delta: "~", reason: "sample A is empty",
		},
		{
			name: "B only NaN", a: []float64{1, 2}, b: []float64{nan},
			p: 1, deltaPct: nan, delta: "~", reason: "sample B is empty",
		},
		{
			name: "both empty", p: 1, deltaPct: nan, delta: "~", reason: "both samples are empty",
		},
		{
			// Non-finite values are dropped: same as "separated 4+4 B faster".
			name: "NaN dropped", a: []float64{5, nan, 6, 7, 8}, b: []float64{1, 2, math.Inf(1), 3, 4},
			p: 2.0 / 70, significant: true, deltaPct: (2.5/6.5 - 1) * 100, delta: "-61.54%",
		},
		{
			// A's median 0 while B's is not: delta undefined.
			name: "zero baseline", a: []float64{0, 0, 0, 0, 0}, b: []float64{1, 1, 1, 1, 1},
			p: 2.0 / 252, significant: true, deltaPct: nan, delta: "?",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.a, tt.b)
			if math.Abs(c.P-tt.p) > 1e-12 {
				t.Errorf("P = %v; want %v", c.P, tt.p)
			}
			if c.Significant != tt.significant || c.Alpha != 0.05 {
				t.Errorf("Significant, Alpha = %v, %v; want %v, 0.05", c.Significant, c.Alpha, tt.significant)
			}
			if !approx(c.DeltaPct, tt.deltaPct) {
				t.Errorf("DeltaPct = %v; want %v", c.DeltaPct, tt.deltaPct)
			}
			if got := c.DeltaString(); got != tt.delta {
				t.Errorf("DeltaString() = %q; want %q", got, tt.delta)
			}
			if tt.reason == "" && c.Reason != "" || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("Reason = %q; want %q", c.Reason, tt.reason)
			}
			if c.A.N != len(finiteOnly(tt.a)) || c.B.N != len(finiteOnly(tt.b)) {
				t.Errorf("N = %d+%d; want the finite counts", c.A.N, c.B.N)
			}
		})
	}
}

func TestDeltaString(t *testing.T) {
	for _, tt := range []struct {
		c    Comparison
		want string
	}{
		{Comparison{Significant: false, DeltaPct: 12}, "~"},
		{Comparison{Significant: true, DeltaPct: 12.345}, "+12.35%"},
		{Comparison{Significant: true, DeltaPct: -0.5}, "-0.50%"},
		// Significant although the medians are equal: benchstat's "0.00%".
		{Comparison{Significant: true, DeltaPct: 0}, "0.00%"},
		{Comparison{Significant: true, DeltaPct: math.NaN()}, "?"},
	} {
		if got := tt.c.DeltaString(); got != tt.want {
			t.Errorf("DeltaString(%+v) = %q; want %q", tt.c, got, tt.want)
		}
	}
}

func TestMinUTestP(t *testing.T) {
	// 2/C(n1+n2, n1), by hand.
	for _, tt := range []struct {
		n1, n2 int
		want   float64
	}{
		{1, 1, 1}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {2, 5, 2.0 / 21}, {5, 2, 2.0 / 21}, {0, 4, 1},
	} {
		if got := minUTestP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("minUTestP(%d, %d) = %v; want %v", tt.n1, tt.n2, got, tt.want)
		}
	}
}

func finiteOnly(xs []float64) []float64 {
	f, _ := finiteValues(xs)
	return f
}
