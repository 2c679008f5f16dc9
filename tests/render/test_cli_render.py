"""``journeymap render``: formats from the extension, atomic output, one-line errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import main
from journeymap.render import build_dot
from tests.render.conftest import JOURNEYS, analyse_file, needs_dot

EXAMPLE = JOURNEYS / "b2b-purchase.yaml"


def test_render_svg_and_dot(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "b2b.svg"
    result = runner.invoke(main, ["render", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<?xml")
    dot = tmp_path / "b2b.dot"
    result = runner.invoke(main, ["render", str(EXAMPLE), "-o", str(dot), "--view", "blueprint"])
    assert result.exit_code == 0
    assert dot.read_text(encoding="utf-8") == build_dot(analyse_file(EXAMPLE), view="blueprint")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_render_folder_as_silos(tmp_path: Path) -> None:
    out = tmp_path / "silos.svg"
    result = CliRunner().invoke(main, ["render", str(JOURNEYS), "-o", str(out), "--view", "silos"])
    assert result.exit_code == 0, result.output
    assert b'id="silos"' in out.read_bytes()


@needs_dot
def test_render_png_with_system_dot(tmp_path: Path) -> None:
    out = tmp_path / "w.png"
    result = CliRunner().invoke(
        main, ["render", str(EXAMPLE), "-o", str(out), "--theme", "workshop-dark"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["render", str(EXAMPLE), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "unknown output format 'gif'" in result.output
    result = runner.invoke(main, ["render", str(JOURNEYS), "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 2 and "use --view silos" in result.output
    result = runner.invoke(
        main, ["render", str(EXAMPLE), "-o", str(tmp_path / "x.png"), "--renderer", "embedded"]
    )
    assert result.exit_code == 2 and "--renderer system" in result.output
    assert not (tmp_path / "x.png").exists()
