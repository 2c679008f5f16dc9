"""Searches along customer paths: ping-pong handoffs (JM108) and the most handoffs on a path."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx

from journeymap.analysis._index import Index

__all__ = ["PingPong", "ping_pongs", "max_handoffs_on_path"]


@dataclass(frozen=True)
class PingPong:
    """Handoff ``back`` (B -> A) follows handoff ``first`` (A -> B) as the next handoff."""

    first: int  # transition index
    back: int  # transition index


def ping_pongs(ix: Index) -> tuple[PingPong, ...]:
    """Every bounce-back, found by a search over states (touchpoint, function of the last handoff's
    source); at most (touchpoints x functions) states, so linear in practice.

    The same two transitions bouncing either way round (a -> b -> a -> b) are one ping-pong,
    reported at the transition the breadth-first search meets second (the one sending customers
    back). ``first`` is a witness: the first such handoff the search met.
    """
    function = ix.function
    out, dst, handoff = ix.out, ix.dst, ix.handoff
    witness: dict[tuple[int, str | None], int] = {}  # state -> transition of its last handoff
    queue: deque[tuple[int, str | None]] = deque()
    for i in ix.entries:
        start: tuple[int, str | None] = (i, None)
        if start not in witness:
            witness[start] = -1
            queue.append(start)
    pairs: list[PingPong] = []
    reported: set[frozenset[int]] = set()
    while queue:
        state = queue.popleft()
        i, last_from = state
        rep = witness[state]
        for e in out[i]:
            j = dst[e]
            if handoff[e]:
                if last_from is not None and last_from == function[j]:
                    key = frozenset((rep, e))
                    if key not in reported:
                        reported.add(key)
                        pairs.append(PingPong(rep, e))
                new: tuple[int, str | None] = (j, function[i])
                new_rep = e
            else:
                new = (j, last_from)
                new_rep = rep
            if new not in witness:
                witness[new] = new_rep
                queue.append(new)
    pairs.sort(key=lambda p: (p.back, p.first))
    return tuple(pairs)


def max_handoffs_on_path(ix: Index, budget: int = 200_000) -> tuple[int, bool]:
    """The most handoffs on any simple path starting at an entry, and whether it is exact.

    A depth-first search from the entries (:func:`networkx.dfs_labeled_edges`) finds the back
    edges. Without them the journey is acyclic and the longest path, counting handoffs
    (:func:`networkx.dag_longest_path`), is exact. Otherwise a depth-first enumeration of simple
    paths, bounded by ``budget`` edge steps, looks for the most; when it finishes its figure is
    exact. When it does not, the figure is the better of what it found and a lower bound: the
    longest path once the back edges are dropped (what is left of the reachable part is acyclic,
    and every path in it is a simple path of the journey).
    """
    graph = ix.graph
    back, order = _back_edges(ix)
    if back:
        found, finished = _enumerate(ix, budget)
        if finished:
            return found, True  # every simple path was seen; the bound cannot be more
    reached = set(order)
    unreached = [v for v in graph if v not in reached]
    acyclic = nx.restricted_view(graph, unreached, back) if back or unreached else graph
    bound = _handoffs_on_longest_path(graph, acyclic, order)
    if not back:
        return bound, True
    return max(bound, found), False


def _back_edges(ix: Index) -> tuple[list[tuple[str, str]], list[str]]:
    """The back edges of one depth-first search from the entries (in order, transitions as
    listed), and the touchpoints it reached in reverse post-order: a topological order of the
    reachable part without the back edges."""
    graph = ix.graph
    back: list[tuple[str, str]] = []
    done: set[str] = set()  # touchpoints whose search has finished
    order: list[str] = []
    # Later entries search the graph without what earlier entries' searches finished, as if
    # all entries were roots of one search. The filter reads ``done`` as it grows: a touchpoint
    # finished during a search disappears from it, which hides only edges to finished
    # touchpoints (never back edges: those lead to touchpoints still on the search path).
    rest = nx.subgraph_view(graph, filter_node=lambda v: v not in done)
    depth = len(graph)
    for root in (ix.ids[i] for i in ix.entries):
        if root in done:
            continue
        on_path: set[str] = set()
        for u, v, kind in nx.dfs_labeled_edges(rest if done else graph, root, depth_limit=depth):
            if kind == "forward":
                on_path.add(v)
            elif kind == "reverse":
                on_path.discard(v)
                done.add(v)
                order.append(v)
            elif v in on_path:  # "nontree", to a touchpoint on the search path
                back.append((u, v))
    order.reverse()
    return back, order


def _handoffs_on_longest_path(graph: nx.DiGraph, acyclic: nx.DiGraph, order: list[str]) -> int:
    """Handoffs on the path of ``acyclic`` (a view of ``graph``, in topological ``order``) with
    the most of them."""
    path = nx.dag_longest_path(acyclic, weight="handoff", topo_order=order)
    edges = graph.edges
    return sum(1 for u, v in zip(path, path[1:], strict=False) if edges[u, v]["handoff"])


def _enumerate(ix: Index, budget: int) -> tuple[int, bool]:
    """Depth-first enumeration of simple paths from the entries, at most ``budget`` steps.

    Hand-written because networkx has no budgeted equivalent: ``all_simple_paths`` and
    ``all_simple_edge_paths`` enumerate paths to given targets, copy each path they yield (work
    proportional to its length per path, where this search pays one step per edge) and cannot
    stop after a number of steps, which is what keeps this search bounded and its
    ``finished`` flag meaningful.
    """
    out, dst, handoff = ix.out, ix.dst, ix.handoff
    best = 0
    steps = 0
    on_path = [False] * ix.n
    for root in ix.entries:
        on_path[root] = True
        stack = [(root, 0, 0)]  # touchpoint, next edge position, handoffs so far
        while stack:
            v, k, count = stack[-1]
            edges = out[v]
            if k < len(edges):
                stack[-1] = (v, k + 1, count)
                e = edges[k]
                w = dst[e]
                if on_path[w]:
                    continue
                steps += 1
                if steps > budget:
                    for u, _, _ in stack:
                        on_path[u] = False
                    return best, False
                c = count + (1 if handoff[e] else 0)
                if c > best:
                    best = c
                on_path[w] = True
                stack.append((w, 0, c))
            else:
                on_path[v] = False
                stack.pop()
    return best, True
