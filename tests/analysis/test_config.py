"""The config file: lookup, defaults, overrides, and located errors for bad keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.config import DEFAULT_WEIGHTS, Config, find_config, load_config, read_config
from journeymap.errors import InputError
from tests.analysis.builders import broadband


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    c = Config.default()
    assert (c.wait_hours, c.stage_functions) == (24.0, 3)
    assert (c.max_expected_handoffs, c.max_handoffs_on_path, c.max_wait_hours) == (None,) * 3
    assert dict(c.weights) == dict(DEFAULT_WEIGHTS)


def test_lookup_walks_up_and_stops_at_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    journeys = repo / "cx" / "journeys"
    journeys.mkdir(parents=True)
    journey_file = _write(journeys / "a.yaml", "journeymap: 1\n")
    assert load_config(journeys) == Config.default()
    _write(tmp_path / ".journeymap.yaml", "thresholds: {wait_hours: 1}\n")  # above .git: unseen
    assert find_config(journey_file) is None
    cfg = _write(repo / "cx" / ".journeymap.yaml", "thresholds: {wait_hours: 2d}\n")
    assert find_config(journey_file) == cfg.resolve()
    assert load_config(journey_file).wait_hours == 48.0
    assert load_config(journeys).source == str(cfg.resolve())


def test_every_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ci.yaml",
        "thresholds:\n  wait_hours: 36h\n  stage_functions: 4\n"
        "check:\n  max_expected_handoffs: 2.5\n  max_handoffs_on_path: 6\n  max_wait_hours: 1w\n"
        "risk:\n  weights: {JM102: 5, jm104: 0}\n"
        "search:\n  path_budget: 1000\n  state_budget: 5000\n",
    )
    c = read_config(path)
    assert (c.wait_hours, c.stage_functions) == (36.0, 4)
    assert (c.max_expected_handoffs, c.max_handoffs_on_path, c.max_wait_hours) == (2.5, 6, 168.0)
    assert (c.weight("JM102"), c.weight("JM104"), c.weight("JM101")) == (5.0, 0.0, 2.0)
    assert (c.path_budget, c.state_budget) == (1000, 5000)


def test_load_config_reads_a_config_file_named_so(tmp_path: Path) -> None:
    path = _write(tmp_path / ".journeymap.yaml", "thresholds: {stage_functions: 5}\n")
    assert load_config(path).stage_functions == 5
    assert load_config(tmp_path / "journey.yaml").stage_functions == 5  # its folder's config


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    c = read_config(_write(tmp_path / ".journeymap.yaml", "# nothing yet\n"))
    assert c.wait_hours == 24.0 and c.source is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "thresholds:\n  wait_hour: 3\n",
            ":2:3: error: unknown key in `thresholds` `wait_hour`; did you mean `wait_hours`?",
        ),
        ("treshold: {}\n", ":1:1: error: unknown section `treshold`; did you mean `thresholds`?"),
        (
            "thresholds: {stage_functions: 2.5}\n",
            ":1:31: error: `stage_functions` must be a whole number >= 1",
        ),
        ("risk:\n  weights: {JM999: 1}\n", ":2:13: error: unknown risk factor `JM999`"),
        (
            "check: {max_wait_hours: soon}\n",
            ":1:25: error: `max_wait_hours` must be a number of "
            "hours or a duration; for example 24, 36h, 2d or 1w",
        ),
        (
            "thresholds: {wait_hours: 1}\nthresholds: {}\n",
            ":2:1: error: duplicate key `thresholds` (first at line 1); keep one of them",
        ),
        ("- a\n", ":1:1: error: the config file must be a mapping of sections"),
        ("thresholds: [\n", ":2:1: error: invalid YAML in config file"),
    ],
)
def test_errors_are_located(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path / ".journeymap.yaml", text)
    with pytest.raises(InputError) as err:
        read_config(path)
    assert str(err.value).startswith(str(path) + expected)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path / ".journeymap.yaml", "thresholds: {a: 1, b: 2}\n")
    with pytest.raises(InputError) as err:
        read_config(path)
    assert len(err.value.problems) == 2


def test_weights_change_risk_not_findings() -> None:
    base = analyze(broadband())
    heavier = analyze(broadband(), Config(weights={**DEFAULT_WEIGHTS, "JM104": 0.0}))

    def rules(a: object) -> list[tuple[str, object]]:
        return [(f.rule, f.location) for f in a.findings]  # type: ignore[attr-defined]

    assert rules(base) == rules(heavier)
    # offer -> call: (1 + 2 + 0) x 0.5 = 1.5 instead of 2.0
    assert heavier.handoffs[0].risk == pytest.approx(1.5)
