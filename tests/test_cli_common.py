"""Options shared by several commands read the same everywhere and match the library."""

from __future__ import annotations

from click.testing import CliRunner

from journeymap.cli import main
from journeymap.cli._common import THEME_NAMES
from journeymap.render import THEMES


def test_theme_choices_are_the_render_themes() -> None:
    assert tuple(THEMES) == THEME_NAMES


def test_every_diagram_command_offers_every_theme() -> None:
    for command in ("render", "report", "serve"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "[default|workshop|workshop-dark|print]" in result.output, command


def test_unknown_theme_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["report", "journeys", "-o", "x", "--theme", "neon"])
    assert result.exit_code == 2
    assert "'neon' is not one of" in result.output
