"""``journeymap analyze PATHS``: metrics, handoffs (worst first) and findings."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from journeymap.cli._common import EXIT_OK, config_option, report_errors

if TYPE_CHECKING:
    from journeymap.analysis.types import JourneyAnalysis
    from journeymap.config import Config

OUTPUT_HELP = "Write to this file (atomically) instead of standard output."


def color_wanted(output: str | None) -> bool:
    """Colour only for a terminal on standard output, and never when NO_COLOR is set."""
    return output is None and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def analyze_paths(
    paths: Sequence[str], config_file: str | None
) -> tuple[list[JourneyAnalysis], list[Config]]:
    """Load every journey under ``paths`` and analyse it with the ``.journeymap.yaml`` found
    from its folder upwards, or with ``config_file`` for all of them."""
    from pathlib import Path

    from journeymap.analysis.engine import analyze as run_engine
    from journeymap.config import load_config, read_config
    from journeymap.load import load_journeys

    journeys = load_journeys(list(paths))
    by_folder: dict[Path, Config] = {}
    configs = []
    for journey in journeys:
        if config_file:
            folder = Path(config_file)
            if folder not in by_folder:
                by_folder[folder] = read_config(config_file)
        else:
            folder = Path(journey.path).parent
            if folder not in by_folder:
                by_folder[folder] = load_config(journey.path)
        configs.append(by_folder[folder])
    return [run_engine(j, c) for j, c in zip(journeys, configs, strict=True)], configs


def emit(text: str, output: str | None, color: bool = False) -> None:
    """Print ``text`` or write it atomically to ``output``."""
    if output:
        from journeymap.output import write_text_atomic

        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False, color=color)


@click.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text: terminal summary; json: the versioned public interface (docs/json.md); "
    "markdown: tables for a wiki or pull request.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=OUTPUT_HELP)
@config_option()
@report_errors
def analyze(paths: tuple[str, ...], fmt: str, output: str | None, config_file: str | None) -> None:
    """Analyse journeys: metrics, handoffs worst first, and findings.

    PATHS are journey files or folders of them. Text is coloured only on a terminal, never when
    NO_COLOR is set. Exits 0 whatever the findings (use `check` to gate), 2 on bad input.
    """
    from journeymap.output import json, markdown, text

    analyses, _ = analyze_paths(paths, config_file)
    color = color_wanted(output) and fmt == "text"
    if fmt == "json":
        emit(json.render_json(analyses), output)
    elif fmt == "markdown":
        emit(markdown.render_markdown(analyses), output)
    else:
        emit(text.render_text(analyses, color=color), output, color)
    raise SystemExit(EXIT_OK)
