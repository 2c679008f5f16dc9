"""``journeymap serve PATHS``: live preview for workshops."""

from __future__ import annotations

import click

from journeymap.cli._common import config_option, report_errors, theme_option


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
@theme_option("workshop")
@click.option(
    "--view",
    type=click.Choice(["journey", "blueprint"]),
    default="journey",
    show_default=True,
    help="Diagram view on the journey pages.",
)
@config_option()
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
    from journeymap.serve import serve as run

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
