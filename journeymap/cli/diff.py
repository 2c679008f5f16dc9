"""``journeymap diff OLD NEW``: what changed between two versions of a journey."""

from __future__ import annotations

import click

from journeymap.cli._common import (
    check_output,
    config_option,
    emit,
    output_option,
    report_errors,
    theme_option,
)


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="Output format; html: a report page with the before and after diagrams side by side, "
    "the changed handoffs highlighted.",
)
@output_option()
@config_option()
@theme_option()
@report_errors
def diff(
    old: str, new: str, fmt: str, output: str | None, config_file: str | None, theme: str
) -> None:
    """Compare two versions of a journey: handoffs and scores first.

    OLD and NEW are journey files or git:REV:path (for example git:HEAD~1:journeys/claims.yaml);
    uses: files are read from the same revision. Both sides are analysed with one config: the
    --config file, else the .journeymap.yaml found beside NEW. Exits 0 whether or not anything
    changed.
    """
    check_output(output, old, new, config_file)
    from journeymap.output.diff import render_diff, source_label
    from journeymap.project import analyse_pair

    before, after = analyse_pair(old, new, config_file)
    check_output(output, *before.files, *after.files)  # and the uses: files
    text = render_diff(
        before.analysis,
        after.analysis,
        source_label(old),
        source_label(new),
        fmt,
        theme=theme,
    )
    emit(text, output)
