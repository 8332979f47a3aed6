package lanes

import (
	"bytes"
	"fmt"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// SVG text that reads without the Liberation fonts.
//
// vgsvg names the font (font-family:Liberation Serif) and does not embed
// it unless asked; see Save for why we do not ask. A browser without that
// font would draw its default font, whose glyphs are wider or narrower
// than the Liberation metrics gonum laid the chart out with: right-aligned
// tick labels then run into their tick marks and the legend runs off the
// edge. Two fixes, both applied:
//
//   - fontFallback names, after Liberation, the fonts Liberation was made
//     metric-compatible with (Arial, Times New Roman, Courier New), found
//     on Windows and macOS, then the generic family.
//   - Every <text> gets textLength, its width in the Liberation metrics,
//     with lengthAdjust="spacingAndGlyphs": whatever font the browser
//     picks is stretched or squeezed to the width the layout assumed, so
//     nothing overlaps even with a font of other metrics (DejaVu, say).

// fontFallback rewrites the font-family vgsvg writes (the bare family name
// of the Liberation font) into a list a browser without Liberation can use.
var fontFallback = strings.NewReplacer(
	"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;",
	"font-family:Liberation Serif;", "font-family:'Liberation Serif','Times New Roman',Times,serif;",
	"font-family:Liberation Mono;", "font-family:'Liberation Mono','Courier New',Courier,monospace;",
)

// textWidths passes drawing through to an SVG canvas and records the
// width of each string drawn, in drawing order, which is the order of the
// <text> elements in the output: vgsvg writes one element per FillString.
type textWidths struct {
	vg.CanvasWriterTo
	widths []vg.Length
}

func (t *textWidths) FillString(f font.Face, pt vg.Point, s string) {
	t.widths = append(t.widths, f.Width(s))
	t.CanvasWriterTo.FillString(f, pt, s)
}

// fixText applies both fixes to svg, the output of the canvas whose text
// widths are widths.
func fixText(svg []byte, widths []vg.Length) ([]byte, error) {
	const open = "<text "
	if n := bytes.Count(svg, []byte(open)); n != len(widths) {
		return nil, fmt.Errorf("svg text: %d <text> elements for %d strings drawn", n, len(widths))
	}
	var out bytes.Buffer
	out.Grow(len(svg) + 64*len(widths))
	rest := svg
	for _, w := range widths {
		i := bytes.Index(rest, []byte(open))
		out.Write(rest[:i+len(open)])
		rest = rest[i+len(open):]
		if w > 0 {
			fmt.Fprintf(&out, `textLength="%.5g" lengthAdjust="spacingAndGlyphs" `, w.Points())
		}
	}
	out.Write(rest)
	return []byte(fontFallback.Replace(out.String())), nil
}
