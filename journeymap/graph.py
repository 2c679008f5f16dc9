"""The journey as networkx graphs: touchpoints, the silo map, and the system integrations.

The only place journeymap builds networkx graphs. :func:`to_networkx` is the journey's graph
with every attribute (and, given an analysis, what the engine computed); :func:`structure` is
the same graph, node for node and edge for edge, with only the handoff flags: the one the
analyses run reachability, strongly connected components and path bounds on. Both take their
probabilities from :func:`split`, which the analyses use too. Graphs are built from the immutable model and,
optionally, an analysis; they are fresh objects the caller may modify.

Data flows one way: model -> graph -> analysis. This module imports nothing from
:mod:`journeymap.analysis`, not even for type checking: a graph with analysis results is built
from an analysis the caller already has, described here by what is read of it
(:class:`AnalysisLike`, which :class:`journeymap.analysis.types.JourneyAnalysis` satisfies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import networkx as nx

from journeymap.model import Journey, Location, Touchpoint


class HandoffLike(Protocol):
    """What the graphs read of a scored handoff."""

    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def from_function(self) -> str: ...
    @property
    def to_function(self) -> str: ...
    @property
    def flow(self) -> float: ...
    @property
    def per_customer(self) -> float: ...
    @property
    def risk(self) -> float: ...
    @property
    def rules(self) -> tuple[str, ...]: ...
    @property
    def number(self) -> int: ...
    @property
    def location(self) -> Location: ...


class FindingLike(Protocol):
    """What the graphs read of a finding."""

    @property
    def rule(self) -> str: ...
    @property
    def transition(self) -> tuple[str, str] | None: ...
    @property
    def location(self) -> Location: ...


class AnalysisLike(Protocol):
    """What the graphs read of an analysis (a :class:`~journeymap.analysis.types.JourneyAnalysis`)."""

    @property
    def touchpoint_flow(self) -> Mapping[str, float]: ...
    @property
    def transition_flow(self) -> Mapping[tuple[str, str], float]: ...
    @property
    def handoffs(self) -> Sequence[HandoffLike]: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...


__all__ = [
    "SHARE_EPS",
    "AnalysisLike",
    "split",
    "to_networkx",
    "structure",
    "silo_graph",
    "system_graph",
]

SHARE_EPS = 1e-9
"""Tolerance when comparing sums of shares with 1 (0.1 + 0.2 + 0.7 is not exactly 1.0)."""


def split(touchpoint: Touchpoint) -> tuple[list[float], float, float | None]:
    """How customers leave ``touchpoint``: the probability of each of its transitions (in the
    order listed), the probability of leaving the journey here, and the raw sum of its shares
    (None when its transitions give none).

    A terminal touchpoint is left with probability 1. Without shares customers split evenly.
    Shares that sum above 1 (rule JM303) are scaled down to sum to 1, so the chain stays
    well-defined; shares summing below 1 leave the rest to drop off.
    """
    nxt = touchpoint.next
    k = len(nxt)
    if k == 0:
        return [], 1.0, None
    shares = [t.share for t in nxt]
    if all(s is None for s in shares):
        return [1.0 / k] * k, 0.0, None
    # Mixed shares are a load error; a missing one counts 0 here.
    raw = [float(s) if s is not None else 0.0 for s in shares]
    total = sum(raw)
    if total > 1.0 + SHARE_EPS:
        return [s / total for s in raw], 0.0, total
    return raw, max(0.0, 1.0 - total), total


def to_networkx(journey: Journey, analysis: AnalysisLike | None = None) -> nx.DiGraph:
    """The journey as a directed graph: touchpoints as nodes, transitions as edges, in file order.

    Nodes are touchpoint ids, in file order; each node's edges are its transitions as listed.

    Node attributes: ``touchpoint`` (the model object), ``name``, ``stage``, ``function``,
    ``channel``, ``systems``, ``emotion``, ``asks``, ``outcome``, ``entry`` (bool: customers
    enter here), ``volume`` (customers entering here per period: as given, 1 by default, 0 for
    touchpoints that are not entries), ``exit_probability`` (the probability that a customer here
    leaves the journey: 1 at a terminal, the drop-off where shares sum below 1, else 0) and
    ``share_total`` (the raw sum of the shares out of it, None without shares).

    Edge attributes: ``transition`` (the model object), ``share`` (as written, or None),
    ``probability`` (what the flow uses: the share, 1/k without shares, scaled when shares sum
    above 1), ``wait_hours``, ``carries``, ``owner`` and ``handoff`` (bool: the two touchpoints
    have different functions).

    With ``analysis`` (from :func:`journeymap.analyze` of the same journey), nodes also carry
    ``flow`` (expected visits per period) and ``rules`` (the rule codes of the findings located
    at the touchpoint, sorted), and edges ``flow`` (customers per period); handoff edges also
    carry ``risk``, ``rules`` (the risk factors that hit it) and ``number`` (its rank by risk,
    as in the diagrams). Graph attributes: ``id``, ``title``, ``path``.
    """
    entry_ids = {tp.id for tp in journey.entries()}
    graph = nx.DiGraph(id=journey.id, title=journey.title, path=journey.path)
    touchpoints = journey.touchpoints
    edges: list[tuple[str, str, dict[str, Any]]] = []
    nodes: list[tuple[str, dict[str, Any]]] = []
    for tp in touchpoints.values():
        probs, leave, total = split(tp)
        entry = tp.id in entry_ids
        nodes.append(
            (
                tp.id,
                {
                    "touchpoint": tp,
                    "name": tp.name,
                    "stage": tp.stage,
                    "function": tp.function,
                    "channel": tp.channel,
                    "systems": tp.systems,
                    "emotion": tp.emotion,
                    "asks": tp.asks,
                    "outcome": tp.outcome,
                    "entry": entry,
                    "volume": (1.0 if tp.volume is None else float(tp.volume)) if entry else 0.0,
                    "exit_probability": leave,
                    "share_total": total,
                },
            )
        )
        function = tp.function
        for t, p in zip(tp.next, probs, strict=True):
            edges.append(
                (
                    t.source,
                    t.target,
                    {
                        "transition": t,
                        "share": t.share,
                        "probability": p,
                        "wait_hours": t.wait_hours,
                        "carries": t.carries,
                        "owner": t.owner,
                        "handoff": touchpoints[t.target].function != function,
                    },
                )
            )
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    if analysis is not None:
        _annotate(graph, analysis)
    return graph


def structure(journey: Journey) -> nx.DiGraph:
    """The graph the analyses run on: the nodes and edges of :func:`to_networkx`, in the same
    order, with only the ``handoff`` flag on edges.

    The analyses keep their per-touchpoint figures in arrays (:mod:`journeymap.analysis._index`)
    and need only the structure; without the attribute dictionaries the graph of a 100,000
    touchpoint journey takes about half the memory and time to build (docs/performance.md).
    """
    graph = nx.DiGraph(id=journey.id, title=journey.title, path=journey.path)
    touchpoints = journey.touchpoints
    graph.add_nodes_from(touchpoints)
    graph.add_edges_from(
        (t.source, t.target, {"handoff": touchpoints[t.target].function != tp.function})
        for tp in touchpoints.values()
        for t in tp.next
    )
    return graph


def _annotate(graph: nx.DiGraph, analysis: AnalysisLike) -> None:
    """Add flows, risks and rule codes from ``analysis`` to a graph of the same journey."""
    flows = analysis.touchpoint_flow
    at: dict[tuple[str, int, int], set[str]] = {}
    for finding in analysis.findings:
        if finding.transition is None:
            loc = finding.location
            at.setdefault((loc.path, loc.line, loc.col), set()).add(finding.rule)
    for tid, data in graph.nodes(data=True):
        data["flow"] = flows.get(tid, 0.0)
        loc = data["touchpoint"].location
        data["rules"] = tuple(sorted(at.get((loc.path, loc.line, loc.col), ())))
    edge_flow = analysis.transition_flow
    for u, v, data in graph.edges(data=True):
        data["flow"] = edge_flow.get((u, v), 0.0)
    for h in analysis.handoffs:
        if graph.has_edge(h.source, h.target):
            graph.edges[h.source, h.target].update(risk=h.risk, rules=h.rules, number=h.number)


def silo_graph(journey: Journey, analysis: AnalysisLike) -> nx.DiGraph:
    """The silo map of ``journey`` from its ``analysis``: functions as nodes, one edge per function pair with
    handoffs between them.

    Nodes (every function a touchpoint uses, in first-use order) carry ``name``, ``lead``,
    ``touchpoints`` (count) and ``flow`` (sum of their touchpoints' inflow). Edges carry
    ``count`` (handoff transitions), ``flow`` (customers per period), ``per_customer``, ``risk``
    (sum of the handoffs' risk scores) and ``transitions`` (the (source, target) pairs).
    """
    graph = nx.DiGraph(id=journey.id, title=journey.title)
    for tp in journey.touchpoints.values():
        if tp.function not in graph:
            function = journey.functions.get(tp.function)
            graph.add_node(
                tp.function,
                name=function.name if function else tp.function,
                lead=function.lead if function else None,
                touchpoints=0,
                flow=0.0,
            )
        node = graph.nodes[tp.function]
        node["touchpoints"] += 1
        node["flow"] += analysis.touchpoint_flow.get(tp.id, 0.0)
    for h in sorted(analysis.handoffs, key=lambda h: (h.location, h.source, h.target)):
        if not graph.has_edge(h.from_function, h.to_function):
            graph.add_edge(
                h.from_function,
                h.to_function,
                count=0,
                flow=0.0,
                per_customer=0.0,
                risk=0.0,
                transitions=[],
            )
        edge = graph.edges[h.from_function, h.to_function]
        edge["count"] += 1
        edge["flow"] += h.flow
        edge["per_customer"] += h.per_customer
        edge["risk"] += h.risk
        edge["transitions"].append((h.source, h.target))
    return graph


def system_graph(journey: Journey) -> nx.DiGraph:
    """Systems as nodes (``name``, ``owner``, ``shadow``, ``system``), integrations as directed
    edges (both directions unless one-way; ``one_way``, ``integration``)."""
    graph = nx.DiGraph(id=journey.id)
    for system in journey.systems.values():
        graph.add_node(
            system.id, name=system.name, owner=system.owner, shadow=system.shadow, system=system
        )
    for integration in journey.integrations:
        for a, b in integration.directions():
            graph.add_edge(a, b, one_way=integration.one_way, integration=integration)
    return graph
