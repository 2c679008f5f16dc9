"""``journeymap conform DESIGNED.yaml LOG``: the journey as designed against the journey as lived."""

from __future__ import annotations

import os

import click

from journeymap.cli._common import check_output, config_option, emit, report_errors
from journeymap.cli._mining import log_options
from journeymap.mining import LogColumns

CONFORM_FORMATS = ("text", "json", "html")
_BY_SUFFIX = {".json": "json", ".html": "html", ".htm": "html"}

CONFORM_HELP = """Compare the journey DESIGNED (a journey file) with its event log LOG (CSV,
Parquet or XES): the journey as designed against the journey as lived.

\b
Deviations (Halvorsrud, Kvale & Folstad 2016):
  ad hoc       activities of the log that match no designed touchpoint
  missing      designed touchpoints no case meets
  irregular    steps between touchpoints the design has no transition for
  failing      touchpoints where cases end against the design, or come back
Also, per designed transition, lived vs designed share and median wait, and
per pair of functions, handoffs per case lived vs expected per customer.

Activities match touchpoint ids and names case-insensitively; --mapping FILE
names the rest (activities: {"Log name": touchpoint-id}, functions:
{"Org unit": function-id}). Gate on it with `check DESIGNED --log LOG`.
Details: docs/conformance.md.
"""


@click.command("conform", help=CONFORM_HELP)
@click.argument("designed", metavar="DESIGNED.yaml", type=click.Path())
@click.argument("log", metavar="LOG")
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help="YAML file mapping the log's activity and org unit names to touchpoint and function ids.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(CONFORM_FORMATS),
    help="text (worst first), json (journeymap-conform v1) or html (a report page); "
    "default: from -o's suffix, else text.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write here (atomically) instead of standard output.",
)
@config_option()
@log_options
@report_errors
def conform(
    designed: str,
    log: str,
    mapping: str | None,
    fmt: str | None,
    output: str | None,
    config_file: str | None,
    columns: LogColumns,
    engine: str,
    master: str | None,
    log_format: str | None,
    memory_limit: str | None,
) -> None:
    if fmt is None:
        suffix = os.path.splitext(output)[1].lower() if output else ""
        fmt = _BY_SUFFIX.get(suffix, "text")
    check_output(output, designed, log, mapping, config_file)
    from journeymap.project import conform_log

    _, result = conform_log(
        designed,
        log,
        mapping=mapping,
        config_file=config_file,
        log_options={
            "columns": columns,
            "engine": engine,
            "log_format": log_format,
            "master": master,
            "memory_limit": memory_limit,
        },
    )
    if fmt == "json":
        from journeymap.output.conform import conformance_json

        emit(conformance_json(result), output)
    elif fmt == "html":
        from journeymap.report.conform import conformance_html

        emit(conformance_html(result), output)
    else:
        from journeymap.output.conform import conformance_text

        emit(conformance_text(result), output)
    if output:
        click.echo(f"wrote {output}", err=True)
