"""Where context lives: systems, integration chains, ``carries``, and repeat asks (JM102, JM103).

Systems are numbered and sets of systems are Python ints used as bit sets, so the state search
stays small: for each item asked somewhere, the search walks states ``(touchpoint, systems holding
the item, available, crossed)`` from the touchpoints where the customer first gives it; *crossed*
says a handoff was crossed since the customer last gave the item. A repeat ask (JM103) is an ask
where the item is not available and a handoff was crossed: the customer gave it to another
function. A state that holds the item in a subset of the systems of an already visited state at
the same touchpoint (and is available only if that one is, and crossed if that one is) is
skipped: it cannot reveal a repeat ask the visited one does not (the step is monotone), so the
search explores only minimal states and ends on cycles.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import networkx as nx

from journeymap.analysis._index import Index
from journeymap.graph import system_graph

__all__ = ["Systems", "RepeatAsk", "ContextResult", "build_systems", "connected", "repeat_asks"]


@dataclass(frozen=True)
class Systems:
    """System bit sets: each touchpoint's systems, and what they reach through integrations."""

    bit: dict[str, int]
    touchpoint: tuple[int, ...]  # systems of each touchpoint
    reach: tuple[int, ...]  # systems reachable (itself included) from each touchpoint's systems
    reach_of_system: dict[str, int]


def build_systems(ix: Index) -> Systems:
    """Number the systems and close each touchpoint's systems under the integration chains."""
    journey = ix.journey
    names: list[str] = list(journey.systems)
    for tp in ix.touchpoints:
        for s in tp.systems:
            if s not in journey.systems and s not in names:
                names.append(s)
    bit = {name: 1 << k for k, name in enumerate(names)}
    # data flows along integrations: a system reaches its descendants in the system graph
    # (only integrations between numbered systems count; a model built by hand may name others)
    graph = system_graph(journey)
    graph.remove_nodes_from([s for s in list(graph) if s not in bit])
    reach_of_system: dict[str, int] = {}
    for name in names:
        mask = bit[name]
        if name in graph:
            for s in nx.descendants(graph, name):
                mask |= bit[s]
        reach_of_system[name] = mask
    own: list[int] = []
    reach: list[int] = []
    cache: dict[tuple[str, ...], tuple[int, int]] = {}
    for tp in ix.touchpoints:
        found = cache.get(tp.systems)
        if found is None:
            m = r = 0
            for s in tp.systems:
                m |= bit[s]
                r |= reach_of_system[s]
            found = cache[tp.systems] = (m, r)
        own.append(found[0])
        reach.append(found[1])
    return Systems(bit, tuple(own), tuple(reach), reach_of_system)


def connected(systems: Systems, earlier: int, later: int) -> bool:
    """Whether a system of touchpoint ``earlier`` is or reaches a system of ``later``."""
    return bool(systems.reach[earlier] & systems.touchpoint[later])


@dataclass(frozen=True)
class RepeatAsk:
    """A touchpoint asking ``item`` again; one witness path from where it was first given."""

    touchpoint: int
    item: str
    path: tuple[int, ...]  # touchpoint indices, first giver ... the repeat-asking touchpoint
    losing: tuple[int, ...]  # transitions into it on which some path arrives without the item


@dataclass(frozen=True)
class ContextResult:
    repeats: tuple[RepeatAsk, ...]  # by touchpoint index, then item
    complete: bool
    states: int


def repeat_asks(ix: Index, systems: Systems, budget: int = 20_000_000) -> ContextResult:
    """Find every repeat ask (JM103) by a finite state search per item; see the module doc.

    Each item's search only enters touchpoints from which one of the item's askers can still be
    reached: a state anywhere else can never reveal a repeat ask. ``budget`` bounds the number of
    states visited over all items; when it runs out the search stops and ``complete`` is False
    (the repeat asks found so far are real).
    """
    askers: dict[str, list[int]] = {}
    for i, tp in enumerate(ix.touchpoints):
        for item in tp.asks:
            askers.setdefault(item, []).append(i)
    found: dict[tuple[int, str], tuple[tuple[int, ...], set[int]]] = {}
    used = 0
    complete = True
    n, m = ix.n, len(ix.transitions)
    # Compact arrays (one machine word or byte per entry) for what the search reads at random:
    # at 100,000 touchpoints Python lists of int objects stop fitting in the processor's cache
    # and every lookup costs a pointer chase. Transitions are numbered by source touchpoint, so
    # those leaving touchpoint i are first[i] .. first[i + 1] - 1.
    first_out = array("q", bytes(8 * (n + 1)))
    for i in ix.src:
        first_out[i + 1] += 1
    for i in range(n):
        first_out[i + 1] += first_out[i]
    dst = array("q", ix.dst)
    handoff = bytearray(ix.handoff)
    # bit sets of systems fit a machine word unless a journey has more than 60 systems
    wide = len(systems.bit) > 60
    own = list(systems.touchpoint) if wide else array("q", systems.touchpoint)
    reach = list(systems.reach) if wide else array("q", systems.reach)
    carried_by: dict[str, list[int]] = {}
    for e, t in enumerate(ix.transitions):
        for carried_item in t.carries:
            carried_by.setdefault(carried_item, []).append(e)
    preds: tuple[array[int], array[int]] | None = None
    for item in sorted(askers):
        if preds is None:
            preds = _predecessors(ix)
        # per touchpoint: 0 = no asker of the item can be reached from here, 1 = one can,
        # 2 = asks the item itself
        kind = _reaching(preds, askers[item], n)
        for i in askers[item]:
            kind[i] = 2
        carried = bytearray(m)
        for e in carried_by.get(item, ()):
            carried[e] = 1
        # A state is one int: the systems holding the item (bit set) shifted left by two, then
        # bit 1 "available" and bit 0 "not crossed" (no handoff crossed since the customer last
        # gave the item). A state at the same touchpoint whose bits are a subset of a new
        # state's dominates it (fewer systems, less available, crossed): the new one is skipped.
        # States are explored breadth-first, in parallel arrays: s_parent links each to the
        # state it came from, s_same to the previous state at the same touchpoint (latest[j] is
        # the last one at touchpoint j, -1 for none). No Python container is made per state, so
        # the search gives the cyclic garbage collector nothing to do.
        latest = array("q", [-1]) * n
        s_node = array("q")
        s_state: list[int] | array[int] = [] if wide else array("q")
        s_parent = array("q")
        s_same = array("q")
        for i in _first_givers(first_out, dst, ix.entries, kind):
            latest[i] = len(s_node)
            s_node.append(i)
            s_state.append(reach[i] << 2 | 3)
            s_parent.append(-1)
            s_same.append(-1)
        add_node, add_state = s_node.append, s_state.append
        add_parent, add_same = s_parent.append, s_same.append
        size = len(s_node)
        limit = budget - used  # states this item may still use
        k = 0
        while k < size:
            if size > limit:
                complete = False
                break
            i = s_node[k]
            state = s_state[k]
            holding = state >> 2
            available = state & 2
            crossed = not state & 1
            for e in range(first_out[i], first_out[i + 1]):
                j = dst[e]
                kj = kind[j]
                if not kj:
                    continue
                here = holding & own[j] or (available and carried[e])
                c = crossed or handoff[e]
                if kj == 2:
                    if not here and c:
                        key = (j, item)
                        if key not in found:
                            found[key] = (_witness(s_node, s_parent, k), set())
                        found[key][1].add(e)
                    new = (holding | reach[j]) << 2 | 3
                elif here:
                    new = (holding | reach[j]) << 2 | (2 if c else 3)
                else:
                    new = holding << 2 | (0 if c else 1)
                other = last = latest[j]
                while other != -1 and s_state[other] | new != new:
                    other = s_same[other]
                if other != -1:
                    continue  # dominated
                latest[j] = size
                size += 1
                add_node(j)
                add_state(new)
                add_parent(k)
                add_same(last)
            k += 1
        used += size
        if not complete:
            break
    repeats = tuple(
        RepeatAsk(j, item, path + (j,), tuple(sorted(losing)))
        for (j, item), (path, losing) in sorted(found.items())
    )
    return ContextResult(repeats, complete, used)


def _predecessors(ix: Index) -> tuple[array[int], array[int]]:
    """The sources of the transitions into each touchpoint, as compact arrays: those into
    touchpoint j are ``sources[start[j]:start[j + 1]]``."""
    n = ix.n
    start = array("q", bytes(8 * (n + 1)))
    for j in ix.dst:
        start[j + 1] += 1
    for j in range(n):
        start[j + 1] += start[j]
    fill = start[:-1]
    sources = array("q", bytes(8 * len(ix.dst)))
    for i, j in zip(ix.src, ix.dst, strict=False):
        sources[fill[j]] = i
        fill[j] += 1
    return start, sources


def _reaching(preds: tuple[array[int], array[int]], targets: list[int], n: int) -> bytearray:
    """Touchpoints from which one of ``targets`` can be reached (the targets included)."""
    start, sources = preds
    seen = bytearray(n)
    stack = list(targets)
    for t in targets:
        seen[t] = 1
    while stack:
        j = stack.pop()
        for p in range(start[j], start[j + 1]):
            i = sources[p]
            if not seen[i]:
                seen[i] = 1
                stack.append(i)
    return seen


def _first_givers(
    first_out: array[int], dst: array[int], entries: tuple[int, ...], kind: bytearray
) -> list[int]:
    """Askers (``kind[i] == 2``) reachable from an entry on a path where no earlier touchpoint
    asks the item."""
    seen = bytearray(len(kind))
    queue: list[int] = []
    for i in entries:
        if not seen[i]:
            seen[i] = 1
            queue.append(i)
    givers: list[int] = []
    for i in queue:  # grows while it is read: breadth-first
        if kind[i] == 2:
            givers.append(i)
            continue
        for e in range(first_out[i], first_out[i + 1]):
            j = dst[e]
            if not seen[j]:
                seen[j] = 1
                queue.append(j)
    return sorted(givers)


def _witness(nodes: array[int], parents: array[int], k: int) -> tuple[int, ...]:
    path = []
    while k >= 0:
        path.append(nodes[k])
        k = parents[k]
    path.reverse()
    return tuple(path)
