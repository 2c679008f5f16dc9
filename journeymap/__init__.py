"""journeymap: customer journeys as graphs, and where functional silos break them."""

from journeymap.errors import InputError, JourneymapError, Problem, RenderError, UsageError
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
]
