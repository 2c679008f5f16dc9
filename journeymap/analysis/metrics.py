"""Journey-level metrics from the solved flow; definitions in docs/methodology.md."""

from __future__ import annotations

from types import MappingProxyType

from journeymap.analysis._index import Index
from journeymap.analysis.flow import Flow
from journeymap.analysis.types import Metrics

__all__ = ["NO_SYSTEM", "UNOWNED", "stage_functions", "compute_metrics"]

NO_SYSTEM = "(no system)"
"""Backstage share key for touchpoints that no system supports."""
UNOWNED = "(unowned)"
"""Backstage share key for systems with no ``owner``."""


def stage_functions(ix: Index) -> dict[str, tuple[str, ...]]:
    """Each stage's functions, in the order their first touchpoint appears in the file."""
    result: dict[str, dict[str, None]] = {s.id: {} for s in ix.journey.stages}
    for tp in ix.touchpoints:
        result.setdefault(tp.stage, {})[tp.function] = None
    return {stage: tuple(fns) for stage, fns in result.items()}


def _shares(weights: dict[str, float]) -> MappingProxyType[str, float]:
    total = sum(weights.values())
    if total <= 0:
        return MappingProxyType({k: 0.0 for k in weights})
    return MappingProxyType({k: v / total for k, v in weights.items()})


def _fragmentation(ix: Index, flow: Flow) -> dict[str, float]:
    """1 - Herfindahl index of the function shares of each stage's touchpoint flow.

    Stages nobody reaches fall back to counting touchpoints; empty stages are 0.
    """
    by_stage: dict[str, dict[str, float]] = {s.id: {} for s in ix.journey.stages}
    counts: dict[str, dict[str, float]] = {s.id: {} for s in ix.journey.stages}
    for i, tp in enumerate(ix.touchpoints):
        f = by_stage.setdefault(tp.stage, {})
        f[tp.function] = f.get(tp.function, 0.0) + flow.node[i]
        c = counts.setdefault(tp.stage, {})
        c[tp.function] = c.get(tp.function, 0.0) + 1.0
    result = {}
    for stage, weights in by_stage.items():
        if sum(weights.values()) <= 0:
            weights = counts[stage]
        total = sum(weights.values())
        result[stage] = 0.0 if total <= 0 else 1.0 - sum((w / total) ** 2 for w in weights.values())
    return result


def compute_metrics(
    ix: Index, flow: Flow, max_path: tuple[int, bool], context_complete: bool
) -> Metrics:
    """Every journey metric; ``max_path`` is (most handoffs on a path, search complete)."""
    journey = ix.journey
    total = ix.total_volume
    per = (1.0 / total) if total > 0 else 0.0
    n_transitions = len(ix.transitions)
    n_handoffs = sum(ix.handoff)
    handoff_flow = sum(f for f, h in zip(flow.edge, ix.handoff, strict=False) if h)
    wait = sum(
        f * t.wait_hours
        for f, t in zip(flow.edge, ix.transitions, strict=False)
        if t.wait_hours is not None
    )
    outcomes: dict[str, float] = {}
    drop = 0.0
    for i, tp in enumerate(ix.touchpoints):
        if i in flow.closed:
            continue
        leaving = flow.node[i] * ix.leak[i]
        if tp.outcome is not None:
            outcomes[tp.outcome] = outcomes.get(tp.outcome, 0.0) + leaving
        else:
            drop += leaving
    front: dict[str, float] = {}
    leads: dict[str, float] = {}
    back: dict[str, float] = {}
    for i, tp in enumerate(ix.touchpoints):
        x = flow.node[i]
        front[tp.function] = front.get(tp.function, 0.0) + x
        function = journey.functions.get(tp.function)
        lead = (function.lead or function.name) if function is not None else tp.function
        leads[lead] = leads.get(lead, 0.0) + x
        if not tp.systems:
            back[NO_SYSTEM] = back.get(NO_SYSTEM, 0.0) + x
            continue
        part = x / len(tp.systems)
        for name in tp.systems:
            system = journey.systems.get(name)
            owner = system.owner if system is not None and system.owner else UNOWNED
            back[owner] = back.get(owner, 0.0) + part
    matrix: dict[tuple[str, str], float] = {}
    for e, f in enumerate(flow.edge):
        if ix.handoff[e]:
            key = (ix.function[ix.src[e]], ix.function[ix.dst[e]])
            matrix[key] = matrix.get(key, 0.0) + f
    most, complete = max_path
    return Metrics(
        touchpoints=ix.n,
        transitions=n_transitions,
        handoffs=n_handoffs,
        handoff_ratio=(n_handoffs / n_transitions) if n_transitions else 0.0,
        expected_handoffs_per_customer=handoff_flow * per,
        max_handoffs_on_path=most,
        max_handoffs_on_path_complete=complete,
        functions_touched=len(set(ix.function)),
        outcomes=MappingProxyType({k: v * per for k, v in outcomes.items()}),
        drop_off=drop * per,
        expected_wait_hours_per_customer=wait * per,
        stage_functions=MappingProxyType(stage_functions(ix)),
        stage_fragmentation=MappingProxyType(_fragmentation(ix, flow)),
        function_flow_share=_shares(front),
        lead_flow_share=_shares(leads),
        system_owner_flow_share=_shares(back),
        handoff_matrix=MappingProxyType(matrix),
        total_volume=total,
        trapped=flow.trapped * per,
        context_search_complete=context_complete,
    )
