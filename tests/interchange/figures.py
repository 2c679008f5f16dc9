"""What the analysis says about a journey, as plain comparable data: the figures a round trip
through another format must keep (flows, handoffs, metrics, every finding and rule count)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import journeymap
from journeymap.load import yaml_files
from journeymap.model import Journey

JOURNEYS = Path(__file__).resolve().parent.parent.parent / "journeys"
EXAMPLES = sorted(p for p in yaml_files(JOURNEYS) if p.name != "organisation.yaml")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def figures(journey: Journey) -> dict[str, Any]:
    """The analysis of ``journey`` without source locations (a re-imported file has others)."""
    analysis = journeymap.analyze(journey)
    return {
        "metrics": {
            f.name: _plain(getattr(analysis.metrics, f.name))
            for f in dataclasses.fields(analysis.metrics)
        },
        "touchpoint_flow": dict(analysis.touchpoint_flow),
        "transition_flow": dict(analysis.transition_flow),
        "handoffs": [
            {f.name: getattr(h, f.name) for f in dataclasses.fields(h) if f.name != "location"}
            for h in analysis.handoffs
        ],
        "rule_counts": Counter(f.rule for f in analysis.findings),
        "findings": [
            (f.rule, f.severity, f.message, f.touchpoints, f.transition) for f in analysis.findings
        ],
    }


def same_model(original: Journey, back: Journey) -> bool:
    """Equal journeys, but for the file they come from and the organisation files they use (an
    import writes those files' functions and systems into the journey itself)."""
    return dataclasses.replace(back, path=original.path, uses=original.uses) == original
