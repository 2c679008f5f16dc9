"""Terminal text: the ``analyze`` summary (worst handoffs first) and linter-style ``check`` lines.

Colour is plain ANSI, only when the caller asks for it (the CLI asks when the stream is a TTY and
``NO_COLOR`` is unset); this module never imports click.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeymap.analysis.types import Finding, JourneyAnalysis
from journeymap.gate import GateResult
from journeymap.output import display_path, has_location, sorted_findings

__all__ = ["style", "finding_line", "render_text", "render_check_text"]

_CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}
_SEVERITY_STYLE = {"error": ("red", True), "warning": ("yellow", True), "info": ("cyan", False)}


def style(text: str, color: bool, fg: str | None = None, bold: bool = False) -> str:
    """``text`` wrapped in ANSI codes when ``color`` is true, else unchanged."""
    if not color or (fg is None and not bold):
        return text
    codes = ([str(_CODES[fg])] if fg else []) + (["1"] if bold else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def _one_line(text: str) -> str:
    """User text on one terminal line: control characters (escape codes included) removed."""
    return "".join(c if c.isprintable() else " " for c in text)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _where(finding: Finding, cwd: str | None, journey_path: str | None) -> str:
    if has_location(finding.location):
        loc = finding.location
        return f"{display_path(loc.path, cwd)}:{loc.line}:{loc.col}"
    return display_path(journey_path or "<unknown>", cwd)


def finding_line(
    finding: Finding, color: bool = False, cwd: str | None = None, journey_path: str | None = None
) -> str:
    """``path:line:col: JM102 warning: message``, as linters print (no line: ``path: ...``)."""
    fg, bold = _SEVERITY_STYLE.get(finding.severity, (None, False))
    return (
        f"{style(_where(finding, cwd, journey_path), color, bold=True)}: "
        f"{style(finding.rule, color, fg, bold)} {style(finding.severity, color, fg)}: "
        f"{_one_line(finding.message)}"
    )


def _table(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Rows padded into columns (right-aligned where asked), two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _shares(mapping: Mapping[str, float], limit: int = 8) -> str:
    items = sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{_one_line(k)} {_pct(v)}" for k, v in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def _journey_text(analysis: JourneyAnalysis, color: bool, cwd: str | None) -> list[str]:
    journey, m = analysis.journey, analysis.metrics
    lines = [
        f"{style(_one_line(journey.title), color, bold=True)} ({journey.id})  "
        f"{display_path(journey.path, cwd)}",
        f"  {_plural(m.touchpoints, 'touchpoint')}, {_plural(m.transitions, 'transition')}, "
        f"{_plural(m.handoffs, 'handoff')} (ratio {m.handoff_ratio:.2f}), "
        f"{_plural(m.functions_touched, 'function')} touched",
        f"  expected handoffs per customer {m.expected_handoffs_per_customer:.3f}, "
        f"most handoffs on a path {'' if m.max_handoffs_on_path_complete else '>= '}"
        f"{m.max_handoffs_on_path}, expected wait {m.expected_wait_hours_per_customer:.1f} h",
    ]
    outcomes = sorted(m.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
    outcome_text = ", ".join(f"{_one_line(k)} {_pct(v)}" for k, v in outcomes)
    lines.append(
        f"  outcomes: {outcome_text + ', ' if outcome_text else ''}drop-off {_pct(m.drop_off)}"
    )
    if m.function_flow_share:
        lines.append(f"  who owns the customer (touchpoint flow): {_shares(m.function_flow_share)}")
    if m.lead_flow_share:
        lines.append(f"  by lead: {_shares(m.lead_flow_share)}")

    lines.append("")
    if analysis.handoffs:
        lines.append(style("  Handoffs, worst first", color, bold=True))
        rows = [["#", "risk", "flow", "per cust.", "from -> to", "functions", "rules"]]
        for h in sorted(analysis.handoffs, key=lambda h: h.number):
            rows.append(
                [
                    str(h.number),
                    f"{h.risk:.2f}",
                    f"{h.flow:.2f}",
                    f"{h.per_customer:.3f}",
                    f"{h.source} -> {h.target}",
                    f"{h.from_function} -> {h.to_function}",
                    " ".join(sorted(h.rules)),
                ]
            )
        table = _table(rows, right=frozenset({0, 1, 2, 3}))
        lines.append("    " + style(table[0], color, bold=True))
        lines.extend("    " + row for row in table[1:])
    else:
        lines.append("  No handoffs: one function serves the whole journey.")

    if m.handoff_matrix:
        lines.append("")
        lines.append(style("  Silo map (handoff flow between functions)", color, bold=True))
        pairs = sorted(m.handoff_matrix.items(), key=lambda kv: (-kv[1], kv[0]))
        rows = [[f"{a} -> {b}", f"{flow:.2f}"] for (a, b), flow in pairs]
        lines.extend("    " + row for row in _table(rows, right=frozenset({1})))

    findings = sorted_findings(
        analysis.findings, by_severity=True, paths={journey.id: journey.path}
    )
    lines.append("")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    lines.append(
        style(
            f"  Findings: {_plural(counts['error'], 'error')}, "
            f"{_plural(counts['warning'], 'warning')}, {counts['info']} info",
            color,
            bold=True,
        )
    )
    lines.extend("    " + finding_line(f, color, cwd, journey.path) for f in findings)
    return lines


def render_text(
    analyses: Sequence[JourneyAnalysis], color: bool = False, cwd: str | None = None
) -> str:
    """The ``analyze`` terminal summary of every journey, separated by blank lines."""
    blocks = ["\n".join(_journey_text(a, color, cwd)) for a in analyses]
    text = "\n\n".join(blocks)
    if len(analyses) > 1:
        handoffs = sum(a.metrics.handoffs for a in analyses)
        findings = sum(len(a.findings) for a in analyses)
        text += (
            f"\n\n{len(analyses)} journeys, {_plural(handoffs, 'handoff')}, "
            f"{_plural(findings, 'finding')}"
        )
    return text + "\n" if text else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_check_text(result: GateResult, color: bool = False, cwd: str | None = None) -> str:
    """``check`` output: one linter line per reported finding, then a summary line."""
    paths = {a.journey.id: a.journey.path for a in result.analyses}
    lines = [finding_line(f, color, cwd, paths.get(f.journey)) for f in result.findings]
    counts = result.counts()
    summary = (
        f"{_plural(result.journeys, 'journey')} checked: {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    if result.passed:
        verdict = style(f"passed (--fail-on {result.fail_on})", color, "green", bold=True)
    else:
        verdict = style(
            f"failed: {len(result.failing)} at or above {result.fail_on}", color, "red", bold=True
        )
    lines.append(f"{summary}; {verdict}")
    return "\n".join(lines) + "\n"
