"""Static HTML reports: a page per journey and a portfolio index, self-contained and offline.

Public API: :func:`build_site` (the whole site, cached and parallel), :func:`render_journey_page`
and :func:`render_index` (single pages, also used by the live server), :func:`make_environment`
(the one Jinja2 environment). See docs/reports.md.
"""

from __future__ import annotations

from journeymap.report.environment import make_environment, templates_dir
from journeymap.report.pages import page_name, render_index, render_journey_page
from journeymap.report.site import SiteResult, build_site

__all__ = [
    "SiteResult",
    "build_site",
    "make_environment",
    "page_name",
    "render_index",
    "render_journey_page",
    "templates_dir",
]
