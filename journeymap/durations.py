"""The one duration grammar: journey waits, config thresholds and the JSON Schema agree on it.

A duration is a number, optional spaces, and a unit: ``m`` (minutes), ``h`` (hours), ``d`` (days)
or ``w`` (weeks). The number is written with digits and at most one decimal point, which may
lead (``.5h``) or trail (``1.d`` is refused as unclear: write ``1d``). Examples: ``30m``, ``4h``,
``1.5d``, ``.5h``, ``1 d``, ``2w``. At most :data:`MAX_DURATION` (ten years), so a typo cannot
overflow the figures. In a journey a wait needs its unit; a config key that counts hours
(``*_hours``) also takes a bare number of hours.
"""

from __future__ import annotations

import re

__all__ = [
    "DURATION_PATTERN",
    "DURATION_EXAMPLES",
    "MAX_DURATION",
    "MAX_DURATION_HOURS",
    "UNIT_HOURS",
    "parse_duration",
    "spoken_hours",
    "spoken_seconds",
]

UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
"""Hours in one of each unit."""

#: The grammar as a regular expression (also the JSON Schema's ``pattern`` for durations). It
#: ends with ``$(?!\n)``, the end of the text in Python and in JSON Schema's ECMA-262 alike:
#: Python's ``$`` alone also matches before a final newline, which would let ``"2w\n"`` in.
DURATION_PATTERN = r"^ *([0-9]+(?:\.[0-9]+)?|\.[0-9]+) *([mhdw]) *$(?!\n)"
#: The examples a message about a wrong duration gives (journey waits and config hours).
DURATION_EXAMPLES = "30m, 4h, 2d or 1w"
MAX_DURATION = "520w"
MAX_DURATION_HOURS = 520 * 168.0

_DURATION = re.compile(DURATION_PATTERN)


def parse_duration(text: str) -> float | None:
    """The hours in ``text`` if it follows the grammar (at any size), else None."""
    match = _DURATION.match(text)
    if match is None:
        return None
    return float(match.group(1)) * UNIT_HOURS[match.group(2)]


def spoken_hours(hours: float) -> str:
    """``2 d``, ``5 h``, ``30 min``: a wait as people say it, to three figures (the diagrams);
    findings use the exact form of :func:`journeymap.analysis.rules.format_hours`."""
    if hours >= 24:
        return f"{hours / 24:.3g} d"
    if hours >= 1:
        return f"{hours:.3g} h"
    return f"{hours * 60:.3g} min"


def spoken_seconds(seconds: float) -> str:
    """A measured wait for people: ``45 s``, ``12 min``, ``3.5 h``, ``2.0 d`` (mined logs)."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
