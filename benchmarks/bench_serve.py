"""Edit-to-updated-picture latency of ``journeymap serve`` vs a bare Graphviz layout.

For each size a generated journey is served by a real :class:`journeymap.serve.LiveServer`
(default polling interval, default renderer: the layout worker is started with the server) and a raw-socket client holds the page's event
stream open, as a browser does. One repeat: rename a touchpoint in the file, then wait for the
server-sent event whose new SVG carries the new name (the server sends the diagram as soon as it
is laid out, then the full page). ``ours`` is the median
of (event received) - (file written): polling delay, load, analysis, layout, page, transport.
``baseline`` is the median time of a bare Graphviz layout of the same DOT (system ``dot -Tsvg``
when installed, else the embedded renderer), the floor any live preview has to pay.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import journey_file, row

SIZES = (20, 100, 500)
TARGET_AT_100 = "ours < 0.3"
EVENT_TIMEOUT = 120.0


class _Client:
    """A minimal SSE reader on a raw socket; records (arrival time, event data)."""

    def __init__(self, port: int, page: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=EVENT_TIMEOUT)
        request = (
            f"GET /_live/events?page={page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                data = self.sock.recv(1 << 20)
                if not data:
                    return
                buf += data
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    now = time.perf_counter()
                    for line in block.split(b"\n"):
                        if line.startswith(b"data: "):
                            with self.cond:
                                self.events.append((now, json.loads(line[6:])))
                                self.cond.notify_all()
        except OSError:
            return

    def wait_for(self, marker: str, after: int) -> float:
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self.cond:
            while True:
                for t, data in self.events[after:]:
                    picture = data.get("svg") or data.get("body")
                    if picture and marker in picture:
                        return t
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no event with {marker!r} within {EVENT_TIMEOUT:g} s")
                self.cond.wait(left)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _baseline(path: Path, repeats: int) -> tuple[list[float], str]:
    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journey
    from journeymap.render import build_dot, render_dot

    dot = build_dot(analyze(load_journey(path)), view="journey", theme="workshop")
    times = []
    system = shutil.which("dot")
    for _ in range(repeats):
        t0 = time.perf_counter()
        if system:
            subprocess.run([system, "-Tsvg"], input=dot.encode(), capture_output=True, check=True)
        else:
            render_dot(dot, "svg", renderer="embedded")
        times.append(time.perf_counter() - t0)
    return times, ("system dot -Tsvg" if system else "embedded Graphviz")


def _name_line(text: str) -> str:
    """The first touchpoint ``name:`` line of a generated journey (indented 4 spaces)."""
    for line in text.splitlines():
        if line.startswith("    name: "):
            return line
    raise ValueError("no touchpoint name in the generated journey")


def measure(n: int, repeats: int) -> tuple[list[float], dict[str, float], float]:
    """Edit-to-event latencies for an ``n``-touchpoint journey; also the server's stage times."""
    from journeymap.serve import LiveServer

    folder = Path(tempfile.mkdtemp(prefix="journeymap-bench-serve-"))
    try:
        path = folder / "bench.journey.yaml"
        original = journey_file(n).read_text(encoding="utf-8")
        path.write_text(original, encoding="utf-8")
        line = _name_line(original)
        server = LiveServer([str(path)], port=0, theme="workshop")
        server.start()
        client = None
        try:
            state = next(iter(server.site.journeys.values()))
            if state.errors:
                raise RuntimeError(state.errors[0])
            client = _Client(server.port, state.page)
            deadline = time.monotonic() + 10
            while server.site.events.subscribers < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            latencies = []
            for i in range(repeats):
                marker = f"Renamed step {n}x{i}"
                after = len(client.events)
                time.sleep(0.2)  # let the previous rebuild settle; not part of the measure
                t0 = time.perf_counter()
                path.write_text(original.replace(line, f"    name: {marker}", 1), encoding="utf-8")
                latencies.append(client.wait_for(marker, after) - t0)
            return latencies, dict(state.timings), server.interval
        finally:
            if client is not None:
                client.close()
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(quick: bool) -> list[dict[str, Any]]:
    """One row per size: median edit-to-event latency vs median bare layout of the same DOT."""
    repeats = 3 if quick else 7
    rows = []
    for n in SIZES:
        target = TARGET_AT_100 if n == 100 else None
        try:
            ours, timings, interval = measure(n, repeats)
            base, how = _baseline(journey_file(n), repeats)
            stages = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items())
            rows.append(
                row(
                    "serve: edit -> updated picture (SSE) vs bare layout",
                    n,
                    statistics.median(ours),
                    statistics.median(base),
                    target,
                    "s",
                    repeats=repeats,
                    note=f"baseline {how}; last rebuild: {stages}; poll {interval * 1000:.0f} ms",
                )
            )
        except Exception as err:  # noqa: BLE001 - one size failing is a MISS row, not a crash
            rows.append(
                row(
                    "serve: edit -> updated picture (SSE) vs bare layout",
                    n,
                    None,
                    None,
                    target,
                    "s",
                    error=f"{type(err).__name__}: {err}"[:300],
                )
            )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    for r in run("--quick" in sys.argv):
        print(r)
