"""The list of commands ``journeymap`` offers; each module defines one click command."""

from __future__ import annotations

import click

ALL: list[click.Command] = []
