"""Full analyze (journeymap.analysis.engine.analyze) vs load, its growth, and its peak memory."""

from __future__ import annotations

from typing import Any

from _common import median, pipeline, row


def run(quick: bool) -> list[dict[str, Any]]:
    """analyze/load at two sizes, time growth from the small to the large size, peak RSS."""
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)
    rows = []
    analyze_median: dict[int, float | None] = {}
    load_median: dict[int, float | None] = {}
    for n in (small, large):
        p = pipeline(n, quick)
        analyze_median[n], load_median[n] = median(p["analyze"]), median(p["load"])
        error = p["errors"].get("analyze") or p["errors"].get("load")
        rows.append(row("analyze vs load", n, analyze_median[n], load_median[n],
                        "ratio <= 3", "s", error=error, repeats=len(p["analyze"])))
    growth = f"{large // 1000}k/{small // 1000}k"
    rows.append(row("analyze growth (time large / small)", growth, analyze_median[large],
                    analyze_median[small], "ratio <= 12", "s",
                    error=None if analyze_median[large] and analyze_median[small]
                    else "analyze not measured at both sizes"))
    rows.append(row("load growth (time large / small)", growth, load_median[large],
                    load_median[small], None, "s"))
    p = pipeline(large, quick)
    ours, base = p.get("analyze_mb"), p.get("load_mb")
    rows.append(row("analyze peak RSS vs load peak RSS", large, ours, base, "ours < 1024", "MB",
                    error=None if ours else p["errors"].get("analyze", "not measured"),
                    note=f"analyze adds {ours - base:.0f} MB; fresh process"
                    if ours and base else "fresh process"))
    return rows
