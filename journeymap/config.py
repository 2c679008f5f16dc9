"""The analysis configuration: ``.journeymap.yaml`` kept beside the journeys.

Looked up from the journeys' folder upwards, stopping at a folder that contains ``.git`` (the
repository root) or at the filesystem root; without one the defaults apply. Every key is optional;
unknown keys and wrong types are :class:`~journeymap.errors.InputError` with ``path:line:col``.
See docs/config.md.

.. code-block:: yaml

    thresholds:
      wait_hours: 24          # JM106: a handoff wait above this (hours, or a duration: 1d, 90m)
      stage_functions: 3      # JM201: a stage spread over this many functions or more
    check:                    # the gate of `journeymap check` (unset: no limit)
      max_expected_handoffs: 3.5
      max_handoffs_on_path: 8
      max_wait_hours: 72      # expected wait per entering customer
      min_conformance: 0.8    # with `check --log`: lived vs designed (docs/conformance.md)
      max_ad_hoc_touchpoints: 0
      max_missing_touchpoints: 0
      max_irregular_cases: 0.1  # share of cases with an irregular sequence
    risk:
      weights: {JM100: 1, JM102: 3}   # per rule; unlisted rules keep their default weight
    search:
      path_budget: 200000     # steps of the simple-path search (most handoffs on a path)
      state_budget: 20000000  # states of the repeat-ask search
    report:
      scenarios:              # what-if scenario files shown on a journey's report page
        claims-before: [scenarios/claims-office.yaml]   # paths relative to this file
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journeymap.catalog import DEFAULT_WEIGHTS as _CATALOGUE_WEIGHTS
from journeymap.durations import (
    DURATION_EXAMPLES,
    MAX_DURATION,
    MAX_DURATION_HOURS,
    parse_duration,
)
from journeymap.errors import InputError, Problem
from journeymap.model import Location
from journeymap.suggest import did_you_mean
from journeymap.yamlnodes import (
    MAX_FILE_BYTES,
    BadNode,
    MapNode,
    Node,
    Scalar,
    SeqNode,
    decode,
    describe,
    is_null,
    key_pairs,
    location,
    parse,
)

__all__ = ["CONFIG_NAME", "DEFAULT_WEIGHTS", "Config", "load_config", "read_config", "find_config"]

CONFIG_NAME = ".journeymap.yaml"

DEFAULT_WEIGHTS: Mapping[str, float] = _CATALOGUE_WEIGHTS
"""Risk weight of each rule that counts in the risk score, from the rule catalogue
(:data:`journeymap.catalog.DEFAULT_WEIGHTS`); see docs/methodology.md ("The risk
score")."""


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
    min_conformance: float | None = None
    max_ad_hoc_touchpoints: int | None = None
    max_missing_touchpoints: int | None = None
    max_irregular_cases: float | None = None
    path_budget: int = 200_000
    state_budget: int = 20_000_000
    #: journey id -> scenario files (absolute paths, as listed) its report page shows
    scenarios: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    source: str | None = None  # the file it was read from, None for the defaults

    @classmethod
    def default(cls) -> Config:
        """The built-in defaults."""
        return cls()

    def weight(self, rule: str) -> float:
        """The risk weight of ``rule`` (0 for rules that are not risk factors)."""
        return float(self.weights.get(rule, 0.0))


# section -> key -> kind of value: "hours", "count", "count0" (>= 0), "number", "fraction"
# (0..1), "weights" or "scenarios"
_SCHEMA: dict[str, dict[str, str]] = {
    "thresholds": {"wait_hours": "hours", "stage_functions": "count"},
    "check": {
        "max_expected_handoffs": "number",
        "max_handoffs_on_path": "count",
        "max_wait_hours": "hours",
        "min_conformance": "fraction",
        "max_ad_hoc_touchpoints": "count0",
        "max_missing_touchpoints": "count0",
        "max_irregular_cases": "fraction",
    },
    "risk": {"weights": "weights"},
    "search": {"path_budget": "count", "state_budget": "count"},
    "report": {"scenarios": "scenarios"},
}
_CORE = "tag:yaml.org,2002:"
_NUMBER_TAGS = frozenset((None, _CORE + "int", _CORE + "float"))
# a plain number as YAML writes it (``_`` separators allowed, as PyYAML's resolver does)
_NUMBER = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?\Z")


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
    """Read one config file; raise :class:`InputError` listing every problem in it.

    The file is read by the same hardened reader as journeys (:mod:`journeymap.yamlnodes`): no
    tags beyond the standard ones, no anchors or aliases, nesting capped, duplicate keys refused,
    every problem one ``path:line:col`` line.
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        reason = err.strerror or str(err)
        raise InputError.at(Location(name, 1, 1), f"cannot read config file: {reason}") from None
    text, problems = decode(data, name)
    if text is None:
        raise InputError(problems)
    parsed = parse(text, name, kind="config")
    problems = list(parsed.problems)
    root = parsed.root
    values: dict[str, Any] = {}
    if root is not None and not is_null(root) and root.__class__ is not BadNode:
        if not isinstance(root, MapNode):
            problems.append(
                Problem(
                    location(name, root),
                    "the config file must be a mapping of sections",
                    f"expected sections {', '.join(_SCHEMA)}",
                )
            )
        else:
            _read_sections(name, root, problems, values)
    if problems:
        problems.sort(key=lambda p: (p.location.line, p.location.col))
        raise InputError(problems)
    config = Config(source=name)
    weights = values.pop("weights", None)
    if weights is not None:
        config = replace(config, weights=_weights(weights))
    return replace(config, **values)


def _read_sections(
    name: str, root: MapNode, problems: list[Problem], values: dict[str, Any]
) -> None:
    for section_key, section in _pairs(name, root, problems):
        fields = _SCHEMA.get(section_key.value)
        if fields is None:
            problems.append(_unknown(name, section_key, list(_SCHEMA), "section"))
            continue
        if section.__class__ is BadNode or is_null(section):
            continue
        if not isinstance(section, MapNode):
            problems.append(
                Problem(location(name, section), f"`{section_key.value}` must be a mapping")
            )
            continue
        for key, node in _pairs(name, section, problems):
            kind = fields.get(key.value)
            if kind is None:
                problems.append(_unknown(name, key, list(fields), f"key in `{section_key.value}`"))
                continue
            value = _convert(name, key.value, kind, node, problems)
            if value is not None:
                values[key.value] = value


def _pairs(name: str, mapping: MapNode, problems: list[Problem]) -> list[tuple[Scalar, Node]]:
    """Key/value node pairs with scalar keys; duplicates are problems."""
    return key_pairs(name, mapping, problems)


def _unknown(name: str, key: Scalar, known: list[str], what: str) -> Problem:
    hint = did_you_mean(key.value, known) or f"expected one of {', '.join(known)}"
    return Problem(location(name, key), f"unknown {what} `{key.value}`", hint)


def _number(node: Node) -> float | None:
    """A finite number written as a plain (unquoted) YAML int or float, else None."""
    value = _written_number(node)
    return value if value is not None and math.isfinite(value) else None


def _written_number(node: Node) -> float | None:
    """The number a plain YAML int or float says (infinite when too large for a float)."""
    if not isinstance(node, Scalar) or node.style or node.tag not in _NUMBER_TAGS:
        return None
    if not _NUMBER.match(node.value):
        return None
    return float(node.value.replace("_", ""))


def _too_large(node: Node) -> bool:
    """A plain number too large for a float, such as ``1e400``."""
    value = _written_number(node)
    return value is not None and math.isinf(value)


def _hours(node: Node) -> float | None:
    """Hours from a bare number of hours or a duration (journeymap/durations.py), else None."""
    value = _number(node)
    if value is None and isinstance(node, Scalar) and node.tag in (None, _CORE + "str"):
        value = parse_duration(node.value)
    return value


def _scenarios(
    name: str, node: Node, problems: list[Problem]
) -> Mapping[str, tuple[str, ...]] | None:
    """``report.scenarios``: journey id -> scenario files, each relative to the config file's
    folder and required to exist (a missing one is a problem at its line)."""
    example = "for example {claims-before: [claims.scenarios.yaml]}"
    if not isinstance(node, MapNode):
        problems.append(
            Problem(
                location(name, node),
                "`scenarios` must map journey ids to scenario files",
                example,
            )
        )
        return None
    folder = os.path.dirname(os.path.abspath(name))
    result: dict[str, tuple[str, ...]] = {}
    for id_node, files_node in _pairs(name, node, problems):
        if files_node.__class__ is BadNode or is_null(files_node):
            continue
        items = files_node.items if isinstance(files_node, SeqNode) else [files_node]
        files: list[str] = []
        for item in items:
            if item.__class__ is BadNode:
                continue
            if not isinstance(item, Scalar) or item.tag not in (None, _CORE + "str"):
                problems.append(
                    Problem(
                        location(name, item),
                        f"scenario files of `{id_node.value}` must be paths, "
                        f"found {describe(item)}",
                        example,
                    )
                )
                continue
            path = os.path.normpath(os.path.join(folder, item.value))
            if not item.value or not os.path.isfile(path):
                problems.append(
                    Problem(
                        location(name, item),
                        f"no scenario file {item.value!r}",
                        "paths are relative to the folder of this config file",
                    )
                )
                continue
            files.append(path)
        result[id_node.value] = tuple(dict.fromkeys(files))
    return MappingProxyType(result)


def _convert(name: str, key: str, kind: str, node: Node, problems: list[Problem]) -> Any:
    if node.__class__ is BadNode or is_null(node):  # already reported, or null: the default
        return None
    where = location(name, node)
    if kind == "weights":
        if not isinstance(node, MapNode):
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
            if value_node.__class__ is BadNode:
                continue
            if _too_large(value_node):
                problems.append(
                    Problem(
                        location(name, value_node),
                        f"weight of {code} is too large ({describe(value_node)})",
                    )
                )
                continue
            weight = _number(value_node)
            if weight is None or weight < 0:
                problems.append(
                    Problem(location(name, value_node), f"weight of {code} must be a number >= 0")
                )
                continue
            weights[code] = weight
        return weights
    if kind == "scenarios":
        return _scenarios(name, node, problems)
    if kind == "hours":
        hours = math.inf if _too_large(node) else _hours(node)
        if hours is None or hours < 0:
            problems.append(
                Problem(
                    where,
                    f"`{key}` must be a number of hours or a duration such as "
                    f"{DURATION_EXAMPLES}, found {describe(node)}",
                )
            )
            return None
        if hours > MAX_DURATION_HOURS:
            problems.append(
                Problem(where, f"`{key}` is too long ({describe(node)}; at most {MAX_DURATION})")
            )
            return None
        return hours
    if _too_large(node):
        problems.append(Problem(where, f"`{key}` is too large ({describe(node)})"))
        return None
    value = _number(node)
    if kind == "fraction":
        if value is None or not 0 <= value <= 1:
            problems.append(Problem(where, f"`{key}` must be a number from 0 to 1"))
            return None
        return value
    if kind == "count0":
        if value is None or value != int(value) or value < 0:
            problems.append(Problem(where, f"`{key}` must be a whole number >= 0"))
            return None
        return int(value)
    if kind == "count":
        if value is None or value != int(value) or value < 1:
            problems.append(Problem(where, f"`{key}` must be a whole number >= 1"))
            return None
        return int(value)
    if value is None or value < 0:
        problems.append(Problem(where, f"`{key}` must be a number >= 0"))
        return None
    return value
