"""``journeymap validate``: load and validate journeys, nothing else."""

from __future__ import annotations

from pathlib import Path

import click

from journeymap.cli._common import report_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@report_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check journey files and folders (recursively); print problems as path:line:col.

    Exit codes: 0 all valid, 2 problems found.
    """
    from journeymap.errors import UsageError
    from journeymap.load import load_journeys

    journeys = load_journeys(paths)
    if not journeys:
        raise UsageError("no journey files found in " + ", ".join(str(p) for p in paths))
    touchpoints = sum(len(j.touchpoints) for j in journeys)
    plural = "journey" if len(journeys) == 1 else "journeys"
    click.echo(f"ok: {len(journeys)} {plural}, {touchpoints} touchpoints")
