"""``journeymap export`` and ``journeymap import``: other tools' formats in and out."""

from __future__ import annotations

from pathlib import Path

import click

from journeymap.cli._common import emit, report_errors


@click.command("export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "csv", "json", "bpmn"]),
    default="mermaid",
    show_default=True,
    help="mermaid: a Mermaid journey diagram; csv: the touchpoint table; "
    "json: the journey model as data; bpmn: BPMN 2.0 XML with a lane per function.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of standard output.",
)
@report_errors
def export_command(file: Path, fmt: str, output: Path | None) -> None:
    """Export the journey FILE to another tool's format."""
    from journeymap.interchange import export
    from journeymap.project import read_journey

    emit(export(read_journey(file), fmt), str(output) if output else None)


@click.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The journey file to write (refuses to overwrite one).",
)
@click.option("--title", help="Journey title (default: the table's file name).")
@click.option("--uses", help="Organisation file the journey shares, relative to OUTPUT.")
@report_errors
def import_command(table: Path, output: Path, title: str | None, uses: str | None) -> None:
    """Import a touchpoint table (CSV) or a BPMN 2.0 file (.bpmn, .xml: lanes become functions,
    tasks touchpoints) into a journey file, validated before it is written.

    Table columns: id, name, stage, function, channel, systems, emotion, entry, volume, asks, next,
    outcome; lists separated by ';', next items as 'target' or 'target:share'.
    """
    from journeymap.atomic import write_text_atomic
    from journeymap.errors import UsageError
    from journeymap.interchange import import_csv
    from journeymap.project import read_journey

    if output.exists():
        raise UsageError(f"{output} exists; choose another --output or remove it first")
    raw = table.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        from journeymap.errors import InputError
        from journeymap.model import Location

        raise InputError.at(
            Location(str(table), 1, 1),
            f"not UTF-8 text ({err.reason})",
            "save the table as CSV UTF-8",
        ) from None
    if table.suffix.lower() in (".bpmn", ".xml"):
        from journeymap.interchange import import_bpmn

        if uses:
            raise UsageError("--uses is for tables; a BPMN file brings its own lanes and systems")

        yaml_text = import_bpmn(text, str(table), title)
    else:
        yaml_text = import_csv(
            text, str(table), title or table.stem.replace("-", " ").title(), uses
        )
    read_journey(output, text=yaml_text)  # validated as the journey it will be
    write_text_atomic(output, yaml_text, overwrite=False)
    click.echo(f"wrote {output}")
