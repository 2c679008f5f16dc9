"""What-if: apply changes to a journey without editing its file, and predict what they buy.

A change is a small frozen value (:class:`AssignOwner`, :class:`Integrate`, :class:`Carry`,
:class:`MoveTouchpoint`, :class:`HandOver`, :class:`AlignChannel`, :class:`ChangeWait`,
:class:`ChangeShares`, :class:`RemoveTouchpoint`). :func:`apply` returns the edited
:class:`~journeymap.model.Journey`; :func:`predict` analyses the journey before and after. A
prediction is by construction what analysing the edited journey gives: the same engine runs on
the edited model (tests/analysis/test_whatif.py checks it against editing the YAML itself and
loading that). Pure functions: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.config import Config
from journeymap.errors import UsageError
from journeymap.graph import split
from journeymap.model import Integration, Journey, Touchpoint, Transition

__all__ = [
    "AlignChannel",
    "AssignOwner",
    "Carry",
    "Change",
    "ChangeShares",
    "ChangeWait",
    "HandOver",
    "Integrate",
    "MoveTouchpoint",
    "Prediction",
    "RemoveTouchpoint",
    "apply",
    "predict",
    "total_risk",
]


@dataclass(frozen=True)
class AssignOwner:
    """Make ``owner`` (a function id) accountable for the transition ``source`` → ``target``."""

    source: str
    target: str
    owner: str


@dataclass(frozen=True)
class Integrate:
    """Connect systems ``a`` and ``b`` (data flows both ways unless ``one_way``: a to b)."""

    a: str
    b: str
    one_way: bool = False


@dataclass(frozen=True)
class Carry:
    """The transition ``source`` → ``target`` also carries ``items`` (what the customer gave)."""

    source: str
    target: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class MoveTouchpoint:
    """The touchpoint is run by ``function`` instead."""

    touchpoint: str
    function: str


@dataclass(frozen=True)
class HandOver:
    """``function`` runs the given touchpoints, and every touchpoint of ``stage`` if given (the
    "a CX office owns onboarding" question)."""

    function: str
    touchpoints: tuple[str, ...] = ()
    stage: str | None = None


@dataclass(frozen=True)
class AlignChannel:
    """The customer stays on one channel across ``source`` → ``target``: the target takes
    ``channel``, or the source's channel."""

    source: str
    target: str
    channel: str | None = None


@dataclass(frozen=True)
class ChangeWait:
    """The wait on ``source`` → ``target`` becomes ``hours`` (``None``: no wait said)."""

    source: str
    target: str
    hours: float | None


@dataclass(frozen=True)
class ChangeShares:
    """Explicit shares of the transitions out of ``source``: ``(target, share)`` pairs; a
    transition not named keeps its share."""

    source: str
    shares: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class RemoveTouchpoint:
    """Take the touchpoint out. Customers who went there drop off (their share stays with
    nobody), or go to ``reroute_to`` instead. The journey's entries stay the entries they were
    (a touchpoint reached only through the removed one does not become an entry)."""

    touchpoint: str
    reroute_to: str | None = None


Change = (
    AssignOwner
    | Integrate
    | Carry
    | MoveTouchpoint
    | HandOver
    | AlignChannel
    | ChangeWait
    | ChangeShares
    | RemoveTouchpoint
)


@dataclass(frozen=True)
class Prediction:
    """The journey analysed as it is and with the changes applied."""

    changes: tuple[Change, ...]
    before: JourneyAnalysis
    after: JourneyAnalysis
    deltas: Mapping[str, float] = field(default_factory=dict)


def total_risk(analysis: JourneyAnalysis) -> float:
    """The journey's risk: the sum of its handoffs' risk scores."""
    return sum(h.risk for h in analysis.handoffs)


def predict(
    journey: Journey,
    changes: Sequence[Change],
    config: Config | None = None,
    *,
    before: JourneyAnalysis | None = None,
) -> Prediction:
    """Analyse ``journey`` before and after ``changes`` (applied in order) with ``config``.

    ``before``, when given, must be ``analyze(journey, config)``: a caller predicting many
    changes to one journey (ranked fixes) analyses it once instead of once per prediction.
    """
    edited = apply(journey, changes)
    before = before if before is not None else analyze(journey, config)
    if all(isinstance(c, _SAME_PATHS) for c in changes):
        m = before.metrics
        after = analyze(
            edited, config, max_path=(m.max_handoffs_on_path, m.max_handoffs_on_path_complete)
        )
    else:
        after = analyze(edited, config)
    return Prediction(tuple(changes), before, after, _deltas(before, after))


_SAME_PATHS = (AssignOwner, Carry, ChangeWait, AlignChannel, Integrate, ChangeShares)
"""Changes that keep every touchpoint, transition and function, and so every path and the
handoffs on it (:func:`journeymap.analysis.paths.max_handoffs_on_path` gives what it gave)."""


def _deltas(before: JourneyAnalysis, after: JourneyAnalysis) -> dict[str, float]:
    b, a = before.metrics, after.metrics
    result = {
        "total_risk": total_risk(after) - total_risk(before),
        "handoffs": a.handoffs - b.handoffs,
        "expected_handoffs_per_customer": a.expected_handoffs_per_customer
        - b.expected_handoffs_per_customer,
        "expected_wait_hours_per_customer": a.expected_wait_hours_per_customer
        - b.expected_wait_hours_per_customer,
        "drop_off": a.drop_off - b.drop_off,
        "findings": len(after.findings) - len(before.findings),
    }
    for outcome in sorted(set(b.outcomes) | set(a.outcomes)):
        result[f"outcome:{outcome}"] = a.outcomes.get(outcome, 0.0) - b.outcomes.get(outcome, 0.0)
    return result


# -- applying ------------------------------------------------------------------------------------


def apply(journey: Journey, changes: Iterable[Change]) -> Journey:
    """``journey`` with ``changes`` applied in order; an unknown id is a UsageError."""
    for change in changes:
        journey = _apply_one(journey, change)
    return journey


def _touchpoint(journey: Journey, tp_id: str) -> Touchpoint:
    try:
        return journey.touchpoints[tp_id]
    except KeyError:
        raise UsageError(f"what-if: no touchpoint {tp_id!r} in journey {journey.id!r}") from None


def _function(journey: Journey, fn_id: str) -> None:
    if fn_id not in journey.functions:
        raise UsageError(f"what-if: no function {fn_id!r} in journey {journey.id!r}")


def _with_touchpoints(journey: Journey, changed: Mapping[str, Touchpoint]) -> Journey:
    touchpoints = {k: changed.get(k, tp) for k, tp in journey.touchpoints.items()}
    return dataclasses.replace(journey, touchpoints=touchpoints)


def _edit_transitions(journey: Journey, source: str, target: str, **values: object) -> Journey:
    tp = _touchpoint(journey, source)
    if not any(t.target == target for t in tp.next):
        raise UsageError(f"what-if: no transition {source} -> {target} in journey {journey.id!r}")
    edited = tuple(
        dataclasses.replace(t, **values) if t.target == target else t  # type: ignore[arg-type]
        for t in tp.next
    )
    return _with_touchpoints(journey, {source: dataclasses.replace(tp, next=edited)})


def _effective_shares(tp: Touchpoint) -> list[float]:
    """Each transition's probability as the engine reads it (:func:`journeymap.graph.split`)."""
    return split(tp)[0]


def _apply_one(journey: Journey, change: Change) -> Journey:
    if isinstance(change, AssignOwner):
        _function(journey, change.owner)
        return _edit_transitions(journey, change.source, change.target, owner=change.owner)
    if isinstance(change, Carry):
        tp = _touchpoint(journey, change.source)
        matching = [t for t in tp.next if t.target == change.target]
        if not matching:
            raise UsageError(f"what-if: no transition {change.source} -> {change.target}")
        items = tuple(dict.fromkeys((*matching[0].carries, *change.items)))
        return _edit_transitions(journey, change.source, change.target, carries=items)
    if isinstance(change, ChangeWait):
        return _edit_transitions(journey, change.source, change.target, wait_hours=change.hours)
    if isinstance(change, Integrate):
        for system in (change.a, change.b):
            if system not in journey.systems:
                raise UsageError(f"what-if: no system {system!r} in journey {journey.id!r}")
        pair = {change.a, change.b}
        if any({i.a, i.b} == pair for i in journey.integrations):
            raise UsageError(
                f"what-if: {change.a} and {change.b} are integrated already (a journey may "
                "declare an integration once)"
            )
        added = Integration(change.a, change.b, change.one_way)
        return dataclasses.replace(journey, integrations=(*journey.integrations, added))
    if isinstance(change, MoveTouchpoint):
        _function(journey, change.function)
        tp = _touchpoint(journey, change.touchpoint)
        return _with_touchpoints(
            journey, {tp.id: dataclasses.replace(tp, function=change.function)}
        )
    if isinstance(change, HandOver):
        _function(journey, change.function)
        chosen = [_touchpoint(journey, t) for t in change.touchpoints]
        if change.stage is not None:
            in_stage = [tp for tp in journey.touchpoints.values() if tp.stage == change.stage]
            if not in_stage:
                raise UsageError(f"what-if: no touchpoint in stage {change.stage!r}")
            chosen.extend(in_stage)
        return _with_touchpoints(
            journey, {tp.id: dataclasses.replace(tp, function=change.function) for tp in chosen}
        )
    if isinstance(change, AlignChannel):
        source = _touchpoint(journey, change.source)
        target = _touchpoint(journey, change.target)
        if not any(t.target == target.id for t in source.next):
            raise UsageError(f"what-if: no transition {change.source} -> {change.target}")
        channel = change.channel or source.channel
        return _with_touchpoints(journey, {target.id: dataclasses.replace(target, channel=channel)})
    if isinstance(change, ChangeShares):
        tp = _touchpoint(journey, change.source)
        given = dict(change.shares)
        unknown = sorted(set(given) - {t.target for t in tp.next})
        if unknown:
            raise UsageError(f"what-if: {change.source} has no transition to {unknown[0]!r}")
        edited = tuple(
            dataclasses.replace(t, share=given[t.target]) if t.target in given else t
            for t in tp.next
        )
        if len({t.share is None for t in edited}) > 1:
            raise UsageError(
                f"what-if: give a share for every transition out of {change.source} "
                "(a journey file may not mix said and unsaid shares)"
            )
        return _with_touchpoints(journey, {tp.id: dataclasses.replace(tp, next=edited)})
    if isinstance(change, RemoveTouchpoint):
        return _remove(journey, change)
    raise UsageError(f"what-if: unknown change {change!r}")


def _remove(journey: Journey, change: RemoveTouchpoint) -> Journey:
    gone = _touchpoint(journey, change.touchpoint).id
    if change.reroute_to is not None:
        _touchpoint(journey, change.reroute_to)
        if change.reroute_to == gone:
            raise UsageError("what-if: a touchpoint cannot be rerouted to itself")
    entries = {tp.id for tp in journey.entries()}
    marked = any(tp.entry for tp in journey.touchpoints.values())
    touchpoints: dict[str, Touchpoint] = {}
    for tp_id, tp in journey.touchpoints.items():
        if tp_id == gone:
            continue
        if not marked and tp_id in entries:
            tp = dataclasses.replace(tp, entry=True)  # entries stay entries
        if any(t.target == gone for t in tp.next):
            tp = dataclasses.replace(tp, next=_without(tp, gone, change.reroute_to))
        touchpoints[tp_id] = tp
    edited = dataclasses.replace(journey, touchpoints=touchpoints)
    if not edited.entries():
        raise UsageError(
            f"what-if: without {gone} the journey has no entry (customers start nowhere)"
        )
    return edited


def _without(tp: Touchpoint, gone: str, reroute_to: str | None) -> tuple[Transition, ...]:
    """``tp``'s transitions with those to ``gone`` dropped (their share dropping off) or sent
    to ``reroute_to``; every share is said explicitly, so none moves to another transition."""
    shares = _effective_shares(tp)
    kept: list[Transition] = []
    rerouted = 0.0
    for t, share in zip(tp.next, shares, strict=True):
        if t.target == gone:
            rerouted += share if reroute_to is not None else 0.0
            continue
        kept.append(dataclasses.replace(t, share=share))
    if reroute_to is not None and reroute_to != tp.id:
        for i, t in enumerate(kept):
            if t.target == reroute_to:
                kept[i] = dataclasses.replace(t, share=(t.share or 0.0) + rerouted)
                break
        else:
            kept.append(Transition(tp.id, reroute_to, share=rerouted, location=tp.location))
    return tuple(kept)
