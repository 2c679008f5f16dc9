"""``journeymap whatif FILE [changes]``: the analysis before and after changes, with deltas."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from journeymap.change_kinds import KINDS, ChangeError
from journeymap.cli._common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    check_output,
    config_option,
    emit,
    output_option,
    report_errors,
)


def _change_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """One repeatable option per kind of change (journeymap.scenario.KINDS)."""
    for kind in reversed(KINDS):
        func = click.option(
            f"--{kind.name}",
            kind.name.replace("-", "_"),
            metavar=kind.syntax,
            multiple=True,
            help=kind.help,
        )(func)
    return func


@click.command("whatif")
@click.argument("file", metavar="FILE", type=click.Path())
@_change_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text: a table before, after and delta; json: versioned (docs/json.md); markdown: "
    "the same table for a wiki or pull request.",
)
@click.option(
    "--scenario",
    "scenario_files",
    metavar="FILE",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Also predict the named scenarios of this YAML file (scenarios: {NAME: {OPTION: "
    "VALUE}}, option names as here; schema: journeymap/schema/scenario.schema.json).",
)
@output_option()
@config_option()
@report_errors
def whatif(
    file: str,
    fmt: str,
    scenario_files: tuple[str, ...],
    output: str | None,
    config_file: str | None,
    **changes: Any,
) -> None:
    """Predict what changes would buy, without editing the journey FILE.

    Each change option may be repeated. Changes apply in the order the options are listed
    here, then in the order given. Prints total risk, handoffs, expected handoffs and wait per
    customer, drop-off, each outcome and the findings by rule, before and after, with deltas.
    An unknown id or a malformed change is one line, --option VALUE: error: message; hint
    (in a scenario file, file:line:col: error: ...). The changes given as options form the
    scenario named command-line; each --scenario file adds its scenarios, in file order. A
    scenario change is written as on the command line (owner: a:b=f), as a list of such texts,
    or as a mapping of the text before = to the text after it (owner: {a:b: f}; a list is
    joined with commas; shares: {SOURCE: {TARGET: SHARE}}). Exits 0, or 2 on bad input or
    usage.
    """
    check_output(output, file, config_file, *scenario_files)
    from journeymap.output.whatif import render_whatif
    from journeymap.project import analyse_file
    from journeymap.scenario import parse_scenario, predict_scenario, read_scenarios

    given = [(k.name, text) for k in KINDS for text in changes[k.name.replace("-", "_")]]
    try:
        scenarios = [parse_scenario("command-line", given)] if given or not scenario_files else []
        scenarios += [item for path in scenario_files for item in read_scenarios(path)]
        analysed = analyse_file(file, config_file)
        results = [(s, predict_scenario(analysed.journey, s, analysed.config)) for s in scenarios]
    except ChangeError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_BAD_INPUT)
    check_output(output, *analysed.files)  # and the uses: files
    emit(render_whatif(results, fmt), output)
    raise SystemExit(EXIT_OK)
