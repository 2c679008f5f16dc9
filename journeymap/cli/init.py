"""``journeymap init``: scaffold a commented starter journey."""

from __future__ import annotations

from pathlib import Path

import click

from journeymap.cli._common import check_output, report_errors


@click.command()
@click.argument("path", default="journey.yaml", type=click.Path(path_type=Path))
@click.option(
    "--schema",
    "schema_ref",
    metavar="REF",
    help="Path or URL for the editor modeline (default: journey.schema.json beside the "
    "journey, written there if missing).",
)
@report_errors
def init(path: Path, schema_ref: str | None) -> None:
    """Write a commented starter journey to PATH (default journey.yaml); never overwrites."""
    check_output(path, option="PATH")
    from journeymap.atomic import write_text_atomic
    from journeymap.scaffold import DEFAULT_SCHEMA_REF, starter_journey
    from journeymap.schema import schema_text

    write_text_atomic(
        path, starter_journey(path, schema_ref or DEFAULT_SCHEMA_REF), overwrite=False
    )
    click.echo(f"wrote {path}")
    beside = path.parent / DEFAULT_SCHEMA_REF
    if schema_ref is None and not beside.exists():
        write_text_atomic(beside, schema_text(), overwrite=False)
        click.echo(f"wrote {beside} (for editor completion)")
