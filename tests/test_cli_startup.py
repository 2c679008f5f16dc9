"""The CLI starts without the heavy libraries: every command pays for its own imports only.

The benchmark ``CLI cold start`` measures the time (target: under +0.25 s above a bare
interpreter); this test names the modules, so a regression says which import brought them.
It failed when ``journeymap.interchange`` imported every format's module (networkx through
GraphML) and ``whatif``'s options came from ``journeymap.scenario`` (the engine): 0.74 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY = (
    "networkx",
    "numpy",
    "scipy",
    "duckdb",
    "pyspark",
    "jinja2",
    "pydot",
    "openpyxl",
    "defusedxml",
    "wasmtime",
    "journeymap.analysis.engine",
    "journeymap.interchange.graphml",
    "journeymap.interchange.xlsx",
    "journeymap.interchange.bpmn_import",
    "journeymap.render",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import journeymap.cli") == []


def test_help_of_every_command_loads_no_heavy_library() -> None:
    code = (
        "from click.testing import CliRunner\n"
        "from journeymap.cli import main\n"
        "for name in sorted(main.commands):\n"
        "    assert CliRunner().invoke(main, [name, '--help']).exit_code == 0, name\n"
    )
    assert _loaded_after(code) == []


def test_the_interchange_functions_still_import_from_the_package() -> None:
    """Every name of ``journeymap.interchange.__all__`` imports in a fresh interpreter (the
    format functions through the lazy table), and each format's functions are the modules'
    own once called for."""
    from journeymap import interchange
    from journeymap.interchange.csv_table import export_csv

    code = (
        "import journeymap.interchange as m\n"
        "for name in m.__all__:\n"
        "    exec(f'from journeymap.interchange import {name}')\n"
        "    assert name in dir(m), name\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert interchange.export_csv is export_csv
    for name, module in interchange._HOMES.items():  # each home holds its function
        home = __import__(f"journeymap.interchange.{module}", fromlist=[name])
        assert getattr(interchange, name) is getattr(home, name), name


def test_the_format_table_pickles_and_documents_its_functions() -> None:
    import pickle

    from journeymap.interchange import FORMATS
    from journeymap.interchange.csv_table import export_csv

    exporter = FORMATS["csv"].exporter
    assert exporter is not None and exporter.__doc__ == export_csv.__doc__
    assert pickle.loads(pickle.dumps(exporter)).__name__ == "export_csv"
