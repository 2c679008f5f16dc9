"""``journeymap render FILE -o OUT``: one diagram of a journey (or a folder's silo map)."""

from __future__ import annotations

import click

from journeymap.cli._common import config_option, report_errors, theme_option

FORMATS = ("svg", "png", "pdf", "dot", "json")


@click.command()
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file; its extension picks the format (svg, png, pdf, dot, json).",
)
@click.option(
    "--view",
    type=click.Choice(["journey", "blueprint", "silos"]),
    default="journey",
    show_default=True,
    help="journey: swimlanes; blueprint: service blueprint; "
    "silos: handoff map between functions (PATH may be a folder).",
)
@theme_option()
@click.option(
    "--renderer",
    type=click.Choice(["auto", "embedded", "system"]),
    default="auto",
    show_default=True,
    help="embedded: Graphviz in WebAssembly (svg, json); system: the dot program (png, pdf too).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Layout time limit [default: $JOURNEYMAP_RENDER_TIMEOUT or 30].",
)
@config_option()
@report_errors
def render(
    path: str,
    output: str,
    view: str,
    theme: str,
    renderer: str,
    timeout: float | None,
    config_file: str | None,
) -> None:
    """Render a diagram of the journey in PATH to OUTPUT, written atomically."""
    from pathlib import Path

    from journeymap.atomic import write_bytes_atomic
    from journeymap.errors import UsageError
    from journeymap.project import analyse
    from journeymap.render import render_journey

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(
            f"{output}: unknown output format {fmt!r}; use one of .{', .'.join(FORMATS)}"
        )
    if Path(path).is_dir() and view != "silos":
        raise UsageError(
            f"{path} is a folder; the {view} view draws one journey (use --view silos)"
        )
    analyses = [item.analysis for item in analyse([path], config_file)]
    subject = analyses if view == "silos" else analyses[0]
    data = render_journey(
        subject, fmt=fmt, view=view, theme=theme, renderer=renderer, timeout=timeout
    )
    write_bytes_atomic(output, data)
