"""Shape the engine's :class:`~journeymap.analysis.portfolio.Portfolio` for the index template.

Presentation only: names for function ids, the portfolio's fixes grouped by executive, the
journeys' severity chips, the function-by-function heat map in two views, links from the worst
handoffs to their journey pages. Every figure comes from the portfolio as computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from journeymap.analysis.portfolio import (
    HIGH_RISK,
    JourneySummary,
    PairTotal,
    Portfolio,
    canonical_functions,
    top_fixes,
)
from journeymap.catalog import RULES, code_ranges
from journeymap.report.filters import heat_level, num, plain_message
from journeymap.report.links import page_name

__all__ = ["view", "NO_LEAD", "FIXES_SHOWN", "HEAT_VIEWS"]

NO_LEAD = "No lead named"
"""The group of fixes whose function names no lead (or that no function would make)."""

FIXES_SHOWN = 5
"""How many changes "Fix these first across the portfolio" lists."""

HEAT_VIEWS = ("handoffs", "customers")
"""The heat map's two views, the first shown by default: each colours a cell by its number."""


def _names(journeys: Sequence[JourneySummary]) -> dict[str, str]:
    """Function id -> its one display name across the portfolio (see
    :func:`~journeymap.analysis.portfolio.canonical_functions`)."""
    return {fid: f.name for fid, f in canonical_functions(journeys).items()}


def per_customer_text(value: float) -> str:
    """A heat cell's figure in the customers view: two decimals, ``<0.01`` for less."""
    return "<0.01" if 0 < value < 0.005 else num(value, 2)


def _shown_value(text: str) -> float:
    """The number a cell shows, as a float (``<0.01`` counts as 0.01): the colour's measure."""
    return 0.01 if text.startswith("<") else float(text.replace(",", ""))


def _heat_view(
    kind: str,
    functions: Sequence[str],
    names: Mapping[str, str],
    cells: Mapping[tuple[str, str], PairTotal],
) -> dict[str, Any]:
    """One view of the heat map: each cell shows a figure and is coloured by that very figure
    (as shown, rounded), in five steps of the largest shown."""

    def text(pair: PairTotal) -> str:
        return str(pair.count) if kind == "handoffs" else per_customer_text(pair.per_customer)

    shown = {key: text(pair) for key, pair in cells.items()}
    peak = max((_shown_value(t) for t in shown.values()), default=0.0)
    rows = []
    for a in functions:
        row = []
        for b in functions:
            found = cells.get((a, b))
            value = _shown_value(shown[(a, b)]) if found else 0.0
            row.append(
                {
                    "self": a == b,
                    "pair": found,
                    "text": shown[(a, b)] if found else "",
                    "level": heat_level(value, peak) if found else 0,
                }
            )
        rows.append({"function": a, "name": names.get(a, a), "cells": row})
    ordered = sorted(shown.values(), key=lambda t: (_shown_value(t), not t.startswith("<")))
    return {
        "kind": kind,
        "rows": rows,
        "peak": peak,
        "low_text": ordered[0] if ordered else "",
        "peak_text": ordered[-1] if ordered else "",
    }


def _retitle(title: str, local: str | None, shared: str | None) -> str:
    """A fix's title with a capital first letter, naming its function as the portfolio does
    (an owner fix begins with the function's name as its journey calls it)."""
    if local and shared and local != shared and title.startswith(local + " "):
        title = shared + title[len(local) :]
    return title[:1].upper() + title[1:]


def _fix_groups(
    journeys: Sequence[JourneySummary], names: Mapping[str, str], hrefs: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The portfolio's top fixes, grouped by executive: groups in the order of their best fix
    (so the first group holds the best fix), fixes in rank order within a group."""
    by_id = {j.id: j for j in journeys}
    canonical = canonical_functions(journeys)
    groups: dict[str, dict[str, Any]] = {}
    for overall, ranked in enumerate(top_fixes(journeys, FIXES_SHOWN), start=1):
        journey, fix = by_id[ranked.journey], ranked.fix
        local = journey.functions.get(fix.function or "")
        words = {journey.id: journey.title, **journey.touchpoint_names}
        words.update((fid, names.get(fid, f.name)) for fid, f in journey.functions.items())
        href = hrefs.get(journey.id) or page_name(journey.id)
        # the executive as the portfolio knows the function (the organisation file's lead)
        shared = canonical.get(fix.function or "")
        executive = (shared.lead if shared else None) or fix.executive
        lead = executive or NO_LEAD
        group = groups.setdefault(
            lead, {"executive": lead, "named": executive is not None, "fixes": []}
        )
        group["fixes"].append(
            {
                "rank": overall,
                "title": plain_message(
                    _retitle(
                        fix.title,
                        local.name if local else None,
                        names.get(fix.function or ""),
                    ),
                    words,
                ),
                "journey": journey,
                "href": f"{href}#fixes",
                "function": names.get(fix.function, fix.function) if fix.function else None,
                "risk_removed": f"{fix.risk_removed:.2f}",
                "risk_share": fix.risk_removed / fix.journey_risk if fix.journey_risk else None,
                "handoffs_delta": fix.handoffs_delta,
                "findings": fix.findings,
                "handoffs": [(n, f"{href}#handoff-{n}") for n in fix.handoffs],
            }
        )
    return list(groups.values())


def signed(value: float, digits: int = 2) -> str:
    """A change as ``+0.35`` / ``\u22120.35``; ``no change`` when it rounds to zero."""
    text = num(abs(value), digits)
    if text == "0":
        return "no change"
    return ("+" if value > 0 else "\u2212") + text


def view(
    portfolio: Portfolio,
    journeys: Sequence[JourneySummary],
    hrefs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The index template's portfolio context: fixes, severities, heat map, worst handoffs,
    leads."""
    names = _names(journeys)
    by_id = {j.id: j for j in journeys}
    hrefs = dict(hrefs or {})
    # Heat map: functions that take part in a handoff, busiest first, then by name.
    involvement: dict[str, float] = {}
    for pair in portfolio.pairs:
        for fid in (pair.from_function, pair.to_function):
            involvement[fid] = involvement.get(fid, 0.0) + pair.per_customer
    functions = sorted(involvement, key=lambda f: (-involvement[f], names.get(f, f), f))
    cells = {(p.from_function, p.to_function): p for p in portfolio.pairs}
    heat_views = [_heat_view(kind, functions, names, cells) for kind in HEAT_VIEWS]
    worst = []
    for ranked in portfolio.worst_handoffs:
        journey = by_id.get(ranked.journey)
        if journey is None:
            continue
        tps = journey.touchpoint_names
        h = ranked.handoff
        worst.append(
            {
                "journey": journey,
                "href": f"{hrefs.get(ranked.journey) or page_name(ranked.journey)}#handoff-{h.number}",
                "handoff": h,
                "source": tps.get(h.source, h.source),
                "target": tps.get(h.target, h.target),
                "from_function": names.get(h.from_function, h.from_function),
                "to_function": names.get(h.to_function, h.to_function),
            }
        )
    leads = [
        {"lead": lead, "function_names": [names.get(f, f) for f in lead.functions]}
        for lead in portfolio.leads
    ]
    return {
        "portfolio": portfolio,
        "fix_groups": _fix_groups(journeys, names, hrefs),
        "figures": {f.journey: f for f in portfolio.journeys},
        "high_risk": HIGH_RISK,
        "signed": signed,
        "heat_functions": [(f, names.get(f, f)) for f in functions],
        "heat_views": heat_views,
        "worst": worst,
        "leads": leads,
        # the codes that make a handoff risky (JM101&ndash;JM103 or JM105&ndash;JM108)
        "risky_codes": Markup(
            code_ranges((c for c, r in RULES.items() if r.risky), sep="&ndash;", joiner=" or ")
        ),
    }
