""""Did you mean": the one helper every unknown-name message uses.

Keys, ids, rule codes, config sections and CSV columns all suggest the same way: the closest
known names by :func:`difflib.get_close_matches` (similarity 0.6 or more), or, when nothing is
that close, a known name that differs only by letter case. Large pools (over
:data:`SUGGEST_LIMIT` names) get no suggestion, so a typo in a huge journey costs nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["SUGGEST_LIMIT", "close_matches", "did_you_mean"]

SUGGEST_LIMIT = 10_000
"""No suggestion search over more candidates than this."""


def close_matches(value: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` known names closest to ``value``, best first (ties in alphabetical order)."""
    pool = list(dict.fromkeys(candidates))
    if not pool or len(pool) > SUGGEST_LIMIT:
        return []
    close = difflib.get_close_matches(value, pool, n=n, cutoff=0.6)
    if len(close) > 1:  # equally close names in alphabetical order (difflib gives them reversed)
        matcher = difflib.SequenceMatcher(b=value)
        score: dict[str, float] = {}
        for name in close:
            matcher.set_seq1(name)
            score[name] = matcher.ratio()
        close.sort(key=lambda name: (-score[name], name))
    if not close:
        folded = value.casefold()
        close = [c for c in pool if c.casefold() == folded][:n]
    return close


def did_you_mean(value: str, candidates: Iterable[str], n: int = 1) -> str | None:
    """The hint ``did you mean 'x'?`` (or ``'x' or 'y'``), or None when nothing is close."""
    close = close_matches(value, candidates, n)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
