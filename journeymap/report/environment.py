"""The one Jinja2 environment factory for reports.

Autoescaping is forced on for every template name (not ``select_autoescape``, which only covers
``.html``/``.htm``/``.xml`` and would leave ``journey.html.j2`` unescaped), undefined variables
raise (``StrictUndefined``), and user text is only ever data, never template source. Every
plain string printed goes through ``filters.display_text`` (no NUL, no bidi override).

Templates live in the top-level ``templates/`` folder of the repository. The package reaches them
through ``journeymap/report/templates``, a symlink to ``../../templates`` that setuptools follows
when it builds a wheel (``[options.package_data]``), so an installed wheel carries them too. Where
the symlink is not one (a checkout without symlink support) the repository folder is used.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from journeymap.errors import JourneymapError
from journeymap.report import filters

__all__ = ["templates_dir", "make_environment", "static_text"]

_MARKER = "journey.html.j2"


def templates_dir() -> Path:
    """The folder holding the report templates (packaged copy first, then the repository's)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[1] / "templates"):
        if (candidate / _MARKER).is_file():
            return candidate
    raise JourneymapError(
        f"report templates not found next to {here}; reinstall journeymap (the wheel must carry "
        "journeymap/report/templates)"
    )


@lru_cache(maxsize=4)
def make_environment(directory: str | None = None) -> jinja2.Environment:
    """A Jinja2 environment: autoescape on for every name, StrictUndefined, our filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory or str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        finalize=filters.display_text,
    )
    env.filters.update(filters.FILTERS)
    return env


def static_text(env: jinja2.Environment, name: str) -> str:
    """The raw text of a static asset (CSS, JS) from the template folder, not rendered."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source
