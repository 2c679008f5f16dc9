"""What analyses return: findings, handoffs and metrics, as plain immutable data; and the one
order of findings (:func:`finding_order`, :func:`sorted_findings`) that the engine, every output
format, the ``check`` gate and the reports use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from journeymap.catalog import Severity
from journeymap.model import NOWHERE, Journey, Location

__all__ = [
    "Severity",
    "Finding",
    "Handoff",
    "Metrics",
    "JourneyAnalysis",
    "SEVERITY_ORDER",
    "finding_order",
    "sorted_findings",
    "has_location",
]

SEVERITY_ORDER: Mapping[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """A linter-style finding: a stable rule code, a severity, and what to change."""

    rule: str
    severity: Severity
    message: str
    journey: str
    location: Location = NOWHERE
    touchpoints: tuple[str, ...] = ()
    transition: tuple[str, str] | None = None


@dataclass(frozen=True)
class Handoff:
    """A transition between two functions, with its flow and the risk factors that hit it.

    ``number`` is the handoff's 1-based rank by risk (highest first, ties in file order); the
    diagrams label handoff edges with it so a picture and the findings list agree.
    """

    source: str
    target: str
    from_function: str
    to_function: str
    flow: float  # customers per period through this transition
    per_customer: float  # flow / total entry volume
    risk: float
    rules: tuple[str, ...]
    number: int
    location: Location = NOWHERE
    owner: str | None = None  # the transition's accountable function, if any
    wait_hours: float | None = None


@dataclass(frozen=True)
class Metrics:
    """Journey-level figures; see docs/methodology.md for each definition."""

    touchpoints: int
    transitions: int
    handoffs: int
    handoff_ratio: float
    expected_handoffs_per_customer: float
    max_handoffs_on_path: int
    max_handoffs_on_path_complete: bool  # False when the bounded path search stopped early
    functions_touched: int
    outcomes: Mapping[str, float]
    drop_off: float
    expected_wait_hours_per_customer: float
    stage_functions: Mapping[str, tuple[str, ...]]  # stage id -> functions owning touchpoints
    stage_fragmentation: Mapping[str, float]  # stage id -> 1 - Herfindahl of function flow shares
    function_flow_share: Mapping[str, float]  # frontstage, by touchpoint function
    lead_flow_share: Mapping[str, float]  # frontstage, by the function's lead
    system_owner_flow_share: Mapping[str, float]  # backstage, by the owner of supporting systems
    handoff_matrix: Mapping[tuple[str, str], float]  # (from function, to function) -> flow
    total_volume: float
    trapped: float = 0.0  # share of entering customers stuck in loops with no way out (JM302)
    context_search_complete: bool = True  # False when the repeat-ask search hit its budget


@dataclass(frozen=True)
class JourneyAnalysis:
    """Everything the engine computed about one journey, ready for presentation."""

    journey: Journey
    metrics: Metrics
    touchpoint_flow: Mapping[str, float]
    transition_flow: Mapping[tuple[str, str], float]
    handoffs: tuple[Handoff, ...]  # ordered by number (risk, highest first)
    findings: tuple[Finding, ...] = field(default=())


def has_location(location: Location) -> bool:
    """Whether a location points into a real file (not the engine's ``NOWHERE`` default)."""
    return location != NOWHERE and location.line > 0


def finding_order(finding: Finding, paths: Mapping[str, str] | None = None) -> tuple[object, ...]:
    """The one order of findings, reading order: file, line, column, then rule code, the
    transition and touchpoints they concern, message and journey.

    A finding without a location sorts at line 0 of its journey's file (from ``paths``, journey
    id -> file), so it comes first among that journey's findings.
    """
    loc = finding.location
    if has_location(loc):
        where: tuple[str, int, int] = (loc.path, loc.line, loc.col)
    else:
        where = ((paths or {}).get(finding.journey, loc.path), 0, 0)
    return (
        *where,
        finding.rule,
        finding.transition or ("", ""),
        finding.touchpoints,
        finding.message,
        finding.journey,
    )


def sorted_findings(
    findings: Iterable[Finding],
    by_severity: bool = False,
    paths: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Findings in :func:`finding_order`; with ``by_severity``, errors first, then warnings, then
    info, each in that order."""
    items = sorted(findings, key=lambda f: finding_order(f, paths))
    if by_severity:
        items.sort(key=lambda f: SEVERITY_ORDER.get(f.severity, 99))
    return items
