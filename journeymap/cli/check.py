"""``journeymap check PATHS``: the CI gate over findings and config thresholds."""

from __future__ import annotations

import click

from journeymap.cli._common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    check_output,
    color_wanted,
    config_option,
    emit,
    output_option,
    report_errors,
)
from journeymap.cli._mining import log_options
from journeymap.mining import LogColumns


def _codes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    from journeymap.errors import UsageError
    from journeymap.gate import parse_codes

    try:
        return parse_codes(value, f"--{param.name}")
    except UsageError as err:
        raise click.BadParameter(str(err).split(": ", 1)[-1], ctx, param) from None


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Fail when a reported finding is at least this severe.",
)
@click.option(
    "--select",
    metavar="CODES",
    callback=_codes,
    help="Comma-separated rule codes or prefixes to report (JM1 = JM100-JM108, ALL = every "
    "rule). Default: every rule except info findings.",
)
@click.option(
    "--ignore",
    metavar="CODES",
    callback=_codes,
    help="Comma-separated rule codes or prefixes never to report.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text: findings grouped by handoff, worst first, then a count per rule; json: "
    "docs/json.md; sarif: SARIF 2.1.0.",
)
@click.option(
    "--one-line",
    is_flag=True,
    help="With --format text: one line per finding, path:line:col: CODE severity: message, "
    "instead of grouping by handoff.",
)
@click.option(
    "--log",
    metavar="LOG",
    help="Also gate the journey as lived: compare the one journey in PATHS with this event "
    "log (CSV, Parquet or XES) against the check: thresholds min_conformance, "
    "max_ad_hoc_touchpoints, max_missing_touchpoints, max_irregular_cases (JM501-JM504).",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help="With --log: YAML file mapping log activity and org unit names to ids (as conform).",
)
@output_option()
@config_option()
@log_options
@report_errors
def check(
    paths: tuple[str, ...],
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    one_line: bool,
    output: str | None,
    config_file: str | None,
    log: str | None,
    mapping: str | None,
    columns: LogColumns,
    engine: str,
    master: str | None,
    log_format: str | None,
    memory_limit: str | None,
) -> None:
    """Gate journeys in CI: report findings and exceeded thresholds, exit 1 if the gate fails.

    Thresholds (max_expected_handoffs, max_handoffs_on_path, max_wait_hours) come from the
    config file and are reported as JM401-JM403 errors; with --log, the journey as lived is
    compared with the design (docs/conformance.md) and the lived-journey thresholds
    (min_conformance, max_ad_hoc_touchpoints, max_missing_touchpoints, max_irregular_cases) are
    reported as JM501-JM504 errors; the log options are those of conform. Text output has, per journey, one line
    per handoff with findings (worst first: functions and touchpoints by name, problems by rule
    title, file:line), then one line per other finding, then a count per rule and a summary line;
    --one-line prints path:line:col: CODE severity: message lines instead. Exits 0 when the gate
    passes, 1 when it fails, 2 on bad input or usage.
    """
    if one_line and fmt != "text":
        raise click.UsageError("--one-line applies to --format text only")
    check_output(output, *paths, config_file, log, mapping)
    from journeymap.output import json, sarif, text
    from journeymap.project import check as run_gate

    result = run_gate(
        paths,
        config_file,
        fail_on=fail_on,  # type: ignore[arg-type]
        select=select,
        ignore=ignore,
        log=log,
        mapping=mapping,
        log_options={
            "columns": columns,
            "engine": engine,
            "log_format": log_format,
            "master": master,
            "memory_limit": memory_limit,
        },
    )
    if fmt == "json":
        emit(json.render_check_json(result), output)
    elif fmt == "sarif":
        emit(sarif.render_sarif(result), output)
    else:
        color = color_wanted(output)
        emit(text.render_check_text(result, color=color, one_line=one_line), output, color)
    raise SystemExit(EXIT_OK if result.passed else EXIT_CHECK_FAILED)
