"""Ranked fixes for a journey page: ``ranked_fixes(limit=5)`` vs one ``analyze`` of the journey.

A journey page and the portfolio index show the top five fixes; the report build and every
live-preview save compute them. Each proposal's effect is a what-if prediction (an analysis of
the edited journey), so the full list costs one analysis per proposal (100-630 of them here);
with the limit only the proposals whose bound can still reach the top five are predicted
(docs/methodology.md "Ranked fixes"). ``ours`` is the median of ``ranked_fixes(journey,
analysis, config, limit=5)``, ``baseline`` the median of ``analyze(journey, config)`` in the
same process, timed alternately; the notes say how many proposals were predicted, and (on the
examples) what the full list costs. Target: the top five within 30 analyses on every example,
within 5 on a generated 300-touchpoint journey (where the path search, which the predictions
reuse, is most of an analysis).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from _common import ROOT, journey_file, row

EXAMPLES = ("claims-before", "claims-after", "b2b-purchase", "retail-omnichannel",
            "telecom-onboarding")
EXAMPLE_TARGET = "ratio <= 30"
GENERATED_TARGET = "ratio <= 5"


def _measure(path: Path, repeats: int, full: bool) -> tuple[list[float], list[float],
                                                             list[float], int, int]:
    from journeymap import project
    from journeymap.analysis import fixes
    from journeymap.analysis.engine import analyze

    x = project.analyse_file(path)
    journey, config = x.analysis.journey, x.config
    calls = [0]
    predict = fixes.predict

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return predict(*args, **kwargs)

    fixes.predict = counting  # type: ignore[assignment]
    try:
        fixes.ranked_fixes(journey, x.analysis, config, limit=5)
        predicted = calls[0]
    finally:
        fixes.predict = predict  # type: ignore[assignment]
    proposals = len(fixes._proposals(journey, x.analysis, config))
    top, base, everything = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        analyze(journey, config)
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fixes.ranked_fixes(journey, x.analysis, config, limit=5)
        top.append(time.perf_counter() - t0)
        if full:
            t0 = time.perf_counter()
            fixes.ranked_fixes(journey, x.analysis, config)
            everything.append(time.perf_counter() - t0)
    return top, base, everything, predicted, proposals


def run(quick: bool) -> list[dict[str, Any]]:
    """One row per example and one for a generated journey (300 touchpoints; quick: 100)."""
    repeats = 3 if quick else 7
    rows = []
    for name in EXAMPLES:
        top, base, everything, predicted, proposals = _measure(
            ROOT / "journeys" / f"{name}.yaml", repeats, full=True)
        rows.append(row("ranked fixes, top 5 vs analyse", name, statistics.median(top),
                        statistics.median(base), EXAMPLE_TARGET, "s", repeats=repeats,
                        note=f"{predicted} of {proposals} proposals predicted; all "
                             f"{proposals}: {statistics.median(everything) * 1000:.0f} ms"))
    n = 100 if quick else 300
    top, base, _, predicted, proposals = _measure(journey_file(n), max(3, repeats // 2),
                                                  full=False)
    rows.append(row("ranked fixes, top 5 vs analyse", n, statistics.median(top),
                    statistics.median(base), GENERATED_TARGET, "s",
                    repeats=max(3, repeats // 2),
                    note=f"generated, seed 1; {predicted} of {proposals} proposals predicted"))
    return rows
