"""Golden JSON of ``journeymap analyze --format json`` for every example and the worked example.

The golden files under tests/golden/analyze-*.json change only on purpose: regenerate them with
``JOURNEYMAP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/output/test_output_golden.py``,
review the diff and explain it in the commit (docs/json.md, "Golden files").
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.load import find_journey_files

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1"
SOURCES = sorted(
    [p.relative_to(ROOT).as_posix() for p in find_journey_files([ROOT / "journeys"])]
    + ["tests/data/output/broadband.yaml"]
)


def _analyze(*paths: str) -> str:
    result = CliRunner().invoke(main, ["analyze", "--format", "json", *paths])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_there_are_examples_to_check() -> None:
    assert len(SOURCES) >= 4, SOURCES


@pytest.mark.parametrize("source", SOURCES)
def test_golden_json(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    golden = GOLDEN / f"analyze-{Path(source).name.split('.')[0]}.json"
    text = _analyze(source)
    assert text == _analyze(source), "two runs differ"
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.exists(), f"no {golden.name}: run with JOURNEYMAP_UPDATE_GOLDEN=1 to create it"
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, (
        f"{source}: analyze output differs from {golden.name}; if the change is intended, "
        "regenerate with JOURNEYMAP_UPDATE_GOLDEN=1 and explain it in the commit"
    )


def test_a_folder_gives_the_list_of_the_single_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    together = json.loads(_analyze("journeys"))
    singles = [
        json.loads(_analyze(p.relative_to(ROOT).as_posix()))
        for p in find_journey_files([ROOT / "journeys"])
    ]
    assert together == singles
