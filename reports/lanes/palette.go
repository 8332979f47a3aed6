package lanes

import "image/color"

// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008):
// eight colours that stay distinct under the common forms of colour
// blindness (deuteranopia, protanopia, tritanopia), which a default
// "rainbow" palette does not. Use them for every chart so a
// state keeps its colour from one chart to the next.
//
// Yellow is light against white: keep it for large areas, not thin lines.
var (
	Orange        = color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}
	SkyBlue       = color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}
	BluishGreen   = color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}
	Yellow        = color.NRGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}
	Blue          = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}
	Vermillion    = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}
	ReddishPurple = color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}
	Black         = color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}

	// Grey is not part of Okabe–Ito; it is the neutral colour for
	// "nothing interesting" (idle, other) that should recede.
	Grey = color.NRGBA{R: 0xBB, G: 0xBB, B: 0xBB, A: 0xFF}
)
