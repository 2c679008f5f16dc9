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

import math
from collections.abc import Sequence
from dataclasses import dataclass

from journeymap.analysis._index import Index, build_index
from journeymap.analysis.context import Systems, build_systems, repeat_asks
from journeymap.analysis.engine import analyze
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

__all__ = ["Fix", "combined", "ranked_fixes", "touched_handoffs"]

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
    journey: Journey,
    analysis: JourneyAnalysis,
    config: Config | None = None,
    limit: int | None = None,
) -> list[Fix]:
    """Every fix the findings suggest, most risk removed first (ties: by title).

    With ``limit``, the first ``limit`` fixes of that same list, found without predicting most
    of the others: each proposal has an upper bound on the risk it can remove (what the rules it
    can switch off weigh on the handoffs it can reach, :class:`_Bounds`), proposals are predicted
    in order of decreasing bound, and the search stops once ``limit`` predicted fixes each remove
    more than the next bound (docs/methodology.md "Ranked fixes").
    """
    if limit is not None and limit <= 0:
        return []
    proposals = _proposals(journey, analysis, config)
    before = analyze(journey, config)
    order = list(range(len(proposals)))
    bound = [math.inf] * len(proposals)
    slack = 0.0
    if limit is not None:
        bounds = _Bounds(journey, before, config)
        bound = [bounds.of(changes) for _, _, changes, _ in proposals]
        order.sort(key=lambda k: -bound[k])
        slack = bounds.slack
    kept: list[tuple[tuple[float, str, int], Fix]] = []
    for k in order:
        if limit is not None and len(kept) >= limit:
            kept.sort(key=lambda item: item[0])
            if -kept[limit - 1][0][0] > bound[k] + slack:
                break  # every proposal left ranks below the limit-th fix found
        title, function, changes, found = proposals[k]
        try:
            prediction = predict(journey, list(changes), config, before=before)
        except UsageError:
            continue  # a change the journey cannot take (e.g. an integration it has)
        known = function is not None and function in journey.functions
        lead = journey.functions[function].lead if known and function else None
        fix = Fix(title, changes, tuple(found), function, lead, prediction)
        kept.append(((-round(fix.risk_removed, 9), title, k), fix))
    kept.sort(key=lambda item: item[0])
    fixes = [fix for _, fix in kept]
    return fixes if limit is None else fixes[:limit]


def _proposals(
    journey: Journey, analysis: JourneyAnalysis, config: Config | None
) -> list[tuple[str, str | None, tuple[Change, ...], list[Finding]]]:
    """One proposal per distinct change set, in the order findings first suggest them, with the
    findings that suggested it."""
    proposals: dict[tuple[Change, ...], tuple[str, str | None, list[Finding]]] = {}
    for finding in analysis.findings:
        proposal = _propose(journey, analysis, finding, config)
        if proposal is None:
            continue
        title, function, changes = proposal
        entry = proposals.setdefault(changes, (title, function, []))
        entry[2].append(finding)
    return [(title, fn, changes, found) for changes, (title, fn, found) in proposals.items()]


class _Bounds:
    """An upper bound on the risk a change set can remove, from the journey analysed as it is.

    The proposed changes (an owner, a wait, a channel, carried items, an integration) change no
    probability and no touchpoint's function: every handoff keeps its flow and its base weight,
    so a change removes risk only by switching rules off on handoffs, and the risk it removes is
    at most the weight of each rule it can switch off times the flow of each handoff where it
    can (with weights >= 0, a rule it switches on only lowers what it removes). What each change
    can switch off, and where:

    - an owner: JM101 on that transition; a wait: JM106 on that transition;
    - a channel for a touchpoint: JM104 on the handoffs into and out of it;
    - carried items: JM102 on the carrying transitions; JM103 where a repeat ask of one of
      those items, and of no other item, hits (the repeat-ask search of every other item sees
      exactly what it saw; see :func:`_complete_after_carry`), anywhere when that is not sure;
    - an integration: JM102 and JM107 on handoffs whose source's systems reach one of the two
      systems (no other touchpoint's reach changes), JM103 anywhere.

    Any other change, or a negative weight, gets no bound (infinity: always predicted).
    """

    def __init__(self, journey: Journey, before: JourneyAnalysis, config: Config | None) -> None:
        cfg = config or Config.default()
        self.valid = all(float(w) >= 0.0 for w in cfg.weights.values())
        self.risk: dict[tuple[tuple[str, str], str], float] = {}
        self.touching: dict[str, list[tuple[str, str]]] = {}
        for h in before.handoffs:
            key = (h.source, h.target)
            for rule in set(h.rules):
                weighed = cfg.weight(rule) * h.per_customer
                self.risk[key, rule] = self.risk.get((key, rule), 0.0) + weighed
            for end in key:
                self.touching.setdefault(end, []).append(key)
        self.ix = ix = build_index(journey)
        self.systems = build_systems(ix)
        context = repeat_asks(ix, self.systems, cfg.state_budget)
        self.losing: dict[str, set[int]] = {}  # item -> the handoffs its repeat asks hit
        for repeat in context.repeats:
            hit = {e for e in repeat.losing if ix.handoff[e]}
            self.losing.setdefault(repeat.item, set()).update(hit)
        self.carry_sure = _complete_after_carry(ix, self.systems, cfg.state_budget)
        # bounds and predictions sum the same products in different orders; their rounding
        # error is below n x 2^-52 of the largest sum (every rule on every handoff), and the
        # ranking's rounding to 9 decimals moves a figure by at most 5e-10
        most = sum(h.per_customer for h in before.handoffs) * sum(
            max(float(w), 0.0) for w in cfg.weights.values()
        )
        self.slack = 1e-9 + 1e-13 * (len(before.handoffs) + 2) * most

    def of(self, changes: tuple[Change, ...]) -> float:
        """The most risk ``changes`` can remove (infinity when it cannot be bounded)."""
        if not self.valid:
            return math.inf
        off: set[tuple[tuple[str, str], str]] = set()
        carried: set[str] = set()
        anywhere_103 = False
        for change in changes:
            if isinstance(change, AssignOwner):
                off.add(((change.source, change.target), "JM101"))
            elif isinstance(change, ChangeWait):
                off.add(((change.source, change.target), "JM106"))
            elif isinstance(change, AlignChannel):
                off.update((key, "JM104") for key in self.touching.get(change.target, ()))
            elif isinstance(change, Carry):
                off.add(((change.source, change.target), "JM102"))
                carried.update(change.items)
            elif isinstance(change, Integrate):
                off.update(self._integrated(change))
                anywhere_103 = True
            else:
                return math.inf
        if carried or anywhere_103:
            hit: set[int] = set().union(*self.losing.values())
            if carried and not anywhere_103 and self.carry_sure:
                hit -= set().union(*(v for k, v in self.losing.items() if k not in carried))
            off.update((self.ix.transitions[e].key, "JM103") for e in hit)
        return sum(self.risk.get(pair, 0.0) for pair in off)

    def _integrated(self, change: Integrate) -> set[tuple[tuple[str, str], str]]:
        bit = self.systems.bit
        ends = bit.get(change.a, 0) | bit.get(change.b, 0)
        ix = self.ix
        found: set[tuple[tuple[str, str], str]] = set()
        for e, t in enumerate(ix.transitions):
            if ix.handoff[e] and self.systems.reach[ix.src[e]] & ends:
                found.update(((t.key, "JM102"), (t.key, "JM107")))
        return found


def _complete_after_carry(ix: Index, systems: Systems, budget: int) -> bool:
    """Whether the repeat-ask search completes within ``budget`` on this journey with any items
    carried anywhere, so that carrying an item leaves every other item's search as it was.

    The search (:func:`journeymap.analysis.context.repeat_asks`) keeps, per item, distinct
    states ``(touchpoint, systems holding the item, two flags)``; the systems holding it are the
    union of the reach of touchpoints on the way (carries add none), so each touchpoint has at
    most 4 x U states, U the number of distinct unions of the touchpoints' reach. Carries change
    neither, so the search visits at most items x touchpoints x 4 x U states, carried or not.
    """
    items = {item for tp in ix.touchpoints for item in tp.asks}
    if not items:
        return True
    cap = budget // (4 * max(ix.n, 1) * len(items))
    unions: set[int] = set()
    for reach in set(systems.reach):
        unions |= {u | reach for u in unions}
        unions.add(reach)
        if len(unions) > cap:
            return False
    return True


def touched_handoffs(fix: Fix, analysis: JourneyAnalysis) -> tuple[int, ...]:
    """The numbers of ``analysis``'s handoffs that ``fix`` changes or resolves findings on."""
    numbers = {(h.source, h.target): h.number for h in analysis.handoffs}
    keys = [(getattr(c, "source", None), getattr(c, "target", None)) for c in fix.changes]
    keys += [f.transition for f in fix.resolves if f.transition is not None]
    return tuple(sorted({numbers[k] for k in keys if k in numbers}))


def combined(
    journey: Journey,
    fixes: Sequence[Fix],
    config: Config | None = None,
    *,
    before: JourneyAnalysis | None = None,
) -> Prediction:
    """The prediction of applying ``fixes`` together (their effects do not simply add up);
    ``before`` as in :func:`~journeymap.analysis.whatif.predict` (the unedited analysis)."""
    return predict(journey, [c for fix in fixes for c in fix.changes], config, before=before)


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
