// inspect(selector) returns {title, elements}: for every element that
// matches the selector, its size and the reason it is not visible ("" when it
// is). Check in browser.go documents what visible means.
async (selector) => {
  const de = document.documentElement;
  const describe = (n) => '<' + n.localName + (n.id ? '#' + n.id : '') + '>';
  // A paint that shows nothing: none, transparent, or a colour with alpha 0.
  const noPaint = /^(none|transparent|rgba\([^)]*,\s*0\))$/;

  // Why CSS keeps el from being seen, or "".
  const styleReason = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      const where = n === el ? '' : ' on ancestor ' + describe(n);
      if (cs.display === 'none') return 'display:none' + where;
      if (n !== el && cs.contentVisibility === 'hidden') return 'content-visibility:hidden' + where;
      if (parseFloat(cs.opacity) === 0) return 'opacity:0' + where;
    }
    // visibility is inherited and a child can override it, so only the
    // element's own computed value counts.
    const v = getComputedStyle(el).visibility;
    if (v !== 'visible') return 'visibility:' + v;
    // The browser's own answer, for any case the walk above missed.
    if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) {
      return 'not rendered (checkVisibility)';
    }
    return '';
  };

  // Why an ancestor's overflow:hidden or overflow:clip cuts el away, or "".
  // A scrolling ancestor (auto, scroll) does not count: a person can scroll.
  // html and body are left out: their overflow applies to the viewport, and
  // the document check covers it.
  const clipReason = (el, r) => {
    let l = r.left, t = r.top, rt = r.right, b = r.bottom;
    for (let n = el.parentElement; n && n !== document.body && n !== de; n = n.parentElement) {
      const cs = getComputedStyle(n);
      const cx = cs.overflowX === 'hidden' || cs.overflowX === 'clip';
      const cy = cs.overflowY === 'hidden' || cs.overflowY === 'clip';
      if (!cx && !cy) continue;
      const c = n.getBoundingClientRect();
      if (cx) { l = Math.max(l, c.left); rt = Math.min(rt, c.right); }
      if (cy) { t = Math.max(t, c.top); b = Math.min(b, c.bottom); }
      if (rt <= l || b <= t) return 'clipped away by the overflow of ' + describe(n);
    }
    return '';
  };

  // Whether n, a descendant of an <svg> whose box is box, paints something
  // inside that box.
  const skip = 'defs, clipPath, mask, marker, pattern, symbol, title, desc, metadata';
  const paints = (n, box) => {
    if (n.closest(skip)) return false; // templates, drawn only when referenced
    if (styleReason(n)) return false;
    const r = n.getBoundingClientRect();
    // A horizontal or vertical line has a box of zero width or height.
    if (!(r.width > 0 || r.height > 0)) return false;
    if (r.left > box.right || r.right < box.left || r.top > box.bottom || r.bottom < box.top) return false;
    const tag = n.localName;
    if (tag === 'image' || tag === 'use' || tag === 'foreignObject') return true;
    if (tag === 'text' && n.textContent.trim() === '') return false;
    const cs = getComputedStyle(n);
    const fill = tag !== 'line' && !noPaint.test(cs.fill) && parseFloat(cs.fillOpacity) > 0;
    const stroke = !noPaint.test(cs.stroke) && parseFloat(cs.strokeWidth) > 0 && parseFloat(cs.strokeOpacity) > 0;
    return fill || stroke;
  };
  const shapes = 'path, rect, circle, ellipse, line, polyline, polygon, text, image, use, foreignObject';

  const reason = async (el, r) => {
    const why = styleReason(el);
    if (why) return why;
    if (!(r.width > 0 && r.height > 0)) return 'zero size (' + r.width + 'x' + r.height + ')';
    // The document is the scrollable area from its origin: a box left of or
    // above it (such as left:-9999px) can never be scrolled to.
    const docW = Math.max(de.scrollWidth, de.clientWidth);
    const docH = Math.max(de.scrollHeight, de.clientHeight);
    const x = r.left + window.scrollX, y = r.top + window.scrollY;
    if (x >= docW || x + r.width <= 0 || y >= docH || y + r.height <= 0) {
      return 'outside the document (at ' + x + ',' + y + ')';
    }
    const clip = clipReason(el, r);
    if (clip) return clip;
    if (el instanceof HTMLImageElement) {
      const src = (el.currentSrc || el.src || '').slice(0, 120);
      // A broken image keeps the box of its width and height attributes,
      // so only the image data tells whether anything is drawn.
      if (!el.complete && el.loading === 'lazy') {
        // A lazy image out of the window loads when a person scrolls to
        // it; make it load now, as scrolling would.
        el.loading = 'eager';
        await new Promise((done) => {
          el.addEventListener('load', done, {once: true});
          el.addEventListener('error', done, {once: true});
          setTimeout(done, 2000);
        });
      }
      if (!el.complete) return 'image not loaded: ' + src;
      if (el.naturalWidth === 0) return 'image failed to load or decode: ' + src;
      try {
        await el.decode();
      } catch (e) {
        return 'image does not decode (' + e.message + '): ' + src;
      }
    }
    if (el instanceof SVGSVGElement) {
      // An <svg> sized by CSS or attributes has a box even when it draws
      // nothing; a chart must draw something.
      if (![...el.querySelectorAll(shapes)].some((n) => paints(n, r))) return 'svg paints nothing';
    }
    return '';
  };

  const els = selector === '' ? [] : [...document.querySelectorAll(selector)];
  const elements = [];
  for (let i = 0; i < els.length; i++) {
    const el = els[i];
    const r = el.getBoundingClientRect();
    elements.push({
      index: i,
      tag: el.localName,
      id: el.id || '',
      width: r.width,
      height: r.height,
      reason: await reason(el, r),
    });
  }
  return {title: document.title, elements};
}
