"""Ranked fixes: for every finding, the change that would resolve it, its predicted effect
through what-if, and the executive whose function would make it; ranked by risk removed.

One rule per finding code, in words (docs/methodology.md "Ranked fixes"):

- a handoff without owner (JM101): the function that receives the customer owns it;
- context loss (JM102): the handoff carries what the customer gave at the source (its
  ``asks``; a case summary when it asks nothing);
- a repeat ask (JM103): what is asked again travels along the finding's path;
- a channel switch (JM104): the target keeps the source's channel;
- a long wait (JM106): the wait comes down to the threshold;
- a shadow system (JM107): each shadow system on the handoff is integrated, both ways, with
  the other side's first governed system.

Emotion drops (JM105) and ping-pong (JM108) need a redesign no single change expresses; they
get no fix. Pure functions: every prediction is :func:`journeymap.analysis.whatif.predict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeymap.analysis.types import Finding, JourneyAnalysis
from journeymap.analysis.whatif import (
    AlignChannel,
    AssignOwner,
    Carry,
    Change,
    ChangeWait,
    Integrate,
    Prediction,
    predict,
)
from journeymap.config import Config
from journeymap.errors import UsageError
from journeymap.model import Journey

__all__ = ["Fix", "combined", "ranked_fixes"]

CASE_SUMMARY = "case-summary"


@dataclass(frozen=True)
class Fix:
    """One change (one or a few what-if changes), what it resolves and what it buys."""

    title: str
    changes: tuple[Change, ...]
    resolves: tuple[Finding, ...]  # the findings it was proposed for
    function: str | None  # the function that would make the change
    executive: str | None  # that function's lead
    prediction: Prediction

    @property
    def risk_removed(self) -> float:
        """Total risk before minus after (positive: the journey gets safer)."""
        return -self.prediction.deltas["total_risk"]


def ranked_fixes(
    journey: Journey, analysis: JourneyAnalysis, config: Config | None = None
) -> list[Fix]:
    """Every fix the findings suggest, most risk removed first (ties: by title)."""
    proposals: dict[tuple[Change, ...], tuple[str, str | None, list[Finding]]] = {}
    for finding in analysis.findings:
        proposal = _propose(journey, analysis, finding, config)
        if proposal is None:
            continue
        title, function, changes = proposal
        entry = proposals.setdefault(changes, (title, function, []))
        entry[2].append(finding)
    fixes = []
    for changes, (title, function, found) in proposals.items():
        try:
            prediction = predict(journey, list(changes), config)
        except UsageError:
            continue  # a change the journey cannot take (e.g. an integration it has)
        known = function is not None and function in journey.functions
        lead = journey.functions[function].lead if known and function else None
        fixes.append(Fix(title, changes, tuple(found), function, lead, prediction))
    fixes.sort(key=lambda f: (-round(f.risk_removed, 9), f.title))
    return fixes


def combined(journey: Journey, fixes: Sequence[Fix], config: Config | None = None) -> Prediction:
    """The prediction of applying ``fixes`` together (their effects do not simply add up)."""
    return predict(journey, [c for fix in fixes for c in fix.changes], config)


def _name(journey: Journey, tp_id: str) -> str:
    tp = journey.touchpoints.get(tp_id)
    return tp.name if tp else tp_id


def _fn_name(journey: Journey, fn_id: str) -> str:
    fn = journey.functions.get(fn_id)
    return fn.name if fn else fn_id


def _propose(
    journey: Journey, analysis: JourneyAnalysis, finding: Finding, config: Config | None
) -> tuple[str, str | None, tuple[Change, ...]] | None:
    rule = finding.rule
    tps = journey.touchpoints
    if finding.transition is not None:
        source, target = finding.transition
        if source not in tps or target not in tps:
            return None
        a, b = tps[source], tps[target]
        step = f"'{a.name}' \u2192 '{b.name}'"
        if rule == "JM101":
            return (
                f"{_fn_name(journey, b.function)} owns the handoff {step}",
                b.function,
                (AssignOwner(source, target, b.function),),
            )
        if rule == "JM102":
            items = tuple(a.asks) or (CASE_SUMMARY,)
            return (
                f"hand over {', '.join(items)} with the customer at {step}",
                a.function,
                (Carry(source, target, items),),
            )
        if rule == "JM104" and a.channel:
            return (
                f"keep the customer on {a.channel} at {step}",
                b.function,
                (AlignChannel(source, target),),
            )
        if rule == "JM106":
            limit = (config or Config.default()).wait_hours
            return (
                f"cut the wait at {step} to {limit:g} h",
                b.function,
                (ChangeWait(source, target, limit),),
            )
        if rule == "JM107":  # every shadow system on either side, with the other side's first
            links: list[Change] = []
            for side, across in ((a, b), (b, a)):
                partner = next((x for x in across.systems if not _shadow(journey, x)), None)
                partner = partner or next(iter(across.systems), None)
                for shadow in side.systems:
                    if _shadow(journey, shadow) and partner and partner != shadow:
                        links.append(Integrate(shadow, partner))
            if not links:
                return None
            names = sorted({journey.systems[c.a].name for c in links if isinstance(c, Integrate)})
            shadow_owner = journey.systems[shadow_of(links[0])].owner
            return (
                f"integrate {', '.join(names)} at {step}",
                shadow_owner,
                tuple(links),
            )
        return None
    if rule == "JM103" and len(finding.touchpoints) >= 2:
        path = finding.touchpoints
        first, here = tps.get(path[0]), tps.get(path[-1])
        if first is None or here is None:
            return None
        items = tuple(i for i in here.asks if i in first.asks) or tuple(here.asks)
        if not items:
            return None
        changes = tuple(
            Carry(x, y, items)
            for x, y in zip(path, path[1:], strict=False)
            if x in tps and any(t.target == y for t in tps[x].next)
        )
        if not changes:
            return None
        return (
            f"carry {', '.join(items)} from '{first.name}' to '{here.name}'",
            first.function,
            changes,
        )
    return None


def shadow_of(change: Change) -> str:
    """The shadow system of a JM107 fix's integration."""
    assert isinstance(change, Integrate)
    return change.a


def _shadow(journey: Journey, system: str) -> bool:
    s = journey.systems.get(system)
    return bool(s and s.shadow)
