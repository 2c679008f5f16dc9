"""Load + validate (journeymap.load.load_journey) vs bare yaml.load with libyaml's C loader."""

from __future__ import annotations

from typing import Any

from _common import median, pipeline, row

TARGET = "ratio <= 2"


def run(quick: bool) -> list[dict[str, Any]]:
    """One row per size: median load_journey time over median yaml.load time, same file."""
    rows = []
    for n in (1_000, 10_000) if quick else (10_000, 100_000):
        p = pipeline(n, quick)
        base, ours = median(p["yaml"]), median(p["load"])
        error = p["errors"].get("load") or p["errors"].get("yaml")
        rows.append(row("load+validate vs yaml.load(CSafeLoader)", n, ours, base, TARGET, "s",
                        error=error, repeats=len(p["load"]),
                        note=f"file {p.get('bytes', 0) / 1e6:.1f} MB"))
    return rows
