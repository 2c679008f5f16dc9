"""Every code block of the guides runs: files are written, commands run with the real CLI in a
copy of journeys/, and each prints what the guide shows (tests/docs/guides.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs import guides

pytestmark = pytest.mark.slow

GUIDES = guides.guides()


def test_there_are_guides_with_sessions() -> None:
    names = {p.stem for p in GUIDES}
    assert {"first-journey", "workshop", "ci", "whatif", "importing", "mining", "method"} <= names
    for path in GUIDES:
        blocks = guides.parse(path.read_text(encoding="utf-8"), path.name)
        assert any(b.commands for b in blocks), path.name


@pytest.mark.parametrize("path", GUIDES, ids=[p.stem for p in GUIDES])
def test_guide_commands_print_what_the_guide_shows(path: Path) -> None:
    problems = guides.run_guide(path)
    assert problems == [], (
        "\n\n".join(problems) + "\n(python tests/docs/guides.py --update rewrites them)"
    )


def test_a_block_that_cannot_run_is_refused() -> None:
    with pytest.raises(guides.GuideError, match="neither a file"):
        guides.parse("```python\nprint(1)\n```\n")


def test_a_changed_output_is_a_difference(tmp_path: Path) -> None:
    """The runner compares: a guide claiming the wrong output fails, the right one passes."""
    wrong = tmp_path / "wrong.md"
    wrong.write_text("```console\n$ echo hello\nbye\n```\n", encoding="utf-8")
    right = tmp_path / "right.md"
    right.write_text("```console\n$ echo hello\nhello\n```\n", encoding="utf-8")
    assert len(guides.run_guide(wrong)) == 1
    assert guides.run_guide(right) == []


def test_a_failing_command_is_a_difference(tmp_path: Path) -> None:
    guide = tmp_path / "fails.md"
    guide.write_text("```console\n$ journeymap validate nowhere.yaml\n```\n", encoding="utf-8")
    (problem,) = guides.run_guide(guide)
    assert "exited 2" in problem
