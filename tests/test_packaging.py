"""constraints-min.txt pins every runtime dependency at the lower bound setup.cfg declares, so
`make test-min` tests exactly the oldest versions we promise to work with."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def lower_bounds() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    out = {}
    for line in parser["options"]["install_requires"].split():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9][0-9.]*)", line)
        assert match, f"install_requires entry without a plain lower bound: {line}"
        out[_name(match.group(1))] = match.group(2)
    return out


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints-min.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            out[_name(name)] = version.strip()
    return out


def _same(a: str, b: str) -> bool:
    parts = lambda v: [int(p) for p in v.split(".")]  # noqa: E731
    x, y = parts(a), parts(b)
    width = max(len(x), len(y))
    return x + [0] * (width - len(x)) == y + [0] * (width - len(y))


def test_every_lower_bound_is_pinned_and_nothing_else() -> None:
    bounds, pinned = lower_bounds(), pins()
    assert set(bounds) == set(pinned)
    for name, version in bounds.items():
        assert _same(version, pinned[name]), (name, version, pinned[name])
