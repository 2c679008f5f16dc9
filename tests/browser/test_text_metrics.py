"""Our text widths (render/_text.py) against what Chromium draws for SVG text in Helvetica.

The boxes of every diagram are sized from these widths, so they must never be narrower than
the browser's text: measured with getComputedTextLength on real SVG <text>, regular and bold.
"""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.render._text import fit_lines, text_width

pytestmark = pytest.mark.browser

SAMPLES = [
    "Report the claim by phone",
    "Adjuster report to the insurer",
    "WWWWW MMMMM iiiii lllll",
    "\u25cf\u25cf\u25cb\u25cb\u25cb \u00b7 \u25b6 phone \u00b7 \u25a0 declined",
    "Customer Service \u00b7 Head of Service",
    "caf\u00e9 na\u00efve \u00c5ngstr\u00f6m \u2013 \u201cquoted\u201d \u2026",
    "0123456789 % # & @ ! ? ( ) [ ] { }",
]

SCRIPT = """([samples, size]) => {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  document.body.appendChild(svg);
  const out = [];
  for (const weight of ['normal', 'bold']) {
    for (const s of samples) {
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('font-family', 'Helvetica,sans-Serif');
      t.setAttribute('font-size', String(size));
      t.setAttribute('font-weight', weight);
      t.textContent = s;
      svg.appendChild(t);
      out.push(t.getComputedTextLength());
    }
  }
  return out;
}"""


def test_widths_match_chromium_and_never_fall_short(browser: Any) -> None:
    page = browser.new_page()
    try:
        measured = page.evaluate(SCRIPT, [SAMPLES, 20])
    finally:
        page.close()
    ours = [text_width(s, 20, bold) for bold in (False, True) for s in SAMPLES]
    for sample, mine, real in zip(SAMPLES * 2, ours, measured, strict=True):
        # never narrower than the browser (a box sized by us holds the text); at most 3 %
        # wider (kerning, which we ignore, only narrows text)
        assert real - 0.05 <= mine <= real * 1.03 + 0.5, (sample, mine, real)


def test_fit_lines_wraps_at_spaces_and_ellipsises_the_last_line() -> None:
    # 'aaaa' is 4 x 556/1000 em = 2.224 em wide in Helvetica; a space is 0.278 em
    assert fit_lines("aaaa aaaa", 5.0, 1.0) == ["aaaa aaaa"]  # 4.726 em fits in 5
    assert fit_lines("aaaa aaaa", 4.7, 1.0) == ["aaaa", "aaaa"]
    lines = fit_lines("aaaa aaaa aaaa", 2.3, 1.0, max_lines=2)
    # the ellipsis is 1 em: 'aaa…' = 1.668 + 1 > 2.3, 'aa…' = 1.112 + 1 fits
    assert lines == ["aaaa", "aa\u2026"]
    assert all(text_width(line, 1.0) <= 2.3 + 1e-9 for line in lines)
    assert fit_lines("a" * 10, 2.3, 1.0, max_lines=5) == ["aaaa", "aaaa", "aa"]
