"""``journeymap validate``: is every journey file good? Load errors and error findings."""

from __future__ import annotations

import click

from journeymap.cli._common import config_option, report_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@config_option()
@report_errors
def validate(paths: tuple[str, ...], config_file: str | None) -> None:
    """Check journey files and folders (recursively); print problems as path:line:col.

    A journey is valid when it loads and has no error-severity finding: keys, types and
    references, then unreachable touchpoints (JM301), loops customers cannot leave (JM302) and
    shares summing above 1 (JM303). Warnings are left to `check`.

    Exit codes: 0 all valid, 2 problems found.
    """
    from journeymap.project import validate as run

    journeys = [item.journey for item in run(paths, config_file)]
    touchpoints = sum(len(j.touchpoints) for j in journeys)
    plural = "journey" if len(journeys) == 1 else "journeys"
    click.echo(f"ok: {len(journeys)} {plural}, {touchpoints} touchpoints")
