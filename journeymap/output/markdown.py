"""Markdown for wikis and pull requests: per journey, a metrics table, the handoffs (worst first),
the silo map and the findings. Cell text is escaped so user text cannot break a table or inject
HTML."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.types import JourneyAnalysis
from journeymap.output import display_path, has_location, sorted_findings

__all__ = ["escape", "message", "render_markdown"]

_ESCAPES = {
    "\\": "\\\\",
    "|": "\\|",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
}


def escape(text: str) -> str:
    """``text`` safe inside a Markdown table cell: one line, no markup, no HTML."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return "".join(_ESCAPES.get(c, c) for c in flat)


def message(text: str) -> str:
    """A finding message for a cell: like :func:`escape`, but paired backticks stay code."""
    flat = escape(text)
    return flat.replace("\\`", "`") if text.count("`") % 2 == 0 else flat


def _code(text: str) -> str:
    """An id or code in backticks (ids are slugs; backticks and pipes are dropped anyway)."""
    return "`" + text.replace("`", "").replace("|", "") + "`"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    marks = {"l": "---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _journey_markdown(analysis: JourneyAnalysis, cwd: str | None) -> list[str]:
    journey, m = analysis.journey, analysis.metrics
    lines = [
        f"## {escape(journey.title)} ({_code(journey.id)})",
        "",
        f"File: {_code(display_path(journey.path, cwd))}",
        "",
    ]
    path_count = f"{m.max_handoffs_on_path}" + ("" if m.max_handoffs_on_path_complete else "+")
    figures = [
        ("Touchpoints", str(m.touchpoints)),
        ("Transitions", str(m.transitions)),
        ("Handoffs", str(m.handoffs)),
        ("Handoff ratio", f"{m.handoff_ratio:.3f}"),
        ("Expected handoffs per customer", f"{m.expected_handoffs_per_customer:.3f}"),
        ("Most handoffs on a path", path_count),
        ("Functions touched", str(m.functions_touched)),
        ("Expected wait per customer (h)", f"{m.expected_wait_hours_per_customer:.1f}"),
        ("Drop-off", _pct(m.drop_off)),
    ]
    for outcome, probability in sorted(m.outcomes.items(), key=lambda kv: (-kv[1], kv[0])):
        figures.append((f"Outcome {escape(outcome)}", _pct(probability)))
    lines += _table(["Metric", "Value"], figures, "lr")

    lines += ["", "### Handoffs, worst first", ""]
    if analysis.handoffs:
        rows = [
            [
                str(h.number),
                f"{_code(h.source)} → {_code(h.target)}",
                f"{escape(h.from_function)} → {escape(h.to_function)}",
                f"{h.flow:.2f}",
                f"{h.per_customer:.3f}",
                f"{h.risk:.2f}",
                " ".join(sorted(h.rules)),
            ]
            for h in sorted(analysis.handoffs, key=lambda h: h.number)
        ]
        lines += _table(
            ["#", "Transition", "Functions", "Flow", "Per customer", "Risk", "Rules"],
            rows,
            "lllrrrl",
        )
    else:
        lines.append("No handoffs: one function serves the whole journey.")

    if m.handoff_matrix:
        lines += ["", "### Silo map", ""]
        pairs = sorted(m.handoff_matrix.items(), key=lambda kv: (-kv[1], kv[0]))
        lines += _table(
            ["From function", "To function", "Flow"],
            [[escape(a), escape(b), f"{flow:.2f}"] for (a, b), flow in pairs],
            "llr",
        )

    if m.function_flow_share:
        lines += ["", "### Who owns the customer (share of touchpoint flow)", ""]
        shares = sorted(m.function_flow_share.items(), key=lambda kv: (-kv[1], kv[0]))
        lines += _table(["Function", "Share"], [[escape(k), _pct(v)] for k, v in shares], "lr")

    lines += ["", "### Findings", ""]
    findings = sorted_findings(
        analysis.findings, by_severity=True, paths={journey.id: journey.path}
    )
    if findings:
        rows = []
        for f in findings:
            where = (
                f"{display_path(f.location.path, cwd)}:{f.location.line}"
                if has_location(f.location)
                else display_path(journey.path, cwd)
            )
            rows.append([f.rule, f.severity, message(f.message), _code(where)])
        lines += _table(["Rule", "Severity", "Message", "Where"], rows, "llll")
    else:
        lines.append("No findings.")
    return lines


def render_markdown(analyses: Sequence[JourneyAnalysis], cwd: str | None = None) -> str:
    """``analyze --format markdown``: a section per journey, tables that paste into a wiki."""
    lines = ["# Journey analysis", ""]
    for i, analysis in enumerate(analyses):
        if i:
            lines.append("")
        lines += _journey_markdown(analysis, cwd)
    return "\n".join(lines) + "\n"
