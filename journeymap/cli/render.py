"""``journeymap render FILE -o OUT``: one diagram of a journey (or a folder's silo map)."""

from __future__ import annotations

import click

from journeymap.cli._common import check_output, config_option, report_errors, theme_option


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
    check_output(output, path, config_file)
    from journeymap.project import render_path

    render_path(
        path,
        output,
        view=view,
        theme=theme,
        renderer=renderer,
        timeout=timeout,
        config_file=config_file,
    )
