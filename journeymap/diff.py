"""Semantic diff of two analysed versions of a journey.

:func:`diff_journeys` compares two :class:`~journeymap.analysis.types.JourneyAnalysis` values and
says what a reviewer wants to know first: which handoffs a redesign created or removed, how the
scores moved, which findings it introduced or fixed, then which touchpoints and transitions were
added, removed or changed (field by field). It is a pure function: no I/O, stable order.

Matching rules (documented in docs/workshop.md):

- touchpoints match by id, transitions by ``(source, target)``, handoffs by their transition;
- findings match by ``(rule, touchpoints, transition)``, never by message text (messages carry
  numbers that move with every edit); repeated keys are matched as multisets;
- a renamed id is a removal plus an addition.

Only real content changes count (docs/workshop.md, "Matching"): a field is compared by what it
means, not how the file spells it. Locations never count; text compares with its whitespace
collapsed; systems, asks and carried items compare as sets and KPIs as a mapping; a share
compares as the fraction it gives (an unset share is an even split, so ``share: 0.5`` beside one
sibling is no change) and ``entry: false`` equals no ``entry``. A handoff counts as changed when
its risk factors, its functions or its own transition changed; one whose risk moved only because
more or fewer customers reach it is a consequence of a change elsewhere (the totals show it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis
from journeymap.model import Journey, Touchpoint, Transition

__all__ = [
    "FieldChange",
    "ElementChange",
    "HandoffChange",
    "MetricDelta",
    "JourneyDiff",
    "diff_journeys",
    "finding_key",
    "effective_share",
]

# Touchpoint fields compared one by one; ``next`` is compared as transitions, ``id`` is the key.
_TOUCHPOINT_SKIP = {"id", "next", "location"}
_TRANSITION_SKIP = {"source", "target", "location"}
_SETS = {"systems", "asks", "carries"}  # membership matters, not order
EPSILON = 1e-9  # figures closer than this are equal


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs between the old and the new version."""

    field: str
    old: object
    new: object


@dataclass(frozen=True)
class ElementChange:
    """A touchpoint (key ``(id,)``) or transition (key ``(source, target)``) that changed."""

    key: tuple[str, ...]
    changes: tuple[FieldChange, ...]

    @property
    def label(self) -> str:
        return " -> ".join(self.key)


@dataclass(frozen=True)
class HandoffChange:
    """A handoff present in both versions whose risk, rules or flow moved."""

    old: Handoff
    new: Handoff

    @property
    def risk_delta(self) -> float:
        return self.new.risk - self.old.risk

    @property
    def rules_resolved(self) -> tuple[str, ...]:
        """Risk factors the old handoff had and the new one has not, in catalogue order."""
        return tuple(sorted(set(self.old.rules) - set(self.new.rules)))

    @property
    def rules_added(self) -> tuple[str, ...]:
        """Risk factors the new handoff has and the old one had not, in catalogue order."""
        return tuple(sorted(set(self.new.rules) - set(self.old.rules)))


@dataclass(frozen=True)
class MetricDelta:
    """A journey-level figure before and after; ``None`` when absent on one side."""

    name: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def changed(self) -> bool:
        if self.old is None or self.new is None:
            return self.old is not self.new
        return not math.isclose(self.old, self.new, rel_tol=1e-9, abs_tol=EPSILON)


@dataclass(frozen=True)
class JourneyDiff:
    """What changed between two versions of a journey. Every tuple is in a stable order."""

    old_id: str
    new_id: str
    old_path: str
    new_path: str
    handoffs_created: tuple[Handoff, ...]  # from the new analysis
    handoffs_removed: tuple[Handoff, ...]  # from the old analysis
    handoffs_changed: tuple[HandoffChange, ...]
    metrics: tuple[MetricDelta, ...]  # headline figures, every one (changed or not)
    outcomes: tuple[MetricDelta, ...]  # outcome probabilities, by outcome name
    findings_introduced: tuple[Finding, ...]
    findings_fixed: tuple[Finding, ...]
    touchpoints_added: tuple[str, ...]
    touchpoints_removed: tuple[str, ...]
    touchpoints_changed: tuple[ElementChange, ...]
    transitions_added: tuple[tuple[str, str], ...]
    transitions_removed: tuple[tuple[str, str], ...]
    transitions_changed: tuple[ElementChange, ...]
    journey_changed: tuple[FieldChange, ...]  # title, persona, owner, stages, functions, ...

    @property
    def is_empty(self) -> bool:
        """True when nothing at all differs."""
        return not (
            self.handoffs_created
            or self.handoffs_removed
            or self.handoffs_changed
            or self.findings_introduced
            or self.findings_fixed
            or self.touchpoints_added
            or self.touchpoints_removed
            or self.touchpoints_changed
            or self.transitions_added
            or self.transitions_removed
            or self.transitions_changed
            or self.journey_changed
            or any(m.changed for m in self.metrics)
            or any(m.changed for m in self.outcomes)
        )

    def metric(self, name: str) -> MetricDelta:
        """The headline metric called ``name`` (KeyError when unknown)."""
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)


def finding_key(finding: Finding) -> tuple[str, tuple[str, ...], tuple[str, str] | None]:
    """What identifies a finding across versions: its rule and the elements it is about."""
    return (finding.rule, tuple(finding.touchpoints), finding.transition)


def total_risk(analysis: JourneyAnalysis) -> float:
    """The sum of every handoff's risk score."""
    return math.fsum(h.risk for h in analysis.handoffs)


def diff_journeys(old: JourneyAnalysis, new: JourneyAnalysis) -> JourneyDiff:
    """Compare two analysed versions of a journey."""
    oj, nj = old.journey, new.journey
    introduced, fixed = _diff_findings(old.findings, new.findings)
    tp_added, tp_removed, tp_changed = _diff_touchpoints(oj, nj)
    tr_added, tr_removed, tr_changed = _diff_transitions(oj, nj)
    edited = {c.key for c in tr_changed}
    created, removed, changed = _diff_handoffs(old.handoffs, new.handoffs, edited)
    return JourneyDiff(
        old_id=oj.id,
        new_id=nj.id,
        old_path=oj.path,
        new_path=nj.path,
        handoffs_created=created,
        handoffs_removed=removed,
        handoffs_changed=changed,
        metrics=_diff_metrics(old, new),
        outcomes=_diff_outcomes(old.metrics.outcomes, new.metrics.outcomes),
        findings_introduced=introduced,
        findings_fixed=fixed,
        touchpoints_added=tp_added,
        touchpoints_removed=tp_removed,
        touchpoints_changed=tp_changed,
        transitions_added=tr_added,
        transitions_removed=tr_removed,
        transitions_changed=tr_changed,
        journey_changed=_diff_journey_fields(oj, nj),
    )


def _diff_handoffs(
    old: Iterable[Handoff], new: Iterable[Handoff], edited: set[tuple[str, ...]]
) -> tuple[tuple[Handoff, ...], tuple[Handoff, ...], tuple[HandoffChange, ...]]:
    old_by = {(h.source, h.target): h for h in old}
    new_by = {(h.source, h.target): h for h in new}
    created = tuple(h for k, h in new_by.items() if k not in old_by)
    removed = tuple(h for k, h in old_by.items() if k not in new_by)
    changed = tuple(
        HandoffChange(old_by[k], h)
        for k, h in new_by.items()
        if k in old_by and (k in edited or _handoff_moved(old_by[k], h))
    )
    # Highest risk first: the order a reviewer reads in.
    return (
        tuple(sorted(created, key=lambda h: (-h.risk, h.number))),
        tuple(sorted(removed, key=lambda h: (-h.risk, h.number))),
        tuple(sorted(changed, key=lambda c: (-abs(c.risk_delta), c.new.number))),
    )


def _handoff_moved(a: Handoff, b: Handoff) -> bool:
    """A real change of the handoff itself: its risk factors or its functions (a flow or risk
    that moved with them alone is a consequence of changes elsewhere)."""
    return set(a.rules) != set(b.rules) or (a.from_function, a.to_function) != (
        b.from_function,
        b.to_function,
    )


def _diff_findings(
    old: Iterable[Finding], new: Iterable[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    old_list, new_list = list(old), list(new)
    return _unmatched(new_list, old_list), _unmatched(old_list, new_list)


def _unmatched(findings: list[Finding], others: list[Finding]) -> tuple[Finding, ...]:
    """The ``findings`` left once each is matched, by key, with one of ``others`` (a multiset
    difference that keeps the order of ``findings``)."""
    remaining = Counter(finding_key(f) for f in others)
    left = []
    for f in findings:
        key = finding_key(f)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            left.append(f)
    return tuple(left)


def _diff_metrics(old: JourneyAnalysis, new: JourneyAnalysis) -> tuple[MetricDelta, ...]:
    om, nm = old.metrics, new.metrics
    pairs: list[tuple[str, float, float]] = [
        ("handoffs", om.handoffs, nm.handoffs),
        (
            "expected_handoffs_per_customer",
            om.expected_handoffs_per_customer,
            nm.expected_handoffs_per_customer,
        ),
        ("total_risk", total_risk(old), total_risk(new)),
        ("max_handoffs_on_path", om.max_handoffs_on_path, nm.max_handoffs_on_path),
        ("handoff_ratio", om.handoff_ratio, nm.handoff_ratio),
        ("touchpoints", om.touchpoints, nm.touchpoints),
        ("transitions", om.transitions, nm.transitions),
        ("functions_touched", om.functions_touched, nm.functions_touched),
        ("drop_off", om.drop_off, nm.drop_off),
        (
            "expected_wait_hours_per_customer",
            om.expected_wait_hours_per_customer,
            nm.expected_wait_hours_per_customer,
        ),
    ]
    return tuple(MetricDelta(name, float(a), float(b)) for name, a, b in pairs)


def _diff_outcomes(old: Mapping[str, float], new: Mapping[str, float]) -> tuple[MetricDelta, ...]:
    names = list(old) + [n for n in new if n not in old]
    return tuple(MetricDelta(n, old.get(n), new.get(n)) for n in names)


def _meaning(name: str, value: object) -> object:
    """What a field's value means, for comparison: the spelling in the file does not count."""
    if isinstance(value, str):
        return " ".join(value.split())
    if name in _SETS and isinstance(value, tuple):
        return frozenset(value)
    if name == "kpis" and isinstance(value, tuple):
        return {k: " ".join(str(v).split()) for k, v in value}
    if isinstance(value, tuple):
        return tuple(_meaning("", v) for v in value)
    if name == "entry":
        return bool(value)
    return value


def _field_changes(
    a: object,
    b: object,
    skip: set[str],
    values: Mapping[str, tuple[object, object]] | None = None,
) -> tuple[FieldChange, ...]:
    """The fields of ``a`` and ``b`` whose meaning differs; ``values`` overrides a field's two
    values (a transition's effective share)."""
    out = []
    for f in fields(a):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        va, vb = (values or {}).get(f.name) or (getattr(a, f.name), getattr(b, f.name))
        if isinstance(va, float) and isinstance(vb, float):
            same = math.isclose(va, vb, rel_tol=1e-9, abs_tol=EPSILON)
        else:
            same = _meaning(f.name, va) == _meaning(f.name, vb)
        if not same:
            out.append(FieldChange(f.name, va, vb))
    return tuple(out)


def _diff_touchpoints(
    oj: Journey, nj: Journey
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ElementChange, ...]]:
    old_tps: Mapping[str, Touchpoint] = oj.touchpoints
    new_tps: Mapping[str, Touchpoint] = nj.touchpoints
    added = tuple(i for i in new_tps if i not in old_tps)
    removed = tuple(i for i in old_tps if i not in new_tps)
    changed = []
    for i, tp in new_tps.items():
        if i in old_tps:
            changes = _field_changes(old_tps[i], tp, _TOUCHPOINT_SKIP)
            if changes:
                changed.append(ElementChange((i,), changes))
    return added, removed, tuple(changed)


def _diff_transitions(
    oj: Journey, nj: Journey
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[ElementChange, ...]]:
    old_tr: dict[tuple[str, str], Transition] = {t.key: t for t in oj.transitions()}
    new_tr: dict[tuple[str, str], Transition] = {t.key: t for t in nj.transitions()}
    added = tuple(k for k in new_tr if k not in old_tr)
    removed = tuple(k for k in old_tr if k not in new_tr)
    changed = []
    for k, tr in new_tr.items():
        if k in old_tr:
            share = (effective_share(oj, old_tr[k]), effective_share(nj, tr))
            changes = _field_changes(old_tr[k], tr, _TRANSITION_SKIP, {"share": share})
            if changes:
                changed.append(ElementChange(k, changes))
    return added, removed, tuple(changed)


def effective_share(journey: Journey, transition: Transition) -> float:
    """The fraction of customers leaving the source who take ``transition`` (an unset share is
    an even split among the source's transitions)."""
    if transition.share is not None:
        return transition.share
    return 1.0 / max(1, len(journey.touchpoints[transition.source].next))


def _diff_journey_fields(oj: Journey, nj: Journey) -> tuple[FieldChange, ...]:
    skip = {
        "touchpoints",
        "location",
        "path",
        "functions",
        "systems",
        "channels",
        "stages",
        "integrations",
    }
    out = list(_field_changes(oj, nj, skip))
    for name in ("functions", "systems", "channels"):
        a: Mapping[str, object] = getattr(oj, name)
        b: Mapping[str, object] = getattr(nj, name)
        for key in list(a) + [k for k in b if k not in a]:
            va, vb = a.get(key), b.get(key)
            if va != vb:
                out.append(FieldChange(f"{name}.{key}", _plain(va), _plain(vb)))
    if oj.stages != nj.stages:
        out.append(FieldChange("stages", [s.id for s in oj.stages], [s.id for s in nj.stages]))
    old_int, new_int = _integrations(oj), _integrations(nj)
    if set(old_int) != set(new_int):
        # Only the differences: the integrations that went, and those that came.
        out.append(
            FieldChange(
                "integrations",
                [i for i in old_int if i not in new_int],
                [i for i in new_int if i not in old_int],
            )
        )
    return tuple(out)


def _plain(value: object) -> object:
    """A dataclass as a dict of its fields (without id and location), for display and JSON."""
    if value is None:
        return None
    return {
        f.name: getattr(value, f.name)
        for f in fields(value)  # type: ignore[arg-type]
        if f.name not in ("id", "location")
    }


def _integrations(j: Journey) -> list[str]:
    return [f"{i.a} {'->' if i.one_way else '<->'} {i.b}" for i in j.integrations]
