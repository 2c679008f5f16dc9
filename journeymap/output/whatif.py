"""``journeymap whatif`` output: each scenario's figures before and after, with the deltas.

Text (a compact table), JSON (versioned ``"whatif": 1``, documented in docs/json.md) and
Markdown. Pure functions; identical input gives byte-identical output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from journeymap.analysis.types import JourneyAnalysis
from journeymap.analysis.whatif import Prediction, total_risk
from journeymap.output import display_path, number
from journeymap.scenario import Scenario

__all__ = ["WHATIF_FORMATS", "WHATIF_VERSION", "render_whatif", "whatif_to_dict"]

WHATIF_VERSION = 1
"""Bumped on any incompatible change of the ``whatif`` JSON shape; additions keep it."""
WHATIF_FORMATS: tuple[str, ...] = ("text", "json", "markdown")

Result = tuple[Scenario, Prediction]

_LABELS = {
    "total_risk": "total risk",
    "handoffs": "handoffs",
    "expected_handoffs_per_customer": "expected handoffs per customer",
    "expected_wait_hours_per_customer": "expected wait per customer (h)",
    "drop_off": "drop-off",
    "findings": "findings",
}


def figures(analysis: JourneyAnalysis) -> dict[str, float]:
    """The figures a what-if compares, keyed as :attr:`Prediction.deltas` is."""
    m = analysis.metrics
    result: dict[str, float] = {
        "total_risk": total_risk(analysis),
        "handoffs": m.handoffs,
        "expected_handoffs_per_customer": m.expected_handoffs_per_customer,
        "expected_wait_hours_per_customer": m.expected_wait_hours_per_customer,
        "drop_off": m.drop_off,
        "findings": len(analysis.findings),
    }
    for outcome, share in sorted(m.outcomes.items()):
        result[f"outcome:{outcome}"] = share
    return result


def _by_rule(analysis: JourneyAnalysis) -> dict[str, int]:
    return dict(sorted(Counter(f.rule for f in analysis.findings).items()))


def _side(analysis: JourneyAnalysis, keys: Sequence[str]) -> dict[str, Any]:
    values = figures(analysis)
    return {
        "figures": {key: number(values.get(key, 0.0)) for key in keys},
        "findings_by_rule": _by_rule(analysis),
        "handoffs": [
            {
                "from": h.source,
                "to": h.target,
                "from_function": h.from_function,
                "to_function": h.to_function,
                "owner": h.owner,
                "risk": number(h.risk),
                "rules": sorted(h.rules),
            }
            for h in sorted(analysis.handoffs, key=lambda h: (h.source, h.target))
        ],
    }


def whatif_to_dict(results: Sequence[Result], cwd: str | None = None) -> dict[str, Any]:
    """The JSON object of ``journeymap whatif --format json`` (docs/json.md)."""
    journey = results[0][1].before.journey if results else None
    scenarios = []
    for scenario, prediction in results:
        keys = list(prediction.deltas)
        scenarios.append(
            {
                "name": scenario.name,
                "changes": [
                    {"option": option, "value": text} for option, text, _ in scenario.items
                ],
                "before": _side(prediction.before, keys),
                "after": _side(prediction.after, keys),
                "deltas": {key: number(value) for key, value in prediction.deltas.items()},
            }
        )
    return {
        "whatif": WHATIF_VERSION,
        "journey": journey.id if journey else None,
        "file": display_path(journey.path, cwd) if journey else None,
        "scenarios": scenarios,
    }


def _fmt(value: float, key: str) -> str:
    if key in ("handoffs", "findings") or key.startswith("rule:"):
        return str(int(value))
    return f"{value:.2f}" if key in ("total_risk",) or "wait" in key else f"{value:.3f}"


def _signed(value: float, key: str) -> str:
    text = _fmt(value, key)
    if float(text) == 0:
        return "0" if key in ("handoffs", "findings") or key.startswith("rule:") else "="
    return text if text.startswith("-") else "+" + text


def _rows(prediction: Prediction) -> list[tuple[str, str, str, str]]:
    before, after = figures(prediction.before), figures(prediction.after)
    rows = []
    for key, delta in prediction.deltas.items():
        label = _LABELS.get(key) or "outcome " + key.removeprefix("outcome:")
        rows.append(
            (
                label,
                _fmt(before.get(key, 0.0), key),
                _fmt(after.get(key, 0.0), key),
                _signed(delta, key),
            )
        )
    rules_before, rules_after = _by_rule(prediction.before), _by_rule(prediction.after)
    for rule in sorted(set(rules_before) | set(rules_after)):
        b, a = rules_before.get(rule, 0), rules_after.get(rule, 0)
        rows.append((f"  {rule}", str(b), str(a), _signed(a - b, "rule:")))
    return rows


def _changes(scenario: Scenario) -> list[str]:
    return [f"--{option} {text}" for option, text, _ in scenario.items] or ["(no change)"]


def render_text(results: Sequence[Result]) -> str:
    lines: list[str] = []
    for scenario, prediction in results:
        journey = prediction.before.journey
        lines.append(f"{journey.id} ({display_path(journey.path)}): what if {scenario.name}")
        lines.extend(f"  {change}" for change in _changes(scenario))
        rows = [("", "before", "after", "delta"), *_rows(prediction)]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            first = row[0].ljust(widths[0])
            rest = "  ".join(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))
            lines.append(f"  {first}  {rest}".rstrip())
        lines.append("")
    return "\n".join(lines)


def render_markdown(results: Sequence[Result]) -> str:
    lines: list[str] = []
    for scenario, prediction in results:
        journey = prediction.before.journey
        lines.append(f"## What if: {scenario.name} ({journey.id})")
        lines.append("")
        lines.extend(f"- `{change}`" for change in _changes(scenario))
        lines.append("")
        lines.append("| figure | before | after | delta |")
        lines.append("| --- | ---: | ---: | ---: |")
        for label, before, after, delta in _rows(prediction):
            label = label.strip() if not label.startswith("  ") else "findings " + label.strip()
            lines.append(f"| {label} | {before} | {after} | {delta} |")
        lines.append("")
    return "\n".join(lines)


def render_whatif(results: Sequence[Result], fmt: str) -> str:
    """``results`` (scenario and prediction pairs, one journey) in ``fmt``."""
    if fmt == "json":
        from journeymap.output.json import dumps

        return dumps(whatif_to_dict(results))
    if fmt == "markdown":
        return render_markdown(results)
    return render_text(results)
