"""Searches along customer paths: ping-pong handoffs (JM108) and the most handoffs on a path."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

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

    First a lower bound in linear time: drop the back edges of a depth-first search (what is
    left is acyclic, and every path in it is a simple path of the journey) and take the longest
    path by dynamic programming. If the journey has no cycle that bound is exact. Otherwise a
    depth-first enumeration of simple paths, bounded by ``budget`` edge steps, tries to improve
    it; the result is exact only when that enumeration finished.
    """
    n = ix.n
    out, dst, handoff = ix.out, ix.dst, ix.handoff
    # Iterative DFS from the entries; classify back edges; record post-order.
    state = [0] * n  # 0 new, 1 on stack, 2 done
    back = [False] * len(dst)
    order: list[int] = []
    for root in ix.entries:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, 0)]
        while stack:
            v, k = stack[-1]
            edges = out[v]
            if k < len(edges):
                stack[-1] = (v, k + 1)
                e = edges[k]
                w = dst[e]
                if state[w] == 0:
                    state[w] = 1
                    stack.append((w, 0))
                elif state[w] == 1:
                    back[e] = True
            else:
                state[v] = 2
                order.append(v)
                stack.pop()
    order.reverse()  # topological order of the reachable part without back edges
    best = [-1] * n
    for i in ix.entries:
        best[i] = 0
    for v in order:
        if best[v] < 0:
            continue
        for e in out[v]:
            if back[e]:
                continue
            w = dst[e]
            value = best[v] + (1 if handoff[e] else 0)
            if value > best[w]:
                best[w] = value
    bound = max(best, default=0)
    bound = max(bound, 0)
    if not any(back):
        return bound, True
    found, finished = _enumerate(ix, budget)
    return max(bound, found), finished


def _enumerate(ix: Index, budget: int) -> tuple[int, bool]:
    """Depth-first enumeration of simple paths from the entries, at most ``budget`` steps."""
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
