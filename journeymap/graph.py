"""The journey as networkx graphs: touchpoints, the silo map, and the system integrations.

The only place journeymap builds networkx graphs. Graphs are built from the immutable model and,
optionally, an analysis (for flows and risk); they are fresh objects the caller may modify.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from journeymap.model import Journey

if TYPE_CHECKING:
    from journeymap.analysis.types import JourneyAnalysis

__all__ = ["journey_graph", "silo_graph", "system_graph"]


def journey_graph(journey: Journey, analysis: JourneyAnalysis | None = None) -> nx.DiGraph:
    """Touchpoints as nodes, transitions as edges, in file order.

    Node attributes: ``touchpoint`` (the model object), ``name``, ``stage``, ``function``,
    ``channel``, ``systems``, ``emotion``, ``asks``, ``outcome``, ``entry`` (bool), ``volume``
    (entry volume: given, 1 by default, 0 for non-entries), and with ``analysis`` ``flow``.
    Edge attributes: ``transition``, ``share`` (as written, or None), ``probability`` (what the
    flow uses: the share, 1/k without shares, scaled when shares sum above 1), ``wait_hours``,
    ``carries``, ``owner``, ``handoff`` (bool), and with ``analysis`` ``flow`` and for handoffs
    ``risk``, ``rules`` and ``number``.
    """
    from journeymap.analysis._index import build_index

    ix = build_index(journey)
    graph = nx.DiGraph(id=journey.id, title=journey.title, path=journey.path)
    entries = set(ix.entries)
    flows = analysis.touchpoint_flow if analysis is not None else None
    for i, tp in enumerate(ix.touchpoints):
        attrs = {
            "touchpoint": tp,
            "name": tp.name,
            "stage": tp.stage,
            "function": tp.function,
            "channel": tp.channel,
            "systems": tp.systems,
            "emotion": tp.emotion,
            "asks": tp.asks,
            "outcome": tp.outcome,
            "entry": i in entries,
            "volume": ix.volume[i],
        }
        if flows is not None:
            attrs["flow"] = flows.get(tp.id, 0.0)
        graph.add_node(tp.id, **attrs)
    handoffs = {(h.source, h.target): h for h in analysis.handoffs} if analysis else {}
    for e, t in enumerate(ix.transitions):
        attrs = {
            "transition": t,
            "share": t.share,
            "probability": ix.prob[e],
            "wait_hours": t.wait_hours,
            "carries": t.carries,
            "owner": t.owner,
            "handoff": ix.handoff[e],
        }
        if analysis is not None:
            attrs["flow"] = analysis.transition_flow.get(t.key, 0.0)
            handoff = handoffs.get(t.key)
            if handoff is not None:
                attrs.update(risk=handoff.risk, rules=handoff.rules, number=handoff.number)
        graph.add_edge(t.source, t.target, **attrs)
    return graph


def silo_graph(journey: Journey, analysis: JourneyAnalysis | None = None) -> nx.DiGraph:
    """The silo map: functions as nodes, one edge per function pair with handoffs between them.

    Nodes (every function a touchpoint uses, in first-use order) carry ``name``, ``lead``,
    ``touchpoints`` (count) and ``flow`` (sum of their touchpoints' inflow). Edges carry
    ``count`` (handoff transitions), ``flow`` (customers per period), ``per_customer``, ``risk``
    (sum of the handoffs' risk scores) and ``transitions`` (the (source, target) pairs). Without
    ``analysis`` the journey is analysed first.
    """
    if analysis is None:
        from journeymap.analysis.engine import analyze

        analysis = analyze(journey)
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
