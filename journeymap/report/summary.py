"""What the incremental cache keeps of a journey for the portfolio index: its summary.

The index (:func:`journeymap.report.render_index`: the portfolio's fixes, the journeys table, the
silo map, the heat map, the worst handoffs, the leads) needs every journey, but only a little of
each. Unpickling 100 full analyses took longer than everything else an incremental build does, so
the cache keeps :func:`index_summary` instead: a
:class:`~journeymap.analysis.portfolio.JourneySummary`, its own frozen type holding exactly the
fields the index reads (ids, titles, names of functions and touchpoints, touchpoint flows,
emotions, metrics, handoffs, finding counts per severity and the best few ranked fixes as plain
:class:`~journeymap.analysis.portfolio.FixSummary` data).

``build_site`` renders the index from summaries whether a journey came from the cache or was
just analysed, so the output never depends on the cache; a test checks that the index rendered
from summaries is byte-identical to the one rendered from full analyses.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.fixes import Fix, ranked_fixes
from journeymap.analysis.portfolio import FIXES_KEPT, JourneySummary, summarize
from journeymap.analysis.types import JourneyAnalysis
from journeymap.config import Config

__all__ = ["JourneySummary", "index_summary"]


def index_summary(
    analysis: JourneyAnalysis | JourneySummary,
    fixes: Sequence[Fix] | None = None,
    config: Config | None = None,
) -> JourneySummary:
    """The summary of ``analysis`` that the portfolio index reads (a summary as it is).

    ``fixes``: the journey's :func:`~journeymap.analysis.fixes.ranked_fixes` if already computed
    (the site build computes them once for the page and the summary); else they are computed
    here with ``config`` (the one the journey was analysed with).
    """
    if isinstance(analysis, JourneySummary):
        return analysis
    if fixes is None:
        fixes = ranked_fixes(analysis.journey, analysis, config, limit=FIXES_KEPT)
    return summarize(analysis, fixes)
