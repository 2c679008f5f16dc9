"""Headline figures in context: each journey against the portfolio's median.

A journey page is rendered on its own (in a worker process, and cached per journey), but the
median of the portfolio is known only once every journey is analysed. So the page carries an
empty slot per headline figure (``<span class="vs" data-vs="KEY"></span>``) and the site build
fills every slot from the journeys' summaries afterwards (:func:`fill`): a plain substitution,
cheap and deterministic. A page outside a portfolio of two or more journeys keeps its slots
empty, and they show nothing.

The figures compared are those where more is worse for customers (:data:`FIGURES`), so "above
the median" always reads as a warning.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from journeymap.analysis.portfolio import JourneySummary

__all__ = ["FIGURES", "Medians", "fill", "medians", "slot"]


@dataclass(frozen=True)
class _Figure:
    label: str  # as the sentence names it
    value: Callable[[JourneySummary], float]
    digits: int


FIGURES: Mapping[str, _Figure] = {
    "handoffs": _Figure("handoffs", lambda s: float(s.metrics.handoffs), 0),
    "expected_handoffs": _Figure(
        "handoffs per customer", lambda s: s.metrics.expected_handoffs_per_customer, 2
    ),
    "max_handoffs_on_path": _Figure(
        "handoffs on one path", lambda s: float(s.metrics.max_handoffs_on_path), 0
    ),
    "functions_touched": _Figure("functions", lambda s: float(s.metrics.functions_touched), 0),
    # the sum whatif.total_risk takes, in the same order
    "total_risk": _Figure("risk", lambda s: sum(h.risk for h in s.handoffs), 1),
}
"""The headline figures a journey page compares with the portfolio (more is worse for each)."""

# a slot, empty or filled by an earlier build (a cached page is filled again, never twice)
_SLOT = re.compile(r'<span class="vs[a-z -]*" data-vs="([a-z_]+)"[^>]*>[^<]*</span>')


def slot(key: str) -> Markup:
    """The empty placeholder a page carries for figure ``key`` (filled by :func:`fill`)."""
    if key not in FIGURES:
        raise KeyError(key)
    return Markup(f'<span class="vs" data-vs="{key}"></span>')


@dataclass(frozen=True)
class Medians:
    """The portfolio's median of every figure in :data:`FIGURES`, over ``journeys`` journeys."""

    journeys: int
    values: Mapping[str, float]


def medians(summaries: Sequence[JourneySummary]) -> Medians:
    """The medians of the portfolio ``summaries`` (every figure of :data:`FIGURES`)."""
    values = {
        key: float(statistics.median(fig.value(s) for s in summaries)) if summaries else 0.0
        for key, fig in FIGURES.items()
    }
    return Medians(len(summaries), values)


def _sentence(key: str, own: float, median: Medians) -> Markup:
    fig = FIGURES[key]
    mid = median.values[key]
    shown_own, shown_mid = round(own, fig.digits), round(mid, fig.digits)
    text = f"{shown_mid:.{fig.digits}f}"
    if shown_own > shown_mid:
        word, tone = "above", "worse"
    elif shown_own < shown_mid:
        word, tone = "below", "better"
    else:
        word, tone = "at", "same"
    title = f"median of {median.journeys} journeys: {text} {fig.label}"
    return Markup(
        '<span class="vs vs-{tone}" data-vs="{key}" title="{title}">'
        "{word} the portfolio median ({text})</span>"
    ).format(tone=tone, key=key, title=escape(title), word=word, text=text)


def fill(page: str, summary: JourneySummary, median: Medians) -> str:
    """``page`` with its context slots filled: this journey against the portfolio ``median``.

    Slots filled before are filled again. With fewer than two journeys there is nothing to
    compare with: every slot is left (or made) empty.
    """

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in FIGURES:
            return match.group(0)
        if median.journeys < 2:
            return str(slot(key))
        return str(_sentence(key, FIGURES[key].value(summary), median))

    return _SLOT.sub(replace, page)
