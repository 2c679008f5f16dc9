"""The observed journey: a journey file written from a mined log, so the journey as lived can be
analysed, rendered and compared with the journey as designed like any other.

Activities become touchpoints, directly-follows pairs transitions (share = the fraction of the
activity's events followed by that activity; the rest of its events ended a case there),
functions come from the org column (the most frequent per activity), entry volumes from the
cases that start at each activity, waits from timestamps (median), outcomes from the last
activity. The file opens with the log's figures and every guess, as every import does.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from journeymap.interchange.plain import journey_yaml
from journeymap.interchange.sheets import make_id
from journeymap.mining.figures import ActivityFigures, MinedLog

__all__ = ["UNKNOWN_FUNCTION", "activity_ids", "observed_journey", "observed_journey_yaml"]

UNKNOWN_FUNCTION = "unknown"
STAGE = "as-lived"
SHARE_DIGITS = 4


def activity_ids(mined: MinedLog) -> dict[str, str]:
    """Activity name -> touchpoint id (a slug of the name, unique), in the touchpoint order."""
    ids: dict[str, str] = {}
    for activity in _ordered(mined):
        ids[activity.name] = make_id(activity.name, ids.values(), fallback="activity")
    return ids


def _ordered(mined: MinedLog) -> list[ActivityFigures]:
    """Activities in the order customers meet them: by mean position in their cases."""
    return sorted(mined.activities, key=lambda a: (a.position_sum / a.events, a.name))


def _duration(seconds: float) -> str | None:
    """A median wait in the journey format's units, to the minute; None under half a minute."""
    minutes = round(seconds / 60)
    if minutes <= 0:
        return None
    for unit, size in (("w", 7 * 1440), ("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def _shares(counts: list[int], total: int) -> list[float]:
    """``count / total`` for each count, rounded to SHARE_DIGITS decimals so that they add up to
    the rounded exact sum (largest remainders), never above 1."""
    scale = 10**SHARE_DIGITS
    exact = [c * scale / total for c in counts]
    floors = [math.floor(x) for x in exact]
    target = round(sum(counts) * scale / total)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: max(0, target - sum(floors))]:
        floors[i] += 1
    return [f / scale for f in floors]


def _spread(items: tuple[tuple[str, int], ...], total: int) -> str:
    return ", ".join(f"{name} {count / total:.0%}" for name, count in items[:4]) + (
        ", ..." if len(items) > 4 else ""
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _date(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def observed_journey(
    mined: MinedLog, title: str | None = None
) -> tuple[dict[str, Any], list[str], dict[tuple[str, str], str]]:
    """The observed journey as data, with the guesses and per-entry comments for its file."""
    ids = activity_ids(mined)
    function_ids: dict[str, str] = {}
    for activity in _ordered(mined):
        if activity.function is not None and activity.function not in function_ids:
            function_ids[activity.function] = make_id(
                activity.function, function_ids.values(), "function"
            )
    functions: dict[str, Any] = {fid: {"name": name} for name, fid in function_ids.items()}
    comments: dict[tuple[str, str], str] = {}
    if any(a.function is None for a in mined.activities):
        functions[UNKNOWN_FUNCTION] = {"name": "Unknown"}
        comments[("functions", UNKNOWN_FUNCTION)] = "activities whose events name no function"

    followers: dict[str, list[tuple[str, int, float]]] = {}
    for step in mined.dfg:
        followers.setdefault(step.source, []).append((step.target, step.count, step.median_wait))

    touchpoints: dict[str, Any] = {}
    for activity in _ordered(mined):
        tp: dict[str, Any] = {
            "name": activity.name,
            "stage": STAGE,
            "function": function_ids.get(activity.function or "", UNKNOWN_FUNCTION),
        }
        if activity.channel is not None:
            tp["channel"] = make_id(activity.channel, fallback="channel")
        if activity.starts:
            tp["entry"] = True
            tp["volume"] = activity.starts
        nexts = sorted(followers.get(activity.name, []), key=lambda f: (-f[1], ids[f[0]]))
        if nexts:
            shares = _shares([count for _, count, _ in nexts], activity.events)
            tp["next"] = []
            for (target, _n, wait), share in zip(nexts, shares, strict=True):
                transition: dict[str, Any] = {"to": ids[target], "share": share}
                duration = _duration(wait)
                if duration is not None:
                    transition["wait"] = duration
                tp["next"].append(transition)
        else:
            tp["outcome"] = ids[activity.name]
        touchpoints[ids[activity.name]] = tp
        note = f"{_count(activity.events, 'event')} in {_count(activity.cases, 'case')}"
        if activity.ends and nexts:
            note += f"; {_count(activity.ends, 'case')} end here (drop-off)"
        if len(activity.functions) > 1:
            note += "; functions: " + _spread(activity.functions, activity.events)
        comments[("touchpoints", ids[activity.name])] = note

    doc: dict[str, Any] = {
        "journeymap": 1,
        "title": title or f"As lived: {mined.source.rsplit('/', 1)[-1]}",
        "description": (
            f"Mined from {mined.events} events in {mined.cases} cases, "
            f"{_date(mined.first)} to {_date(mined.last)}."
        ),
        "functions": functions,
        "stages": [{"id": STAGE, "name": "As lived"}],
        "touchpoints": touchpoints,
    }
    guesses = [
        f"log: {mined.events} events, {mined.cases} cases, {len(mined.activities)} activities, "
        f"{_date(mined.first)} to {_date(mined.last)}",
        "touchpoints: one per activity, in the order cases meet them (mean position)",
        "function: the org unit most of an activity's events name (the spread is in its comment)"
        if mined.events_with_function
        else "function: the log names no org unit; every touchpoint is 'unknown'",
        "transitions: directly-follows pairs; share = the fraction of the activity's events "
        "followed by that activity, the rest ended there (drop-off)",
        "wait: the median time between the two events, to the minute",
        "entries and volume: the cases that start at each activity",
        "outcome: named after the activity on touchpoints that always end a case",
        "one stage 'as-lived': a log has no stages; group the touchpoints into yours",
        "channels, systems, asks, emotions and owners of handoffs: not in a log; add them",
    ]
    return doc, guesses, comments


def observed_journey_yaml(mined: MinedLog, title: str | None = None) -> str:
    """The observed journey as journey-file YAML text, headed by the log's figures and guesses."""
    doc, guesses, comments = observed_journey(mined, title)
    return journey_yaml(doc, mined.source, "log", guesses, comments, command="journeymap mine")
