"""``journeymap analyze PATHS``: metrics, handoffs (worst first) and findings."""

from __future__ import annotations

import click

from journeymap.cli._common import (
    EXIT_OK,
    check_output,
    color_wanted,
    config_option,
    emit,
    output_option,
    report_errors,
)


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
@output_option()
@config_option()
@report_errors
def analyze(paths: tuple[str, ...], fmt: str, output: str | None, config_file: str | None) -> None:
    """Analyse journeys: metrics, handoffs worst first, and findings.

    PATHS are journey files or folders of them. Text is coloured only on a terminal, never when
    NO_COLOR is set. Exits 0 whatever the findings (use `check` to gate), 2 on bad input.
    """
    check_output(output, *paths, config_file)
    from journeymap.output import json, markdown, text
    from journeymap.project import analyse

    items = analyse(paths, config_file)
    check_output(output, *(f for item in items for f in item.files))  # and the uses: files
    analyses = [item.analysis for item in items]
    if fmt == "json":
        emit(json.render_json(analyses), output)
    elif fmt == "markdown":
        emit(markdown.render_markdown(analyses), output)
    else:
        color = color_wanted(output)
        emit(text.render_text(analyses, color=color), output, color)
    raise SystemExit(EXIT_OK)
