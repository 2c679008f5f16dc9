"""Removal effect (Anderl, Becker, von Wangenheim & Schumann 2016): what each outcome loses
when the customers reaching a touchpoint, or taking a handoff, are lost instead.

For each touchpoint ``t`` the chain is changed so that ``t`` leads nowhere useful: its
transitions are cut and everyone arriving there goes to an absorbing *lost* state. For each
handoff transition ``s -> t`` only that transition's share of ``s`` goes to *lost*. The changed
chain is solved with the engine's own :func:`journeymap.analysis.flow.solve_flow` (no second
solver), and for every outcome ``o``::

    drop(o)   = P_before(o) - P_after(o)
    effect(o) = drop(o) / P_before(o)        (Anderl et al.'s normalisation; None if P_before = 0)

Probabilities are per entering customer. The format has no notion of a good or a bad outcome
(``outcome`` is a free id: won, lost, churned, ...), so every removal reports every outcome and
:meth:`RemovalEffects.ranking` ranks by any one of them; :attr:`RemovalEffects.ranked` ranks by
the :attr:`~RemovalEffects.primary` outcome, the largest before removal. Each removal is one
solve of the whole chain, so the work is (touchpoints + handoffs) × one flow solve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from journeymap.analysis._index import Index, build_index
from journeymap.analysis.flow import Flow, solve_flow
from journeymap.analysis.types import JourneyAnalysis
from journeymap.config import Config
from journeymap.model import Journey

__all__ = ["OutcomeChange", "Removal", "RemovalEffects", "removal_effects"]

RemovalKind = Literal["touchpoint", "handoff"]


@dataclass(frozen=True)
class OutcomeChange:
    """One outcome's probability per entering customer before and after a removal."""

    outcome: str
    before: float
    after: float
    drop: float  # before - after (>= 0 up to rounding)
    effect: float | None  # drop / before; None when before is 0


@dataclass(frozen=True)
class Removal:
    """What the outcomes lose when a touchpoint, or one handoff transition, is removed.

    For a touchpoint ``source`` is its id and ``target`` is None; for a handoff they are the
    transition's ends and ``number`` is its handoff number (risk rank) in the analysis.
    """

    kind: RemovalKind
    source: str
    target: str | None
    changes: tuple[OutcomeChange, ...]  # in RemovalEffects.outcomes order
    lost: float  # per entering customer: those sent to "lost" instead
    drop_off: float  # per entering customer, after the removal
    trapped: float  # per entering customer, after the removal
    number: int | None = None  # the handoff's number (None for touchpoints)
    order: int = 0  # touchpoint index or transition index (file order), for ties

    def change(self, outcome: str) -> OutcomeChange:
        """The change of ``outcome`` (KeyError if the journey has no such outcome)."""
        for c in self.changes:
            if c.outcome == outcome:
                return c
        raise KeyError(outcome)

    @property
    def label(self) -> str:
        """``touchpoint`` or ``source -> target``."""
        return self.source if self.target is None else f"{self.source} -> {self.target}"


@dataclass(frozen=True)
class RemovalEffects:
    """The removal effects of every touchpoint and every handoff of one journey."""

    journey: str
    outcomes: tuple[str, ...]  # in file order of their first terminal touchpoint
    before: Mapping[str, float]  # outcome -> probability per entering customer
    drop_off: float
    trapped: float
    primary: str | None  # the largest outcome before removal (ties: first in outcomes order)
    touchpoints: tuple[Removal, ...]  # file order
    handoffs: tuple[Removal, ...]  # transition (file) order
    ranked: tuple[Removal, ...]  # touchpoints and handoffs by drop of `primary`, largest first

    def ranking(self, outcome: str) -> tuple[Removal, ...]:
        """Touchpoint and handoff removals by the drop of ``outcome``, largest first; ties:
        touchpoints before handoffs, then file order."""
        if outcome not in self.before:
            raise KeyError(outcome)
        return _rank(self.touchpoints + self.handoffs, outcome)


def removal_effects(
    journey: Journey, analysis: JourneyAnalysis | None = None, config: Config | None = None
) -> RemovalEffects:
    """The removal effect of every touchpoint and every handoff of ``journey``.

    ``analysis`` (``analyze(journey, config)`` when not given) supplies only the handoff
    numbers; the probabilities come from solving the chain here, before and after each removal.
    """
    if analysis is None:
        from journeymap.analysis.engine import analyze

        analysis = analyze(journey, config)
    elif analysis.journey is not journey and analysis.journey != journey:
        raise ValueError("analysis is of another journey")
    ix = build_index(journey)
    total = ix.total_volume
    per = (1.0 / total) if total > 0 else 0.0
    outcomes = tuple(dict.fromkeys(t.outcome for t in ix.touchpoints if t.outcome is not None))
    base = solve_flow(ix)
    base_out, base_drop = _absorbed(ix, base, None)
    before = {o: base_out.get(o, 0.0) * per for o in outcomes}

    def removal(
        kind: RemovalKind,
        changed: Index,
        at: int,
        share: float,
        source: str,
        target: str | None = None,
        number: int | None = None,
        order: int = 0,
    ) -> Removal:
        """Solve ``changed``; ``share`` of the customers at touchpoint ``at`` were lost."""
        flow = solve_flow(changed)
        out, drop = _absorbed(ix, flow, at if kind == "touchpoint" else None)
        changes = []
        for o in outcomes:
            b, a = before[o], out.get(o, 0.0) * per
            changes.append(OutcomeChange(o, b, a, b - a, (b - a) / b if b > 0 else None))
        return Removal(
            kind=kind,
            source=source,
            target=target,
            changes=tuple(changes),
            lost=0.0 if at in flow.closed else flow.node[at] * share * per,
            drop_off=drop * per,
            trapped=flow.trapped * per,
            number=number,
            order=order,
        )

    touchpoints = []
    for i, tid in enumerate(ix.ids):
        prob = list(ix.prob)
        for e in ix.out[i]:
            prob[e] = 0.0
        leak = list(ix.leak)
        leak[i] = 1.0
        changed = replace(ix, prob=tuple(prob), leak=tuple(leak))
        touchpoints.append(removal("touchpoint", changed, i, 1.0, tid, order=i))

    numbers = {(h.source, h.target, h.location): h.number for h in analysis.handoffs}
    handoffs = []
    for e, t in enumerate(ix.transitions):
        if not ix.handoff[e]:
            continue
        s, p = ix.src[e], ix.prob[e]
        prob = list(ix.prob)
        prob[e] = 0.0
        leak = list(ix.leak)
        leak[s] = leak[s] + p
        changed = replace(ix, prob=tuple(prob), leak=tuple(leak))
        handoffs.append(
            removal(
                "handoff",
                changed,
                s,
                p,
                t.source,
                t.target,
                number=numbers.get((t.source, t.target, t.location)),
                order=e,
            )
        )
    primary = max(outcomes, key=lambda o: before[o]) if outcomes else None
    all_removals = tuple(touchpoints) + tuple(handoffs)
    return RemovalEffects(
        journey=journey.id,
        outcomes=outcomes,
        before=MappingProxyType(before),
        drop_off=base_drop * per,
        trapped=base.trapped * per,
        primary=primary,
        touchpoints=tuple(touchpoints),
        handoffs=tuple(handoffs),
        ranked=_rank(all_removals, primary) if primary is not None else all_removals,
    )


def _absorbed(ix: Index, flow: Flow, removed: int | None) -> tuple[dict[str, float], float]:
    """Customers per period absorbed into each outcome, and dropping off, as in the metrics:
    ``inflow × probability of leaving`` (the original one, so a removed transition's share is
    not counted as drop-off) at each touchpoint outside closed loops; the ``removed``
    touchpoint absorbs nobody (its customers are lost)."""
    outcomes: dict[str, float] = {}
    drop = 0.0
    for i, tp in enumerate(ix.touchpoints):
        if i == removed or i in flow.closed:
            continue
        leaving = flow.node[i] * ix.leak[i]
        if tp.outcome is not None:
            outcomes[tp.outcome] = outcomes.get(tp.outcome, 0.0) + leaving
        else:
            drop += leaving
    return outcomes, drop


def _rank(removals: tuple[Removal, ...], outcome: str) -> tuple[Removal, ...]:
    kind_order = {"touchpoint": 0, "handoff": 1}
    return tuple(
        sorted(removals, key=lambda r: (-r.change(outcome).drop, kind_order[r.kind], r.order))
    )
