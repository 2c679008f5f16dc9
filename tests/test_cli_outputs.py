"""Every command that writes a file, given a path it cannot write: one line, exit 2, no
traceback, and nothing left behind (journeymap/atomic.py, OutputError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = ROOT / "journeys" / "claims-after.yaml"
TABLE = Path(__file__).resolve().parent / "data" / "interchange"


def commands(out: str) -> dict[str, list[str]]:
    """Each writing command with ``out`` as its output path."""
    csv = sorted(TABLE.glob("*.csv"))[0]
    return {
        "analyze": ["analyze", str(JOURNEY), "-o", out],
        "check": ["check", str(JOURNEY), "-o", out],
        "render": ["render", str(JOURNEY), "-o", out + ".svg"],
        "render-dot": ["render", str(JOURNEY), "-o", out + ".dot"],
        "export": ["export", str(JOURNEY), "-o", out],
        "diff": ["diff", str(JOURNEY), str(JOURNEY), "-o", out],
        "report": ["report", str(JOURNEY), "-o", out, "-j", "1"],
        "report-no-cache": ["report", str(JOURNEY), "-o", out, "--no-cache", "-j", "1"],
        "import": ["import", str(csv), "-o", out + ".yaml"],
        "init": ["init", out + ".yaml"],
        "schema": ["schema", "-o", out],
    }


@pytest.fixture
def blocked(tmp_path: Path) -> Path:
    """A plain file: nothing can be written below it."""
    path = tmp_path / "a-file"
    path.write_text("keep me\n")
    return path


@pytest.mark.parametrize("name", sorted(commands("x")))
def test_output_below_a_file_is_one_line_exit_2(name: str, blocked: Path) -> None:
    out = str(blocked / "sub" / "out")
    result = CliRunner().invoke(main, commands(out)[name])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{blocked}/sub/") and ": error: cannot write (" in lines[0]
    assert "Traceback" not in result.stderr
    assert blocked.read_text() == "keep me\n"
    assert sorted(p.name for p in blocked.parent.iterdir()) == ["a-file"]


@pytest.mark.parametrize("name", sorted(commands("x")))
def test_output_under_proc_is_one_line_exit_2(name: str) -> None:
    out = "/proc/journeymap-no-such/dir/out"
    result = CliRunner().invoke(main, commands(out)[name])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("/proc/journeymap-no-such/dir/")
    assert ": error: cannot write (" in lines[0]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    """A render that fails (unknown format) after an earlier good one leaves it untouched."""
    out = tmp_path / "claims.svg"
    assert CliRunner().invoke(main, ["render", str(JOURNEY), "-o", str(out)]).exit_code == 0
    before = out.read_bytes()
    broken = tmp_path / "broken.yaml"
    shutil.copy(JOURNEY, broken)
    broken.write_text(broken.read_text().replace("journeymap: 1", "journeymap: 7"))
    result = CliRunner().invoke(main, ["render", str(broken), "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "claims.svg"]


def test_an_unwritable_report_cache_is_one_line_exit_2(tmp_path: Path, blocked: Path) -> None:
    cache = blocked / "cache"
    args = ["report", str(JOURNEY), "-o", str(tmp_path / "site"), "--cache-dir", str(cache)]
    result = CliRunner().invoke(main, [*args, "-j", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    # refused before any work, naming the cache folder and the file in its way
    assert len(lines) == 1 and lines[0].startswith(f"{cache}: error: cannot write (")
    assert f"{blocked} is a file, not a folder" in lines[0]
    assert not (tmp_path / "site").exists()
