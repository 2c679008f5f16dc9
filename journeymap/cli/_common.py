"""What every command shares: turning library errors into one-line messages and exit code 2."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from journeymap.errors import InputError, JourneymapError, OutputError, summarised

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def report_errors(func: F) -> F:
    """Print a :class:`JourneymapError` as one line per problem on stderr and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            for line in summarised(err.problems):
                click.echo(line, err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OutputError as err:  # already reads "path: error: cannot write ..."
            click.echo(str(err), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except JourneymapError as err:
            click.echo(f"journeymap: error: {err}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


# Options several commands share, so their names, choices and help read the same everywhere.
THEME_NAMES = ("default", "workshop", "workshop-dark", "print")  # = journeymap.render.THEMES
THEME_HELP = (
    "Diagram theme: default; workshop (projector: large type, thick lines); "
    "workshop-dark; print (greyscale-safe)."
)
CONFIG_HELP = (
    "Read thresholds and weights from this file instead of the .journeymap.yaml found beside "
    "the journeys."
)


def theme_option(default: str = "default") -> Callable[[F], F]:
    """``--theme`` with every diagram theme as a choice."""
    return click.option(
        "--theme",
        type=click.Choice(THEME_NAMES),
        default=default,
        show_default=True,
        help=THEME_HELP,
    )


def config_option() -> Callable[[F], F]:
    """``--config FILE``: thresholds and weights from this file."""
    return click.option(
        "--config", "config_file", type=click.Path(dir_okay=False), help=CONFIG_HELP
    )


OUTPUT_HELP = "Write to this file (atomically) instead of standard output."


def output_option() -> Callable[[F], F]:
    """``-o/--output FILE``: write there atomically instead of printing."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help=OUTPUT_HELP)


def color_wanted(output: str | None) -> bool:
    """Colour only for a terminal on standard output, and never when NO_COLOR is set."""
    return output is None and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def check_output(
    output: str | os.PathLike[str] | None,
    *inputs: str | os.PathLike[str] | None,
    folder: bool = False,
    option: str = "-o",
) -> None:
    """Refuse ``output`` before any work unless it can be written safely; ``inputs`` are the
    files and folders the command reads (see :func:`journeymap.outputs.check_output`)."""
    if output is None:
        return
    from journeymap.outputs import check_output as check

    check(output, inputs, folder=folder, option=option)


def emit(text: str, output: str | None, color: bool = False) -> None:
    """Print ``text`` or write it atomically to ``output``."""
    if output:
        from journeymap.atomic import write_text_atomic

        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False, color=color)
