"""The list of commands ``journeymap`` offers; each module defines one click command."""

from __future__ import annotations

import click

ALL: list[click.Command] = []
from journeymap.cli.analyze import analyze  # noqa: E402
from journeymap.cli.check import check  # noqa: E402

ALL += [analyze, check]
from journeymap.cli.interchange import export_command, import_command  # noqa: E402

ALL += [import_command, export_command]
from journeymap.cli.validate import validate  # noqa: E402

ALL += [validate]
from journeymap.cli.report import report  # noqa: E402

ALL += [report]
from journeymap.cli.diff import diff  # noqa: E402

ALL += [diff]
from journeymap.cli.serve import serve  # noqa: E402

ALL += [serve]
from journeymap.cli.init import init  # noqa: E402
from journeymap.cli.schema import schema  # noqa: E402

ALL += [init, schema]
from journeymap.cli.render import render  # noqa: E402

ALL += [render]
from journeymap.cli.whatif import whatif  # noqa: E402

ALL += [whatif]
from journeymap.cli.mine import mine  # noqa: E402

ALL += [mine]
from journeymap.cli.conform import conform  # noqa: E402

ALL += [conform]
