"""``journeymap serve`` as a process: each stop signal removes its site folder and exits 0, and
the folder of a run killed with SIGKILL is swept at the next start.

Each run gets its own TMPDIR, so the folders the test looks at are only its own.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.serve.conftest import raw_request, status_of

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds: start-up (the first render) and shutdown on a loaded machine
_URL = re.compile(r"at http://127\.0\.0\.1:([0-9]+)/")
_MAIN = "import sys; from journeymap.cli import main; sys.exit(main())"


class Served:
    """One ``journeymap serve --port 0 --no-open`` process, started and read until it listens."""

    def __init__(self, journeys: Path, tmpdir: Path) -> None:
        env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _MAIN, "serve", str(journeys), "--port", "0", "--no-open"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + WAIT
        assert self.proc.stdout is not None
        while True:
            assert time.monotonic() < deadline, "the server never said where it listens"
            line = self.proc.stdout.readline()
            assert line, (
                f"the server ended early: {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
            self.lines.append(line)
            found = _URL.search(line)
            if found:
                self.port = int(found.group(1))
                break

    def folders(self, tmpdir: Path) -> list[Path]:
        return sorted(tmpdir.glob(f"journeymap-serve-{self.proc.pid}-*"))

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, "".join(self.lines) + out, err


@pytest.fixture()
def tmpdir_for_runs(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


STOP_SIGNALS = [s for s in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, s)]


@pytest.mark.parametrize("name", STOP_SIGNALS)
def test_a_stop_signal_removes_the_site_folder_and_exits_0(
    journey_dir: Path, tmpdir_for_runs: Path, name: str
) -> None:
    served = Served(journey_dir, tmpdir_for_runs)
    try:
        folders = sorted(tmpdir_for_runs.glob("journeymap-serve-*"))  # this run's, alone here
        assert len(folders) == 1 and (folders[0] / "index.html").is_file()
        page = raw_request(
            served.port,
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nConnection: close\r\n\r\n".encode(),
        )
        assert status_of(page) == 200
        # an open event stream must not keep the server from stopping
        stream = socket.create_connection(("127.0.0.1", served.port), timeout=WAIT)
        stream.sendall(
            f"GET /_live/events?page=index.html HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode()
        )
        assert stream.recv(100).startswith(b"HTTP/1.1 200")
        served.proc.send_signal(getattr(signal, name))
        code, out, err = served.finish()
        stream.close()
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()
    assert code == 0, (code, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    assert not folders[0].exists()
    assert list(tmpdir_for_runs.iterdir()) == []


def test_a_killed_runs_folder_is_swept_at_the_next_start(
    journey_dir: Path, tmpdir_for_runs: Path
) -> None:
    first = Served(journey_dir, tmpdir_for_runs)
    folders = first.folders(tmpdir_for_runs)
    assert len(folders) == 1
    first.proc.kill()  # SIGKILL: no handler runs, the folder stays
    first.proc.communicate(timeout=WAIT)
    assert folders[0].is_dir()
    # beside it: a folder of a run that is alive, and folders the sweep must not take
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        kept = [
            tmpdir_for_runs / f"journeymap-serve-{alive.pid}-abc123",
            tmpdir_for_runs / "journeymap-serve-oldstyle",
            tmpdir_for_runs / "journeymap-bench-1-x",
        ]
        for folder in kept:
            folder.mkdir()
        second = Served(journey_dir, tmpdir_for_runs)
        try:
            assert not folders[0].exists()
            for folder in kept:
                assert folder.is_dir(), folder
            assert len(second.folders(tmpdir_for_runs)) == 1
            second.proc.send_signal(signal.SIGTERM)
            code, _, err = second.finish()
        finally:
            if second.proc.poll() is None:
                second.proc.kill()
                second.proc.wait()
        assert code == 0, err
        assert second.folders(tmpdir_for_runs) == []
    finally:
        alive.kill()
        alive.wait()


def test_sweep_stale_sites_directly(tmp_path: Path) -> None:
    from journeymap.serve.site import sweep_stale_sites

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"journeymap-serve-{dead.pid}-q1w2e3"
    (stale / "_live").mkdir(parents=True)
    (stale / "index.html").write_text("x")
    own = tmp_path / f"journeymap-serve-{os.getpid()}-mine"
    own.mkdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / f"journeymap-serve-{dead.pid}-link"
    link.symlink_to(target, target_is_directory=True)
    assert sweep_stale_sites(str(tmp_path)) == [stale]
    assert not stale.exists()
    assert own.is_dir() and link.is_symlink() and target.is_dir()
