"""The engine's searches against independent brute-force versions on random small journeys.

The references follow the design's words directly, with plain sets and networkx, no pruning:
- repeat asks: exhaustive search over full states (touchpoint, given, holding systems, available,
  handoff crossed since last given) from the entries;
- ping-pong: search over (touchpoint, last handoff transition);
- most handoffs on a path: every simple path from every entry (plain recursion).
"""

from __future__ import annotations

from collections import deque

import networkx as nx
from hypothesis import given

from journeymap.analysis._index import build_index
from journeymap.analysis.engine import analyze
from journeymap.analysis.paths import max_handoffs_on_path, ping_pongs
from journeymap.graph import system_graph, to_networkx
from journeymap.model import Journey
from tests.analysis.test_properties import SETTINGS, journeys


def _reference_repeat_asks(j: Journey) -> set[tuple[str, str]]:
    systems = system_graph(j)

    def closure(names: tuple[str, ...]) -> frozenset[str]:
        held: set[str] = set()
        for name in names:
            if name in systems:
                held |= {name} | nx.descendants(systems, name)
            else:
                held.add(name)
        return frozenset(held)

    found: set[tuple[str, str]] = set()
    items = {a for t in j.touchpoints.values() for a in t.asks}
    for item in items:
        start = (False, frozenset(), False, False)  # given, holding, available, crossed

        def arrive(
            tid: str,
            state: tuple,
            carried: bool,
            handoff: bool,
            item: str = item,  # type: ignore[type-arg]
        ) -> tuple:  # type: ignore[type-arg]
            given_, holding, available, crossed = state
            tp = j.touchpoints[tid]
            here = bool(holding & set(tp.systems)) or (carried and available)
            crossed = crossed or handoff
            if item in tp.asks:
                if given_ and not here and crossed:
                    found.add((tid, item))
                return (True, holding | closure(tp.systems), True, False)
            if here:
                return (given_, holding | closure(tp.systems), True, crossed)
            return (given_, holding, False, crossed)

        seen = set()
        queue = deque()
        for entry in j.entries():
            s = (entry.id, arrive(entry.id, start, False, False))
            if s not in seen:
                seen.add(s)
                queue.append(s)
        while queue:
            tid, state = queue.popleft()
            for t in j.touchpoints[tid].next:
                new = (t.target, arrive(t.target, state, item in t.carries, j.is_handoff(t)))
                if new not in seen:
                    seen.add(new)
                    queue.append(new)
    return found


@SETTINGS
@given(journeys())
def test_repeat_asks_match_exhaustive_search(j: Journey) -> None:
    engine = {
        (f.touchpoints[-1], f.message.split("`")[3])
        for f in analyze(j).findings
        if f.rule == "JM103"
    }
    assert engine == _reference_repeat_asks(j)


def _reference_bounces(j: Journey) -> set[tuple[str, str]]:
    """Handoffs B -> A that follow a handoff A -> B as the next handoff on some path."""
    fn = {t.id: t.function for t in j.touchpoints.values()}
    found = set()
    seen = set()
    queue = deque((e.id, None) for e in j.entries())
    seen.update(queue)
    while queue:
        tid, last = queue.popleft()
        for t in j.touchpoints[tid].next:
            nxt = last
            if j.is_handoff(t):
                if last is not None and fn[last.source] == fn[t.target]:
                    found.add(t.key)
                nxt = t
            state = (t.target, nxt)
            if state not in seen:
                seen.add(state)
                queue.append(state)
    return found


@SETTINGS
@given(journeys())
def test_ping_pongs_match_exhaustive_search(j: Journey) -> None:
    ix = build_index(j)
    pairs = ping_pongs(ix)
    backs = {ix.transitions[p.back].key for p in pairs}
    firsts = {ix.transitions[p.first].key for p in pairs}
    reference = _reference_bounces(j)
    # Every reported bounce is real; every real one is reported, or is the mirror half of a
    # reported pair (a -> b -> a -> b is one ping-pong).
    assert backs <= reference <= backs | firsts
    assert firsts <= reference | {t.key for t in j.transitions() if j.is_handoff(t)}


@SETTINGS
@given(journeys())
def test_max_handoffs_matches_all_simple_paths(j: Journey) -> None:
    g = to_networkx(j)
    best = 0

    def walk(path: list[str], count: int) -> None:
        nonlocal best
        best = max(best, count)
        for nxt in g.successors(path[-1]):
            if nxt not in path:
                walk([*path, nxt], count + (1 if g.edges[path[-1], nxt]["handoff"] else 0))

    for entry in j.entries():
        walk([entry.id], 0)
    assert max_handoffs_on_path(build_index(j)) == (best, True)
