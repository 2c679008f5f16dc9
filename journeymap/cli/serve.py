"""``journeymap serve PATHS``: live preview for workshops."""

from __future__ import annotations

import click

from journeymap.cli._common import report_errors


@click.command("serve")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. Only change it to show the preview to other "
    "machines: anyone who can reach it can read the journeys.",
)
@click.option(
    "--theme",
    default="workshop",
    show_default=True,
    help="Diagram theme (default, workshop, workshop-dark, print).",
)
@click.option(
    "--view",
    type=click.Choice(["journey", "blueprint"]),
    default="journey",
    show_default=True,
    help="Diagram view on the journey pages.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Read thresholds and weights from this file.",
)
@click.option(
    "--open/--no-open",
    "open_browser",
    default=True,
    show_default=True,
    help="Open the portfolio page in the default browser.",
)
@report_errors
def serve(
    paths: tuple[str, ...],
    port: int,
    host: str,
    theme: str,
    view: str,
    config_file: str | None,
    open_browser: bool,
) -> None:
    """Serve live report pages that follow every save of the journey files.

    Open pages update in place (no reload): the diagram, figures and findings. A save that does
    not load shows its error lines over the last good picture. Press ? on a page for shortcuts.
    """
    from journeymap.render.themes import get_theme
    from journeymap.serve import serve as run

    get_theme(theme)  # an unknown theme is a usage error before anything starts
    run(
        list(paths),
        host=host,
        port=port,
        theme=theme,
        view=view,
        open_browser=open_browser,
        config_file=config_file,
        echo=click.echo,
    )
