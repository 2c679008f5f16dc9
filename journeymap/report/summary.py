"""A journey's analysis cut down to what the portfolio index reads, for the incremental cache.

The index (:func:`journeymap.report.render_index`: the journeys table, the silo map, the heat map,
the worst handoffs, the leads) needs every journey's analysis, but only part of it. Unpickling
100 full analyses took longer than everything else an incremental build does, so the cache keeps
:func:`index_summary` instead: still a :class:`JourneyAnalysis`, with the touchpoints' text
(pains, gains, notes, ideas, KPIs, asks, description), their transitions and systems, the
transition flows and the findings' text dropped. Findings are kept only as how many there are of
each severity (placeholders that share one object per severity, so they pickle to a few bytes).

``build_site`` renders the index from summaries whether a journey came from the cache or was
just analysed, so the output never depends on the cache; a test checks that the index rendered
from summaries is byte-identical to the one rendered from full analyses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from journeymap.analysis.types import Finding, JourneyAnalysis
from journeymap.model import NOWHERE, frozen_map

_NO_FLOWS: Mapping[tuple[str, str], float] = MappingProxyType({})

__all__ = ["index_summary"]


def index_summary(analysis: JourneyAnalysis) -> JourneyAnalysis:
    """``analysis`` with everything the portfolio index does not read removed."""
    journey = analysis.journey
    touchpoints = frozen_map(
        {
            tp_id: dataclasses.replace(
                tp,
                systems=(),
                asks=(),
                pains=(),
                gains=(),
                notes=(),
                ideas=(),
                kpis=(),
                next=(),
                description=None,
                location=NOWHERE,
            )
            for tp_id, tp in journey.touchpoints.items()
        }
    )
    slim = dataclasses.replace(
        journey,
        touchpoints=touchpoints,
        systems=frozen_map(),
        integrations=(),
        channels=frozen_map(),
        description=None,
    )
    placeholders: dict[str, Finding] = {}
    findings = tuple(
        placeholders.setdefault(f.severity, Finding("", f.severity, "", journey.id))
        for f in analysis.findings
    )
    return dataclasses.replace(analysis, journey=slim, transition_flow=_NO_FLOWS, findings=findings)
