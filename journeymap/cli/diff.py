"""``journeymap diff OLD NEW``: what changed between two versions of a journey."""

from __future__ import annotations

import click

from journeymap.cli._common import report_errors


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="Output format; html draws the new diagram with added and removed elements marked.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file (atomically) instead of standard output.",
)
@report_errors
def diff(old: str, new: str, fmt: str, output: str | None) -> None:
    """Compare two versions of a journey: handoffs and scores first.

    OLD and NEW are journey files or git:REV:path (for example git:HEAD~1:journeys/claims.yaml);
    uses: files are read from the same revision. Exits 0 whether or not anything changed.
    """
    from journeymap.output.diff import render_diff

    text = render_diff(old, new, fmt)
    if output:
        from journeymap.output import write_text_atomic

        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
