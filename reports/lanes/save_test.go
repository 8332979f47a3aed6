package lanes

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// checkSVG parses the SVG as XML to the end and checks the text is set
// up to read without the Liberation fonts.
func checkSVG(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var root string
	texts, fitted := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", path, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
		}
		if se.Name.Local != "text" {
			continue
		}
		texts++
		for _, a := range se.Attr {
			if a.Name.Local == "textLength" {
				fitted++
			}
			if a.Name.Local == "style" && strings.Contains(a.Value, "font-family:") &&
				!strings.Contains(a.Value, ",serif;") && !strings.Contains(a.Value, ",sans-serif;") &&
				!strings.Contains(a.Value, ",monospace;") {
				t.Errorf("text style %q has no generic font family to fall back on", a.Value)
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	if texts == 0 || fitted != texts {
		t.Errorf("%d of %d text elements have a textLength", fitted, texts)
	}
	return b
}

func TestSavePNGAndSVG(t *testing.T) {
	p, leg := ganttPlot(t)
	base := filepath.Join(t.TempDir(), "gantt")
	if err := Save(base, testW, testH, leg, p); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, base+".png")
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 480 {
		t.Errorf("PNG is %d × %d px, want 768 × 480 (8 × 5 in at 96 dpi)", b.Dx(), b.Dy())
	}
	svg := checkSVG(t, base+".svg")
	if !bytes.Contains(svg, []byte(`width="576pt" height="360pt"`)) {
		t.Errorf("SVG size is not 576 × 360 pt")
	}
	if bytes.Contains(svg, []byte("@font-face")) {
		t.Error("SVG embeds fonts")
	}
	entries, err := os.ReadDir(filepath.Dir(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n != "gantt.png" && n != "gantt.svg" {
			t.Errorf("left behind %s", n)
		}
	}
}

// Golden-ish: a known interval's colour is where lane and time say it is.
func TestSavePixels(t *testing.T) {
	states := []State{{Name: "A", Color: Blue}, {Name: "B", Color: Orange}}
	lanes := []Lane{
		{Name: "top", Group: "g1", Intervals: []Interval{{0, 1, 0}, {1, 2, 1}}},
		{Name: "mid", Group: "g1", Intervals: []Interval{{0.5, 1.5, 1}}},
		{Name: "low", Group: "g2", Intervals: []Interval{{0, 4, 0}}},
	}
	for _, binAbove := range []int{-1, 0} {
		l, err := New(lanes, states)
		if err != nil {
			t.Fatal(err)
		}
		l.BinAbove = binAbove
		p := plot.New()
		p.Add(l)
		p.X.Min, p.X.Max = 0, 2 // the caller's window cuts "low" at 2
		p.Y.Tick.Marker = l.Ticks(0)
		p.X.Label.Text = "time (s)"
		leg := legendOf(states)
		base := filepath.Join(t.TempDir(), "pixels")
		if err := Save(base, testW, testH, leg, p); err != nil {
			t.Fatal(err)
		}
		img := readPNG(t, base+".png")

		// Where the data area is, by the same layout Save used.
		c := draw.New(vgimg.NewWith(vgimg.UseWH(testW, testH), vgimg.UseDPI(pngDPI)))
		cp := *leg
		tiles, _ := chartLayout(c, &cp, []*plot.Plot{p})
		dc := p.DataCanvas(tiles[0])
		xtr, ytr := p.Transforms(&dc)
		pix := func(x, y float64) image.Point {
			const s = pngDPI / 72.0
			return image.Point{X: int(float64(xtr(x)) * s), Y: img.Bounds().Dy() - 1 - int(float64(ytr(y))*s)}
		}
		at := func(lane int, x float64) color.Color { pt := pix(x, l.y[lane]); return img.At(pt.X, pt.Y) }
		same := func(a, b color.Color) bool {
			r1, g1, b1, _ := a.RGBA()
			r2, g2, b2, _ := b.RGBA()
			return r1 == r2 && g1 == g2 && b1 == b2
		}
		for _, tc := range []struct {
			lane int
			x    float64
			want color.Color
		}{
			{0, 0.5, Blue}, {0, 1.5, Orange},
			{1, 0.25, color.White}, {1, 1.0, Orange}, {1, 1.75, color.White},
			{2, 1.0, Blue}, {2, 1.99, Blue},
		} {
			if got := at(tc.lane, tc.x); !same(got, tc.want) {
				t.Errorf("bin above %d: lane %d at %g s: colour %v, want %v", binAbove, tc.lane, tc.x, got, tc.want)
			}
		}
		// Lane 0 on top.
		if !(pix(0, l.y[0]).Y < pix(0, l.y[1]).Y && pix(0, l.y[1]).Y < pix(0, l.y[2]).Y) {
			t.Errorf("lanes are not top to bottom: rows %d %d %d", pix(0, l.y[0]).Y, pix(0, l.y[1]).Y, pix(0, l.y[2]).Y)
		}
		// The blue → orange edge of lane 0 is at 1 s, to the pixel.
		row, want := pix(1, l.y[0]).Y, pix(1, l.y[0]).X
		edge := -1
		for x := pix(0.5, 0).X; x < pix(1.5, 0).X; x++ {
			if same(img.At(x, row), Orange) {
				edge = x
				break
			}
		}
		if edge < want-1 || edge > want+1 {
			t.Errorf("bin above %d: lane 0 turns orange at pixel %d, want %d±1", binAbove, edge, want)
		}
		// Nothing of "low" is drawn right of the window.
		if pt := pix(2, l.y[2]); same(img.At(pt.X+3, pt.Y), Blue) {
			t.Errorf("bin above %d: lane 2 drawn past the x window", binAbove)
		}
	}
}

// The 1M-interval schedule stays a small SVG: binning bounds it by the
// number of state changes a reader can see, not the data.
func TestScheduleSVGSize(t *testing.T) {
	if testing.Short() {
		t.Skip("1M intervals")
	}
	p, leg := schedulePlot(t, schedule(8, 1_000_000, 1))
	base := filepath.Join(t.TempDir(), "schedule")
	if err := Save(base, testW, testH, leg, p); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, base+".svg")
	fi, err := os.Stat(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 1<<20 {
		t.Errorf("SVG of 1M intervals is %d bytes, want ≤ 1 MiB", fi.Size())
	}
}

func TestSavePanelsShareX(t *testing.T) {
	mk := func(a, b float64) *plot.Plot {
		l, err := New([]Lane{{Name: "w", Intervals: []Interval{{a, b, 0}}}}, twoStates)
		if err != nil {
			t.Fatal(err)
		}
		p := plot.New()
		p.Add(l)
		return p
	}
	p1, p2 := mk(0, 1), mk(0.5, 3)
	if err := Save(filepath.Join(t.TempDir(), "x"), testW, testH, nil, p1, p2); err != nil {
		t.Fatal(err)
	}
	for i, p := range []*plot.Plot{p1, p2} {
		if p.X.Min != 0 || p.X.Max != 3 {
			t.Errorf("panel %d x range [%g, %g], want [0, 3]", i, p.X.Min, p.X.Max)
		}
	}
}

type panicky struct{}

func (panicky) Plot(draw.Canvas, *plot.Plot) { panic("bad data") }

// A panic while drawing is an error, and no file is written.
func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	p := plot.New()
	p.Add(panicky{})
	err := Save(filepath.Join(dir, "bad"), testW, testH, nil, p)
	if err == nil || !strings.Contains(err.Error(), "bad data") || !strings.Contains(err.Error(), "bad.png") {
		t.Errorf("error %v, want the panic with the file name", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after a failed save: %v", entries)
	}
	ok := plot.New()
	if err := Save(filepath.Join(dir, "missing", "x"), testW, testH, nil, ok); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
	if err := Save(filepath.Join(dir, "x"), 0, testH, nil, ok); err == nil {
		t.Error("zero width accepted")
	}
	if err := Save(filepath.Join(dir, "x"), testW, testH, nil); err == nil {
		t.Error("no panels accepted")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after failed saves: %v", entries)
	}
}

// fixText refuses output it cannot match to the strings drawn rather than
// attach widths to the wrong text.
func TestFixTextMismatch(t *testing.T) {
	if _, err := fixText([]byte(`<svg><text x="1">a</text></svg>`), []vg.Length{1, 2}); err == nil {
		t.Error("mismatch accepted")
	}
}
