"""Options ``mine`` and ``conform`` share: which columns of the log mean what, and the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from journeymap.mining import ENGINES, LOG_FORMATS, LogColumns
from journeymap.mining.duckdb_engine import DEFAULT_MEMORY_LIMIT

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULTS = LogColumns()
# (option, LogColumns field, help); defaults are the XES standard names.
COLUMN_OPTIONS = (
    ("--case-column", "case", "Column naming the case (one customer's journey)"),
    ("--activity-column", "activity", "Column naming the activity (a touchpoint)"),
    ("--timestamp-column", "timestamp", "Column with the event's time (ISO 8601; no offset = UTC)"),
    ("--resource-column", "resource", "Column naming who did the work (optional)"),
    ("--function-column", "function", "Column naming the function or org unit (optional)"),
    ("--channel-column", "channel", "Column naming the channel (optional)"),
    (
        "--lifecycle-column",
        "lifecycle",
        "Lifecycle column: only 'complete' events are kept (optional)",
    ),
)


def log_options(func: F) -> F:
    """Add the column, format and engine options; the command receives ``columns``
    (a :class:`LogColumns`), ``engine``, ``master``, ``log_format`` and ``memory_limit``."""
    options = [
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="duckdb",
            show_default=True,
            help="duckdb: embedded, out of core; spark: Apache Spark, for logs that outgrow "
            "one machine (pip install 'journeymap[spark]', Java 17+).",
        ),
        click.option(
            "--master",
            help="Spark master URL (default local[*]: every core of this machine).",
        ),
        click.option(
            "--log-format",
            type=click.Choice((*LOG_FORMATS, "table")),
            help="The log's format (default: from its suffix); table: LOG names a Spark table.",
        ),
        click.option(
            "--memory-limit",
            help=(
                "Cap the engine's memory, e.g. 2GB; DuckDB spills to disk beyond it "
                f"[DuckDB default: {DEFAULT_MEMORY_LIMIT}]."
            ),
        ),
    ]
    for flag, field, text in COLUMN_OPTIONS:
        default = getattr(_DEFAULTS, field)
        shown = f" [default: {default}]" if default else ""
        options.append(
            click.option(flag, field + "_column", metavar="NAME", help=text + shown + ".")
        )

    def wrapper(**kwargs: Any) -> Any:
        given = {field: kwargs.pop(field + "_column") for _, field, _ in COLUMN_OPTIONS}
        kwargs["columns"] = _DEFAULTS.with_options(**given)
        return func(**kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
