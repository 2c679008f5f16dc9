"""``journeymap mine -f html``: the figures of an event log as one page in the report's style.

The page leads with what to act on: the log's size and headline figures, then handoffs between
functions as a from/to matrix, customers sent back (ping-pong), waits at handoffs, the busiest
steps and handovers between people. Like every report page it is self-contained (inline CSS, the
report's Content-Security-Policy, no network) and deterministic: the same :class:`MinedLog`
gives the same bytes. Every name from the log is data, escaped by the environment.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from journeymap import __version__
from journeymap.mining.figures import Handover, MinedLog, PingPong, Wait
from journeymap.report.environment import make_environment
from journeymap.report.filters import heat_level, pct
from journeymap.report.pages import assets

__all__ = ["RESOURCES_SHOWN", "ROWS_SHOWN", "mined_context", "mined_html", "wait_text"]

ROWS_SHOWN = 15
"""How many rows the ping-pong, waits and busiest-steps tables show (worst first)."""

RESOURCES_SHOWN = 20
"""How many handovers between resources the page lists; the JSON has them all."""


def wait_text(seconds: float) -> str:
    """A wait for people, as the text view writes it: ``45 s``, ``12 min``, ``3.5 h``, ``2.0 d``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _day(stamp: float | None) -> str:
    if stamp is None:
        return "\u2014"
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _functions(handovers: Sequence[Handover]) -> list[str]:
    """The functions of the matrix, busiest first (successions in and out), then by name."""
    volume: dict[str, int] = {}
    for h in handovers:
        volume[h.source] = volume.get(h.source, 0) + h.count
        volume[h.target] = volume.get(h.target, 0) + h.count
    return sorted(volume, key=lambda f: (-volume[f], f))


def _matrix(handovers: Sequence[Handover]) -> dict[str, Any]:
    functions = _functions(handovers)
    counts = {(h.source, h.target): h.count for h in handovers}
    crossing = sum(h.count for h in handovers if h.source != h.target)
    peak = max((h.count for h in handovers if h.source != h.target), default=0)
    rows = []
    for source in functions:
        cells: list[dict[str, Any]] = []
        for target in functions:
            count = counts.get((source, target), 0)
            same = source == target
            cells.append(
                {
                    "to": target,
                    "count": count,
                    "self": same,
                    "share": "" if same or not crossing else pct(count / crossing, 1),
                    "level": 0 if same else heat_level(count, peak),
                }
            )
        out = sum(c["count"] for c in cells if not c["self"])
        rows.append({"name": source, "cells": cells, "out": out})
    into = [sum(counts.get((s, t), 0) for s in functions if s != t) for t in functions]
    return {
        "functions": functions,
        "rows": rows,
        "into": into,
        "crossing": crossing,
        "within": sum(h.count for h in handovers if h.source == h.target),
        "peak": peak,
    }


def _ping_pong(items: Sequence[PingPong]) -> list[dict[str, Any]]:
    """One row per (sent back to ``a``, via ``b``): direct and indirect side by side, the pair
    with the most cases of either kind first."""
    pairs: dict[tuple[str, str], dict[str, PingPong]] = {}
    for p in items:
        pairs.setdefault((p.a, p.b), {})[p.kind] = p
    rows: list[dict[str, Any]] = []
    for (a, b), kinds in pairs.items():
        direct, indirect = kinds.get("direct"), kinds.get("indirect")
        rows.append(
            {
                "a": a,
                "b": b,
                "direct": direct,
                "indirect": indirect,
                "worst": max(p.cases for p in kinds.values()),
                "share": max(p.share for p in kinds.values()),
            }
        )
    rows.sort(key=lambda r: (-r["worst"], r["a"], r["b"]))
    return rows


def _waits(items: Sequence[Wait]) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda w: (-w.median, -w.p90, w.source, w.target))
    return [{"wait": w, "median": wait_text(w.median), "p90": wait_text(w.p90)} for w in ordered]


def mined_context(mined: MinedLog) -> dict[str, Any]:
    """Everything templates/mined.html.j2 shows, computed from ``mined`` alone."""
    functions = mined.function_handovers
    crossing = [h for h in functions if h.source != h.target]
    handoffs = sum(h.count for h in crossing)
    ping = _ping_pong(mined.ping_pong)
    waits = _waits(mined.waits)
    longest = waits[0] if waits else None
    successions = sum(s.count for s in mined.dfg)
    dfg = sorted(mined.dfg, key=lambda s: (-s.count, s.source, s.target))
    people = [h for h in mined.resource_handovers if h.source != h.target]
    people.sort(key=lambda h: (-h.count, h.source, h.target))
    name = os.path.basename(mined.source) or mined.source
    return {
        "assets": assets(),
        "theme": "default",
        "version": __version__,
        "live": False,
        "page_title": f"{name}: the journey as lived \u2014 journeymap",
        "name": name,
        "mined": mined,
        "period": (_day(mined.first), _day(mined.last)),
        "has_functions": bool(mined.events_with_function),
        "handoffs": handoffs,
        "per_case": f"{handoffs / mined.cases:.2f}" if mined.cases else "\u2014",
        "matrix": _matrix(functions),
        "ping_pong": ping[:ROWS_SHOWN],
        "ping_pong_all": len(ping),
        "worst_ping": ping[0] if ping else None,
        "waits": waits[:ROWS_SHOWN],
        "waits_all": len(waits),
        "longest": longest,
        "dfg": [
            {
                "step": s,
                "share": pct(s.count / successions, 1) if successions else "",
                "wait": wait_text(s.median_wait),
            }
            for s in dfg[:ROWS_SHOWN]
        ],
        "dfg_all": len(dfg),
        "people": people[:RESOURCES_SHOWN],
        "people_all": len(people),
        "people_within": sum(h.count for h in mined.resource_handovers if h.source == h.target),
        "activities": sorted(mined.activities, key=lambda a: (-a.events, a.name)),
    }


def mined_html(mined: MinedLog) -> str:
    """The page of ``journeymap mine -f html``: self-contained HTML, the same bytes for the
    same figures."""
    env = make_environment()
    return env.get_template("mined.html.j2").render(mined_context(mined))
