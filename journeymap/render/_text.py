"""Text measured as the browser draws it, so every box is sized by us, not by Graphviz.

The embedded Graphviz measures only a few exact family names and sizes bold text as regular
Times; the system ``dot`` measures with the fonts it finds. Neither says what a browser will
draw. Every node that holds text is therefore ``fixedsize`` with the size computed here from the
advance widths of Helvetica-compatible type (:mod:`._metrics`, the widths Chromium uses for
``Helvetica``: Liberation Sans, metric-compatible with Helvetica and Arial). Both renderers then
give the same geometry, and the text fits its box in the browser (tests/render/test_text.py
measures the table against Chromium).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from journeymap.render import _metrics

__all__ = ["LINE_SPACING", "fit_lines", "line_height", "text_width"]

LINE_SPACING = 1.2  # Graphviz's distance between baselines, in font sizes
_REGULAR = dict(zip(_metrics.CHARS, _metrics.REGULAR, strict=True))
_BOLD = dict(zip(_metrics.CHARS, _metrics.BOLD, strict=True))
_ELLIPSIS = "\u2026"


@lru_cache(maxsize=4096)
def _em_width(ch: str, bold: bool) -> int:
    known = (_BOLD if bold else _REGULAR).get(ch)
    if known is not None:
        return known
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    return 700  # an unknown letter or symbol: wider than any Latin lower case


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` points (no kerning, so never narrower)."""
    return sum(_em_width(ch, bold) for ch in text) * size / 1000.0


def line_height(size: float, lines: int = 1) -> float:
    """Height of ``lines`` lines of text at ``size`` points, as Graphviz spaces them."""
    return size * LINE_SPACING * max(lines, 1)


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    parts, current = [], ""
    for ch in word:
        if current and text_width(current + ch, size, bold) > width:
            parts.append(current)
            current = ch
        else:
            current += ch
    return [*parts, current] if current else parts


def fit_lines(
    text: str, width: float, size: float, bold: bool = False, max_lines: int = 2
) -> list[str]:
    """``text`` wrapped at spaces into lines no wider than ``width`` points; at most
    ``max_lines``, the last ending in an ellipsis when the text does not fit. A word wider
    than a line is broken between characters."""
    words: list[str] = []
    for word in " ".join(str(text).split()).split(" "):
        if word:
            words.extend(_break_word(word, width, size, bold))
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines or [""]
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width(last + _ELLIPSIS, size, bold) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + _ELLIPSIS
    return kept
