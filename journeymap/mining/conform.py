"""The journey as designed against the journey as lived: conformance of an event log to a journey.

Pure functions of a :class:`~journeymap.model.Journey`, the figures of its log
(:class:`~journeymap.mining.figures.MinedLog`) and the log's *variants* (each distinct sequence of
activities with the number of cases that followed it), so every per-case figure is exact.
Reading the log and the mapping file is :mod:`journeymap.mining.lived`'s job.

The deviations are named as the service-design literature names them (Halvorsrud, Kvale &
Følstad 2016, "Improving service quality through customer journey analysis", *Journal of
Service Theory and Practice* 26(6)):

- **ad hoc touchpoints**: activities of the log that match no designed touchpoint;
- **missing touchpoints**: designed touchpoints no case met;
- **irregular sequences**: directly-follows steps between touchpoints that the design has no
  transition for (steps from or to an ad hoc touchpoint included);
- **failing touchpoints**: designed touchpoints where cases end although the design does not
  end them there (a non-terminal touchpoint, or a terminal whose outcome is a bad one), or
  where cases come back although no designed path leads back to it.

The **conformance score** is the share of the log's directly-follows steps that follow a
designed transition (weighted by count). See docs/conformance.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from journeymap.mining.figures import MinedLog
from journeymap.model import Journey

if TYPE_CHECKING:
    from journeymap.analysis.types import JourneyAnalysis
    from journeymap.config import Config

__all__ = [
    "BAD_OUTCOMES",
    "AdHocTouchpoint",
    "Conformance",
    "FailingTouchpoint",
    "HandoffConformance",
    "IrregularSequence",
    "LogMapping",
    "MatchedActivity",
    "MissingTouchpoint",
    "TransitionConformance",
    "Variant",
    "conform",
    "normal_name",
]

BAD_OUTCOMES: frozenset[str] = frozenset(
    (
        "abandoned",
        "cancelled",
        "canceled",
        "churned",
        "complaint",
        "declined",
        "failed",
        "lost",
        "rejected",
        "unresolved",
    )
)
"""Outcomes that are bad for the customer or the company: cases ending at a terminal with one of
these fail there. A mapping file's ``bad_outcomes`` replaces the list."""


def normal_name(text: str) -> str:
    """How names are compared: trimmed, inner whitespace collapsed, case-folded."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Variant:
    """One distinct sequence of activities (in case order) and how many cases followed it."""

    activities: tuple[str, ...]
    cases: int


@dataclass(frozen=True)
class LogMapping:
    """Log names -> journey ids, beyond the case-insensitive match of ids and names.

    ``activities``: activity name -> touchpoint id; ``functions``: org unit -> function id
    (keys compared with :func:`normal_name`); ``bad_outcomes`` replaces :data:`BAD_OUTCOMES`."""

    activities: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    functions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    bad_outcomes: frozenset[str] | None = None
    source: str | None = None


@dataclass(frozen=True)
class MatchedActivity:
    """An activity of the log recognised as a designed touchpoint; ``how``: ``id``, ``name``
    or ``mapping``."""

    activity: str
    touchpoint: str
    how: str
    events: int
    cases: int


@dataclass(frozen=True)
class AdHocTouchpoint:
    """An activity of the log that matches no designed touchpoint."""

    activity: str
    events: int
    cases: int


@dataclass(frozen=True)
class MissingTouchpoint:
    """A designed touchpoint no case of the log met."""

    touchpoint: str
    name: str


@dataclass(frozen=True)
class IrregularSequence:
    """``count`` steps (in ``cases`` cases) from ``source`` directly to ``target`` that the design
    has no transition for. Each end is a touchpoint id, or an activity name when ad hoc."""

    source: str
    target: str
    source_ad_hoc: bool
    target_ad_hoc: bool
    count: int
    cases: int
    median_wait: float | None  # seconds


@dataclass(frozen=True)
class FailingTouchpoint:
    """A designed touchpoint where cases end against the design or come back to it.

    ``ended``: cases whose last step is here (failing when the touchpoint is not terminal, or
    its ``bad_outcome`` is set); ``repeated``: cases that meet it more than once, when no
    designed path leads back to it; ``reasons``: ``ends``, ``bad-outcome``, ``loops``."""

    touchpoint: str
    name: str
    visits: int
    ended: int
    repeated: int
    bad_outcome: str | None
    designed_drop_off: float
    reasons: tuple[str, ...]

    @property
    def cases(self) -> int:
        """The cases it fails (ending here against the design, or coming back), at most."""
        ends = self.ended if ("ends" in self.reasons or "bad-outcome" in self.reasons) else 0
        return ends + (self.repeated if "loops" in self.reasons else 0)


@dataclass(frozen=True)
class TransitionConformance:
    """One designed transition, as designed and as lived.

    ``designed_share``: the share of customers leaving ``source`` along it (as the engine splits
    them: the given share, else evenly); ``observed_share``: steps along it / visits of
    ``source`` (None when no case met ``source``); waits in seconds (medians)."""

    source: str
    target: str
    designed_share: float
    observed_share: float | None
    observed: int
    visits: int
    designed_wait: float | None
    observed_wait: float | None


@dataclass(frozen=True)
class HandoffConformance:
    """Handoffs from one function to another: expected per customer by the design, observed
    per case in the log, and ``excess`` = observed - designed."""

    from_function: str
    to_function: str
    designed_per_customer: float
    observed: int
    observed_per_case: float

    @property
    def excess(self) -> float:
        return self.observed_per_case - self.designed_per_customer


@dataclass(frozen=True)
class Conformance:
    """The design of ``journey`` against the log at ``log``: every deviation, sorted worst first.

    ``score``: designed steps / all directly-follows steps of the log (None when no case has two
    events); ``conforming_cases``: cases with no irregular sequence; ``handoffs_from``:
    ``"log"`` (the org column) or ``"design"`` (the matched touchpoints' functions)."""

    journey: str
    title: str
    path: str
    log: str
    cases: int
    events: int
    steps: int
    designed_steps: int
    conforming_cases: int
    matched: tuple[MatchedActivity, ...]
    ad_hoc: tuple[AdHocTouchpoint, ...]
    missing: tuple[MissingTouchpoint, ...]
    irregular: tuple[IrregularSequence, ...]
    failing: tuple[FailingTouchpoint, ...]
    transitions: tuple[TransitionConformance, ...]
    handoffs: tuple[HandoffConformance, ...]
    handoffs_from: str
    unmatched_functions: tuple[str, ...]
    touchpoint_names: Mapping[str, str]
    function_names: Mapping[str, str]

    @property
    def score(self) -> float | None:
        return self.designed_steps / self.steps if self.steps else None

    @property
    def irregular_cases(self) -> int:
        return self.cases - self.conforming_cases

    @property
    def irregular_case_share(self) -> float:
        return self.irregular_cases / self.cases if self.cases else 0.0

    def step_label(self, name: str, ad_hoc: bool) -> str:
        """A touchpoint by its designed name, an ad hoc activity quoted as the log spells it."""
        return f'"{name}" (ad hoc)' if ad_hoc else self.touchpoint_names.get(name, name)

    @property
    def over_handing(self) -> tuple[HandoffConformance, ...]:
        """Function pairs handing customers over more than designed, most excess first."""
        return tuple(h for h in self.handoffs if h.excess > _EPS)


_EPS = 1e-9


def _matcher(
    named: Mapping[str, str], ids: Iterable[str], mapped: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(normalised name -> id, normalised name -> how) for names, ids and the mapping."""
    table: dict[str, str] = {}
    how: dict[str, str] = {}
    for ident, name in named.items():
        table[normal_name(name)] = ident
        how[normal_name(name)] = "name"
    for ident in ids:
        table[normal_name(ident)] = ident
        how[normal_name(ident)] = "id"
    for name, ident in mapped.items():
        table[normal_name(name)] = ident
        how[normal_name(name)] = "mapping"
    return table, how


def _cycle_members(journey: Journey) -> frozenset[str]:
    """Touchpoints on a designed cycle (a designed path leads back to them)."""
    succ = {tp.id: [t.target for t in tp.next] for tp in journey.touchpoints.values()}
    members: set[str] = set()
    for start in succ:
        seen: set[str] = set()
        stack = list(succ[start])
        while stack:
            node = stack.pop()
            if node == start:
                members.add(start)
                break
            if node in seen or node not in succ:
                continue
            seen.add(node)
            stack.extend(succ[node])
    return frozenset(members)


def _designed_shares(journey: Journey) -> dict[tuple[str, str], tuple[float, float]]:
    """(source, target) -> (share as the engine splits it, drop-off at source)."""
    from journeymap.graph import split

    out: dict[tuple[str, str], tuple[float, float]] = {}
    for tp in journey.touchpoints.values():
        probabilities, drop, _ = split(tp)
        for transition, p in zip(tp.next, probabilities, strict=True):
            out[transition.key] = (p, drop)
    return out


def _drop_off(journey: Journey, touchpoint: str) -> float:
    from journeymap.graph import split

    return split(journey.touchpoints[touchpoint])[1]


Node = tuple[bool, str]  # (ad hoc, touchpoint id or activity name)


def conform(
    journey: Journey,
    mined: MinedLog,
    variants: Sequence[Variant],
    mapping: LogMapping | None = None,
    config: Config | None = None,
    *,
    analysis: JourneyAnalysis | None = None,
) -> Conformance:
    """Compare ``journey`` (as designed) with its event log (as lived): ``mined`` are the log's
    figures and ``variants`` its distinct activity sequences (both from
    :func:`journeymap.mining.lived.mine_lived`). ``mapping`` names log activities and org units
    the design spells differently; ``config`` is the analysis config of the designed handoffs
    (``analysis``, when given, is ``journeymap.analyze(journey, config)`` already computed)."""
    from journeymap.analysis.engine import analyze

    mapping = mapping or LogMapping()
    bad_outcomes = mapping.bad_outcomes if mapping.bad_outcomes is not None else BAD_OUTCOMES
    tps = journey.touchpoints
    table, how_by = _matcher({tp.id: tp.name for tp in tps.values()}, list(tps), mapping.activities)

    # activities -> nodes
    matched: list[MatchedActivity] = []
    ad_hoc: list[AdHocTouchpoint] = []
    node_of: dict[str, Node] = {}
    for activity in mined.activities:
        key = normal_name(activity.name)
        if key in table:
            node_of[activity.name] = (False, table[key])
            matched.append(
                MatchedActivity(
                    activity.name, table[key], how_by[key], activity.events, activity.cases
                )
            )
        else:
            node_of[activity.name] = (True, activity.name)
            ad_hoc.append(AdHocTouchpoint(activity.name, activity.events, activity.cases))

    def node(activity: str) -> Node:
        return node_of.get(activity) or (True, activity)

    designed = {t.key for t in journey.transitions()}
    function_of = {tp.id: tp.function for tp in tps.values()}

    pair_count: Counter[tuple[Node, Node]] = Counter()
    pair_cases: Counter[tuple[Node, Node]] = Counter()
    visits: Counter[str] = Counter()
    ended: Counter[str] = Counter()
    repeated: Counter[str] = Counter()
    design_handoffs: Counter[tuple[str, str]] = Counter()
    conforming = 0
    cases = 0
    for variant in variants:
        n = variant.cases
        cases += n
        nodes = [node(a) for a in variant.activities]
        if not nodes:
            continue
        regular = True
        seen_pairs: set[tuple[Node, Node]] = set()
        for pair in zip(nodes, nodes[1:], strict=False):
            pair_count[pair] += n
            seen_pairs.add(pair)
            (a_hoc, a), (b_hoc, b) = pair
            if a_hoc or b_hoc or (a, b) not in designed:
                regular = False
        for pair in seen_pairs:
            pair_cases[pair] += n
        conforming += n if regular else 0
        occurrences = Counter(ident for hoc, ident in nodes if not hoc)
        for ident, k in occurrences.items():
            visits[ident] += k * n
            if k > 1:
                repeated[ident] += n
        last_hoc, last = nodes[-1]
        if not last_hoc:
            ended[last] += n
        funcs = [function_of[ident] for hoc, ident in nodes if not hoc]
        for f, g in zip(funcs, funcs[1:], strict=False):
            if f != g:
                design_handoffs[(f, g)] += n

    # median waits per node pair: that of the most frequent activity pair behind it
    waits: dict[tuple[Node, Node], tuple[int, str, str, float]] = {}
    for step in mined.dfg:
        pair = (node(step.source), node(step.target))
        candidate = (step.count, step.source, step.target, step.median_wait)
        best = waits.get(pair)
        if best is None or (-candidate[0], candidate[1], candidate[2]) < (
            -best[0],
            best[1],
            best[2],
        ):
            waits[pair] = candidate

    def wait(pair: tuple[Node, Node]) -> float | None:
        found = waits.get(pair)
        return found[3] if found else None

    irregular = sorted(
        (
            IrregularSequence(a, b, a_hoc, b_hoc, pair_count[pair], pair_cases[pair], wait(pair))
            for pair in pair_count
            for (a_hoc, a), (b_hoc, b) in [pair]
            if a_hoc or b_hoc or (a, b) not in designed
        ),
        key=lambda s: (-s.cases, -s.count, s.source, s.target),
    )
    steps = sum(pair_count.values())
    designed_steps = sum(
        n
        for ((a_hoc, a), (b_hoc, b)), n in pair_count.items()
        if not a_hoc and not b_hoc and (a, b) in designed
    )

    missing = tuple(MissingTouchpoint(tp.id, tp.name) for tp in tps.values() if visits[tp.id] == 0)

    on_cycle = _cycle_members(journey)
    failing: list[FailingTouchpoint] = []
    for tp in tps.values():
        reasons: list[str] = []
        bad = tp.outcome if tp.outcome and normal_name(tp.outcome) in bad_outcomes else None
        if ended[tp.id]:
            if tp.next:
                reasons.append("ends")
            elif bad is not None:
                reasons.append("bad-outcome")
        if repeated[tp.id] and tp.id not in on_cycle:
            reasons.append("loops")
        if reasons:
            failing.append(
                FailingTouchpoint(
                    tp.id,
                    tp.name,
                    visits[tp.id],
                    ended[tp.id],
                    repeated[tp.id],
                    bad,
                    _drop_off(journey, tp.id) if tp.next else 1.0,
                    tuple(reasons),
                )
            )
    failing.sort(key=lambda f: (-f.cases, f.touchpoint))

    shares = _designed_shares(journey)
    transitions = tuple(
        TransitionConformance(
            t.source,
            t.target,
            shares[t.key][0],
            (pair_count[((False, t.source), (False, t.target))] / visits[t.source])
            if visits[t.source]
            else None,
            pair_count[((False, t.source), (False, t.target))],
            visits[t.source],
            t.wait_hours * 3600.0 if t.wait_hours is not None else None,
            wait(((False, t.source), (False, t.target))),
        )
        for t in journey.transitions()
    )

    # handoffs per function pair
    if analysis is None:
        analysis = analyze(journey, config)
    total = analysis.metrics.total_volume or 1.0
    designed_pairs = {
        pair: flow / total for pair, flow in analysis.metrics.handoff_matrix.items() if flow
    }
    unmatched: set[str] = set()
    if mined.events_with_function:
        fn_table, _ = _matcher(
            {f.id: f.name for f in journey.functions.values()},
            list(journey.functions),
            mapping.functions,
        )
        observed_pairs: Counter[tuple[str, str]] = Counter()
        for h in mined.function_handovers:
            src = fn_table.get(normal_name(h.source))
            dst = fn_table.get(normal_name(h.target))
            if src is None:
                unmatched.add(h.source)
            if dst is None:
                unmatched.add(h.target)
            fn_pair = (src or h.source, dst or h.target)
            if fn_pair[0] != fn_pair[1]:
                observed_pairs[fn_pair] += h.count
        handoffs_from = "log"
    else:
        observed_pairs = design_handoffs
        handoffs_from = "design"
    per_case = cases or mined.cases or 1
    handoffs = sorted(
        (
            HandoffConformance(
                f,
                g,
                designed_pairs.get((f, g), 0.0),
                observed_pairs[(f, g)],
                observed_pairs[(f, g)] / per_case,
            )
            for f, g in set(designed_pairs) | set(observed_pairs)
        ),
        key=lambda h: (-round(h.excess, 12), h.from_function, h.to_function),
    )

    return Conformance(
        journey=journey.id,
        title=journey.title,
        path=journey.path,
        log=mined.source,
        cases=cases,
        events=mined.events,
        steps=steps,
        designed_steps=designed_steps,
        conforming_cases=conforming,
        matched=tuple(sorted(matched, key=lambda m: (m.touchpoint, m.activity))),
        ad_hoc=tuple(sorted(ad_hoc, key=lambda a: (-a.cases, -a.events, a.activity))),
        missing=missing,
        irregular=tuple(irregular),
        failing=tuple(failing),
        transitions=transitions,
        handoffs=tuple(handoffs),
        handoffs_from=handoffs_from,
        unmatched_functions=tuple(sorted(unmatched)),
        touchpoint_names=MappingProxyType({tp.id: tp.name for tp in tps.values()}),
        function_names=MappingProxyType({f.id: f.name for f in journey.functions.values()}),
    )
