"""Shared helpers for the bench_*.py modules: generated inputs, subprocess workers, rows.

A benchmark module exposes ``run(quick: bool) -> list[dict]``; each dict is one row of the table
with keys ``figure, size, ours, baseline, ratio, target, unit`` and optionally ``error`` (the row
is then a miss, with the error shown), ``passed`` (overrides the target check), ``repeats``
and ``note``. ``target`` is a number (the largest acceptable ratio), ``None`` (information only),
or a string ``"ratio <= X"``, ``"ours < X"`` or ``"ours - baseline < X"``. See benchmarks/README.md.
"""

from __future__ import annotations

import atexit
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WORKER = BENCH_DIR / "_worker.py"
SEED = 1
STEP_CAP = 120.0  # seconds: a step slower than this is recorded as a timeout (a miss)

_tmp: Path | None = None
_files: dict[tuple[int, int], Path] = {}
_pipelines: dict[tuple[int, int], dict[str, Any]] = {}


def workdir() -> Path:
    """A temporary folder for generated inputs, removed at exit."""
    global _tmp
    if _tmp is None:
        _tmp = Path(tempfile.mkdtemp(prefix="journeymap-bench-"))
        atexit.register(shutil.rmtree, _tmp, True)
    return _tmp


def journey_file(touchpoints: int, seed: int = SEED) -> Path:
    """A generated journey of ``touchpoints`` touchpoints (made once per process)."""
    key = (touchpoints, seed)
    if key not in _files:
        sys.path.insert(0, str(BENCH_DIR))
        try:
            import generate
        finally:
            sys.path.remove(str(BENCH_DIR))
        path = workdir() / f"generated-{touchpoints}-{seed}.journey.yaml"
        path.write_text(generate.generate_journey(touchpoints, seed), encoding="utf-8")
        _files[key] = path
    return _files[key]


def run_worker(args: list[str], timeout: float) -> tuple[list[dict[str, Any]], str | None]:
    """Run benchmarks/_worker.py; return its records and an error (a time-out, a crash) if any."""
    cmd = [sys.executable, str(WORKER), *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        return _records(out), f"worker killed after {timeout:g} s"
    error = None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        error = f"worker exited {proc.returncode}: {last[:200]}"
    return _records(proc.stdout), error


def _records(out: str) -> list[dict[str, Any]]:
    records = []
    for line in out.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def pipeline(touchpoints: int, quick: bool) -> dict[str, Any]:
    """Timings of yaml.load, load_journey and analyze on one generated file (memoised).

    Returns ``{"yaml": [s, ...], "load": [...], "analyze": [...], "errors": {step: msg},
    "start_mb": RSS before, "load_mb"/"analyze_mb": peak RSS of the fresh worker process after
    its first load_journey / analyze, "bytes": file size}``. The worker stops repeating when
    another repeat would overrun its time budget (at least one repeat always runs).
    """
    key = (touchpoints, int(quick))
    if key in _pipelines:
        return _pipelines[key]
    big = touchpoints >= 50_000
    repeats = 3 if big or quick else 5
    budget = 360.0 if big else 60.0
    path = journey_file(touchpoints)
    records, error = run_worker(
        ["pipeline", str(path), "--repeats", str(repeats), "--cap", str(STEP_CAP),
         "--budget", str(budget)],
        timeout=budget + 4 * STEP_CAP,
    )
    result: dict[str, Any] = {"yaml": [], "load": [], "analyze": [], "errors": {}}
    for rec in records:
        step = rec.get("step")
        if step == "start":
            result["start_mb"] = rec.get("maxrss_mb")
            result["bytes"] = rec.get("bytes")
        elif step in ("yaml", "load", "analyze"):
            if "error" in rec:
                result["errors"][step] = rec["error"]
            else:
                result[step].append(rec["seconds"])
                if step in ("load", "analyze") and "maxrss_mb" in rec:
                    result[f"{step}_mb"] = rec["maxrss_mb"]
    if error:
        for step in ("yaml", "load", "analyze"):
            if not result[step] and step not in result["errors"]:
                result["errors"][step] = error
    _pipelines[key] = result
    return result


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def row(
    figure: str,
    size: int | str,
    ours: float | None,
    baseline: float | None,
    target: float | str | None,
    unit: str,
    *,
    error: str | None = None,
    repeats: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """One table row; the ratio is computed here when both sides are known."""
    ratio = ours / baseline if ours is not None and baseline else None
    record: dict[str, Any] = {"figure": figure, "size": size, "ours": ours, "baseline": baseline,
                              "ratio": ratio, "target": target, "unit": unit}
    if error or (ours is None and target is not None):
        record["error"] = error or "not measured"
    if repeats is not None:
        record["repeats"] = repeats
    if note:
        record["note"] = note
    return record
