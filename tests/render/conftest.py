"""Fixtures for the render tests: example journeys analysed by the real loader and engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = ROOT / "journeys"
HOSTILE = ROOT / "tests" / "data" / "render" / "hostile.yaml"


def example_analyses():  # type: ignore[no-untyped-def]
    """Every example journey in journeys/, analysed (the organisation file is not a journey)."""
    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journeys

    return [analyze(j) for j in load_journeys([JOURNEYS])]


def analyse_file(path: Path):  # type: ignore[no-untyped-def]
    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journey

    return analyze(load_journey(path))


@pytest.fixture(scope="session")
def examples():  # type: ignore[no-untyped-def]
    found = example_analyses()
    assert found, "journeys/ holds no example journeys"
    return found


needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="system Graphviz 'dot' is not installed (make system-deps)"
)
