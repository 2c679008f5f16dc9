"""A compact, integer-indexed view of a journey that every analysis shares.

networkx graphs are the public graph interface (:mod:`journeymap.graph`); the analyses work on
plain lists indexed by touchpoint and transition position instead, so that a journey of 100,000
touchpoints is analysed in seconds and a few hundred megabytes. Touchpoints are numbered in file
order, transitions in :meth:`Journey.transitions` order (by source touchpoint, then as listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.model import Journey, Touchpoint, Transition

__all__ = ["Index", "SHARE_EPS", "build_index"]

SHARE_EPS = 1e-9
"""Tolerance when comparing sums of shares with 1 (0.1 + 0.2 + 0.7 is not exactly 1.0)."""


@dataclass(frozen=True)
class Index:
    """Touchpoints and transitions by position, with the figures every analysis needs."""

    journey: Journey
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


def build_index(journey: Journey) -> Index:
    """Number the touchpoints and transitions of ``journey`` and derive probabilities.

    A touchpoint whose transitions give no shares splits its customers evenly. Shares that sum
    above 1 (rule JM303) are scaled down to sum to 1 for the flow, so the chain stays
    well-defined; shares summing below 1 leave the rest to drop off.
    """
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
        k = len(tp.next)
        shares = [t.share for t in tp.next]
        if k == 0:
            probs: list[float] = []
            share_sum.append(None)
            leak.append(1.0)
        elif all(s is None for s in shares):
            probs = [1.0 / k] * k
            share_sum.append(None)
            leak.append(0.0)
        else:
            # Mixed shares are a load error; a missing one counts 0 here.
            raw = [float(s) if s is not None else 0.0 for s in shares]
            total = sum(raw)
            share_sum.append(total)
            if total > 1.0 + SHARE_EPS:
                probs = [s / total for s in raw]
                leak.append(0.0)
            else:
                probs = raw
                leak.append(max(0.0, 1.0 - total))
        for transition, p in zip(tp.next, probs, strict=False):
            j = pos[transition.target]
            transitions.append(transition)
            src.append(i)
            dst.append(j)
            prob.append(p)
            handoff.append(function[i] != function[j])
        out.append(tuple(range(first, len(transitions))))
    entry_tps = journey.entries()
    entries = tuple(pos[t.id] for t in entry_tps)
    volume = [0.0] * len(ids)
    for i in entries:
        given = touchpoints[i].volume
        volume[i] += 1.0 if given is None else float(given)
    return Index(
        journey=journey,
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
