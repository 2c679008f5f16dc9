"""A report build killed at each step of replacing the site leaves a complete site.

Each build runs in a subprocess that SIGKILLs itself at one chosen point: at each call of
``journeymap.report.site._step`` (the seam between the steps of the replacement) and at each
file written into the new site. Not random: every step, one by one. After each kill the site
folder holds, file for file, either the previous site or the new one; with the fallback swap
(two renames, where no atomic exchange exists) the next build puts the previous site back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from journeymap.report import build_site
from journeymap.report.site import SITE_MARKER

DATA = Path(__file__).resolve().parents[1] / "data" / "report"

# Runs one build; argv: journeys folder, site, mode ("exchange" or "fallback"), what to kill
# at ("step:NAME", "write:N" for the N-th file written into the new site, or "none"). Prints
# the steps passed as JSON when it is not killed.
SCRIPT = r"""
import json, os, signal, sys
from pathlib import Path
from journeymap.report import site

journeys, out, mode, kill = sys.argv[1:5]
steps = []
writes = 0
if mode == "fallback":
    site._exchange = lambda a, b: False

def step(name):
    steps.append(name)
    if kill == "step:" + name:
        os.kill(os.getpid(), signal.SIGKILL)

real_write = site._write

def write(path, text):
    global writes
    writes += 1
    if kill == f"write:{writes}":
        os.kill(os.getpid(), signal.SIGKILL)
    real_write(path, text)

site._step = step
site._write = write
site.build_site([journeys], out, jobs=1, cache=False)
print(json.dumps({"steps": steps, "writes": writes}))
"""


def _files(folder: Path) -> dict[str, bytes]:
    return {
        os.fspath(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(journeys: Path, out: Path, mode: str, kill: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(journeys), str(out), mode, kill],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A journeys folder whose site (built) differs from the previous one (returned)."""
    journeys = tmp_path / "journeys"
    journeys.mkdir()
    shutil.copy(DATA / "broadband.yaml", journeys / "broadband.yaml")
    reference = tmp_path / "reference"
    reference.mkdir()
    build_site([journeys], reference / "old", jobs=1, cache=False)
    text = (journeys / "broadband.yaml").read_text(encoding="utf-8")
    changed = text.replace("title: ", "title: Renamed ", 1)
    assert changed != text
    (journeys / "broadband.yaml").write_text(changed, encoding="utf-8")
    build_site([journeys], reference / "new", jobs=1, cache=False)
    old, new = _files(reference / "old"), _files(reference / "new")
    assert old != new and SITE_MARKER in old and "index.html" in new
    return journeys, old, new


def _previous_site(tmp_path: Path, old: dict[str, bytes]) -> Path:
    """``tmp_path/site`` holding the previous site, as a build left it."""
    site = tmp_path / "site"
    shutil.rmtree(site, ignore_errors=True)
    for name, data in old.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    return site


def _points(journeys: Path, tmp_path: Path, mode: str) -> list[str]:
    """Every point a build in ``mode`` passes, found by an unkilled run over a previous site."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    site = scratch / "site"
    build_site([journeys], site, jobs=1, cache=False)
    done = _run(journeys, site, mode, "none")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    shutil.rmtree(scratch)
    return [f"write:{n}" for n in range(1, seen["writes"] + 1)] + [
        f"step:{s}" for s in seen["steps"]
    ]


def test_the_exchange_is_one_step_and_is_used_here(
    sites: tuple[Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    journeys, _, _ = sites
    assert _points(journeys, tmp_path, "exchange")[-3:] == [
        "step:built",
        "step:exchanged",
        "step:removed-old",
    ], "renameat2(RENAME_EXCHANGE) was not used on this system: the fallback ran"


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_a_kill_at_each_step_leaves_a_complete_site(
    mode: str, sites: tuple[Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    journeys, old, new = sites
    points = _points(journeys, tmp_path, mode)
    expected_steps = (
        ["built", "exchanged", "removed-old"]
        if mode == "exchange"
        else ["built", "renamed-old", "renamed-new", "removed-old"]
    )
    assert [p for p in points if p.startswith("step:")] == [f"step:{s}" for s in expected_steps]
    assert len([p for p in points if p.startswith("write:")]) >= 2  # index.html and the marker
    for point in points:
        site = _previous_site(tmp_path, old)
        killed = _run(journeys, site, mode, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)
        if mode == "exchange" or point != "step:renamed-old":
            # at every instant of the exchange, a complete site: the previous one or the new
            assert _files(site) in (old, new), point
        else:
            # the one gap of the fallback: killed between the renames, no site ...
            assert not site.exists(), point
            leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site."))
            assert [n.split("-")[0] for n in leftovers] == [".site.building", ".site.old"]
        # ... and the next build (killed before it replaces anything) repairs it
        again = _run(journeys, site, mode, "step:built")
        assert again.returncode == -signal.SIGKILL
        assert _files(site) in (old, new), point
        # a complete build afterwards gives the new site and leaves nothing behind
        done = _run(journeys, site, mode, "none")
        assert done.returncode == 0, done.stderr
        assert _files(site) == new, point
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")) == []
