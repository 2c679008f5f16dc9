"""The ``journeymap check`` gate: select findings, add threshold findings, decide pass or fail.

Thresholds from the config file become findings with their own codes (JM401 expected handoffs
per customer, JM402 handoffs on a path, JM403 expected wait per customer; severity ``error``),
so they are selected, ignored, printed and exported like every other finding. With a log
(``check --log``), the lived-journey thresholds add JM501-JM504 (docs/conformance.md). The gate fails
when a selected finding is at least as severe as ``fail_on``. See docs/cli.md and docs/json.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from journeymap.analysis.types import SEVERITY_ORDER, Finding, JourneyAnalysis, sorted_findings
from journeymap.catalog import RULES, code_ranges
from journeymap.errors import UsageError
from journeymap.suggest import did_you_mean

if TYPE_CHECKING:
    from journeymap.mining.conform import Conformance
    from journeymap.model import Journey

__all__ = [
    "FailOn",
    "GateConfig",
    "GateResult",
    "parse_codes",
    "matches",
    "threshold_findings",
    "conformance_findings",
    "select_findings",
    "evaluate",
]

FailOn = Literal["error", "warning"]


class GateConfig(Protocol):
    """The thresholds the gate reads (the engine's ``Config`` has them); ``None`` = no limit."""

    @property
    def max_expected_handoffs(self) -> float | None: ...

    @property
    def max_handoffs_on_path(self) -> int | None: ...

    @property
    def max_wait_hours(self) -> float | None: ...


def _known_codes() -> tuple[str, ...]:
    return tuple(RULES)


def parse_codes(text: str | None, option: str = "--select") -> tuple[str, ...]:
    """Split ``"JM1,JM202"`` into upper-case codes or prefixes (``JM1`` = every JM1xx code).

    ``ALL`` selects every code. Raises :class:`UsageError` naming the option, the unknown code
    and the closest known ones when a token matches no rule.
    """
    if text is None:
        return ()
    known = _known_codes()
    tokens: list[str] = []
    for raw in text.split(","):
        token = raw.strip().upper()
        if not token:
            continue
        if token == "ALL":
            tokens.append("JM")
            continue
        if not token.startswith("JM") or not any(code.startswith(token) for code in known):
            hint = did_you_mean(token, known, n=3) or (
                f"known codes are {code_ranges(known)} (a prefix like JM1 selects JM1xx)"
            )
            raise UsageError(f"{option}: unknown rule code {raw.strip()!r}; {hint}")
        tokens.append(token)
    return tuple(dict.fromkeys(tokens))


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """Whether ``code`` is one of ``prefixes`` or starts with one of them."""
    return any(code.startswith(prefix) for prefix in prefixes)


def threshold_findings(analysis: JourneyAnalysis, config: GateConfig | None) -> list[Finding]:
    """JM401-JM403 for the thresholds of ``config`` that ``analysis`` exceeds."""
    if config is None:
        return []
    metrics, journey = analysis.metrics, analysis.journey
    found: list[Finding] = []

    def add(code: str, message: str) -> None:
        found.append(Finding(code, "error", message, journey.id, journey.location))

    limit = getattr(config, "max_expected_handoffs", None)
    if limit is not None and metrics.expected_handoffs_per_customer > limit:
        add(
            "JM401",
            f"expected handoffs per customer {metrics.expected_handoffs_per_customer:.3f} exceed "
            f"max_expected_handoffs {limit:g}; let one function own consecutive touchpoints "
            "or route customers around the busiest handoffs",
        )
    limit = getattr(config, "max_handoffs_on_path", None)
    if limit is not None and metrics.max_handoffs_on_path > limit:
        at_least = "" if metrics.max_handoffs_on_path_complete else "at least "
        add(
            "JM402",
            f"a path has {at_least}{metrics.max_handoffs_on_path} handoffs, more than "
            f"max_handoffs_on_path {limit:g}; shorten the relay between functions on the "
            "longest path",
        )
    limit = getattr(config, "max_wait_hours", None)
    if limit is not None and metrics.expected_wait_hours_per_customer > limit:
        add(
            "JM403",
            f"expected wait per customer {metrics.expected_wait_hours_per_customer:.1f} h exceeds "
            f"max_wait_hours {limit:g} h; shorten the longest waits between touchpoints",
        )
    return found


def _names(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def conformance_findings(
    conformance: Conformance, journey: Journey, config: object | None
) -> list[Finding]:
    """JM501-JM504 for the lived-journey thresholds of ``config`` that ``conformance`` (the
    journey against its log, :func:`journeymap.mining.conform.conform`) exceeds."""
    if config is None:
        return []
    c = conformance
    found: list[Finding] = []

    def add(code: str, message: str, touchpoints: tuple[str, ...] = ()) -> None:
        found.append(Finding(code, "error", message, journey.id, journey.location, touchpoints))

    limit = getattr(config, "min_conformance", None)
    if limit is not None and c.score is not None and c.score < limit:
        add(
            "JM501",
            f"conformance {c.score:.1%} ({c.designed_steps} of {c.steps} steps of {c.log} follow "
            f"the design) is below min_conformance {limit:.0%}; redesign the irregular "
            "sequences customers take, or fix the service so they follow the design",
        )
    limit = getattr(config, "max_ad_hoc_touchpoints", None)
    if limit is not None and len(c.ad_hoc) > limit:
        names = _names([f'"{a.activity}"' for a in c.ad_hoc])
        add(
            "JM502",
            f"{len(c.ad_hoc)} ad hoc touchpoint{'s' if len(c.ad_hoc) != 1 else ''} in {c.log} ({names}), more than "
            f"max_ad_hoc_touchpoints {limit}; add them to the journey or map them to "
            "touchpoints with --mapping",
        )
    limit = getattr(config, "max_missing_touchpoints", None)
    if limit is not None and len(c.missing) > limit:
        names = _names([m.name for m in c.missing])
        add(
            "JM503",
            f"{len(c.missing)} designed touchpoint{'s' if len(c.missing) != 1 else ''} no case of {c.log} meets ({names}), more "
            f"than max_missing_touchpoints {limit}; remove them from the journey or map the "
            "log's activities to them with --mapping",
            tuple(m.touchpoint for m in c.missing),
        )
    limit = getattr(config, "max_irregular_cases", None)
    if limit is not None and c.irregular_case_share > limit:
        worst = c.irregular[0] if c.irregular else None
        example = ""
        if worst is not None:
            a = worst.source if worst.source_ad_hoc else c.touchpoint_names[worst.source]
            b = worst.target if worst.target_ad_hoc else c.touchpoint_names[worst.target]
            example = f" (most: {a} -> {b}, {worst.cases} cases)"
        add(
            "JM504",
            f"{c.irregular_case_share:.1%} of cases ({c.irregular_cases} of {c.cases}) take an "
            f"irregular sequence{example}, more than max_irregular_cases {limit:.0%}; add the "
            "transitions customers take to the design, or stop the detours",
        )
    return found


def select_findings(
    findings: Iterable[Finding], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Finding]:
    """Findings kept by the selection: with no ``select``, every finding that is not ``info``;
    with ``select``, those matching it (any severity); ``ignore`` always wins."""
    kept = []
    for finding in findings:
        chosen = matches(finding.rule, select) if select else finding.severity != "info"
        if chosen and not matches(finding.rule, ignore):
            kept.append(finding)
    return kept


@dataclass(frozen=True)
class GateResult:
    """The outcome of a check: the findings reported, and those that fail the gate."""

    findings: tuple[Finding, ...]
    failing: tuple[Finding, ...]
    fail_on: FailOn
    journeys: int
    analyses: tuple[JourneyAnalysis, ...] = field(default=(), repr=False)

    @property
    def passed(self) -> bool:
        return not self.failing

    def counts(self) -> dict[str, int]:
        """Reported findings per severity (every severity present, in severity order)."""
        result = {severity: 0 for severity in SEVERITY_ORDER}
        for finding in self.findings:
            result[finding.severity] = result.get(finding.severity, 0) + 1
        return result


def evaluate(
    analyses: Sequence[JourneyAnalysis],
    configs: Sequence[GateConfig | None] | None = None,
    *,
    fail_on: FailOn = "error",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    extra: Sequence[Finding] = (),
) -> GateResult:
    """Run the gate over ``analyses`` (``configs`` parallel to them, or none).

    Findings are the engine's plus the threshold findings plus ``extra`` (the lived-journey
    findings of :func:`conformance_findings`), filtered by ``select``/``ignore``;
    the gate fails when any of them is at least as severe as ``fail_on``.
    """
    if fail_on not in ("error", "warning"):
        raise UsageError(f"--fail-on: expected error or warning, got {fail_on!r}")
    if configs is not None and len(configs) != len(analyses):
        raise ValueError("configs must be parallel to analyses")
    collected: list[Finding] = []
    for i, analysis in enumerate(analyses):
        collected.extend(analysis.findings)
        collected.extend(threshold_findings(analysis, configs[i] if configs else None))
    collected.extend(extra)
    paths = {a.journey.id: a.journey.path for a in analyses}
    reported = sorted_findings(select_findings(collected, select, ignore), paths=paths)
    bar = SEVERITY_ORDER[fail_on]
    failing = tuple(f for f in reported if SEVERITY_ORDER.get(f.severity, 99) <= bar)
    return GateResult(tuple(reported), failing, fail_on, len(analyses), tuple(analyses))
