"""``journeymap serve`` under load: latency of a normal request and the server's threads.

The server runs as its own process (``journeymap serve --port 0 --no-open``) on a generated
20-touchpoint journey. A second process (this file run with ``--load``, asyncio, one thread)
plays the room and the attackers at once:

- 200 clients, each on a keep-alive connection, requesting the journey page in a loop with a
  0.5 s pause (up to 400 requests a second offered);
- 150 slow clients (slowloris): a request line, then one header line a second, never the blank
  line; reconnecting whenever the server cuts them off;
- 60 event streams (more than the cap of 32): a refused one waits ``Retry-After`` and retries.

Meanwhile this process sends probe requests (a fresh connection, ``GET`` of the journey page,
timed from connect to the last byte), one every 20 ms for at least 15 s (past the slow clients'
10 s time-out), and samples the server's thread count
(``/proc/PID/status``) every 10 ms. The baseline is the same probe on the same server before the
load starts (idle), measured in the same run. Targets: a probe answered within 100 ms (p95 and
max), and at most ``MAX_WORKERS`` threads more than the idle server has.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CLIENTS, SLOW, STREAMS = 200, 150, 60
PAUSE = 0.5  # seconds between two requests of one client
TARGET_LATENCY = 0.1  # seconds
_URL = re.compile(r"at http://127\.0\.0\.1:([0-9]+)/")
_MAIN = "import sys; from journeymap.cli import main; sys.exit(main())"
SIZE = f"{CLIENTS} + {SLOW} slow + {STREAMS} SSE"


# -- the load (run in its own process) ----------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() == "close", headers


async def _client(port: int, page: str, stop: asyncio.Event, stats: dict[str, int]) -> None:
    request = f"GET /{page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            while not stop.is_set():
                writer.write(request)
                await writer.drain()
                status, close, headers = await _read_response(reader)
                stats[f"client {status}"] = stats.get(f"client {status}", 0) + 1
                if status == 503:
                    await asyncio.sleep(float(headers.get("retry-after", "1")))
                if close:
                    break
                await asyncio.sleep(PAUSE)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["client errors"] = stats.get("client errors", 0) + 1
            await asyncio.sleep(0.1)
        finally:
            if writer is not None:
                writer.close()


async def _slow(port: int, stop: asyncio.Event, stats: dict[str, int]) -> None:
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            n = 0
            while not stop.is_set():
                await asyncio.sleep(1.0)
                if reader.at_eof() or writer.is_closing():
                    break
                writer.write(f"X-Slow-{n}: still here\r\n".encode())
                await writer.drain()
                n += 1
                if reader._buffer:  # type: ignore[attr-defined]  # an answer: we were cut off
                    break
            stats["slow cut off"] = stats.get("slow cut off", 0) + 1
        except OSError:
            stats["slow cut off"] = stats.get("slow cut off", 0) + 1
            await asyncio.sleep(0.1)
        finally:
            if writer is not None:
                writer.close()


async def _stream(port: int, page: str, stop: asyncio.Event, stats: dict[str, int]) -> None:
    request = f"GET /_live/events?page={page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request.encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ")[1])
            if status == 200:
                stats["streams open"] = stats.get("streams open", 0) + 1
                stats["streams admitted"] = stats.get("streams admitted", 0) + 1
                try:
                    while not stop.is_set():
                        if not await reader.read(65536):
                            break
                finally:
                    stats["streams open"] -= 1
            else:
                stats["streams refused (503)"] = stats.get("streams refused (503)", 0) + 1
                found = re.search(rb"Retry-After: ([0-9]+)", head)
                writer.close()
                writer = None
                await asyncio.sleep(float(found.group(1)) if found else 1.0)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["stream errors"] = stats.get("stream errors", 0) + 1
            await asyncio.sleep(0.1)
        finally:
            if writer is not None:
                writer.close()


async def _load(port: int, page: str) -> dict[str, int]:
    stop = asyncio.Event()
    stats: dict[str, int] = {}
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(_stream(port, page, stop, stats)) for _ in range(STREAMS)]
    tasks += [asyncio.create_task(_slow(port, stop, stats)) for _ in range(SLOW)]
    tasks += [asyncio.create_task(_client(port, page, stop, stats)) for _ in range(CLIENTS)]
    await asyncio.sleep(3.0)  # everyone connected, the streams at their cap
    print(json.dumps({"ready": True, **stats}), flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the bench closes our stdin
    print(json.dumps({"before stop": True, **stats}), flush=True)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return stats


# -- the measurement ---------------------------------------------------------------------------


def _probe(port: int, page: str) -> float:
    request = f"GET /{page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode())
        data = b""
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    elapsed = time.perf_counter() - t0
    if not data.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"probe answered {data[:40]!r}")
    return elapsed


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise RuntimeError("no thread count")


class _Sampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.01):
            with contextlib.suppress(OSError, RuntimeError):
                self.peak = max(self.peak, _threads(self.pid))

    def finish(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH_DIR))
    from _common import journey_file, workdir

    folder = workdir() / "serve-load"
    folder.mkdir(exist_ok=True)
    journey = folder / "load.journey.yaml"
    journey.write_text(journey_file(20).read_text(encoding="utf-8"), encoding="utf-8")
    page = "load.html"
    probes = 60 if quick else 250
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [sys.executable, "-c", _MAIN, "serve", str(journey), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    load = None
    try:
        assert server.stdout is not None
        port = None
        while port is None:
            line = server.stdout.readline()
            if not line:
                raise RuntimeError(f"server ended: {server.stderr.read() if server.stderr else ''}")
            found = _URL.search(line)
            port = int(found.group(1)) if found else None
        for _ in range(10):  # warm: imports, first page read
            _probe(port, page)
        sampler = _Sampler(server.pid)
        idle = []
        for _ in range(probes):
            idle.append(_probe(port, page))
            time.sleep(0.02)
        idle_threads = sampler.finish()
        load = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--load", str(port), page],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert load.stdout is not None and load.stdin is not None
        ready = json.loads(load.stdout.readline())
        sampler = _Sampler(server.pid)
        busy = []
        until = time.monotonic() + (0 if quick else 15.0)  # past the slow clients' time-out
        while len(busy) < probes or time.monotonic() < until:
            busy.append(_probe(port, page))
            time.sleep(0.02)
        peak = sampler.finish()
        load.stdin.close()
        stats = json.loads(load.stdout.readline())
        load.wait(timeout=60)
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=60)
        return {
            "idle": idle,
            "busy": busy,
            "idle_threads": idle_threads,
            "peak_threads": peak,
            "ready": ready,
            "stats": stats,
            "server_stderr_lines": len(err.splitlines()),
            "exit": server.returncode,
            "probes": probes,
        }
    finally:
        for proc in (load, server):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def run(quick: bool) -> list[dict[str, Any]]:
    from _common import row

    sys.path.insert(0, str(ROOT))
    from journeymap.serve.http import MAX_STREAMS, MAX_WORKERS

    figure = "serve under load: normal request {} vs the same on the idle server"
    try:
        m = measure(quick)
    except Exception as err:  # noqa: BLE001 - a failed run is a MISS row
        message = f"{type(err).__name__}: {err}"[:300]
        return [
            row(figure.format(q), SIZE, None, None, t, "s", error=message)
            for q, t in (("p95", f"ours < {TARGET_LATENCY}"),)
        ]
    s = m["stats"]
    load_note = (
        f"{len(m['busy'])} probes under load, {len(m['idle'])} idle; load: {s.get('client 200', 0)} pages served to the 200 "
        f"clients, {s.get('client 503', 0)} busy, {s.get('client errors', 0)} errors; "
        f"streams admitted {s.get('streams admitted', 0)} (cap {MAX_STREAMS}), "
        f"{s.get('streams refused (503)', 0)} refusals; slow clients cut off "
        f"{s.get('slow cut off', 0)} times; server stderr lines {m['server_stderr_lines']}, "
        f"exit {m['exit']}"
    )
    rows = []
    for name, q, target in (
        ("p50", 0.5, None),
        ("p95", 0.95, f"ours < {TARGET_LATENCY}"),
        ("p99", 0.99, None),
        ("max", 1.0, f"ours < {TARGET_LATENCY}"),
    ):
        rows.append(
            row(
                figure.format(name),
                SIZE,
                _pct(m["busy"], q),
                _pct(m["idle"], q),
                target,
                "s",
                note=load_note if name == "p50" else None,
            )
        )
    rows.append(
        row(
            "serve under load: peak server threads vs idle",
            SIZE,
            m["peak_threads"],
            m["idle_threads"],
            f"ours - baseline <= {MAX_WORKERS}",
            "threads",
            note=f"cap: {MAX_WORKERS} workers started as needed, plus the I/O and stream threads",
        )
    )
    return rows


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--load":
        stats = asyncio.run(_load(int(sys.argv[2]), sys.argv[3]))
        print(json.dumps(stats), flush=True)
    else:
        sys.path.insert(0, str(BENCH_DIR))
        for r in run("--quick" in sys.argv):
            print(r)
