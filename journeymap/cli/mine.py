"""``journeymap mine``: the journey as lived, from an event log."""

from __future__ import annotations

import os

import click

from journeymap.cli._common import check_output, emit, report_errors
from journeymap.cli._mining import log_options
from journeymap.mining import LogColumns

MINE_FORMATS = ("text", "json", "journey", "html")
_BY_SUFFIX = {".yaml": "journey", ".yml": "journey", ".json": "json", ".html": "html"}

MINE_HELP = """Mine the event log LOG (CSV, Parquet or XES): the journey as lived.

\b
Formats (default: from -o's suffix, else text):
  text     the log's size, handoffs between functions, ping-pong and waits
  json     every figure: directly-follows counts, handovers of work between
           resources and between functions (as PM4Py computes them, beta = 0),
           ping-pong, waits at handoffs
  journey  the observed journey as a journey file (-o JOURNEY.yaml), ready for
           analyze, render, report and conform
  html     the figures as a page in the report's style

Columns default to the XES standard names (case:concept:name, concept:name,
time:timestamp, org:resource, org:group); map a CRM or ticketing export's own
with the --*-column options. How each figure is computed: docs/mining.md.
"""


@click.command("mine", help=MINE_HELP)
@click.argument("log", metavar="LOG")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(MINE_FORMATS),
    help="What to write (default: from -o's suffix, else text).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write here (atomically) instead of standard output; a journey file is never "
    "overwritten without --force.",
)
@click.option("--title", help="Title of the observed journey (default: from the log's name).")
@click.option("--force", is_flag=True, help="Replace an existing journey file.")
@log_options
@report_errors
def mine(
    log: str,
    fmt: str | None,
    output: str | None,
    title: str | None,
    force: bool,
    columns: LogColumns,
    engine: str,
    master: str | None,
    log_format: str | None,
    memory_limit: str | None,
) -> None:
    if fmt is None:
        suffix = os.path.splitext(output)[1].lower() if output else ""
        fmt = _BY_SUFFIX.get(suffix, "text")
    if fmt == "journey" and output is None:
        raise click.UsageError("the observed journey is a file: give -o JOURNEY.yaml")
    check_output(output, log)
    if fmt == "journey" and output is not None and os.path.exists(output) and not force:
        raise click.UsageError(f"{output} exists; give --force to replace it")
    from journeymap.mining import mine as mine_log

    mined = mine_log(
        log,
        columns,
        engine=engine,
        log_format=log_format,
        master=master,
        memory_limit=memory_limit,
    )
    if fmt == "journey":
        from journeymap.atomic import write_text_atomic
        from journeymap.mining.observed import observed_journey_yaml

        assert output is not None
        if os.path.exists(output) and not force:
            raise click.UsageError(f"{output} exists; give --force to replace it")
        write_text_atomic(output, observed_journey_yaml(mined, title))
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "json":
        from journeymap.output.mining import mined_json

        emit(mined_json(mined), output)
    elif fmt == "html":
        from journeymap.report.mining import mined_html

        emit(mined_html(mined), output)
    else:
        from journeymap.output.mining import mined_text

        emit(mined_text(mined), output)
    if output:
        click.echo(f"wrote {output}", err=True)
