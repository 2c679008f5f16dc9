"""Customer flow as an absorbing Markov chain, solved exactly component by component.

Touchpoint *inflow* ``x`` (expected visits per period) solves ``x = v + Pᵀx``: ``v`` is the entry
volume and ``P[i, j]`` the probability that a customer at ``i`` moves to ``j``. Customers leave at
terminal touchpoints and with drop-off (shares summing below 1). The system is solved over the
strongly connected components of the journey's networkx graph (:func:`strong_components`) in
topological order: acyclic parts propagate in one
pass, each cyclic component is one small linear solve (dense below :data:`DENSE_LIMIT` touchpoints,
``scipy.sparse.linalg.spsolve`` above). Work is linear in the graph plus the cyclic solves.

A *closed* component (a loop no customer can leave: no transition out, no drop-off) has no finite
solution; customers arriving there are counted once at the touchpoint where they arrive, as
``trapped``, and its inner transitions carry no flow (rule JM302 reports it).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from journeymap.analysis._index import SHARE_EPS, Index

__all__ = [
    "Flow",
    "solve_flow",
    "strong_components",
    "positive_graph",
    "reachable",
    "can_leave",
    "DENSE_LIMIT",
]

DENSE_LIMIT = 150
"""Cyclic components up to this many touchpoints are solved with a dense solve."""


@dataclass(frozen=True)
class Flow:
    """Inflow per touchpoint and flow per transition (index order), and where customers end."""

    node: tuple[float, ...]
    edge: tuple[float, ...]
    trapped: float  # customers per period stuck in closed loops
    closed: frozenset[int]  # touchpoints in closed loops


def strong_components(ix: Index, positive_only: bool = True) -> list[list[int]]:
    """Strongly connected components of the journey's graph in topological order (sources
    first); each lists its touchpoints in ascending index (file) order.

    :func:`networkx.strongly_connected_components` (a non-recursive Tarjan search, started from
    the touchpoints in file order and following transitions as listed) yields sinks first;
    reversed, that is a topological order of the condensation. With ``positive_only``
    transitions of probability 0 are left out (no customer takes them).
    """
    graph = positive_graph(ix) if positive_only else ix.graph
    pos = ix.pos
    comps = [sorted(pos[v] for v in comp) for comp in nx.strongly_connected_components(graph)]
    comps.reverse()
    return comps


def positive_graph(ix: Index) -> nx.DiGraph:
    """The journey's graph without its transitions of probability 0 (a read-only view; the
    graph itself when there are none)."""
    ids = ix.ids
    zero = {(ids[s], ids[d]) for s, d, p in zip(ix.src, ix.dst, ix.prob, strict=True) if p <= 0.0}
    if not zero:
        return ix.graph
    # a pair listed twice (possible only in journeys built in code) is one edge of the graph
    zero -= {(ids[s], ids[d]) for s, d, p in zip(ix.src, ix.dst, ix.prob, strict=True) if p > 0.0}
    return nx.restricted_view(ix.graph, (), zero)


def solve_flow(ix: Index) -> Flow:
    """Solve the chain of ``ix`` exactly; see the module docstring."""
    n = ix.n
    b = list(ix.volume)  # volume arriving at each touchpoint from entries and earlier components
    x = [0.0] * n
    closed: set[int] = set()
    trapped = 0.0
    comp_of = [0] * n
    comps = strong_components(ix)
    for c, comp in enumerate(comps):
        for i in comp:
            comp_of[i] = c
    out, dst, prob = ix.out, ix.dst, ix.prob
    for c, comp in enumerate(comps):
        if len(comp) == 1:
            i = comp[0]
            self_p = sum(prob[e] for e in out[i] if dst[e] == i)
            if self_p == 0.0:
                x[i] = b[i]
            elif self_p >= 1.0 - SHARE_EPS:
                closed.add(i)
                trapped += b[i]
                x[i] = b[i]
                continue
            else:
                x[i] = b[i] / (1.0 - self_p)
            xi = x[i]
            if xi:
                for e in out[i]:
                    j = dst[e]
                    if j != i:
                        b[j] += xi * prob[e]
            continue
        # A cyclic component: is there a way out?
        exits = False
        for i in comp:
            if ix.leak[i] > SHARE_EPS:
                exits = True
                break
            for e in out[i]:
                if prob[e] > 0.0 and comp_of[dst[e]] != c:
                    exits = True
                    break
            if exits:
                break
        if not exits:
            closed.update(comp)
            for i in comp:
                x[i] = b[i]
                trapped += b[i]
            continue
        if not any(b[i] for i in comp):
            continue  # nobody arrives: all zero
        solved = _solve_component(ix, comp, comp_of, c, b)
        for i, value in zip(comp, solved, strict=False):
            x[i] = value
        for i in comp:
            xi = x[i]
            for e in out[i]:
                j = dst[e]
                if comp_of[j] != c:
                    b[j] += xi * prob[e]
    edge = [
        0.0 if s in closed else x[s] * p  # nobody leaves a closed loop
        for s, d, p in zip(ix.src, ix.dst, ix.prob, strict=False)
    ]
    return Flow(node=tuple(x), edge=tuple(edge), trapped=trapped, closed=frozenset(closed))


def _solve_component(
    ix: Index, comp: list[int], comp_of: list[int], c: int, b: list[float]
) -> list[float]:
    """Solve ``(I - P_Cᵀ) x_C = b_C`` for one cyclic component ``C``."""
    local = {i: k for k, i in enumerate(comp)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i in comp:
        for e in ix.out[i]:
            j = ix.dst[e]
            if comp_of[j] == c and ix.prob[e] > 0.0:
                rows.append(local[j])
                cols.append(local[i])
                vals.append(ix.prob[e])
    size = len(comp)
    rhs = [b[i] for i in comp]
    import numpy as np

    if size <= DENSE_LIMIT:
        matrix = np.eye(size)
        np.subtract.at(matrix, (np.array(rows), np.array(cols)), np.array(vals))
        return [float(v) for v in np.linalg.solve(matrix, np.array(rhs))]
    from scipy.sparse import coo_matrix, identity
    from scipy.sparse.linalg import spsolve

    p_t = coo_matrix((vals, (rows, cols)), shape=(size, size))
    matrix = (identity(size, format="csc") - p_t.tocsc()).tocsc()
    return [float(v) for v in spsolve(matrix, np.array(rhs))]


def reachable(ix: Index, starts: list[int] | tuple[int, ...]) -> list[bool]:
    """Touchpoints reachable from ``starts`` along any transition (breadth-first,
    :func:`networkx.bfs_layers` from all of them)."""
    ids, pos = ix.ids, ix.pos
    seen = [False] * ix.n
    for layer in nx.bfs_layers(ix.graph, [ids[s] for s in starts]):
        for v in layer:
            seen[pos[v]] = True
    return seen


def can_leave(ix: Index) -> list[bool]:
    """Touchpoints from which a customer can leave (reach a terminal or a drop-off): those
    reached from the leaving touchpoints against the direction of the transitions customers
    take (breadth-first on the reversed graph)."""
    ids, pos = ix.ids, ix.pos
    ok = [False] * ix.n
    leaving = [ids[i] for i, leak in enumerate(ix.leak) if leak > SHARE_EPS]
    for layer in nx.bfs_layers(positive_graph(ix).reverse(copy=False), leaving):
        for v in layer:
            ok[pos[v]] = True
    return ok
