"""``journeymap whatif FILE [changes]``: the analysis before and after changes, with deltas."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from journeymap.cli._common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    config_option,
    emit,
    output_option,
    report_errors,
)
from journeymap.scenario import KINDS, ChangeError


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
@output_option()
@config_option()
@report_errors
def whatif(
    file: str, fmt: str, output: str | None, config_file: str | None, **changes: Any
) -> None:
    """Predict what changes would buy, without editing the journey FILE.

    Each change option may be repeated. Changes apply in the order the options are listed
    here, then in the order given. Prints total risk, handoffs, expected handoffs and wait per
    customer, drop-off, each outcome and the findings by rule, before and after, with deltas.
    An unknown id or a malformed change is one line, --option VALUE: error: message; hint.
    Exits 0, or 2 on bad input or usage.
    """
    from journeymap.output.whatif import render_whatif
    from journeymap.project import analyse_file
    from journeymap.scenario import parse_scenario, predict_scenario

    given = [(k.name, text) for k in KINDS for text in changes[k.name.replace("-", "_")]]
    try:
        scenario = parse_scenario("command-line", given)
        analysed = analyse_file(file, config_file)
        prediction = predict_scenario(analysed.journey, scenario, analysed.config)
    except ChangeError as err:
        click.echo(str(err), err=True)
        sys.exit(EXIT_BAD_INPUT)
    emit(render_whatif([(scenario, prediction)], fmt), output)
    raise SystemExit(EXIT_OK)
