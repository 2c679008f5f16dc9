"""CLI cold start: `journeymap validate` of a 10-touchpoint file vs `python -c pass`."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import journey_file, row


def _command() -> list[str]:
    script = Path(sys.executable).parent / "journeymap"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from journeymap.cli import main; sys.exit(main())"]


# An installed package starts from its compiled bytecode (pip writes it at install time); with
# PYTHONDONTWRITEBYTECODE set, as on some CI machines, every start would compile the sources
# again (about 60 ms for journeymap alone) and measure that instead. The warm-up run writes it.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=_ENV)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [proc.stdout.strip()])[-1]
        raise RuntimeError(f"{' '.join(cmd[-3:])} exited {proc.returncode}: {last[:160]}")
    return seconds


def run(quick: bool) -> list[dict[str, Any]]:
    """Median of interleaved runs of both commands, after one warm-up run of each (which also
    writes the bytecode an installed package has)."""
    path = journey_file(10)
    ours_cmd = [*_command(), "validate", str(path)]
    base_cmd = [sys.executable, "-c", "pass"]
    repeats = 5 if quick else 11
    ours, base = [], []
    error = None
    try:
        _time(ours_cmd), _time(base_cmd)
        for _ in range(repeats):
            ours.append(_time(ours_cmd))
            base.append(_time(base_cmd))
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        error = str(err)
    o = statistics.median(ours) if ours else None
    b = statistics.median(base) if base else None
    return [row("CLI cold start: validate vs python -c pass", 10, o, b,
                "ours - baseline < 0.25", "s", error=error, repeats=len(ours))]
