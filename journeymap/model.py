"""The journey model: immutable dataclasses with no I/O and no YAML.

A :class:`Journey` is what a journey file means once loaded and validated. Every object keeps the
:class:`Location` of the YAML that defined it (excluded from equality), so findings can cite
``file:line``. Collections are tuples or read-only mappings in file order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

__all__ = [
    "Location",
    "NOWHERE",
    "Function",
    "System",
    "Integration",
    "Channel",
    "Stage",
    "Transition",
    "Touchpoint",
    "Journey",
    "frozen_map",
]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; lines and columns count from 1."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


NOWHERE = Location("<unknown>", 0, 0)


def _loc() -> Location:
    return field(default=NOWHERE, compare=False, repr=False)


V = TypeVar("V")


def frozen_map(items: Mapping[str, V] | None = None) -> Mapping[str, V]:
    """A read-only view of a dict, keeping insertion (file) order."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Function:
    """A functional silo (Marketing, Sales, ...) and the executive who leads it."""

    id: str
    name: str
    lead: str | None = None
    location: Location = _loc()


@dataclass(frozen=True)
class System:
    """A system supporting touchpoints, the function that owns it, and whether it is shadow IT."""

    id: str
    name: str
    owner: str | None = None
    shadow: bool = False
    location: Location = _loc()


@dataclass(frozen=True)
class Integration:
    """A data flow between two systems: both ways unless ``one_way`` (then a -> b only)."""

    a: str
    b: str
    one_way: bool = False
    location: Location = _loc()

    def directions(self) -> tuple[tuple[str, str], ...]:
        """The directed system pairs data can flow along."""
        return ((self.a, self.b),) if self.one_way else ((self.a, self.b), (self.b, self.a))


@dataclass(frozen=True)
class Channel:
    """A declared channel (optional: touchpoint channels are free slugs)."""

    id: str
    name: str
    location: Location = _loc()


@dataclass(frozen=True)
class Stage:
    """A stage of the journey; stages are ordered as the file lists them."""

    id: str
    name: str
    location: Location = _loc()


@dataclass(frozen=True)
class Transition:
    """A directed edge ``source -> target`` between touchpoints.

    ``share`` is the fraction of customers leaving ``source`` that go to ``target`` (``None``:
    split evenly with the other transitions of ``source``). ``wait_hours`` is the wait before
    ``target`` in hours. ``carries`` is the context handed over by hand. ``owner`` is the function
    accountable for this transition.
    """

    source: str
    target: str
    share: float | None = None
    carries: tuple[str, ...] = ()
    owner: str | None = None
    wait_hours: float | None = None
    note: str | None = None
    location: Location = _loc()

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)


@dataclass(frozen=True)
class Touchpoint:
    """A moment where the customer meets the company, owned by one function."""

    id: str
    name: str
    stage: str
    function: str
    channel: str | None = None
    systems: tuple[str, ...] = ()
    emotion: int | None = None
    entry: bool | None = None  # None: not said in the file
    volume: float | None = None
    asks: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    gains: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    ideas: tuple[str, ...] = ()
    kpis: tuple[tuple[str, str], ...] = ()
    next: tuple[Transition, ...] = ()
    outcome: str | None = None
    description: str | None = None
    evidence: tuple[str, ...] = ()  # physical evidence the customer sees or keeps here
    location: Location = _loc()


@dataclass(frozen=True)
class Journey:
    """One customer journey: the organisation it runs through and its touchpoint graph."""

    id: str
    title: str
    path: str
    functions: Mapping[str, Function]
    systems: Mapping[str, System]
    integrations: tuple[Integration, ...]
    channels: Mapping[str, Channel]
    stages: tuple[Stage, ...]
    touchpoints: Mapping[str, Touchpoint]
    persona: str | None = None
    owner: str | None = None
    description: str | None = None
    uses: tuple[str, ...] = ()
    location: Location = _loc()

    def transitions(self) -> Iterator[Transition]:
        """Every transition, in file order (by source touchpoint, then as listed)."""
        for touchpoint in self.touchpoints.values():
            yield from touchpoint.next

    def entries(self) -> tuple[Touchpoint, ...]:
        """Touchpoints marked ``entry: true``, else those with no incoming transition."""
        marked = tuple(t for t in self.touchpoints.values() if t.entry)
        if marked:
            return marked
        targets = {t.target for t in self.transitions()}
        return tuple(t for t in self.touchpoints.values() if t.id not in targets)

    def lanes(self) -> tuple[Function, ...]:
        """Functions by their first touchpoint in the file, then those owning no touchpoint (in
        file order); a function a touchpoint names but no file declares is ``Function(id, id)``."""
        result: list[Function] = []
        placed: set[str] = set()
        for tp in self.touchpoints.values():
            if tp.function not in placed:
                placed.add(tp.function)
                result.append(self.functions.get(tp.function) or Function(tp.function, tp.function))
        result.extend(f for f in self.functions.values() if f.id not in placed)
        return tuple(result)

    def stage_index(self) -> dict[str, int]:
        """Each stage's position (0-based) in the file's order."""
        return {stage.id: i for i, stage in enumerate(self.stages)}

    def is_handoff(self, transition: Transition) -> bool:
        """A handoff is a transition between touchpoints of different functions."""
        tps = self.touchpoints
        return tps[transition.source].function != tps[transition.target].function
