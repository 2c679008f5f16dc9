"""The fuzz harness (fuzz/, docs/fuzzing.md): every saved crash input now passes its target's
contract, every target survives a short coverage-guided run from its seeds, and the contract's
checks catch what they are there to catch."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # fuzz/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO))

from fuzz import targets  # noqa: E402
from fuzz.__main__ import executed  # noqa: E402
from journeymap.errors import InputError  # noqa: E402
from journeymap.model import Location  # noqa: E402

REGRESSIONS = REPO / "tests" / "data" / "fuzz"
SAVED = sorted(
    p for p in REGRESSIONS.glob("*/*") if p.is_file() and p.suffix != ".md" and p.name[0] != "."
)
#: Inputs per target in the bounded run: a few seconds each (the event-log targets start DuckDB
#: for every input, about a tenth of a second).
RUNS = {"log-csv": 40, "log-xes": 40}
DEFAULT_RUNS = 200


def test_saved_inputs_are_filed_under_a_target() -> None:
    folders = {p.name for p in REGRESSIONS.iterdir() if p.is_dir()}
    assert folders and folders <= set(targets.TARGETS)
    assert SAVED  # the crashes found so far are kept: an empty corpus means they were lost


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.name}" for p in SAVED])
def test_saved_crash_input_keeps_the_contract(path: Path) -> None:
    targets.check(targets.TARGETS[path.parent.name], path.read_bytes())


@pytest.mark.slow
@pytest.mark.parametrize("name", list(targets.TARGETS))
def test_a_bounded_coverage_guided_run_finds_no_crash(name: str, tmp_path: Path) -> None:
    target = targets.TARGETS[name]
    seeds, corpus, crashes = tmp_path / "seeds", tmp_path / "corpus", tmp_path / "crashes"
    for folder in (seeds, corpus, crashes):
        folder.mkdir()
    for data in target.seeds():
        (seeds / hashlib.sha1(data).hexdigest()).write_bytes(data)
    runs = RUNS.get(name, DEFAULT_RUNS)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fuzz.worker",
            name,
            f"-runs={runs}",
            "-seed=1",
            "-max_total_time=120",
            "-timeout=20",
            "-print_final_stats=1",
            f"-artifact_prefix={crashes}/",
            str(corpus),
            str(seeds),
        ],  # fmt: skip
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=300,
    )
    log = done.stderr.decode("utf-8", "replace")
    found = sorted(p.name for p in crashes.iterdir())
    assert done.returncode == 0 and not found, f"{found}\n{log[-3000:]}"
    assert executed(done.stderr) >= runs, log[-2000:]  # it ran, and ran the inputs asked for
    assert any(corpus.iterdir()), log[-2000:]  # coverage guided: new inputs kept for new lines


# -- the contract itself ---------------------------------------------------------------------


@dataclass
class _Figures:
    share: float
    nested: dict[str, list[float]]


def test_non_finite_finds_inf_and_nan_wherever_they_are() -> None:
    assert targets.non_finite(_Figures(0.5, {"a": [1.0, 2.0]})) is None
    assert targets.non_finite(_Figures(math.inf, {})) == "result.share = inf"
    assert (
        targets.non_finite(_Figures(1.0, {"a": [1.0, math.nan]})) == "result.nested['a'][1] = nan"
    )
    assert targets.non_finite({("k", -math.inf): 1}) is not None


def _target(run: object) -> targets.Target:
    return targets.Target("t", "", run, list)  # type: ignore[arg-type]


def test_user_errors_pass_and_anything_else_is_a_crash() -> None:
    def located(data: bytes) -> None:
        raise InputError.at(Location("x", 1, 1), "bad")

    def broken(data: bytes) -> None:
        raise KeyError("oops")

    targets.check(_target(located), b"")
    with pytest.raises(KeyError):
        targets.check(_target(broken), b"")


def test_an_input_that_never_ends_is_a_hang() -> None:
    def forever(data: bytes) -> None:
        while True:
            pass

    with pytest.raises(targets.Hang):
        targets.check(_target(forever), b"", timeout=0.2)


def test_the_serve_target_would_see_a_file_from_outside_the_site() -> None:
    site = targets._site()
    targets._served(site.root / "index.html")
    with pytest.raises(targets.Crash):
        targets._served(site.root.parent / "secret.txt")
    with pytest.raises(targets.Crash):
        targets._served(site.root / ".hidden")


def test_every_target_keeps_the_contract_on_its_seeds() -> None:
    for target in targets.TARGETS.values():
        seeds = target.seeds()
        assert seeds, target.name
        for data in seeds:
            targets.check(target, data)
