"""Presentation of analysis results: JSON, terminal text, Markdown and SARIF.

Every renderer is a pure function from :class:`~journeymap.analysis.types.JourneyAnalysis` objects
(and, for ``check``, a gate result) to a string; identical input gives byte-identical output.
Paths are shown relative to the current directory when the file lies inside it, otherwise
absolute, always with ``/`` separators (see ``docs/json.md``). This package never imports click.
"""

from __future__ import annotations

import math
import os
from pathlib import Path, PurePath

from journeymap.analysis.types import finding_order, has_location, sorted_findings

__all__ = [
    "ANALYZE_FORMATS",
    "CHECK_FORMATS",
    "display_path",
    "number",
    "finding_order",
    "has_location",
    "sorted_findings",
]

ANALYZE_FORMATS: tuple[str, ...] = ("text", "json", "markdown")
CHECK_FORMATS: tuple[str, ...] = ("text", "json", "sarif")


def display_path(path: str, cwd: str | None = None) -> str:
    """``path`` as shown to people and tools: relative to ``cwd`` when inside it, with ``/``.

    Relative paths are taken as relative to ``cwd`` already and only normalised. Paths that are
    not files (``<unknown>``, ``<stdin>``) are returned unchanged.
    """
    if not path or path.startswith("<"):
        return path
    base = Path(cwd if cwd is not None else os.getcwd())
    candidate = Path(path)
    if not candidate.is_absolute():
        return PurePath(os.path.normpath(path)).as_posix()
    try:
        return PurePath(os.path.normpath(candidate.relative_to(base))).as_posix()
    except ValueError:
        return PurePath(os.path.normpath(candidate)).as_posix()


def number(value: float) -> float | int | None:
    """A figure ready for JSON: ints stay ints, floats are rounded to 6 decimals, -0.0 is 0.0,
    and NaN or infinity (which the engine should never produce) become ``None``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        return None
    rounded = round(float(value), 6)
    return 0.0 if rounded == 0 else rounded
