"""The analysis configuration: ``.journeymap.yaml`` kept beside the journeys.

Looked up from the journeys' folder upwards, stopping at a folder that contains ``.git`` (the
repository root) or at the filesystem root; without one the defaults apply. Every key is optional;
unknown keys and wrong types are :class:`~journeymap.errors.InputError` with ``path:line:col``.
See docs/config.md.

.. code-block:: yaml

    thresholds:
      wait_hours: 24          # JM106: a handoff wait above this (number of hours, or 1d, 90m...)
      stage_functions: 3      # JM201: a stage spread over this many functions or more
    check:                    # the gate of `journeymap check` (unset: no limit)
      max_expected_handoffs: 3.5
      max_handoffs_on_path: 8
      max_wait_hours: 72      # expected wait per entering customer
    risk:
      weights: {JM100: 1, JM102: 3}   # per rule; unlisted rules keep their default weight
    search:
      path_budget: 200000     # steps of the simple-path search (most handoffs on a path)
      state_budget: 20000000  # states of the repeat-ask search
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journeymap.errors import InputError, Problem
from journeymap.model import Location

__all__ = ["CONFIG_NAME", "DEFAULT_WEIGHTS", "Config", "load_config", "read_config", "find_config"]

CONFIG_NAME = ".journeymap.yaml"

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "JM100": 1.0,  # every handoff: the customer changes hands
        "JM101": 2.0,  # nobody accountable for the gap
        "JM102": 3.0,  # context lost
        "JM103": 3.0,  # customer repeats themselves (on the transitions that lose the item)
        "JM104": 1.0,  # channel switch
        "JM105": 2.0,  # emotion drop
        "JM106": 2.0,  # long wait
        "JM107": 2.0,  # shadow system not integrated
        "JM108": 3.0,  # bounced back
    }
)
"""Risk weight of each factor; see docs/methodology.md ("The risk score")."""


def _weights(overrides: Mapping[str, float] | None = None) -> Mapping[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    merged.update(overrides or {})
    return MappingProxyType(merged)


@dataclass(frozen=True)
class Config:
    """Thresholds, risk weights, search budgets and gate limits for the engine and ``check``."""

    weights: Mapping[str, float] = field(default_factory=_weights)
    wait_hours: float = 24.0
    stage_functions: int = 3
    max_expected_handoffs: float | None = None
    max_handoffs_on_path: int | None = None
    max_wait_hours: float | None = None
    path_budget: int = 200_000
    state_budget: int = 20_000_000
    source: str | None = None  # the file it was read from, None for the defaults

    @classmethod
    def default(cls) -> Config:
        """The built-in defaults."""
        return cls()

    def weight(self, rule: str) -> float:
        """The risk weight of ``rule`` (0 for rules that are not risk factors)."""
        return float(self.weights.get(rule, 0.0))


# section -> key -> kind of value: "hours", "count", "number" or "weights"
_SCHEMA: dict[str, dict[str, str]] = {
    "thresholds": {"wait_hours": "hours", "stage_functions": "count"},
    "check": {
        "max_expected_handoffs": "number",
        "max_handoffs_on_path": "count",
        "max_wait_hours": "hours",
    },
    "risk": {"weights": "weights"},
    "search": {"path_budget": "count", "state_budget": "count"},
}
_UNITS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")


def find_config(start: Path | str) -> Path | None:
    """The ``.journeymap.yaml`` for journeys at ``start`` (a folder, or a file in it), if any."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_config(start: Path | str) -> Config:
    """The configuration for journeys at ``start``.

    ``start`` is a folder of journeys or a journey file: the config is looked up from that folder
    upwards (see :func:`find_config`). A file named ``.journeymap.yaml`` is read directly; read
    any other config file with :func:`read_config`. Without a config file the defaults apply.
    """
    path = Path(start)
    if path.name == CONFIG_NAME and path.is_file():
        return read_config(path)
    found = find_config(path)
    return read_config(found) if found is not None else Config.default()


def read_config(path: Path | str) -> Config:
    """Read one config file; raise :class:`InputError` listing every problem in it."""
    import yaml

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError.at(Location(name, 1, 1), f"cannot read config file: {err}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        problem = getattr(err, "problem", None) or str(err)
        raise InputError.at(where, f"invalid YAML in config file: {problem}") from None
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if root is not None:
        if not isinstance(root, yaml.MappingNode):
            raise InputError.at(
                _at(name, root),
                "the config file must be a mapping of sections",
                f"expected sections {', '.join(_SCHEMA)}",
            )
        for section_key, section in _pairs(name, root, problems):
            fields = _SCHEMA.get(section_key.value)
            if fields is None:
                problems.append(_unknown(name, section_key, list(_SCHEMA), "section"))
                continue
            if not isinstance(section, yaml.MappingNode):
                problems.append(
                    Problem(_at(name, section), f"`{section_key.value}` must be a mapping")
                )
                continue
            for key, node in _pairs(name, section, problems):
                kind = fields.get(key.value)
                if kind is None:
                    problems.append(
                        _unknown(name, key, list(fields), f"key in `{section_key.value}`")
                    )
                    continue
                value = _convert(name, key.value, kind, node, problems)
                if value is not None:
                    values[key.value] = value
    if problems:
        raise InputError(problems)
    config = Config(source=name)
    weights = values.pop("weights", None)
    if weights is not None:
        config = replace(config, weights=_weights(weights))
    return replace(config, **values)


def _at(name: str, node: Any) -> Location:
    mark = node.start_mark
    return Location(name, mark.line + 1, mark.column + 1)


def _pairs(name: str, mapping: Any, problems: list[Problem]) -> list[tuple[Any, Any]]:
    """Key/value node pairs with scalar string keys; duplicates are problems."""
    import yaml

    seen: dict[str, Any] = {}
    pairs = []
    for key, value in mapping.value:
        if not isinstance(key, yaml.ScalarNode):
            problems.append(Problem(_at(name, key), "keys must be plain names"))
            continue
        if key.value in seen:
            first = seen[key.value].start_mark.line + 1
            problems.append(
                Problem(
                    _at(name, key),
                    f"duplicate key `{key.value}` (first at line {first})",
                    "keep one of them",
                )
            )
            continue
        seen[key.value] = key
        pairs.append((key, value))
    return pairs


def _unknown(name: str, key: Any, known: list[str], what: str) -> Problem:
    close = difflib.get_close_matches(key.value, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"expected one of {', '.join(known)}"
    return Problem(_at(name, key), f"unknown {what} `{key.value}`", hint)


def _number(node: Any) -> float | None:
    import yaml

    if not isinstance(node, yaml.ScalarNode) or node.tag not in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    ):
        return None
    try:
        value = float(node.value.replace("_", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _convert(name: str, key: str, kind: str, node: Any, problems: list[Problem]) -> Any:
    import yaml

    where = _at(name, node)
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return None
    if kind == "weights":
        if not isinstance(node, yaml.MappingNode):
            problems.append(
                Problem(
                    where,
                    "`weights` must map rule codes to numbers",
                    "for example {JM102: 3, JM104: 0.5}",
                )
            )
            return None
        weights: dict[str, float] = {}
        for code_node, value_node in _pairs(name, node, problems):
            code = code_node.value.upper()
            if code not in DEFAULT_WEIGHTS:
                problems.append(_unknown(name, code_node, list(DEFAULT_WEIGHTS), "risk factor"))
                continue
            value = _number(value_node)
            if value is None or value < 0:
                problems.append(
                    Problem(_at(name, value_node), f"weight of {code} must be a number >= 0")
                )
                continue
            weights[code] = value
        return weights
    if kind == "hours":
        value = _number(node)
        if value is None and isinstance(node, yaml.ScalarNode):
            match = _DURATION.match(node.value)
            if match:
                value = float(match.group(1)) * _UNITS[match.group(2)]
        if value is None or value < 0:
            problems.append(
                Problem(
                    where,
                    f"`{key}` must be a number of hours or a duration",
                    "for example 24, 36h, 2d or 1w",
                )
            )
            return None
        return value
    value = _number(node)
    if kind == "count":
        if value is None or value != int(value) or value < 1:
            problems.append(Problem(where, f"`{key}` must be a whole number >= 1"))
            return None
        return int(value)
    if value is None or value < 0:
        problems.append(Problem(where, f"`{key}` must be a number >= 0"))
        return None
    return value
