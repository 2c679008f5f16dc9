"""Diagrams: DOT built with pydot for three views, laid out by an embedded or system Graphviz.

Public API: :func:`build_dot`, :func:`build_silo_dot`, :func:`render_dot`,
:func:`render_journey`. See docs/diagrams.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from journeymap.analysis.types import JourneyAnalysis
from journeymap.errors import UsageError
from journeymap.render.themes import THEMES, get_theme

if TYPE_CHECKING:
    from journeymap.analysis.portfolio import JourneySummary

__all__ = ["VIEWS", "THEMES", "build_dot", "build_silo_dot", "render_dot", "render_journey"]

VIEWS = ("journey", "blueprint", "silos")


def build_dot(
    analysis: JourneyAnalysis | Sequence[JourneyAnalysis],
    view: str = "journey",
    theme: str = "default",
    renderer: str = "auto",
    timeout: float | None = None,
    lane_order: Sequence[str] | None = None,
) -> str:
    """The DOT source of one view of a journey (``silos`` also takes several analyses).

    ``lane_order``: function ids whose lanes come first, in that order (the journey view; a
    to-be picture keeps its as-is lanes where they were).

    The journey and blueprint views are laid out here (Graphviz ``dot`` through ``renderer``,
    see docs/diagrams.md "How a grid is drawn"): the DOT returned pins every node and edge
    (``layout=nop2``), so any Graphviz draws exactly this picture from it."""
    chosen = get_theme(theme)
    if view == "silos":
        return build_silo_dot(analysis, theme)
    if not isinstance(analysis, JourneyAnalysis):
        raise UsageError(f"the {view!r} view draws one journey; only 'silos' takes several")
    if view == "journey":
        from journeymap.render.journey_view import build_journey_graph

        grid = build_journey_graph(analysis, chosen, lane_order)
    elif view == "blueprint":
        from journeymap.render.blueprint_view import build_blueprint_graph

        grid = build_blueprint_graph(analysis, chosen)
    else:
        raise UsageError(f"unknown view {view!r}; choose one of: {', '.join(VIEWS)}")
    from journeymap.render._grid import parse_layout
    from journeymap.render.graphviz import render

    layout = render(grid.layout_dot(), fmt="json0", renderer=renderer, timeout=timeout)
    return grid.drawing_dot(parse_layout(layout))


def build_silo_dot(
    analyses: JourneyAnalysis
    | JourneySummary
    | Sequence[JourneyAnalysis]
    | Sequence[JourneyAnalysis | JourneySummary],
    theme: str = "default",
) -> str:
    """The silo map: functions sized by the flow they own, handoffs aggregated between them.

    Takes analyses or their :class:`~journeymap.analysis.portfolio.JourneySummary` (the report
    index draws it from the summaries its cache keeps)."""
    # here, not at import: portfolio brings networkx, which the CLI starts without
    from journeymap.analysis.portfolio import JourneySummary
    from journeymap.render.silos_view import build_silo_graph

    items = (
        [analyses] if isinstance(analyses, (JourneyAnalysis, JourneySummary)) else list(analyses)
    )
    if not items:
        raise UsageError("the silos view needs at least one journey")
    return build_silo_graph(items, get_theme(theme))


def render_dot(
    dot: str,
    fmt: str = "svg",
    renderer: str = "auto",
    timeout: float | None = None,
    dpi: int | None = None,
) -> bytes:
    """Lay out and render DOT to ``fmt`` (svg, png, pdf, json, ...) with a bounded time.

    ``renderer``: ``embedded`` (Graphviz in WebAssembly; svg/json/dot/xdot/plain), ``system``
    (the ``dot`` program) or ``auto`` (embedded when it can make ``fmt``, else system).
    Raises :class:`~journeymap.errors.RenderError` on timeout, a missing renderer or format.
    """
    from journeymap.render.graphviz import render

    return render(dot, fmt=fmt, renderer=renderer, timeout=timeout, dpi=dpi)


def render_journey(
    analysis: JourneyAnalysis | Sequence[JourneyAnalysis],
    fmt: str = "svg",
    view: str = "journey",
    theme: str = "default",
    renderer: str = "auto",
    timeout: float | None = None,
    lane_order: Sequence[str] | None = None,
) -> bytes:
    """:func:`build_dot` then :func:`render_dot`; ``fmt="dot"`` returns the DOT source."""
    dot = build_dot(
        analysis, view=view, theme=theme, renderer=renderer, timeout=timeout, lane_order=lane_order
    )
    if fmt == "dot":
        return dot.encode("utf-8")
    dpi = get_theme(theme).dpi
    return render_dot(dot, fmt=fmt, renderer=renderer, timeout=timeout, dpi=dpi)
