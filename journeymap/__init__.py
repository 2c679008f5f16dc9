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
]


def analyze(journey: Journey, config: Config | None = None) -> JourneyAnalysis:
    """Analyse one journey (see :func:`journeymap.analysis.engine.analyze`).

    Imported on first call so that ``import journeymap`` stays fast.
    """
    from journeymap.analysis.engine import analyze as run

    return run(journey, config)
