"""``journeymap report PATHS -o SITE/``: the static report site."""

from __future__ import annotations

import sys
from contextlib import ExitStack

import click

from journeymap.cli._common import check_output, config_option, report_errors, theme_option


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder of the site (replaced atomically).",
)
@theme_option()
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: CPU count].",
)
@click.option(
    "--no-cache", is_flag=True, help="Render every journey, ignoring and not updating the cache."
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Cache folder [default: SITE/../.journeymap-cache/report-SITE].",
)
@config_option()
@report_errors
def report(
    paths: tuple[str, ...],
    out_dir: str,
    theme: str,
    jobs: int | None,
    no_cache: bool,
    cache_dir: str | None,
    config_file: str | None,
) -> None:
    """Build a static site: one page per journey plus a portfolio index.html.

    Pages are self-contained (no network requests); unchanged journeys come from the cache.
    """
    check_output(out_dir, *paths, config_file, folder=True)
    from journeymap.report import build_site

    with ExitStack() as stack:
        progress = None
        if sys.stderr.isatty():
            bar = stack.enter_context(
                click.progressbar(length=1, label="Building report", file=sys.stderr)
            )

            def progress(done: int, total: int, label: str) -> None:
                bar.length = total
                bar.update(done - bar.pos)

        result = build_site(
            paths,
            out_dir,
            theme=theme,
            jobs=jobs,
            cache=not no_cache,
            progress=progress,
            cache_dir=cache_dir,
            config_file=config_file,
        )
    click.echo(
        f"{len(result.pages)} journey pages ({result.rendered} rendered, {result.cached} from cache) and the portfolio index in {result.out_dir}"
    )
    click.echo(f"open {result.index.as_uri()}")
