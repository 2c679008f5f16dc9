"""The ``journeymap`` command: a thin shell over the library.

Each command lives in its own module here; a command body parses options, calls the library and
prints. Library imports happen inside command bodies so start-up stays fast.
"""

from __future__ import annotations

import click

from journeymap import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="journeymap")
def main() -> None:
    """Model customer journeys as graphs and show where functional silos break them.

    Exit codes: 0 fine, 1 a check failed, 2 bad input or usage.
    """


def _register() -> None:
    from journeymap.cli import commands

    for command in commands.ALL:
        main.add_command(command)


_register()
