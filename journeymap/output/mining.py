"""``journeymap mine`` as JSON and as text: the figures of a :class:`MinedLog`, sorted and stable.

The JSON is a public interface (``"format": "journeymap-mine"``, versioned): the same log gives
the same bytes on every engine.
"""

from __future__ import annotations

import json
from typing import Any

from journeymap.durations import spoken_seconds as duration
from journeymap.mining.figures import Handover, MinedLog

__all__ = ["MINE_JSON_VERSION", "mined_json", "mined_text", "mined_to_data"]

MINE_JSON_VERSION = 1


def _handovers(items: tuple[Handover, ...]) -> list[dict[str, Any]]:
    return [
        {"from": h.source, "to": h.target, "count": h.count, "fraction": h.fraction} for h in items
    ]


def mined_to_data(mined: MinedLog) -> dict[str, Any]:
    """The figures as JSON-ready data (times in seconds)."""
    ping_pong: dict[str, Any] = {
        "cases": mined.ping_pong_cases,
        "share": mined.ping_pong_cases / mined.cases,
        "direct": [],
        "indirect": [],
    }
    for p in mined.ping_pong:
        ping_pong[p.kind].append(
            {"a": p.a, "b": p.b, "occurrences": p.occurrences, "cases": p.cases, "share": p.share}
        )
    return {
        "format": "journeymap-mine",
        "version": MINE_JSON_VERSION,
        "log": mined.source,
        "cases": mined.cases,
        "events": mined.events,
        "first": mined.first,
        "last": mined.last,
        "activities": [
            {
                "name": a.name,
                "events": a.events,
                "cases": a.cases,
                "starts": a.starts,
                "ends": a.ends,
                "function": a.function,
                "functions": [{"name": n, "events": c} for n, c in a.functions],
                "channel": a.channel,
            }
            for a in mined.activities
        ],
        "dfg": [
            {"from": s.source, "to": s.target, "count": s.count, "median_wait": s.median_wait}
            for s in mined.dfg
        ],
        "handovers": {
            "resource": _handovers(mined.resource_handovers),
            "function": _handovers(mined.function_handovers),
        },
        "ping_pong": ping_pong,
        "waits": {
            "function": [
                {
                    "from": w.source,
                    "to": w.target,
                    "count": w.count,
                    "median": w.median,
                    "p90": w.p90,
                }
                for w in mined.waits
            ]
        },
    }


def mined_json(mined: MinedLog) -> str:
    return json.dumps(mined_to_data(mined), indent=2, ensure_ascii=False) + "\n"


def _table(rows: list[list[str]], indent: str = "    ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(
            c.ljust(w) if i == 0 or not c[:1].isdigit() else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def mined_text(mined: MinedLog, limit: int = 10) -> str:
    """A terminal summary: the log's size, the busiest handovers between functions, the
    ping-pong and the waits at handoffs, each worst first and cut at ``limit`` rows."""
    out = [
        f"{mined.source}: {mined.events} events in {mined.cases} cases, "
        f"{len(mined.activities)} activities",
    ]
    crossing = [h for h in mined.function_handovers if h.source != h.target]
    if not mined.events_with_function:
        out.append("  no function (org) column: map one with --function-column to see handoffs")
    else:
        total = sum(h.count for h in mined.function_handovers)
        handoffs = sum(h.count for h in crossing)
        out.append(
            f"  {handoffs} handoffs between functions in {total} successions "
            f"({handoffs / total:.0%}), {handoffs / mined.cases:.2f} per case"
            if total
            else "  no successions between events that name a function"
        )
    if crossing:
        out += ["", "  Handoffs between functions, most first"]
        rows = [["from -> to", "count", "share"]]
        for h in sorted(crossing, key=lambda h: (-h.count, h.source, h.target))[:limit]:
            rows.append([f"{h.source} -> {h.target}", str(h.count), f"{h.fraction:.1%}"])
        out += _table(rows)
    if mined.ping_pong:
        out += ["", "  Ping-pong (customers sent back to a function), most cases first"]
        rows = [["back to a, via b", "kind", "cases", "of all"]]
        for p in sorted(mined.ping_pong, key=lambda p: (-p.cases, p.a, p.b, p.kind))[:limit]:
            rows.append([f"{p.a} <- {p.b}", p.kind, str(p.cases), f"{p.share:.1%}"])
        out += _table(rows)
    if mined.waits:
        out += ["", "  Waits at handoffs, longest median first"]
        rows = [["from -> to", "count", "median", "p90"]]
        for w in sorted(mined.waits, key=lambda w: (-w.median, w.source, w.target))[:limit]:
            rows.append(
                [f"{w.source} -> {w.target}", str(w.count), duration(w.median), duration(w.p90)]
            )
        out += _table(rows)
    return "\n".join(out) + "\n"
