"""benchmarks/run.py rewrites the generated part of results.md and keeps the part written by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run.py"

_spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
assert _spec and _spec.loader
bench_run = importlib.util.module_from_spec(_spec)
sys.modules["bench_run"] = bench_run
_spec.loader.exec_module(bench_run)

ROW = {
    "figure": "a figure",
    "size": 10,
    "ours": 1.0,
    "baseline": 2.0,
    "target": 1.0,
    "unit": "s",
    "ratio": 0.5,
    "result": "pass",
    "notes": "",
}


def _write(path: Path, figure: str) -> None:
    row = dict(ROW, figure=figure)
    bench_run.write_results(path, [row], {"commit": "abc"}, quick=True, seconds=1.0)


def test_a_run_keeps_the_hand_written_part_and_replaces_the_table(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    _write(results, "first run")
    first = results.read_text(encoding="utf-8")
    assert bench_run.HAND_WRITTEN in first and "first run" in first
    by_hand = "\n## Mining\n\nMeasured by hand: 3.9 s.\n"
    results.write_text(first.rstrip("\n") + "\n" + by_hand, encoding="utf-8")
    _write(results, "second run")
    second = results.read_text(encoding="utf-8")
    assert "first run" not in second and "second run" in second
    assert second.endswith(bench_run.HAND_WRITTEN + "\n" + by_hand)
    assert second.count(bench_run.HAND_WRITTEN) == 1


def test_the_repository_results_carry_the_marker() -> None:
    text = (ROOT / "benchmarks" / "results.md").read_text(encoding="utf-8")
    assert text.count(bench_run.HAND_WRITTEN) == 1
    assert text.index("## Machine") < text.index(bench_run.HAND_WRITTEN) < text.index("## Mining")
