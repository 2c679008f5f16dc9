"""Where context lives: systems, integration chains, ``carries``, and repeat asks (JM102, JM103).

Systems are numbered and sets of systems are Python ints used as bit sets, so the state search
stays small: for each item asked somewhere, the search walks states ``(touchpoint, systems holding
the item, available)`` from the touchpoints where the customer first gives it. A state that holds
the item in a subset of the systems of an already visited state at the same touchpoint (and is
available only if that one is) is skipped: it cannot reveal a repeat ask the visited one does not
(the step is monotone), so the search explores only minimal states and ends on cycles.
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


def repeat_asks(ix: Index, systems: Systems, budget: int = 2_000_000) -> ContextResult:
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
    out, dst, transitions = ix.out, ix.dst, ix.transitions
    for item in sorted(askers):
        asks = [False] * ix.n
        for i in askers[item]:
            asks[i] = True
        carried = [item in t.carries for t in transitions]
        seeds = _first_givers(ix, asks)
        # A state is (touchpoint, holding, available) after the customer was at the touchpoint.
        seen: dict[int, list[tuple[int, bool]]] = {}
        parent: dict[tuple[int, int, bool], tuple[int, int, bool] | None] = {}
        queue: deque[tuple[int, int, bool]] = deque()
        for i in seeds:
            state = (i, reach[i], True)
            seen.setdefault(i, []).append((reach[i], True))
            parent[state] = None
            queue.append(state)
        used += len(seeds)
        while queue:
            if used > budget:
                complete = False
                break
            state = queue.popleft()
            i, holding, available = state
            for e in out[i]:
                j = dst[e]
                here = bool(holding & own[j]) or (available and carried[e])
                if asks[j]:
                    if not here:
                        key = (j, item)
                        if key not in found:
                            found[key] = (_witness(parent, state), set())
                        found[key][1].add(e)
                    new = (j, holding | reach[j], True)
                elif here:
                    new = (j, holding | reach[j], True)
                else:
                    new = (j, holding, False)
                states = seen.setdefault(j, [])
                _, h, a = new
                if any((h0 | h) == h and (a or not a0) for h0, a0 in states):
                    continue
                states.append((h, a))
                parent[new] = state
                queue.append(new)
                used += 1
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


def _witness(
    parent: dict[tuple[int, int, bool], tuple[int, int, bool] | None],
    state: tuple[int, int, bool],
) -> tuple[int, ...]:
    path = []
    current: tuple[int, int, bool] | None = state
    while current is not None:
        path.append(current[0])
        current = parent[current]
    path.reverse()
    return tuple(path)


def reachable_from_entries(ix: Index) -> list[bool]:
    """Touchpoints some customer can reach."""
    return reachable(ix, ix.entries)
