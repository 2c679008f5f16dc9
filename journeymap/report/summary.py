"""What the incremental cache keeps of a journey for the portfolio index: its summary.

The index (:func:`journeymap.report.render_index`: the journeys table, the silo map, the heat map,
the worst handoffs, the leads) needs every journey, but only a little of each. Unpickling 100 full
analyses took longer than everything else an incremental build does, so the cache keeps
:func:`index_summary` instead: a :class:`~journeymap.analysis.portfolio.JourneySummary`, its own
frozen type holding exactly the fields the index reads (ids, titles, names of functions and
touchpoints, touchpoint flows, emotions, metrics, handoffs and finding counts per severity).

``build_site`` renders the index from summaries whether a journey came from the cache or was
just analysed, so the output never depends on the cache; a test checks that the index rendered
from summaries is byte-identical to the one rendered from full analyses.
"""

from __future__ import annotations

from journeymap.analysis.portfolio import JourneySummary, summarize
from journeymap.analysis.types import JourneyAnalysis

__all__ = ["JourneySummary", "index_summary"]


def index_summary(analysis: JourneyAnalysis) -> JourneySummary:
    """The summary of ``analysis`` that the portfolio index reads."""
    return summarize(analysis)
