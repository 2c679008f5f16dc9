"""Small helpers for building pydot graphs whose every id and value we quote ourselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydot

from journeymap.render.escape import GRAPHVIZ_STRING_LIMIT, dot_quote

__all__ = [
    "Quoted",
    "attrs",
    "cluster",
    "dot_text",
    "edge",
    "label",
    "node",
    "num",
]


class Quoted(str):
    """A finished DOT double-quoted string (from :func:`label`), passed through as is."""

    __slots__ = ()


def label(lines: list[str], justify: str = "n") -> Quoted:
    """A multi-line DOT label: each line quoted and escaped, joined by ``\\n`` or ``\\l``.

    ``justify`` ``"l"`` left-justifies every line. The line texts are journey text: every
    backslash is doubled and every quote escaped, so only our own separators are escapes.
    """
    sep = "\\l" if justify == "l" else "\\n"
    body = sep.join(dot_quote(line)[1:-1] for line in lines)
    if len(body) >= GRAPHVIZ_STRING_LIMIT - 8:
        raise ValueError("label over Graphviz's string limit")
    return Quoted(f'"{body}{sep if justify == "l" else ""}"')


def num(value: float) -> str:
    """A number for DOT, with at most two decimals and no trailing zeros (deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _value(value: object) -> str:
    kind = type(value)
    if kind is str:  # the common case first
        return dot_quote(value)
    if isinstance(value, Quoted):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return num(float(value))
    return dot_quote(value)


def attrs(values: Mapping[str, object]) -> dict[str, str]:
    """Quote every attribute value: finished labels as they are, numbers plainly, the rest quoted."""
    return {key: _value(value) for key, value in values.items() if value is not None}


def node(name: str, **values: object) -> pydot.Node:
    """A pydot node with a quoted name and quoted attributes (``class_`` means ``class``)."""
    if "class_" in values:
        values["class"] = values.pop("class_")
    item = pydot.Node(dot_quote(name))
    for key, value in attrs(values).items():
        item.set(key, value)
    return item


def edge(tail: str, head: str, **values: object) -> pydot.Edge:
    """A pydot edge between two quoted node names, attributes quoted."""
    if "class_" in values:
        values["class"] = values.pop("class_")
    item = pydot.Edge(dot_quote(tail), dot_quote(head))
    for key, value in attrs(values).items():
        item.set(key, value)
    return item


def cluster(name: str, values: Mapping[str, object]) -> Any:
    """A pydot cluster (``cluster_<name>``; ``name`` is ours, never journey text). Typed ``Any``:
    pydot's stubs accept only a Subgraph in ``add_subgraph``, which a Cluster is at run time."""
    item = pydot.Cluster(name)
    for key, value in attrs(values).items():
        item.set(key, value)
    return item


def dot_text(graph: pydot.Dot) -> str:
    """The DOT text of ``graph``: pydot's own ``to_string`` (public API only, so the output is
    what every pydot release ``setup.cfg`` allows writes; tested against the lowest and newest)."""
    return str(graph.to_string())
