"""Terminal text: the ``analyze`` summary (worst handoffs first) and the ``check`` output (findings
grouped by handoff, or linter-style lines with ``one_line``).

Colour is plain ANSI, only when the caller asks for it (the CLI asks when the stream is a TTY and
``NO_COLOR`` is unset); this module never imports click.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeymap.analysis.rules import format_hours
from journeymap.analysis.types import SEVERITY_ORDER, Finding, Handoff, JourneyAnalysis
from journeymap.catalog import RULES, is_asked_again, is_per_handoff, marks_stage
from journeymap.gate import GateResult
from journeymap.model import Journey
from journeymap.output import display_path, has_location, sorted_findings
from journeymap.output.grouping import finding_handoff, finding_step, handoff_index

__all__ = ["style", "finding_line", "render_text", "render_check_text"]

_CODES = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36}
_LONG_WAIT = "JM106"  # its handoff entry shows the wait
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


def render_check_text(
    result: GateResult, color: bool = False, cwd: str | None = None, one_line: bool = False
) -> str:
    """``check`` output, ending with the gate's summary line.

    By default findings are grouped: per journey, one line per handoff (worst first, by risk)
    naming its functions and touchpoints and listing its problems by rule title, then one line
    per finding about no handoff (journey, stage, touchpoint), then the count of each rule.
    With ``one_line``: one linter line per reported finding (``path:line:col: CODE severity:
    message``), in the gate's order.
    """
    paths = {a.journey.id: a.journey.path for a in result.analyses}
    if one_line:
        lines = [finding_line(f, color, cwd, paths.get(f.journey)) for f in result.findings]
    else:
        lines = _grouped_check_lines(result, color, cwd)
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


def _worst(findings: Sequence[Finding]) -> str:
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.get(s, 99))


def _severity_tag(severity: str, color: bool) -> str:
    fg, bold = _SEVERITY_STYLE.get(severity, (None, False))
    return style(severity.ljust(7), color, fg, bold)


def _tag(finding: Finding, cwd: str | None, journey_path: str | None) -> str:
    """``[path:line]`` of a finding (``[path]`` when it has no line)."""
    if has_location(finding.location):
        return f"[{display_path(finding.location.path, cwd)}:{finding.location.line}]"
    return f"[{display_path(journey_path or '<unknown>', cwd)}]"


def _title(code: str) -> str:
    known = RULES.get(code)
    return known.title if known else code


def _problems(findings: Sequence[Finding], handoff: Handoff) -> str:
    """``handoff without owner · context loss · long wait (2d)``: the handoff's problems by rule
    title, in code order, ``×n`` when a rule hits it several times."""
    counts: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.rule):
        if not is_per_handoff(f.rule):
            counts[f.rule] = counts.get(f.rule, 0) + 1
    if not counts:  # only the per-handoff finding itself (JM100) was selected
        return " · ".join(dict.fromkeys(_title(f.rule) for f in findings))
    words = []
    for code, n in counts.items():
        word = _title(code)
        if code == _LONG_WAIT and handoff.wait_hours is not None:
            word += f" ({format_hours(handoff.wait_hours)})"
        words.append(word + (f" ×{n}" if n > 1 else ""))
    return " · ".join(words)


def _figures(finding: Finding) -> str:
    """`` (expected wait per customer 48.0 h exceeds max_wait_hours 40 h)`` for a gate threshold
    finding (its message up to the hint), where the figures are the point; else nothing."""
    known = RULES.get(finding.rule)
    if known is None or not known.gate:
        return ""
    return f" ({_one_line(finding.message.split(';', 1)[0])})"


def _function_name(journey: Journey, function_id: str) -> str:
    function = journey.functions.get(function_id)
    return _one_line(function.name if function is not None else function_id)


def _touchpoint_name(journey: Journey, touchpoint_id: str) -> str:
    touchpoint = journey.touchpoints.get(touchpoint_id)
    return _one_line(touchpoint.name if touchpoint is not None else touchpoint_id)


def _subject(finding: Finding, journey: Journey | None) -> str:
    """What a finding about no handoff concerns, in words: the journey, a stage, a touchpoint or
    a transition, by name."""
    if journey is None:
        return f"journey {_one_line(finding.journey)!r}"
    if marks_stage(finding.rule):
        first = journey.touchpoints.get(finding.touchpoints[0]) if finding.touchpoints else None
        for stage in journey.stages:
            if (first is not None and stage.id == first.stage) or (
                first is None and stage.location == finding.location
            ):
                return f"stage '{_one_line(stage.name)}'"
    step = finding_step(finding)
    if step is not None and not is_asked_again(finding.rule):
        src, dst = (_touchpoint_name(journey, t) for t in step)
        return f"transition '{src}' → '{dst}'"
    if finding.touchpoints:
        tp = finding.touchpoints[-1] if is_asked_again(finding.rule) else finding.touchpoints[0]
        return f"touchpoint '{_touchpoint_name(journey, tp)}'"
    return f"journey '{_one_line(journey.title)}'"


def _grouped_check_lines(result: GateResult, color: bool, cwd: str | None) -> list[str]:
    """Per journey (in the gate's order): a header, one line per handoff with findings by rank,
    one line per other finding; then the count of each rule (no summary line)."""
    journeys = {a.journey.id: a.journey for a in result.analyses}
    index = handoff_index(result.analyses)
    by_journey: dict[str, tuple[dict[Handoff, list[Finding]], list[Finding]]] = {}
    for f in result.findings:
        handoffs, others = by_journey.setdefault(f.journey, ({}, []))
        handoff = finding_handoff(f, index)
        if handoff is None:
            others.append(f)
        else:
            handoffs.setdefault(handoff, []).append(f)

    lines: list[str] = []
    for journey_id, (handoffs, others) in by_journey.items():
        journey = journeys.get(journey_id)
        path = journey.path if journey is not None else None
        title = _one_line(journey.title) if journey is not None else _one_line(journey_id)
        if lines:
            lines.append("")
        parts = (
            [_plural(len(handoffs), "handoff") + " with findings, worst first"] if handoffs else []
        )
        parts += [_plural(len(others), "other finding")] if others else []
        lines.append(
            style(f"{display_path(path or '<unknown>', cwd)}: {title}", color, bold=True)
            + f" ({'; '.join(parts)})"
        )
        for handoff in sorted(handoffs, key=lambda h: (h.number, h.source, h.target)):
            found = handoffs[handoff]
            assert journey is not None  # a handoff comes from the journey's analysis
            where = (
                f"[{display_path(handoff.location.path, cwd)}:{handoff.location.line}]"
                if has_location(handoff.location)
                else _tag(found[0], cwd, path)
            )
            lines.append(
                f"  {_severity_tag(_worst(found), color)} #{handoff.number} "
                f"risk {handoff.risk:.2f}  "
                f"{_function_name(journey, handoff.from_function)} → "
                f"{_function_name(journey, handoff.to_function)}: "
                f"'{_touchpoint_name(journey, handoff.source)}' → "
                f"'{_touchpoint_name(journey, handoff.target)}': "
                f"{_problems(found, handoff)}  {where}"
            )
        # identical lines (a touchpoint asking again for two items) once, with ×n
        other_lines: dict[tuple[str, str], int] = {}
        for f in others:
            key = (
                f"  {_severity_tag(f.severity, color)} {_subject(f, journey)}: "
                f"{_title(f.rule)}{_figures(f)}",
                _tag(f, cwd, path),
            )
            other_lines[key] = other_lines.get(key, 0) + 1
        for (line, tag), n in other_lines.items():
            lines.append(f"{line}{f' ×{n}' if n > 1 else ''}  {tag}")

    if result.findings:
        per_rule: dict[str, int] = {}
        for f in result.findings:
            per_rule[f.rule] = per_rule.get(f.rule, 0) + 1
        lines.append("")
        lines.append(style("Findings by rule", color, bold=True))
        rows = [[code, _title(code), str(per_rule[code])] for code in sorted(per_rule)]
        lines.extend("  " + row for row in _table(rows, right=frozenset({2})))
    return lines
