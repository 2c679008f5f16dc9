"""Pure Jinja filters for reports: number formats, locations, durations, rule titles.

Every filter returns plain text; the environment escapes it on output, except
:func:`plain_message`, which builds Markup from escaped (and cleaned) parts. :func:`display_text`
is the environment's ``finalize`` hook: every plain string a template prints goes through it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from journeymap.catalog import RULES
from journeymap.model import Location

__all__ = [
    "FILTERS",
    "display_text",
    "pct",
    "num",
    "hours",
    "where",
    "loc",
    "plain_message",
    "heat_level",
    "rule_title",
    "rule_tip",
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


def loc(location: Location | None) -> str:
    """A location as ``file:line``, the file without its folder (empty when unknown)."""
    if location is None or location.line <= 0:
        return ""
    return f"{os.path.basename(location.path) or location.path}:{location.line}"


_QUOTED = re.compile(r"`([^`]*)`")
_CHAIN = re.compile(r"[\w.-]+(?:(?:\s->\s|,\s)[\w.-]+)+")
_SEP = re.compile(r"(\s->\s|,\s)")


def _clean(text: str) -> str:
    return str(display_text(text))


def _chains(text: str, names: Mapping[str, str]) -> str:
    """Escaped ``text`` with each ``a -> b -> c`` (or ``a, b, c``) of known ids in names.

    ``a -> b`` is written ``A → B``; a list or chain is replaced only when every id is known.
    """
    out, at = [], 0
    for m in _CHAIN.finditer(text):
        parts = _SEP.split(m.group(0))
        ids, seps = parts[::2], parts[1::2]
        if all(i in names for i in ids):
            out.append(escape(_clean(text[at : m.start()])))
            words = [_clean(names[ids[0]])]
            for sep, i in zip(seps, ids[1:], strict=True):
                words.append(" \u2192 " if "->" in sep else ", ")
                words.append(_clean(names[i]))
            out.append(escape("".join(words)))
            at = m.end()
    out.append(escape(_clean(text[at:])))
    return "".join(out)


def plain_message(message: str, names: Mapping[str, str]) -> Markup:
    """A finding's message in words, as Markup: no backticks, ids replaced by names.

    A backticked id the journey names (touchpoint, system, stage, function, the journey) becomes
    its name; any other backticked text (a YAML snippet such as ``owner: <function id>``) a
    ``<code>`` element; an unquoted chain of known ids ``a -> b`` becomes ``A → B``. Every part
    is cleaned as :func:`display_text` does and escaped, so hostile names stay text.
    """
    out, at = [], 0
    for m in _QUOTED.finditer(message):
        out.append(_chains(message[at : m.start()], names))
        inner = m.group(1)
        if inner in names:
            out.append(str(escape(_clean(names[inner]))))
        else:
            out.append(f"<code>{escape(_clean(inner))}</code>")
        at = m.end()
    out.append(_chains(message[at:].replace("`", ""), names))
    return Markup("".join(out))


def heat_level(value: float, maximum: float, levels: int = 6) -> int:
    """Bucket ``value`` into ``0..levels-1`` relative to ``maximum`` (0 only for zero)."""
    if value <= 0 or maximum <= 0:
        return 0
    return max(1, min(levels - 1, math.ceil(value / maximum * (levels - 1))))


def rule_title(code: str) -> str:
    """The short title of a rule code from the catalogue (the code itself if unknown)."""
    rule = RULES.get(code)
    return rule.title if rule is not None else code


def rule_tip(code: str) -> str:
    """A rule chip's tooltip: ``JM101 handoff without owner: <summary>`` (no backticks)."""
    rule = RULES.get(code)
    if rule is None:
        return code
    return f"{code} {rule.title}: {rule.summary.replace('`', '')}"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 handoff``, ``3 handoffs``."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


FILTERS: dict[str, Callable[..., Any]] = {
    "pct": pct,
    "num": num,
    "hours": hours,
    "where": where,
    "loc": loc,
    "plain_message": plain_message,
    "heat_level": heat_level,
    "rule_title": rule_title,
    "rule_tip": rule_tip,
    "plural": plural,
}
