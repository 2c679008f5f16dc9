"""What a log says, as plain data: the figures :func:`journeymap.mining.mine` computes.

Everything here is immutable and sorted, so the same log gives the same JSON, text and journey
on every engine. Times are seconds (floats rounded to the microsecond, the log's own precision).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ActivityFigures",
    "Handover",
    "MinedLog",
    "PingPong",
    "Succession",
    "Wait",
]


@dataclass(frozen=True)
class Succession:
    """A directly-follows pair: ``count`` times ``source`` was followed by ``target`` in a case;
    ``median_wait`` seconds between them."""

    source: str
    target: str
    count: int
    median_wait: float


@dataclass(frozen=True)
class Handover:
    """Handover of work (PM4Py, beta = 0): ``count`` direct successions from ``source`` to
    ``target`` (resources or functions); ``fraction`` = count / all successions counted."""

    source: str
    target: str
    count: int
    fraction: float


@dataclass(frozen=True)
class PingPong:
    """Cases bounced from function ``a`` to ``b`` and back to ``a``: ``direct`` (A -> B -> A) or
    ``indirect`` (A -> ... B ... -> A). ``occurrences`` counts each return to A once per B;
    ``cases`` counts the cases with at least one; ``share`` = cases / all cases."""

    a: str
    b: str
    kind: str
    occurrences: int
    cases: int
    share: float


@dataclass(frozen=True)
class Wait:
    """How long customers wait when ``source`` hands them to ``target`` (two functions): from
    the last event of one to the first of the other, ``count`` times; seconds."""

    source: str
    target: str
    count: int
    median: float
    p90: float


@dataclass(frozen=True)
class ActivityFigures:
    """One activity: its events, the cases that contain it, start with it and end with it, and
    how its events spread over functions and channels (``(name, events)``, most first)."""

    name: str
    events: int
    cases: int
    starts: int
    ends: int
    functions: tuple[tuple[str, int], ...]
    channels: tuple[tuple[str, int], ...]
    position_sum: int  # of its events' positions in their cases (1 = first)

    @property
    def function(self) -> str | None:
        """The function most of its events belong to (ties: first by name)."""
        return self.functions[0][0] if self.functions else None

    @property
    def channel(self) -> str | None:
        return self.channels[0][0] if self.channels else None


@dataclass(frozen=True)
class MinedLog:
    """The figures of one event log."""

    source: str
    engine: str
    cases: int
    events: int
    first: float | None  # seconds since the epoch, UTC
    last: float | None
    events_with_resource: int
    events_with_function: int
    events_with_channel: int
    activities: tuple[ActivityFigures, ...]
    dfg: tuple[Succession, ...]
    resource_handovers: tuple[Handover, ...]
    function_handovers: tuple[Handover, ...]
    ping_pong: tuple[PingPong, ...]
    ping_pong_cases: int  # cases with at least one ping-pong, of any kind and pair
    waits: tuple[Wait, ...]

    def activity(self, name: str) -> ActivityFigures:
        return next(a for a in self.activities if a.name == name)
