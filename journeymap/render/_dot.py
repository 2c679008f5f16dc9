"""Small helpers for building pydot graphs whose every id and value we quote ourselves."""

from __future__ import annotations

import re
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
    item.obj_dict["attributes"].update(attrs(values))
    return item


def edge(tail: str, head: str, **values: object) -> pydot.Edge:
    """A pydot edge between two quoted node names, attributes quoted."""
    if "class_" in values:
        values["class"] = values.pop("class_")
    item = pydot.Edge(dot_quote(tail), dot_quote(head))
    item.obj_dict["attributes"].update(attrs(values))
    return item


def cluster(name: str, values: Mapping[str, object]) -> Any:
    """A pydot cluster (``cluster_<name>``; ``name`` is ours, never journey text)."""
    item = pydot.Cluster(name)
    item.obj_dict["attributes"].update(attrs(values))
    return item


# -- serialising --------------------------------------------------------------------------------
# pydot's own ``to_string`` re-examines every id and value character by character to decide on
# quoting (most of the time of building a diagram). Ours are quoted already, so we write the
# same text directly: anything already double-quoted, a plain number or a bare word is emitted
# as is, exactly as pydot would; anything else goes through pydot's own quoting functions, so
# the output stays byte-identical to ``graph.to_string()`` (tests/render/test_svg_output.py).

_NUMBER = re.compile(r"[0-9]+\.?[0-9]*|[0-9]*\.[0-9]+")
_KEYWORDS = frozenset({"graph", "subgraph", "digraph", "node", "edge", "strict"})


def _attr_value(value: Any) -> str:
    if type(value) is str and value:
        if value[0] == '"' and value[-1] == '"' and len(value) >= 2:
            return value  # ours: already quoted
        if _NUMBER.fullmatch(value):
            return value
        if (
            value.isascii()
            and value.isalnum()
            and not value[0].isdigit()
            and value.lower() not in _KEYWORDS
        ):
            return value  # a bare word such as ``same`` or ``true``
    if value == "":
        return '""'
    return str(pydot.quote_attr_if_necessary(value))


def _attr_list(attributes: Mapping[str, Any]) -> list[str]:
    return [
        key if value is None else f"{key}={_attr_value(value)}"
        for key, value in attributes.items()
    ]


def _node_id(name: Any, unquoted: tuple[str, ...] = ()) -> str:
    if isinstance(name, str) and len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return name
    return str(pydot.quote_id_if_necessary(name, unquoted_keywords=unquoted))


def _write_graph(obj: dict[str, Any], out: list[str], top: bool, arrow: str) -> None:
    if obj.get("suppress_disconnected") or obj.get("simplify"):  # not ours: pydot's own way
        whole = pydot.Dot(obj_dict=obj) if top else pydot.Subgraph(obj_dict=obj)
        out.append(str(whole.to_string()))
        return
    head = []
    if top and obj.get("strict"):
        head.append("strict")
    if obj["type"] != "subgraph" or obj.get("show_keyword", True):
        head.append(obj["type"])
        if obj.get("name"):
            head.append(_node_id(obj["name"]))
    head.append("{\n")
    out.append(" ".join(head))
    out.extend(f"{a};\n" for a in _attr_list(obj["attributes"]))
    items: list[tuple[int, dict[str, Any]]] = []
    for part in ("edges", "nodes", "subgraphs"):
        for group in obj[part].values():
            items.extend((item["sequence"], item) for item in group)
    items.sort(key=lambda pair: pair[0])
    for _, item in items:
        kind = item["type"]
        if kind == "node":
            name = _node_id(item["name"], ("graph", "node", "edge"))
            attributes = item.get("attributes", {})
            if name in ("graph", "node", "edge") and not attributes:
                out.append("\n")  # pydot writes an empty line for a bare keyword node
                continue
            listed = _attr_list(attributes)
            out.append(f"{name} [{', '.join(listed)}];\n" if listed else f"{name};\n")
        elif kind == "edge":
            tail, head_ = item["points"]
            if not all(isinstance(p, str) and p[:1] == '"' == p[-1:] for p in (tail, head_)):
                out.append(pydot.Edge(obj_dict=item).to_string(indent_level=0) + "\n")
                continue
            listed = _attr_list(item["attributes"])
            text = f"{tail} {arrow} {head_}"
            out.append(f"{text} [{', '.join(listed)}];\n" if listed else f"{text};\n")
        else:
            _write_graph(item, out, False, arrow)
    out.append("}\n")


def dot_text(graph: pydot.Dot) -> str:
    """``graph.to_string()``, byte for byte, without pydot's per-character quoting checks.

    For graphs built with :func:`node`, :func:`edge` and :func:`cluster` (ids and values quoted
    by us); anything else is quoted by pydot's own functions, as ``to_string`` would.
    """
    out: list[str] = []
    arrow = "->" if graph.obj_dict["type"] == "digraph" else "--"
    _write_graph(graph.obj_dict, out, True, arrow)
    return "".join(out)
