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

from collections import deque
from dataclasses import dataclass

from journeymap.analysis._index import Index
from journeymap.analysis.flow import reachable

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
    succ: dict[str, list[str]] = {name: [] for name in names}
    for integration in journey.integrations:
        for a, b in integration.directions():
            if a in succ and b in succ:
                succ[a].append(b)
    reach_of_system: dict[str, int] = {}
    for name in names:
        seen = {name}
        queue = deque([name])
        while queue:
            a = queue.popleft()
            for b in succ[a]:
                if b not in seen:
                    seen.add(b)
                    queue.append(b)
        mask = 0
        for s in seen:
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

    ``budget`` bounds the number of states visited over all items; when it runs out the search
    stops and ``complete`` is False (the repeat asks found so far are real).
    """
    askers: dict[str, list[int]] = {}
    for i, tp in enumerate(ix.touchpoints):
        for item in tp.asks:
            askers.setdefault(item, []).append(i)
    found: dict[tuple[int, str], tuple[tuple[int, ...], set[int]]] = {}
    used = 0
    complete = True
    own, reach = systems.touchpoint, systems.reach
    out, dst, transitions, handoff = ix.out, ix.dst, ix.transitions, ix.handoff
    carries_any = any(t.carries for t in transitions)
    for item in sorted(askers):
        asks = [False] * ix.n
        for i in askers[item]:
            asks[i] = True
        carried = [item in t.carries for t in transitions] if carries_any else None
        seeds = _first_givers(ix, asks)
        # States after the customer was at a touchpoint: parallel lists, breadth-first order.
        # seen[j]: the (holding, available, crossed) states already explored at touchpoint j;
        # crossed: a handoff was crossed since the customer last gave the item.
        seen: list[list[tuple[int, bool, bool]] | None] = [None] * ix.n
        s_node: list[int] = []
        s_hold: list[int] = []
        s_avail: list[bool] = []
        s_crossed: list[bool] = []
        s_parent: list[int] = []
        for i in seeds:
            seen[i] = [(reach[i], True, False)]
            s_node.append(i)
            s_hold.append(reach[i])
            s_avail.append(True)
            s_crossed.append(False)
            s_parent.append(-1)
        k = 0
        while k < len(s_node):
            if used + len(s_node) > budget:
                complete = False
                break
            i, holding, available, crossed = s_node[k], s_hold[k], s_avail[k], s_crossed[k]
            for e in out[i]:
                j = dst[e]
                here = bool(holding & own[j]) or (available and carried is not None and carried[e])
                c = crossed or handoff[e]
                if asks[j]:
                    if not here and c:
                        key = (j, item)
                        if key not in found:
                            found[key] = (_witness(s_node, s_parent, k), set())
                        found[key][1].add(e)
                    h, a, c = holding | reach[j], True, False
                elif here:
                    h, a = holding | reach[j], True
                else:
                    h, a = holding, False
                states = seen[j]
                if states is None:
                    seen[j] = [(h, a, c)]
                else:
                    dominated = False
                    for h0, a0, c0 in states:
                        if (h0 | h) == h and (a or not a0) and (c0 or not c):
                            dominated = True
                            break
                    if dominated:
                        continue
                    states.append((h, a, c))
                s_node.append(j)
                s_hold.append(h)
                s_avail.append(a)
                s_crossed.append(c)
                s_parent.append(k)
            k += 1
        used += len(s_node)
        if not complete:
            break
    repeats = tuple(
        RepeatAsk(j, item, path + (j,), tuple(sorted(losing)))
        for (j, item), (path, losing) in sorted(found.items())
    )
    return ContextResult(repeats, complete, used)


def _first_givers(ix: Index, asks: list[bool]) -> list[int]:
    """Askers reachable from an entry on a path where no earlier touchpoint asks the item."""
    seen = [False] * ix.n
    queue: deque[int] = deque()
    givers: list[int] = []
    for i in ix.entries:
        if not seen[i]:
            seen[i] = True
            queue.append(i)
    while queue:
        i = queue.popleft()
        if asks[i]:
            givers.append(i)
            continue
        for e in ix.out[i]:
            j = ix.dst[e]
            if not seen[j]:
                seen[j] = True
                queue.append(j)
    return sorted(givers)


def _witness(nodes: list[int], parents: list[int], k: int) -> tuple[int, ...]:
    path = []
    while k >= 0:
        path.append(nodes[k])
        k = parents[k]
    path.reverse()
    return tuple(path)


def reachable_from_entries(ix: Index) -> list[bool]:
    """Touchpoints some customer can reach."""
    return reachable(ix, ix.entries)
