"""Pure Jinja filters for reports: number formats, locations, durations, rule titles.

Every filter returns plain text; the environment escapes it on output. :func:`display_text` is
the environment's ``finalize`` hook: every plain string a template prints goes through it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from journeymap.catalog import RULES
from journeymap.model import Location

__all__ = [
    "FILTERS",
    "display_text",
    "pct",
    "num",
    "hours",
    "where",
    "heat_level",
    "rule_title",
    "plural",
]


# Characters journey text may carry (YAML escapes such as "\\0" or "\\u202e") that must not reach a
# page as they are: C0/C1 controls other than tab and line breaks (NUL is a parse error in HTML)
# and noncharacters become U+FFFD; lone surrogates cannot be encoded at all; explicit bidi
# embeddings, overrides and isolates reorder the text after them so it reads as something it
# does not say: they are dropped, as in diagrams (journeymap.render.escape.clean_text).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def display_text(value: Any) -> Any:
    """Jinja ``finalize``: plain strings lose bidi controls; other controls become U+FFFD.

    Markup (the inline SVG, JSON from ``tojson``) and non-strings pass unchanged; escaping
    happens after this, as usual.
    """
    if type(value) is not str or value.isprintable():
        return value
    return _CONTROLS.sub("\ufffd", _BIDI.sub("", value))


def pct(value: float | None, digits: int = 0) -> str:
    """``0.4213`` -> ``42%``; ``None`` or NaN -> an em dash."""
    if value is None or not math.isfinite(value):
        return "\u2014"
    return f"{value * 100:.{digits}f}%"


def num(value: float | int | None, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and thousands separators; trailing zeros kept off."""
    if value is None:
        return "\u2014"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if not math.isfinite(value):
        return "\u2014"
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def hours(value: float | None) -> str:
    """A wait in hours as the largest whole unit: ``120`` -> ``5d``, ``0.5`` -> ``30m``."""
    if value is None:
        return "\u2014"
    for unit, size in (("w", 168.0), ("d", 24.0), ("h", 1.0)):
        if value >= size and (value / size) == int(value / size):
            return f"{int(value / size)}{unit}"
    if value >= 1:
        return f"{num(value, 1)}h"
    return f"{num(value * 60, 0)}m"


def where(location: Location | None) -> str:
    """A location as ``path:line`` (empty when unknown)."""
    if location is None or location.line <= 0:
        return ""
    return f"{location.path}:{location.line}"


def heat_level(value: float, maximum: float, levels: int = 6) -> int:
    """Bucket ``value`` into ``0..levels-1`` relative to ``maximum`` (0 only for zero)."""
    if value <= 0 or maximum <= 0:
        return 0
    return max(1, min(levels - 1, math.ceil(value / maximum * (levels - 1))))


def rule_title(code: str) -> str:
    """The short title of a rule code from the catalogue (the code itself if unknown)."""
    rule = RULES.get(code)
    return rule.title if rule is not None else code


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 handoff``, ``3 handoffs``."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


FILTERS: dict[str, Callable[..., Any]] = {
    "pct": pct,
    "num": num,
    "hours": hours,
    "where": where,
    "heat_level": heat_level,
    "rule_title": rule_title,
    "plural": plural,
}
