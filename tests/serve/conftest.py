"""Shared fixtures: a live server on a free port over a copy of a small journey."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeymap.serve import LiveServer

DATA = Path(__file__).resolve().parent.parent / "data" / "serve"


@pytest.fixture()
def journey_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    shutil.copy(DATA / "workshop.yaml", folder / "workshop.yaml")
    return folder


@pytest.fixture()
def server(journey_dir: Path) -> Iterator[LiveServer]:
    live = LiveServer([str(journey_dir)], port=0, interval=0.05)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def raw_request(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send bytes exactly as given (no client-side path normalisation); return the response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])
