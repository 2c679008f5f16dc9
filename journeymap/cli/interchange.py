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
    type=click.Choice(["mermaid", "mermaid-flowchart", "csv", "json", "bpmn"]),
    default="mermaid",
    show_default=True,
    help="mermaid: a Mermaid journey diagram; mermaid-flowchart: a Mermaid flowchart, a "
    "subgraph per function, handoffs numbered by risk; csv: the touchpoint table; "
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
    from journeymap.interchange.mermaid import NOTED_EXPORTS
    from journeymap.project import read_journey

    journey = read_journey(file)
    if fmt in NOTED_EXPORTS:
        text, notes = NOTED_EXPORTS[fmt](journey)
    else:
        text, notes = export(journey, fmt), ()
    emit(text, str(output) if output else None)
    for note in notes:
        click.echo(note, err=True)


@click.command("import")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The journey file to write (refuses to overwrite one).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["csv", "mermaid", "bpmn"]),
    help="csv: a touchpoint table; mermaid: a Mermaid journey diagram; bpmn: a BPMN 2.0 model "
    "(default: mermaid for .mmd and .mermaid files, bpmn for .bpmn and .xml, else csv).",
)
@click.option("--title", help="Journey title (default: the table's file name).")
@click.option("--uses", help="Organisation file the journey shares, relative to OUTPUT.")
@report_errors
def import_command(
    table: Path, output: Path, fmt: str | None, title: str | None, uses: str | None
) -> None:
    """Import a touchpoint table (CSV), a Mermaid journey or a BPMN 2.0 file into a journey
    file, validated before it is written.

    CSV columns: id, name, stage, function, channel, systems, emotion, entry, volume, asks,
    next, outcome; lists separated by ';', next items as 'target' or 'target:share'. Mermaid:
    sections become stages, tasks touchpoints, scores emotions, the first actor the function.
    BPMN (.bpmn, .xml): lanes become functions, tasks touchpoints.
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
    suffix = table.suffix.lower()
    guessed = "mermaid" if suffix in (".mmd", ".mermaid") else "csv"
    if suffix in (".bpmn", ".xml"):
        guessed = "bpmn"
    kind = fmt or guessed
    if kind == "mermaid":
        from journeymap.interchange import import_mermaid

        if uses:
            raise UsageError("--uses applies to csv tables; a Mermaid journey names its actors")
        yaml_text = import_mermaid(text, str(table), title)
    elif kind == "bpmn":
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
