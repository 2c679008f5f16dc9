"""journeymap: customer journeys as graphs, and where functional silos break them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.errors import InputError, JourneymapError, Problem, RenderError, UsageError
from journeymap.load import load_journey, load_journeys
from journeymap.model import (
    Channel,
    Function,
    Integration,
    Journey,
    Location,
    Stage,
    System,
    Touchpoint,
    Transition,
)

if TYPE_CHECKING:
    import networkx as nx

    from journeymap.analysis.types import JourneyAnalysis
    from journeymap.config import Config

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Channel",
    "Function",
    "Integration",
    "Journey",
    "Location",
    "Stage",
    "System",
    "Touchpoint",
    "Transition",
    "InputError",
    "JourneymapError",
    "Problem",
    "RenderError",
    "UsageError",
    "analyze",
    "load_journey",
    "load_journeys",
    "to_networkx",
]


def analyze(journey: Journey, config: Config | None = None) -> JourneyAnalysis:
    """Analyse one journey (see :func:`journeymap.analysis.engine.analyze`).

    Imported on first call so that ``import journeymap`` stays fast.
    """
    from journeymap.analysis.engine import analyze as run

    return run(journey, config)


def to_networkx(journey: Journey, analysis: JourneyAnalysis | None = None) -> nx.DiGraph:
    """The journey as a networkx ``DiGraph``, the graph the analyses run on (see
    :func:`journeymap.graph.to_networkx` for its attributes; docs/api.md for an example).

    With ``analysis`` (``journeymap.analyze(journey)``) nodes and edges also carry flows, and
    handoffs their risk, rule codes and number. Imported on first call so that ``import
    journeymap`` does not import networkx.
    """
    from journeymap.graph import to_networkx as build

    return build(journey, analysis)
