"""``journeymap validate``, ``init`` and ``schema`` through click's CliRunner: exact output,
exit codes, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.load import load_journey
from journeymap.schema import render_schema

DATA = Path(__file__).parent / "data" / "load"
INVALID = DATA / "invalid"
VALID = DATA / "valid"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.glob("*.yaml")))
def test_validate_invalid_fixture(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    result = CliRunner().invoke(main, ["validate", name])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (INVALID / name).with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_valid_folder() -> None:
    # broadband 6 + all-features 3 + literal-text 1 + bom 1 touchpoints; shared/ holds
    # organisation files, which are validated but not counted as journeys
    result = CliRunner().invoke(main, ["validate", str(VALID)])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "ok: 4 journeys, 11 touchpoints\n",
        "",
    )


def test_validate_one_file_singular() -> None:
    result = CliRunner().invoke(main, ["validate", str(VALID / "broadband.yaml")])
    assert (result.exit_code, result.stdout) == (0, "ok: 1 journey, 6 touchpoints\n")


def test_validate_examples_folder() -> None:
    result = CliRunner().invoke(main, ["validate", str(ROOT / "journeys")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_validate_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"journeymap: error: no journey files found in {tmp_path}\n"


def test_validate_missing_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'x.yaml'}:1:1: error: no such file or folder\n"


def test_validate_needs_a_path() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.stderr


def test_init_writes_a_valid_starter_and_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "wrote journey.yaml\nwrote journey.schema.json (for editor completion)\n"
    )
    text = (tmp_path / "journey.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=journey.schema.json"
    assert (tmp_path / "journey.schema.json").read_text(encoding="utf-8") == render_schema()
    journey = load_journey(tmp_path / "journey.yaml")
    assert list(journey.touchpoints) == ["website", "sales-call", "support"]
    assert CliRunner().invoke(main, ["validate", "."]).stdout == "ok: 1 journey, 3 touchpoints\n"


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mine.journey.yaml"
    target.write_text("keep me")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"journeymap: error: {target} already exists; not overwriting it\n"
    assert target.read_text() == "keep me"
    assert not (tmp_path / "journey.schema.json").exists()


def test_init_with_schema_url_writes_only_the_journey(tmp_path: Path) -> None:
    target = tmp_path / "b2b.journey.yaml"
    url = "https://example.org/journey.schema.json"
    result = CliRunner().invoke(main, ["init", str(target), "--schema", url])
    assert (result.exit_code, result.stdout) == (0, f"wrote {target}\n")
    text = target.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={url}\n")
    assert "title: B2b\n" in text
    assert sorted(p.name for p in target.parent.iterdir()) == ["b2b.journey.yaml"]
    assert load_journey(target).id == "b2b"


def test_schema_prints_the_packaged_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert (result.exit_code, result.stdout) == (0, render_schema())


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["schema", "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == render_schema()
