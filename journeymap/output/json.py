"""The public JSON interface of ``journeymap analyze --format json`` (documented in docs/json.md).

One object per journey, each carrying ``schema_version``; a list when several journeys are given.
Keys are sorted, floats rounded to 6 decimals, output is ASCII with a final newline, so identical
input gives byte-identical output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis, Metrics
from journeymap.gate import GateResult
from journeymap.output import display_path, has_location, number, sorted_findings

__all__ = [
    "SCHEMA_VERSION",
    "analysis_to_dict",
    "finding_to_dict",
    "handoff_to_dict",
    "metrics_to_dict",
    "dumps",
    "render_json",
    "check_to_dict",
    "render_check_json",
]

SCHEMA_VERSION = 1
"""Bumped on any incompatible change of the JSON shape; additions keep the version."""


def _figures(mapping: Mapping[str, float]) -> dict[str, Any]:
    return {str(key): number(value) for key, value in mapping.items()}


def metrics_to_dict(metrics: Metrics) -> dict[str, Any]:
    """Journey metrics as JSON: tuple-keyed ``handoff_matrix`` becomes a list of
    ``{"from", "to", "flow"}`` sorted by function pair."""
    return {
        "touchpoints": metrics.touchpoints,
        "transitions": metrics.transitions,
        "handoffs": metrics.handoffs,
        "handoff_ratio": number(metrics.handoff_ratio),
        "expected_handoffs_per_customer": number(metrics.expected_handoffs_per_customer),
        "max_handoffs_on_path": metrics.max_handoffs_on_path,
        "max_handoffs_on_path_complete": metrics.max_handoffs_on_path_complete,
        "functions_touched": metrics.functions_touched,
        "outcomes": _figures(metrics.outcomes),
        "drop_off": number(metrics.drop_off),
        "expected_wait_hours_per_customer": number(metrics.expected_wait_hours_per_customer),
        "stage_functions": {
            stage: list(functions) for stage, functions in metrics.stage_functions.items()
        },
        "stage_fragmentation": _figures(metrics.stage_fragmentation),
        "function_flow_share": _figures(metrics.function_flow_share),
        "lead_flow_share": _figures(metrics.lead_flow_share),
        "system_owner_flow_share": _figures(metrics.system_owner_flow_share),
        "handoff_matrix": [
            {"from": source, "to": target, "flow": number(flow)}
            for (source, target), flow in sorted(metrics.handoff_matrix.items())
        ],
        "total_volume": number(metrics.total_volume),
        "trapped": number(metrics.trapped),
        "context_search_complete": metrics.context_search_complete,
    }


def handoff_to_dict(handoff: Handoff, cwd: str | None = None) -> dict[str, Any]:
    """One handoff as JSON, with the ``file:line:col`` of the transition that defines it."""
    located = has_location(handoff.location)
    return {
        "number": handoff.number,
        "from": handoff.source,
        "to": handoff.target,
        "from_function": handoff.from_function,
        "to_function": handoff.to_function,
        "flow": number(handoff.flow),
        "per_customer": number(handoff.per_customer),
        "risk": number(handoff.risk),
        "rules": sorted(handoff.rules),
        "owner": handoff.owner,
        "wait_hours": None if handoff.wait_hours is None else number(handoff.wait_hours),
        "file": display_path(handoff.location.path, cwd) if located else None,
        "line": handoff.location.line if located else None,
        "col": handoff.location.col if located else None,
    }


def finding_to_dict(
    finding: Finding, cwd: str | None = None, journey_path: str | None = None
) -> dict[str, Any]:
    """One finding as JSON. A finding without a location cites the journey's file, line null."""
    located = has_location(finding.location)
    path = finding.location.path if located else journey_path
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "journey": finding.journey,
        "file": display_path(path, cwd) if path else None,
        "line": finding.location.line if located else None,
        "col": finding.location.col if located else None,
        "touchpoints": list(finding.touchpoints),
        "transition": (
            {"from": finding.transition[0], "to": finding.transition[1]}
            if finding.transition
            else None
        ),
    }


def analysis_to_dict(analysis: JourneyAnalysis, cwd: str | None = None) -> dict[str, Any]:
    """Everything about one journey as a JSON-ready dict (schema in docs/json.md)."""
    journey = analysis.journey
    transition_flow = [
        {"from": t.source, "to": t.target, "flow": number(analysis.transition_flow.get(t.key, 0.0))}
        for t in journey.transitions()
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "journey": journey.id,
        "title": journey.title,
        "file": display_path(journey.path, cwd),
        "metrics": metrics_to_dict(analysis.metrics),
        "touchpoint_flow": _figures(analysis.touchpoint_flow),
        "transition_flow": transition_flow,
        "handoffs": [
            handoff_to_dict(h, cwd) for h in sorted(analysis.handoffs, key=lambda h: h.number)
        ],
        "findings": [
            finding_to_dict(f, cwd, journey.path)
            for f in sorted_findings(analysis.findings, paths={journey.id: journey.path})
        ],
    }


def dumps(data: Any) -> str:
    """Canonical JSON text: sorted keys, two-space indent, ASCII, final newline, no NaN."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def render_json(analyses: Sequence[JourneyAnalysis], cwd: str | None = None) -> str:
    """``analyze --format json``: one object for one journey, a list for any other number."""
    objects = [analysis_to_dict(a, cwd) for a in analyses]
    return dumps(objects[0] if len(objects) == 1 else objects)


def check_to_dict(result: GateResult, cwd: str | None = None) -> dict[str, Any]:
    """``check --format json``: the verdict, counts per severity and the reported findings."""
    paths = {a.journey.id: a.journey.path for a in result.analyses}
    return {
        "schema_version": SCHEMA_VERSION,
        "passed": result.passed,
        "fail_on": result.fail_on,
        "failing": len(result.failing),
        "counts": result.counts(),
        "journeys": [
            {"journey": a.journey.id, "file": display_path(a.journey.path, cwd)}
            for a in result.analyses
        ],
        "findings": [finding_to_dict(f, cwd, paths.get(f.journey)) for f in result.findings],
    }


def render_check_json(result: GateResult, cwd: str | None = None) -> str:
    """``check --format json`` as canonical JSON text."""
    return dumps(check_to_dict(result, cwd))
