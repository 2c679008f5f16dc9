"""``analyze(journey)``: flows, handoffs with risk, every rule's findings, and the metrics."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from types import MappingProxyType

from journeymap._gc import gc_paused
from journeymap.analysis._index import build_index
from journeymap.analysis.context import build_systems, repeat_asks
from journeymap.analysis.flow import can_leave, reachable, solve_flow
from journeymap.analysis.metrics import compute_metrics, stage_functions
from journeymap.analysis.paths import max_handoffs_on_path, ping_pongs
from journeymap.analysis.risk import risk_score
from journeymap.analysis.rules import (
    Hits,
    handoff_rules,
    owner_finding,
    ping_pong_findings,
    repeat_ask_findings,
    stage_findings,
    structure_findings,
)
from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis, Metrics, finding_order
from journeymap.config import Config
from journeymap.errors import InputError
from journeymap.model import Journey

__all__ = ["analyze", "finding_order"]


def analyze(
    journey: Journey, config: Config | None = None, *, max_path: tuple[int, bool] | None = None
) -> JourneyAnalysis:
    """Analyse one journey: a pure function of the journey and the configuration.

    ``max_path``, when given, is what :func:`max_handoffs_on_path` gives for this journey's
    graph, functions and entries (what-if passes the journey's own for a change that keeps
    them: the search is most of an analysis).
    """
    with gc_paused():  # builds no reference cycles; see journeymap._gc
        return _analyze(journey, config or Config.default(), max_path)


def _analyze(
    journey: Journey, config: Config, known_max_path: tuple[int, bool] | None = None
) -> JourneyAnalysis:
    ix = build_index(journey)
    flow = solve_flow(ix)
    systems = build_systems(ix)
    context = repeat_asks(ix, systems, config.state_budget)
    hits: Hits = {}
    findings: list[Finding] = []
    findings += handoff_rules(ix, systems, config.wait_hours, hits)
    findings += repeat_ask_findings(ix, context, hits)
    findings += ping_pong_findings(ix, ping_pongs(ix), hits)
    functions = stage_functions(ix)
    findings += stage_findings(ix, functions, config.stage_functions)
    findings += owner_finding(ix)
    findings += structure_findings(ix, reachable(ix, ix.entries), can_leave(ix))

    total = ix.total_volume
    per = (1.0 / total) if total > 0 else 0.0
    scored = []
    for e, t in enumerate(ix.transitions):
        if not ix.handoff[e]:
            continue
        rules = tuple(sorted(hits.get(e, ())))
        per_customer = flow.edge[e] * per
        scored.append((e, t, rules, per_customer, risk_score(rules, per_customer, config.weights)))
    ranked = sorted(scored, key=lambda item: (-item[4], item[0]))
    handoffs = []
    for number, (e, t, rules, per_customer, risk) in enumerate(ranked, start=1):
        handoffs.append(
            Handoff(
                source=t.source,
                target=t.target,
                from_function=ix.function[ix.src[e]],
                to_function=ix.function[ix.dst[e]],
                flow=flow.edge[e],
                per_customer=per_customer,
                risk=risk,
                rules=rules,
                number=number,
                location=t.location,
                owner=t.owner,
                wait_hours=t.wait_hours,
            )
        )
        factors = ", ".join(rules) if rules else "no risk factor"
        findings.append(
            Finding(
                "JM100",
                "info",
                f"handoff #{number} {t.source} -> {t.target} ({ix.function[ix.src[e]]} -> "
                f"{ix.function[ix.dst[e]]}): flow {flow.edge[e]:.4g} a period "
                f"({per_customer:.4g} per entering customer), risk {risk:.3g} ({factors})",
                journey.id,
                t.location,
                touchpoints=(t.source, t.target),
                transition=(t.source, t.target),
            )
        )
    if known_max_path is not None:
        max_path = known_max_path
    else:
        max_path = max_handoffs_on_path(ix, config.path_budget)
    metrics = compute_metrics(ix, flow, max_path, context.complete)
    touchpoint_flow = MappingProxyType(dict(zip(ix.ids, flow.node, strict=False)))
    transition_flow: dict[tuple[str, str], float] = {}
    for t, f in zip(ix.transitions, flow.edge, strict=False):
        transition_flow[t.key] = transition_flow.get(t.key, 0.0) + f
    _require_finite(journey, metrics, handoffs, touchpoint_flow, transition_flow)
    return JourneyAnalysis(
        journey=journey,
        metrics=metrics,
        touchpoint_flow=touchpoint_flow,
        transition_flow=MappingProxyType(transition_flow),
        handoffs=tuple(handoffs),
        findings=tuple(sorted(findings, key=finding_order)),
    )


def _require_finite(
    journey: Journey,
    metrics: Metrics,
    handoffs: list[Handoff],
    touchpoint_flow: Mapping[str, float],
    transition_flow: Mapping[tuple[str, str], float],
) -> None:
    """The last guard: a figure that is not a finite number becomes a located error, never
    output (the format's bounds keep every accepted journey finite; this catches the rest)."""
    named: list[tuple[str, float]] = []
    for f in dataclasses.fields(metrics):
        value = getattr(metrics, f.name)
        if isinstance(value, float):
            named.append((f.name, value))
        elif isinstance(value, Mapping):
            named += [(f"{f.name}[{k}]", v) for k, v in value.items() if isinstance(v, float)]
    named += [(f"flow of {k}", v) for k, v in touchpoint_flow.items()]
    named += [(f"flow of {a} -> {b}", v) for (a, b), v in transition_flow.items()]
    for h in handoffs:
        named += [(f"risk of {h.source} -> {h.target}", h.risk)]
    for name, value in named:
        if not math.isfinite(value):
            raise InputError.at(
                journey.location,
                f"journey '{journey.id}' gives a figure that is not a number ({name} = {value})",
                "check its volumes, shares and waits for extreme values",
            )
