"""The portfolio view over many analysed journeys: where the organisation's silos meet.

Journeys have volumes on different scales (some give none and count 1 per entry), so every
cross-journey total is given twice: ``flow`` sums customers per period as the files state them,
``per_customer`` sums the expected crossings per entering customer (scale-free). Functions are
matched by id across journeys (journeys sharing an organisation file share ids), leads by name.

The portfolio reads one :class:`JourneySummary` per journey (:func:`summarize` cuts one from an
analysis): exactly what the portfolio, the organisation-wide silo map and the report's index page
use, so the report cache keeps these instead of whole analyses. A summary may carry the journey's
best few ranked fixes (:class:`FixSummary`, plain data) so that :func:`top_fixes` can pick the
changes that remove the most risk across the portfolio without re-running what-if.

Risk scores compare across journeys (each handoff's weight sum times the share of entering
customers who cross it, see docs/methodology.md), so fixes of different journeys are ranked by
the risk they remove as they are, and a handoff is *high-risk* by one fixed threshold,
:data:`HIGH_RISK`, in every journey.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from journeymap.analysis.fixes import touched_handoffs
from journeymap.analysis.types import SEVERITY_ORDER, Handoff, JourneyAnalysis, Metrics
from journeymap.catalog import RULES
from journeymap.model import Function, Location

if TYPE_CHECKING:
    from journeymap.analysis.fixes import Fix

__all__ = [
    "PairTotal",
    "LeadTotal",
    "RankedHandoff",
    "JourneyFigures",
    "Portfolio",
    "portfolio",
    "RISKY_RULES",
    "HIGH_RISK",
    "FIXES_KEPT",
    "FixSummary",
    "RankedFix",
    "JourneySummary",
    "summarize",
    "canonical_functions",
    "fix_summary",
    "top_fixes",
]

RISKY_RULES = frozenset(code for code, rule in RULES.items() if rule.risky)
"""A handoff hit by one of these (warning-level) factors counts as *risky* (the catalogue's
:attr:`~journeymap.catalog.Rule.risky`: JM101-JM103 and JM105-JM108)."""

HIGH_RISK = 3.0
"""A handoff scoring at least this is *high-risk*: as risky as a handoff every entering customer
crosses with one weight-2 factor (no owner, a long wait, a shadow system) on top of the handoff
itself, (1 + 2) x 1 with the default weights; a risky handoff below it is one *to review*."""

FIXES_KEPT = 5
"""How many of a journey's ranked fixes its summary keeps: enough for the portfolio's top five."""


@dataclass(frozen=True)
class FixSummary:
    """One ranked fix of a journey as the portfolio reads it: plain data, no journey or
    prediction (the report cache keeps it)."""

    title: str  # the change in words (Fix.title)
    function: str | None  # id of the function that would make the change
    executive: str | None  # that function's lead, as the journey names them
    risk_removed: float  # total risk before minus after
    handoffs_delta: float  # change in expected handoffs per customer (after minus before)
    handoffs: tuple[int, ...]  # numbers of the handoffs it changes or resolves findings on
    findings: int  # findings it was proposed for
    journey_risk: float  # the journey's total risk before the change


@dataclass(frozen=True)
class RankedFix:
    """A fix and the journey it belongs to, with its rank in that journey (1 = its best)."""

    journey: str
    rank: int
    fix: FixSummary


@dataclass(frozen=True)
class JourneySummary:
    """One journey as the portfolio, the silo map of many journeys and the index page read it."""

    id: str
    title: str
    persona: str | None
    path: str
    location: Location  # where the journey is defined (for a duplicate-id error)
    functions: Mapping[str, Function]  # the declared functions, in file order
    lanes: tuple[Function, ...]  # :meth:`~journeymap.model.Journey.lanes`
    touchpoint_names: Mapping[str, str]  # touchpoint id -> name, in file order
    touchpoint_functions: Mapping[str, str]  # touchpoint id -> owning function, in file order
    touchpoint_flow: Mapping[str, float]  # as in the analysis
    emotions: tuple[int | None, ...]  # of the touchpoints by stage, then file order
    metrics: Metrics
    handoffs: tuple[Handoff, ...]  # ordered by number (risk, highest first)
    counts: Mapping[str, int]  # findings per severity (every severity, in severity order)
    fixes: tuple[FixSummary, ...] = ()  # its best ranked fixes (at most FIXES_KEPT), if given

    @property
    def worst(self) -> Handoff | None:
        """The riskiest handoff, if any."""
        return self.handoffs[0] if self.handoffs else None


def fix_summary(fix: Fix, analysis: JourneyAnalysis) -> FixSummary:
    """The plain data of ``fix``, one of ``analysis``'s ranked fixes
    (:func:`journeymap.analysis.fixes.ranked_fixes`)."""
    return FixSummary(
        title=fix.title,
        function=fix.function,
        executive=fix.executive,
        risk_removed=fix.risk_removed,
        handoffs_delta=fix.prediction.deltas.get("expected_handoffs_per_customer", 0.0),
        handoffs=touched_handoffs(fix, analysis),
        findings=len(fix.resolves),
        journey_risk=sum(h.risk for h in analysis.handoffs),
    )


def summarize(
    analysis: JourneyAnalysis | JourneySummary, fixes: Sequence[Fix] = ()
) -> JourneySummary:
    """The :class:`JourneySummary` of ``analysis`` (a summary is returned as it is).

    ``fixes``: the journey's ranked fixes, best first, if the caller has them; the summary keeps
    the first :data:`FIXES_KEPT` (computing them costs what-if runs, so this never does).
    """
    if isinstance(analysis, JourneySummary):
        return analysis
    journey = analysis.journey
    stage_at = journey.stage_index()
    last = len(stage_at)
    by_stage = sorted(journey.touchpoints.values(), key=lambda t: stage_at.get(t.stage, last))
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in analysis.findings:
        if finding.severity in counts:
            counts[finding.severity] += 1
    tps = journey.touchpoints.values()
    return JourneySummary(
        id=journey.id,
        title=journey.title,
        persona=journey.persona,
        path=journey.path,
        location=journey.location,
        functions=MappingProxyType(dict(journey.functions)),
        lanes=journey.lanes(),
        touchpoint_names=MappingProxyType({t.id: t.name for t in tps}),
        touchpoint_functions=MappingProxyType({t.id: t.function for t in tps}),
        touchpoint_flow=analysis.touchpoint_flow,
        emotions=tuple(t.emotion for t in by_stage),
        metrics=analysis.metrics,
        handoffs=analysis.handoffs,
        counts=MappingProxyType(counts),
        fixes=tuple(fix_summary(f, analysis) for f in fixes[:FIXES_KEPT]),
    )


def top_fixes(
    summaries: Iterable[JourneyAnalysis | JourneySummary], limit: int = 5
) -> tuple[RankedFix, ...]:
    """The ``limit`` fixes that remove the most risk over all journeys' summarised fixes.

    Risk scores share one scale across journeys, so fixes compare by ``risk_removed`` as they
    are; ties go to the earlier journey (in the order given), then to the journey's own rank.
    """
    ranked = [
        (-round(fix.risk_removed, 9), k, rank, RankedFix(s.id, rank, fix))
        for k, s in enumerate(summarize(a) for a in summaries)
        for rank, fix in enumerate(s.fixes, start=1)
        if fix.risk_removed > 1e-9
    ]
    ranked.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in ranked[: max(limit, 0)])


@dataclass(frozen=True)
class PairTotal:
    """All handoffs from one function to another, over the portfolio."""

    from_function: str
    to_function: str
    count: int  # handoff transitions
    journeys: int  # journeys with at least one
    flow: float  # customers per period, summed
    per_customer: float  # expected crossings per entering customer, summed over journeys
    risk: float  # sum of the handoffs' risk scores


@dataclass(frozen=True)
class LeadTotal:
    """One executive's part in the customer experience, over the portfolio."""

    lead: str
    functions: tuple[str, ...]  # function ids led (sorted)
    flow_share: float  # mean over journeys of the lead's frontstage share of touchpoint flow
    journeys: int  # journeys in which a function they lead owns a touchpoint
    handoffs: int  # handoffs from or to a function they lead
    risky_handoffs: int  # of those, hit by a risky factor (RISKY_RULES)
    owned_handoffs: int  # handoffs whose `owner` is a function they lead
    risk: float  # sum of the risk of the handoffs from or to their functions


@dataclass(frozen=True)
class RankedHandoff:
    """A handoff and the journey it belongs to."""

    journey: str
    handoff: Handoff


@dataclass(frozen=True)
class JourneyFigures:
    """Key figures of one journey for the portfolio table."""

    journey: str
    title: str
    path: str
    touchpoints: int
    handoffs: int
    expected_handoffs_per_customer: float
    max_handoffs_on_path: int
    functions_touched: int
    total_risk: float
    worst_risk: float
    high_risk_handoffs: int  # risk at least HIGH_RISK
    review_handoffs: int  # below HIGH_RISK but hit by a risky factor (RISKY_RULES)
    errors: int
    warnings: int
    infos: int


@dataclass(frozen=True)
class Portfolio:
    """Totals over many journeys; every tuple is in a stable, documented order."""

    journeys: tuple[JourneyFigures, ...]  # in the order given
    pairs: tuple[PairTotal, ...]  # by per_customer desc, then function ids
    leads: tuple[LeadTotal, ...]  # by flow_share desc, then name
    worst_handoffs: tuple[RankedHandoff, ...]  # by risk desc, then journey order, then number


def canonical_functions(summaries: Iterable[JourneySummary]) -> dict[str, Function]:
    """Function id -> the one definition the portfolio goes by: the organisation file's (a
    function declared outside the journey file itself), else the first journey's. A journey
    may rename a shared function, or name another lead, for its own page ("Account executives"
    for Sales); across journeys each function has one name and one lead."""
    shared: dict[str, Function] = {}
    local: dict[str, Function] = {}
    for journey in summaries:
        own = os.path.abspath(journey.path)
        for function in journey.functions.values():
            path = function.location.path
            elsewhere = bool(path) and os.path.abspath(path) != own
            (shared if elsewhere else local).setdefault(function.id, function)
    return {**local, **shared}


def _lead(
    summary: JourneySummary, function_id: str, canonical: Mapping[str, Function] | None = None
) -> str:
    function = (canonical or {}).get(function_id) or summary.functions.get(function_id)
    if function is None:
        return function_id
    return function.lead or function.name


def portfolio(
    analyses: Iterable[JourneyAnalysis | JourneySummary], worst: int = 20
) -> Portfolio:
    """Aggregate ``analyses`` (or their summaries); ``worst`` bounds the list of worst handoffs."""
    summaries = [summarize(a) for a in analyses]
    canonical = canonical_functions(summaries)
    figures = []
    pairs: dict[tuple[str, str], dict[str, float]] = {}
    pair_journeys: dict[tuple[str, str], set[int]] = {}
    leads: dict[str, dict[str, float]] = {}
    lead_functions: dict[str, set[str]] = {}
    lead_journeys: dict[str, set[int]] = {}
    ranked: list[tuple[float, int, int, RankedHandoff]] = []
    for k, analysis in enumerate(summaries):
        m = analysis.metrics
        figures.append(
            JourneyFigures(
                journey=analysis.id,
                title=analysis.title,
                path=analysis.path,
                touchpoints=m.touchpoints,
                handoffs=m.handoffs,
                expected_handoffs_per_customer=m.expected_handoffs_per_customer,
                max_handoffs_on_path=m.max_handoffs_on_path,
                functions_touched=m.functions_touched,
                total_risk=sum(h.risk for h in analysis.handoffs),
                worst_risk=max((h.risk for h in analysis.handoffs), default=0.0),
                high_risk_handoffs=sum(1 for h in analysis.handoffs if _high(h)),
                review_handoffs=sum(
                    1 for h in analysis.handoffs if not _high(h) and RISKY_RULES & set(h.rules)
                ),
                errors=analysis.counts.get("error", 0),
                warnings=analysis.counts.get("warning", 0),
                infos=analysis.counts.get("info", 0),
            )
        )
        lead_share: dict[str, float] = {}
        for function_id in analysis.touchpoint_functions.values():
            lead = _lead(analysis, function_id, canonical)
            lead_functions.setdefault(lead, set()).add(function_id)
            lead_journeys.setdefault(lead, set()).add(k)
        for function_id, share in m.function_flow_share.items():
            lead = _lead(analysis, function_id, canonical)
            lead_share[lead] = lead_share.get(lead, 0.0) + share
        for lead, share in lead_share.items():
            totals = leads.setdefault(lead, _zero_lead())
            totals["share_sum"] += share
        for h in analysis.handoffs:
            key = (h.from_function, h.to_function)
            total = pairs.setdefault(key, {"count": 0, "flow": 0.0, "per": 0.0, "risk": 0.0})
            total["count"] += 1
            total["flow"] += h.flow
            total["per"] += h.per_customer
            total["risk"] += h.risk
            pair_journeys.setdefault(key, set()).add(k)
            risky = bool(RISKY_RULES.intersection(h.rules))
            for lead in {_lead(analysis, h.from_function, canonical), _lead(analysis, h.to_function, canonical)}:
                totals = leads.setdefault(lead, _zero_lead())
                totals["handoffs"] += 1
                totals["risky"] += 1 if risky else 0
                totals["risk"] += h.risk
            if h.owner is not None:
                totals = leads.setdefault(_lead(analysis, h.owner, canonical), _zero_lead())
                totals["owned"] += 1
            ranked.append((-h.risk, k, h.number, RankedHandoff(analysis.id, h)))
    n = len(summaries)
    pair_totals = tuple(
        sorted(
            (
                PairTotal(
                    a,
                    b,
                    int(t["count"]),
                    len(pair_journeys[(a, b)]),
                    t["flow"],
                    t["per"],
                    t["risk"],
                )
                for (a, b), t in pairs.items()
            ),
            key=lambda p: (-p.per_customer, p.from_function, p.to_function),
        )
    )
    lead_totals = tuple(
        sorted(
            (
                LeadTotal(
                    lead=lead,
                    functions=tuple(sorted(lead_functions.get(lead, ()))),
                    flow_share=(t["share_sum"] / n) if n else 0.0,
                    journeys=len(lead_journeys.get(lead, ())),
                    handoffs=int(t["handoffs"]),
                    risky_handoffs=int(t["risky"]),
                    owned_handoffs=int(t["owned"]),
                    risk=t["risk"],
                )
                for lead, t in leads.items()
            ),
            key=lambda lt: (-lt.flow_share, lt.lead),
        )
    )
    ranked.sort(key=lambda item: item[:3])
    return Portfolio(
        journeys=tuple(figures),
        pairs=pair_totals,
        leads=lead_totals,
        worst_handoffs=tuple(item[3] for item in ranked[: max(worst, 0)]),
    )


def _high(handoff: Handoff) -> bool:
    return handoff.risk >= HIGH_RISK - 1e-9


def _zero_lead() -> dict[str, float]:
    return {"share_sum": 0.0, "handoffs": 0, "risky": 0, "owned": 0, "risk": 0.0}
