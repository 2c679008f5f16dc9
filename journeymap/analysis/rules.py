"""The rules JM101-JM303 as pure functions of the indexed journey (JM100 is built in engine).

Each rule returns findings; handoff rules also say which transitions they hit (``hits``), which
the risk score uses. docs/methodology.md explains every rule, why it hurts customers and how to
fix it. Messages say what is wrong, where, and what to change.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis._index import SHARE_EPS, Index
from journeymap.analysis.context import ContextResult, Systems, connected
from journeymap.analysis.paths import PingPong
from journeymap.analysis.types import Finding, Severity
from journeymap.catalog import RULES

__all__ = [
    "Hits",
    "handoff_rules",
    "repeat_ask_findings",
    "ping_pong_findings",
    "stage_findings",
    "owner_finding",
    "structure_findings",
    "format_hours",
]

Hits = dict[int, set[str]]
"""Transition index -> codes of the risk factors that hit it."""


def _finding(
    ix: Index,
    code: str,
    message: str,
    *,
    transition: int | None = None,
    touchpoint: int | None = None,
    touchpoints: Sequence[int] = (),
    severity: Severity | None = None,
) -> Finding:
    journey = ix.journey
    sev: Severity = severity or RULES[code].default_severity
    if transition is not None:
        t = ix.transitions[transition]
        return Finding(
            code,
            sev,
            message,
            journey.id,
            t.location,
            touchpoints=(t.source, t.target),
            transition=(t.source, t.target),
        )
    if touchpoint is not None:
        tp = ix.touchpoints[touchpoint]
        ids = tuple(ix.ids[i] for i in touchpoints) or (tp.id,)
        return Finding(code, sev, message, journey.id, tp.location, touchpoints=ids)
    return Finding(
        code,
        sev,
        message,
        journey.id,
        journey.location,
        touchpoints=tuple(ix.ids[i] for i in touchpoints),
    )


def _edge(ix: Index, e: int) -> str:
    t = ix.transitions[e]
    return f"{t.source} -> {t.target}"


def _functions(ix: Index, e: int) -> str:
    return f"{ix.function[ix.src[e]]} -> {ix.function[ix.dst[e]]}"


def format_hours(hours: float) -> str:
    """``120`` -> ``5d``, ``36`` -> ``36h``, ``0.5`` -> ``30m``."""
    for unit, size in (("w", 168.0), ("d", 24.0), ("h", 1.0)):
        if hours >= size and abs(hours / size - round(hours / size)) < 1e-9:
            return f"{round(hours / size)}{unit}"
    if hours < 1:
        return f"{hours * 60:g}m"
    return f"{hours:g}h"


def handoff_rules(ix: Index, systems: Systems, wait_hours: float, hits: Hits) -> list[Finding]:
    """JM101, JM102, JM104, JM105, JM106, JM107 on every handoff."""
    found: list[Finding] = []
    journey = ix.journey
    shadow = {name for name, s in journey.systems.items() if s.shadow}
    for e, t in enumerate(ix.transitions):
        if not ix.handoff[e]:
            continue
        i, j = ix.src[e], ix.dst[e]
        a, b = ix.touchpoints[i], ix.touchpoints[j]
        edge, fns = _edge(ix, e), _functions(ix, e)

        def hit(code: str, message: str, e: int = e) -> None:
            hits.setdefault(e, set()).add(code)
            found.append(_finding(ix, code, message, transition=e))

        if t.owner is None:
            hit(
                "JM101",
                f"handoff {edge} ({fns}) has no accountable owner: nobody answers for customers "
                f"lost between the two functions; add `owner: <function id>` to the transition",
            )
        if not t.carries and not connected(systems, i, j):
            hit(
                "JM102",
                f"handoff {edge} ({fns}) loses context: it carries nothing and no system of "
                f"`{a.id}` is or feeds a system of `{b.id}`; add `carries: [...]` to the "
                f"transition or integrate their systems",
            )
        if a.channel and b.channel and a.channel != b.channel:
            hit(
                "JM104",
                f"customers switch channel from {a.channel} to {b.channel} at handoff {edge} "
                f"({fns}); keep the channel, or tell the customer what happens next and let the "
                f"new channel pick up the conversation",
            )
        if a.emotion is not None and b.emotion is not None and a.emotion - b.emotion >= 2:
            hit(
                "JM105",
                f"emotion drops from {a.emotion} to {b.emotion} across handoff {edge} ({fns}); "
                f"find what the customer loses here and fix that step first",
            )
        if t.wait_hours is not None and t.wait_hours > wait_hours:
            hit(
                "JM106",
                f"customers wait {format_hours(t.wait_hours)} at handoff {edge} ({fns}), more "
                f"than the {format_hours(wait_hours)} threshold; shorten the wait or keep the "
                f"customer informed while they wait",
            )
        for side, other, tp in ((i, j, a), (j, i, b)):
            for name in ix.touchpoints[side].systems:
                if name not in shadow:
                    continue
                bit = systems.bit[name]
                if side == i:
                    linked = bool(systems.reach_of_system[name] & systems.touchpoint[other])
                else:
                    linked = bool(systems.reach[other] & bit)
                if not linked:
                    where = "before" if side == i else "after"
                    hit(
                        "JM107",
                        f"shadow system `{name}` at `{tp.id}` ({where} handoff {edge}, {fns}) is "
                        f"not integrated with the systems of `{ix.ids[other]}`; integrate it or "
                        f"move its data into a governed system",
                    )
    return found


def repeat_ask_findings(ix: Index, context: ContextResult, hits: Hits) -> list[Finding]:
    """JM103 per (touchpoint, item); the handoffs that lose the item get the factor."""
    found = []
    for repeat in context.repeats:
        path = " -> ".join(ix.ids[k] for k in repeat.path)
        first = ix.ids[repeat.path[0]]
        here = ix.ids[repeat.touchpoint]
        losing = [e for e in repeat.losing if ix.handoff[e]]
        for e in losing:
            hits.setdefault(e, set()).add("JM103")
        via = ", ".join(_edge(ix, e) for e in repeat.losing)
        found.append(
            _finding(
                ix,
                "JM103",
                f"`{here}` asks for `{repeat.item}` again although the customer already gave it "
                f"to another function (at `{first}`, e.g. {path}) and it does not reach here "
                f"via {via}; carry it along that path (`carries: [{repeat.item}]`), integrate "
                f"the systems on it, or give `{here}` a system that holds it",
                touchpoint=repeat.touchpoint,
                # The witness path, each touchpoint once (its last visit): ends with the
                # touchpoint that asks again, preceded by the step the customer came from.
                touchpoints=tuple(reversed(dict.fromkeys(reversed(repeat.path)))),
            )
        )
    return found


def ping_pong_findings(ix: Index, pairs: Sequence[PingPong], hits: Hits) -> list[Finding]:
    """JM108, reported at the transition that sends customers back."""
    found = []
    for pair in pairs:
        hits.setdefault(pair.back, set()).add("JM108")
        found.append(
            _finding(
                ix,
                "JM108",
                f"ping-pong: after handoff {_edge(ix, pair.first)} ({_functions(ix, pair.first)}) "
                f"the next handoff {_edge(ix, pair.back)} ({_functions(ix, pair.back)}) sends "
                f"customers back; let the first function resolve the case or give the loop one "
                f"owner",
                transition=pair.back,
            )
        )
    return found


def stage_findings(
    ix: Index, stage_functions: dict[str, tuple[str, ...]], limit: int
) -> list[Finding]:
    """JM201: a stage spread over ``limit`` functions or more."""
    found = []
    journey = ix.journey
    for stage in journey.stages:
        functions = stage_functions.get(stage.id, ())
        if len(functions) >= limit:
            members = tuple(t.id for t in ix.touchpoints if t.stage == stage.id)
            found.append(
                Finding(
                    "JM201",
                    RULES["JM201"].default_severity,
                    f"stage `{stage.id}` is spread over {len(functions)} functions "
                    f"({', '.join(functions)}; threshold {limit}): the customer meets a new silo "
                    f"at each step; give one function responsibility for the stage or merge "
                    f"touchpoints",
                    journey.id,
                    stage.location,
                    touchpoints=members,
                )
            )
    return found


def owner_finding(ix: Index) -> list[Finding]:
    """JM202: the journey names no end-to-end owner."""
    journey = ix.journey
    if journey.owner is not None:
        return []
    return [
        _finding(
            ix,
            "JM202",
            f"journey `{journey.id}` has no end-to-end owner: every function optimises its own "
            f"touchpoints and nobody the whole; add `owner: <function id>` (e.g. a CX office)",
        )
    ]


def structure_findings(
    ix: Index, reachable: Sequence[bool], can_leave: Sequence[bool]
) -> list[Finding]:
    """JM301 unreachable, JM302 dead ends, JM303 shares above 1."""
    found = []
    for i, tp in enumerate(ix.touchpoints):
        if not reachable[i]:
            found.append(
                _finding(
                    ix,
                    "JM301",
                    f"no customer can reach `{tp.id}`: no path leads to it from an entry; add a "
                    f"transition to it, mark it `entry: true`, or remove it",
                    touchpoint=i,
                )
            )
        if not can_leave[i]:
            found.append(
                _finding(
                    ix,
                    "JM302",
                    f"customers who reach `{tp.id}` can never leave: every path from it stays in "
                    f"a loop with no terminal touchpoint and no drop-off; add a way out of the "
                    f"loop (a transition to a terminal touchpoint, or shares below 1)",
                    touchpoint=i,
                )
            )
        elif not tp.next and tp.outcome is None:
            found.append(
                _finding(
                    ix,
                    "JM302",
                    f"terminal touchpoint `{tp.id}` has no `outcome`: customers end here without a "
                    f"named result; add `outcome: <name>` (won, lost, resolved, churned, ...) or a "
                    f"transition onwards",
                    touchpoint=i,
                    severity="warning",
                )
            )
        total = ix.share_sum[i]
        if total is not None and total > 1.0 + SHARE_EPS:
            found.append(
                _finding(
                    ix,
                    "JM303",
                    f"the shares out of `{tp.id}` sum to {total:.4g}, above 1; lower them so "
                    f"they sum to at most 1 (the rest drops off); until then the flow scales them "
                    f"to sum to 1",
                    touchpoint=i,
                )
            )
    return found
