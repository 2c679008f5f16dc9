"""Finite figures, always (issue 15): the inputs an audit found giving inf and NaN are refused
where they are written, and a last guard in the engine turns any non-finite figure into a
located error instead of output."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import journeymap
from journeymap.cli import main
from journeymap.errors import InputError
from journeymap.load import load_journey

BASE = """journeymap: 1
title: T
functions: {{a: {{name: A}}, b: {{name: B}}}}
stages: [s]
touchpoints:
  x: {{name: X, stage: s, function: a, {x}}}
{more}  y: {{name: Y, stage: s, function: b, outcome: done}}
"""


def _write(tmp_path: Path, x: str, more: str = "") -> Path:
    path = tmp_path / "j.yaml"
    path.write_text(BASE.format(x=x, more=more))
    return path


@pytest.mark.parametrize(
    ("x", "more", "message"),
    [
        # a subnormal volume: 1/volume overflows; analyze printed "done inf%, drop-off nan%"
        ("volume: 1e-320, next: [y]", "", "'volume' is too small to compute with ('1e-320')"),
        # two entries of 1e308 overflowed the total
        (
            "volume: 1e308, next: [y]",
            "  z: {name: Z, stage: s, function: a, volume: 1e308, next: [y]}\n",
            "'volume' must be a number from 0 to 1e12, found '1e308'",
        ),
        # 1e308 with a 520w wait gave an infinite expected wait
        ("volume: 1e308, next: [{to: y, wait: 520w}]", "", "from 0 to 1e12, found '1e308'"),
    ],
)
def test_values_that_overflowed_are_refused_where_they_are_written(
    tmp_path: Path, x: str, more: str, message: str
) -> None:
    path = _write(tmp_path, x, more)
    result = CliRunner().invoke(main, ["analyze", str(path)])
    assert result.exit_code == 2
    assert f"{path}:6:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output and "inf" not in result.stdout


def test_the_largest_accepted_values_give_finite_figures_everywhere(tmp_path: Path) -> None:
    # the bounds at their worst: the largest volume, the longest wait, a loop customers leave
    # once in a million visits
    path = _write(
        tmp_path,
        "volume: 1e12, next: [{to: w, wait: 520w}]",
        "  w: {name: W, stage: s, function: a, next: [{to: w, share: 0.999999, wait: 520w},"
        " {to: y, share: 0.000001, wait: 520w}]}\n",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["analyze", "--format", "json", str(path)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)

    def figures(value: object) -> list[float]:
        if isinstance(value, dict):
            return [f for v in value.values() for f in figures(v)]
        if isinstance(value, list):
            return [f for v in value for f in figures(v)]
        return [value] if isinstance(value, float) else []

    def nulls(value: object) -> int:
        if isinstance(value, dict):
            return sum(nulls(v) for v in value.values())
        if isinstance(value, list):
            return sum(nulls(v) for v in value)
        return value is None

    assert nulls(data["metrics"]) == 0
    assert all(h[k] is not None for h in data["handoffs"] for k in ("flow", "per_customer", "risk"))
    assert all(math.isfinite(f) for f in figures(data))
    # every customer reaches y: x -> w once, a million visits of w on average (so 999,999
    # loops), w -> y once; each a 520w wait
    assert data["metrics"]["outcomes"] == pytest.approx({"done": 1.0})
    assert data["metrics"]["expected_wait_hours_per_customer"] == pytest.approx(
        520 * 168 * (1 + (1e6 - 1) + 1), rel=1e-6
    )
    site = tmp_path / "site"
    report = runner.invoke(main, ["report", str(path), "-o", str(site)])
    assert report.exit_code == 0, report.stderr
    assert "NaN" not in (site / "index.html").read_text()


def test_a_loop_within_the_share_tolerance_of_one_is_closed_and_nothing_leaves_it(
    tmp_path: Path,
) -> None:
    # 0.9999999999999999 + 1e-16 = 1: the loop is treated as one customers cannot leave
    # (shares within 1e-9 of 1 count as 1), so its way out carries no flow rather than 1e-16
    path = _write(
        tmp_path,
        "volume: 1e12, next: [w]",
        "  w: {name: W, stage: s, function: a, next: [{to: w, share: 0.9999999999999999},"
        " {to: y, share: 1e-16}]}\n",
    )
    analysis = journeymap.analyze(load_journey(path))
    assert analysis.transition_flow[("w", "y")] == 0.0
    assert analysis.metrics.trapped == pytest.approx(1.0)


def test_the_engine_refuses_a_non_finite_figure_with_a_located_error(tmp_path: Path) -> None:
    # past the loader (a journey built in code): two entries of 1e308 overflow the total
    path = _write(
        tmp_path,
        "volume: 1, next: [y]",
        "  z: {name: Z, stage: s, function: a, volume: 1, next: [y]}\n",
    )
    journey = load_journey(path)
    huge = {
        k: dataclasses.replace(tp, volume=1e308) if tp.volume else tp
        for k, tp in journey.touchpoints.items()
    }
    broken = dataclasses.replace(journey, touchpoints=huge)
    with pytest.raises(InputError) as err:
        journeymap.analyze(broken)
    text = str(err.value)
    assert text.startswith(f"{path}:1:1: error: journey 'j' gives a figure that is not a number")
    assert "\n" not in text


def test_csv_import_refuses_the_same_values(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("id,name,stage,function,volume,next\nx,X,s,a,1e-320,y\ny,Y,s,b,,\n")
    result = CliRunner().invoke(main, ["import", "csv", str(table), "-o", str(tmp_path / "j.yaml")])
    assert result.exit_code == 2
    assert "too small to compute with" in result.stderr
    assert not (tmp_path / "j.yaml").exists()
