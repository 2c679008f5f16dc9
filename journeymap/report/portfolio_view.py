"""Shape the engine's :class:`~journeymap.analysis.portfolio.Portfolio` for the index template.

Presentation only: names for function ids, the function-by-function heat map grid, links from
the worst handoffs to their journey pages. Every figure comes from the portfolio as computed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from journeymap.analysis.portfolio import JourneySummary, Portfolio
from journeymap.catalog import RULES, code_ranges
from journeymap.report.filters import heat_level
from journeymap.report.links import page_name

__all__ = ["view"]


def _names(journeys: Sequence[JourneySummary]) -> dict[str, str]:
    """Function id -> one display name across the portfolio: the organisation file's (a
    function declared outside the journey file itself); else the first journey's. A journey may
    rename a shared function for its own page ("Account executives" for Sales), but the
    portfolio names each function one way in every table and map."""
    shared: dict[str, str] = {}
    local: dict[str, str] = {}
    for journey in journeys:
        own = os.path.abspath(journey.path)
        for function in journey.functions.values():
            path = function.location.path
            elsewhere = bool(path) and os.path.abspath(path) != own
            (shared if elsewhere else local).setdefault(function.id, function.name)
    return {**local, **shared}


def view(
    portfolio: Portfolio,
    journeys: Sequence[JourneySummary],
    hrefs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The index template's portfolio context: heat map, worst handoffs, leads."""
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
    peak = max((p.per_customer for p in portfolio.pairs), default=0.0)
    heat_rows = []
    for a in functions:
        row = []
        for b in functions:
            found = cells.get((a, b))
            row.append(
                {
                    "self": a == b,
                    "pair": found,
                    "level": heat_level(found.per_customer, peak) if found else 0,
                }
            )
        heat_rows.append({"function": a, "name": names.get(a, a), "cells": row})
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
        "heat_functions": [(f, names.get(f, f)) for f in functions],
        "heat_rows": heat_rows,
        "heat_peak": peak,
        "worst": worst,
        "leads": leads,
        # the codes that make a handoff risky (JM101&ndash;JM103 or JM105&ndash;JM108)
        "risky_codes": Markup(
            code_ranges((c for c, r in RULES.items() if r.risky), sep="&ndash;", joiner=" or ")
        ),
    }
