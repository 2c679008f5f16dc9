"""A compact, integer-indexed view of a journey's graph that every analysis shares.

The graph is the networkx graph of :func:`journeymap.graph.structure` (the nodes and edges of
:func:`journeymap.graph.to_networkx`, with only the handoff flags); the graph algorithms of the
analyses (reachability, strongly connected components, path bounds) run on it, and the
probabilities come from the function that gives ``to_networkx`` its own. Beside it the
analyses keep plain tuples indexed by touchpoint and transition position, for the per-element
loops (the flow solve, the rules, the repeat-ask search), so that a journey of 100,000
touchpoints is analysed in seconds and a few hundred megabytes. Touchpoints are numbered in
file order (the graph's node order), transitions in :meth:`Journey.transitions` order (by
source touchpoint, then as listed: the graph's edge order).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from journeymap.graph import SHARE_EPS, split, structure
from journeymap.model import Journey, Touchpoint, Transition

__all__ = ["Index", "SHARE_EPS", "build_index"]


@dataclass(frozen=True)
class Index:
    """Touchpoints and transitions by position, with the figures every analysis needs."""

    journey: Journey
    graph: nx.DiGraph  # structure(journey): nodes are ids, edges (source id, target id)
    ids: tuple[str, ...]
    pos: dict[str, int]
    touchpoints: tuple[Touchpoint, ...]
    transitions: tuple[Transition, ...]
    src: tuple[int, ...]
    dst: tuple[int, ...]
    out: tuple[tuple[int, ...], ...]  # transition indices leaving each touchpoint
    prob: tuple[float, ...]  # probability a customer at src takes this transition
    leak: tuple[float, ...]  # per touchpoint: probability of leaving the journey there
    share_sum: tuple[float | None, ...]  # per touchpoint: raw sum of shares (None: no shares)
    handoff: tuple[bool, ...]
    function: tuple[str, ...]
    entries: tuple[int, ...]
    volume: tuple[float, ...]  # entry volume per touchpoint (0 for non-entries)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def total_volume(self) -> float:
        return sum(self.volume)


def build_index(journey: Journey, graph: nx.DiGraph | None = None) -> Index:
    """Number the touchpoints and transitions of ``journey`` beside its graph
    (:func:`journeymap.graph.structure`, built here unless given; the output of
    :func:`journeymap.graph.to_networkx` works too).

    Probabilities are those of the graph, from the same function
    (:func:`journeymap.graph.split`): evenly without shares, shares summing above 1 (rule
    JM303) scaled down to sum to 1, the rest of shares summing below 1 dropping off. They are
    computed per transition rather than read from the graph's edges so that a journey built in
    code with the same transition listed twice (the loader refuses that; a ``DiGraph`` keeps one
    edge per pair) still gets one probability per transition.
    """
    if graph is None:
        graph = structure(journey)
    touchpoints = tuple(journey.touchpoints.values())
    ids = tuple(t.id for t in touchpoints)
    pos = {tid: i for i, tid in enumerate(ids)}
    function = tuple(t.function for t in touchpoints)
    transitions: list[Transition] = []
    src: list[int] = []
    dst: list[int] = []
    out: list[tuple[int, ...]] = []
    prob: list[float] = []
    handoff: list[bool] = []
    leak: list[float] = []
    share_sum: list[float | None] = []
    for i, tp in enumerate(touchpoints):
        first = len(transitions)
        probs, leave, total = split(tp)
        leak.append(leave)
        share_sum.append(total)
        for transition, p in zip(tp.next, probs, strict=True):
            j = pos[transition.target]
            transitions.append(transition)
            src.append(i)
            dst.append(j)
            prob.append(p)
            handoff.append(function[i] != function[j])
        out.append(tuple(range(first, len(transitions))))
    entries = tuple(pos[t.id] for t in journey.entries())
    volume = [0.0] * len(ids)
    for i in entries:
        given = touchpoints[i].volume
        volume[i] += 1.0 if given is None else float(given)
    return Index(
        journey=journey,
        graph=graph,
        ids=ids,
        pos=pos,
        touchpoints=touchpoints,
        transitions=tuple(transitions),
        src=tuple(src),
        dst=tuple(dst),
        out=tuple(out),
        prob=tuple(prob),
        leak=tuple(leak),
        share_sum=tuple(share_sum),
        handoff=tuple(handoff),
        function=function,
        entries=entries,
        volume=tuple(volume),
    )
