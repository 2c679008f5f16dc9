"""Interchange formats: export a journey to other tools, import touchpoint tables into YAML.

Export: ``mermaid`` (a Mermaid ``journey`` diagram), ``csv`` (one row per touchpoint, safe to
open in a spreadsheet), ``json`` (the model as plain data), ``bpmn`` (BPMN 2.0 XML, laid out).
Import: ``csv`` (the same table) and ``bpmn`` into a journey file.
"""

from collections.abc import Callable

from journeymap.interchange.bpmn import export_bpmn
from journeymap.interchange.bpmn_import import import_bpmn
from journeymap.interchange.csv_table import export_csv, import_csv
from journeymap.interchange.mermaid import export_mermaid, export_mermaid_flowchart
from journeymap.interchange.mermaid_import import import_mermaid
from journeymap.interchange.plain import export_json
from journeymap.model import Journey

EXPORT_FORMATS = ("mermaid", "mermaid-flowchart", "csv", "json", "bpmn")

__all__ = [
    "EXPORT_FORMATS",
    "export",
    "export_bpmn",
    "export_csv",
    "export_json",
    "export_mermaid",
    "export_mermaid_flowchart",
    "import_bpmn",
    "import_csv",
    "import_mermaid",
]


def export(journey: Journey, fmt: str) -> str:
    """The journey in format ``fmt`` (one of :data:`EXPORT_FORMATS`)."""
    exporters: dict[str, Callable[[Journey], str]] = {
        "mermaid": export_mermaid,
        "mermaid-flowchart": export_mermaid_flowchart,
        "csv": export_csv,
        "json": export_json,
        "bpmn": export_bpmn,
    }
    return exporters[fmt](journey)
