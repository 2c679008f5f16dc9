"""Report site build: full build of a generated portfolio vs the sum of its bare Graphviz layouts,
and an incremental build after one journey changes vs the full build.

The baseline lays out exactly the DOTs the build lays out (one per journey plus the silo map),
one after another with the same renderer (`render_dot`, default: embedded Graphviz), timing
nothing but the layouts. The build also loads, analyses, renders HTML, hashes, writes and swaps;
it has the CPU count as worker processes to win that back.

The incremental build is timed five times in the same process (each time another journey
changed), median reported: the first one also pays once-per-process costs (importing numpy for
the flow solver, starting the embedded layout worker), shown in the notes.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _common import BENCH_DIR, row, workdir


def _portfolio(journeys: int) -> Path:
    sys.path.insert(0, str(BENCH_DIR))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH_DIR))
    folder = workdir() / f"report-portfolio-{journeys}"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        generate.generate_portfolio(journeys, folder, seed=1)
    return folder


def _bare_layouts(folder: Path) -> float:
    from journeymap.analysis.engine import analyze
    from journeymap.config import load_config
    from journeymap.load import load_journeys
    from journeymap.render import build_dot, build_silo_dot, render_dot

    analyses = [analyze(j, load_config(j.path)) for j in load_journeys([folder])]
    dots = [build_dot(a) for a in analyses] + [build_silo_dot(analyses)]
    total = 0.0
    for dot in dots:
        start = time.perf_counter()
        render_dot(dot, "svg")
        total += time.perf_counter() - start
    return total


def run(quick: bool) -> list[dict[str, Any]]:
    """Full and incremental build times of a generated portfolio (100 journeys; quick: 20)."""
    from journeymap.report import build_site

    journeys = 20 if quick else 100
    folder = _portfolio(journeys)
    out = workdir() / "report-site" / "site"
    shutil.rmtree(out.parent, ignore_errors=True)
    baseline = _bare_layouts(folder)
    start = time.perf_counter()
    result = build_site([folder], out)
    full = time.perf_counter() - start
    error = None if result.rendered == journeys else f"rendered {result.rendered} of {journeys}"
    rows = [
        row(
            "report full build vs sum of bare layouts",
            journeys,
            full,
            baseline,
            "ratio <= 1.3",
            "s",
            error=error,
            note=f"{result.rendered} rendered",
        )
    ]
    times = []
    files = sorted(folder.glob("*.journey.yaml"))
    for k in range(1 if quick else 5):
        target = files[k]
        target.write_text(
            target.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1),
            encoding="utf-8",
        )
        start = time.perf_counter()
        again = build_site([folder], out)
        times.append(time.perf_counter() - start)
        if again.rendered != 1:
            error = f"incremental build rendered {again.rendered} journeys, expected 1"
    rows.append(
        row(
            "report incremental build (1 journey changed) vs full",
            journeys,
            statistics.median(times),
            full,
            "ratio < 0.05",
            "s",
            error=error,
            repeats=len(times),
            note=f"first {times[0] * 1000:.0f} ms (once per process: imports numpy, "
            "starts the layout worker)",
        )
    )
    return rows
