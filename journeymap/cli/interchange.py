"""``journeymap export`` and ``journeymap import``: other tools' formats in and out.

Both take ``FORMAT`` first (``export csv JOURNEY``, ``import xlsx BOOK.xlsx``); the older
spellings still work: ``export [-f FORMAT] JOURNEY`` (mermaid by default) and ``import
TABLE.csv`` (the format from the suffix). Choices and help come from the format table,
:data:`journeymap.interchange.FORMATS`.
"""

from __future__ import annotations

import sys

import click

from journeymap.cli._common import check_output, report_errors
from journeymap.interchange import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS


def _formats_help(names: tuple[str, ...]) -> str:
    width = max(len(name) for name in names)
    lines = "\n".join(f"  {name:<{width}} {FORMATS[name].help}" for name in names)
    return "\b\nFORMAT is one of:\n" + lines


EXPORT_HELP = f"""Export the journey file JOURNEY to FORMAT.

{_formats_help(EXPORT_FORMATS)}

The older form `journeymap export [-f FORMAT] JOURNEY` still works (mermaid when -f is not
given). Text goes to standard output without -o; xlsx needs -o unless standard output is a
file or a pipe. The spreadsheet layout, cell syntax and what an import guesses:
docs/interchange.md.
"""

IMPORT_HELP = f"""Import SOURCE (in FORMAT) into a new journey file, validated before it is written.

{_formats_help(IMPORT_FORMATS)}

FORMAT may be left out when SOURCE's suffix names it (`journeymap import TABLE.csv -o
J.yaml`). What was guessed (ids made from names, stages and functions declared from the rows,
transitions from row order, even shares) is listed in comments at the top of the file. The
spreadsheet layout and its header synonyms: docs/interchange.md.
"""


def _split(args: tuple[str, ...], what: str) -> tuple[str | None, str]:
    if len(args) == 1:
        return None, args[0]
    if len(args) == 2:
        return args[0], args[1]
    raise click.UsageError(f"give FORMAT and {what} (got {len(args)} arguments)")


def _check_format(fmt: str, names: tuple[str, ...]) -> str:
    if fmt not in names:
        choices = ", ".join(f"'{n}'" for n in names)
        raise click.BadParameter(f"{fmt!r} is not one of {choices}.", param_hint="'FORMAT'")
    return fmt


@click.command("export", help=EXPORT_HELP)
@click.argument("args", nargs=-1, required=True, metavar="FORMAT JOURNEY")
@click.option(
    "-f",
    "--format",
    "fmt_option",
    type=click.Choice(EXPORT_FORMATS),
    help="FORMAT in the older form `export -f FORMAT JOURNEY`.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write here (atomically) instead of standard output.",
)
@report_errors
def export_command(args: tuple[str, ...], fmt_option: str | None, output: str | None) -> None:
    fmt, journey = _split(args, "JOURNEY")
    if fmt is not None and fmt_option is not None and fmt != fmt_option:
        raise click.UsageError(f"FORMAT {fmt!r} and -f {fmt_option!r} disagree; give one")
    fmt = _check_format(fmt or fmt_option or "mermaid", EXPORT_FORMATS)
    check_output(output, journey)
    from journeymap.interchange import export_file

    if output is None and fmt == "xlsx" and sys.stdout.isatty():
        raise click.UsageError("xlsx is a binary file; write it with -o BOOK.xlsx")
    data = export_file(fmt, journey, output, on_note=lambda note: click.echo(note, err=True))
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            click.echo(data, nl=False)


@click.command("import", help=IMPORT_HELP)
@click.argument("args", nargs=-1, required=True, metavar="FORMAT SOURCE")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The journey file to write (refuses to overwrite one).",
)
@click.option("--title", help="Journey title (default: the source's, else its file name).")
@click.option("--uses", help="Organisation file the journey shares, relative to OUTPUT.")
@report_errors
def import_command(args: tuple[str, ...], output: str, title: str | None, uses: str | None) -> None:
    fmt, source = _split(args, "SOURCE")
    if fmt is not None:
        _check_format(fmt, IMPORT_FORMATS)
    check_output(output, source)
    from journeymap.interchange import import_file

    import_file(fmt, source, output, title, uses)
    click.echo(f"wrote {output}")
