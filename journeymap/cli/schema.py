"""``journeymap schema``: print or write the JSON Schema of journey files."""

from __future__ import annotations

from pathlib import Path

import click

from journeymap.cli._common import check_output, report_errors


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of printing it.",
)
@report_errors
def schema(output: Path | None) -> None:
    """Print the JSON Schema of journey and organisation files (format version 1).

    Editors use it for completion and checks through the modeline
    `# yaml-language-server: $schema=<path or URL>` at the top of a journey file.
    """
    from journeymap.atomic import write_text_atomic
    from journeymap.schema import schema_text

    if output is None:
        click.echo(schema_text(), nl=False)
        return
    check_output(output)
    write_text_atomic(output, schema_text())
    click.echo(f"wrote {output}")
