"""Measurement worker, run in a fresh subprocess by benchmarks/_common.py.

Prints one JSON object per line as soon as each measurement is done, so a parent that kills it
on a time-out still has every figure measured before. Each step is capped with SIGALRM.

    python benchmarks/_worker.py pipeline FILE --repeats 5 --cap 120 --budget 200
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class StepTimeout(BaseException):  # not caught by the code under test
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise StepTimeout


def emit(**record: Any) -> None:
    print(json.dumps(record), flush=True)


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def capped(fn: Callable[[], Any], cap: float) -> tuple[float, Any]:
    """Run fn under a wall-clock cap; return (seconds, result)."""
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _imports() -> tuple[Any, Any, Any]:
    import yaml

    try:
        from journeymap.load import load_journey
    except ImportError as err:
        load_journey = err
    try:
        from journeymap.analysis.engine import analyze
    except ImportError as err:
        analyze = err
    return yaml, load_journey, analyze


def pipeline(path: Path, repeats: int, cap: float, budget: float) -> None:
    """Time bare yaml.load, load_journey and analyze on one file, interleaved, several times."""
    yaml, load_journey, analyze = _imports()
    text = path.read_text(encoding="utf-8")
    emit(step="start", maxrss_mb=maxrss_mb(), bytes=len(text.encode()))
    dead: dict[str, str] = {}
    if isinstance(load_journey, ImportError):
        dead["load"] = f"cannot import journeymap.load: {load_journey}"
    if isinstance(analyze, ImportError):
        dead["analyze"] = f"cannot import journeymap.analysis.engine: {analyze}"
    for step, why in dead.items():
        emit(step=step, error=why)
    began = time.perf_counter()
    held: dict[str, Any] = {}  # the journey loaded in this repeat, for analyze
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("yaml", lambda: yaml.load(text, Loader=yaml.CSafeLoader)),
        ("load", lambda: load_journey(path)),
        ("analyze", lambda: analyze(held["journey"])),
    ]
    last = 0.0
    for repeat in range(repeats):
        if repeat and time.perf_counter() - began + last > budget:
            emit(step="stop", reason=f"budget of {budget:g} s: stopped after {repeat} repeats")
            break
        started = time.perf_counter()
        held.clear()
        # the first repeat runs load and analyze first, in a fresh process, so the peak RSS
        # after each is what a process that only loads (and analyzes) this file needs
        order = steps[1:] + steps[:1] if repeat == 0 else steps
        for step, fn in order:
            if step in dead:
                continue
            if step == "analyze" and "journey" not in held:
                dead[step] = f"not run: load failed ({dead.get('load', 'no journey')})"
                emit(step=step, error=dead[step])
                continue
            gc.collect()
            try:
                seconds, result = capped(fn, cap)
            except StepTimeout:
                dead[step] = f"timeout after {cap:g} s"
                emit(step=step, repeat=repeat, timeout=cap, error=dead[step])
                continue
            except Exception as err:  # a benchmark reports failures, it does not hide them
                dead[step] = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
                emit(step=step, repeat=repeat, error=dead[step])
                continue
            record: dict[str, Any] = {"step": step, "repeat": repeat, "seconds": seconds}
            if repeat == 0:
                record["maxrss_mb"] = maxrss_mb()  # peak RSS of the process so far
            emit(**record)
            if step == "load":
                held["journey"] = result
            del result
        held.clear()
        last = time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("pipeline",))
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cap", type=float, default=120.0)
    parser.add_argument("--budget", type=float, default=300.0)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    pipeline(args.file, args.repeats, args.cap, args.budget)


if __name__ == "__main__":
    sys.exit(main())
