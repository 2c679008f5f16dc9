"""The swimlane grid shared by the journey and blueprint views.

Graphviz ``dot`` lays a ``rankdir=LR`` graph out in ranks (columns, left to right) and orders the
nodes of a rank top to bottom; clusters become bands. Stage columns are easy to force (ranks
obey edges); the *order of clusters* is not: dot's crossing minimisation swaps whole clusters
freely, and flat edges between clusters are ignored at that level. What holds, tested on
thousands of random graphs and on every example journey (tests/render/test_geometry.py):

- **Columns are ours.** We compute each node's column (stage by stage, in file order; inside a
  stage by the longest chain of transitions) and pin it with ``rank=same`` to an invisible
  column anchor; the anchors are chained left to right inside a header band. No visible edge
  decides a rank.
- **Lane order is ours.** Lane header nodes sit outside the clusters in one rank, chained by
  flat edges (which dot does respect between nodes of the same cluster, here the root), and
  each header is tied to the first cell of its band. Visible edges *between* bands are
  ``constraint=false``: they would otherwise make dot reorder the bands to cut crossings.
  Edges inside a band that point forward keep their constraint, so dot still orders nodes
  within a band to limit crossings.
- Every band holds an invisible cell in the first and last column, so all bands span the full
  width; ``newrank=true`` lets ``rank=same`` reach across clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pydot

from journeymap.render._dot import Quoted, attrs, cluster, dot_text, edge, node
from journeymap.render.escape import dot_quote
from journeymap.render.themes import Theme

__all__ = ["Band", "Grid", "back_edges"]

_INVISIBLE = {"style": "invis"}


@dataclass
class Band:
    """One horizontal band: a swimlane (``lane``) or a drawn separator line (``line``)."""

    key: str
    header: Quoted
    css_id: str
    fill: str = "#FFFFFF"
    kind: str = "lane"
    css_class: str = "lane"
    nodes: list[str] = field(default_factory=list)


@dataclass
class _Content:
    name: str
    band: str
    stage: int
    values: dict[str, object]
    follows: str | None = None  # same column as this node
    column: int | None = None  # a fixed column (legend items), modulo the column count


@dataclass
class _Link:
    tail: str
    head: str
    values: dict[str, object]


class Grid:
    """Collects bands, stage columns, content nodes and edges; emits deterministic DOT."""

    def __init__(
        self,
        name: str,
        theme: Theme,
        stages: Sequence[tuple[str, Quoted]],
        bands: Sequence[Band],
        graph_attrs: dict[str, object],
    ) -> None:
        self.name = name
        self.theme = theme
        self.stages = list(stages)
        self.bands = {band.key: band for band in bands}
        self.band_order = [band.key for band in bands]
        self.graph_attrs = graph_attrs
        self._content: dict[str, _Content] = {}
        self._links: list[_Link] = []

    def add(
        self,
        band_key: str,
        stage_index: int,
        name: str,
        *,
        follows: str | None = None,
        column: int | None = None,
        attributes: dict[str, object] | None = None,
        **values: object,
    ) -> None:
        """Place a content node in a band and a stage (``follows``: in that node's column;
        ``column``: in that column counted across the whole grid, wrapping around)."""
        values = {**(attributes or {}), **values}
        self.bands[band_key].nodes.append(name)
        self._content[name] = _Content(name, band_key, stage_index, values, follows, column)

    def connect(self, tail: str, head: str, **values: object) -> None:
        """A visible edge between content nodes (its constraint is decided in :meth:`to_dot`)."""
        self._links.append(_Link(tail, head, values))

    # -- columns -------------------------------------------------------------------------------

    def _columns(self) -> tuple[dict[str, int], list[int], set[int], int]:
        """Each node's column, each stage's first column, back-edge indexes, column count."""
        content = self._content
        within: list[tuple[str, str]] = []
        for link in self._links:
            ca, cb = content.get(link.tail), content.get(link.head)
            if ca and cb and ca.stage == cb.stage and _free(ca) and _free(cb):
                within.append((link.tail, link.head))
        loops = back_edges(list(content), within)
        preds: dict[str, list[str]] = {n: [] for n in content}
        for a, b in within:
            if (a, b) not in loops:
                preds[b].append(a)
        depth: dict[str, int] = {}

        def depth_of(n: str) -> int:  # iterative longest path on the acyclic remainder
            stack = [n]
            while stack:
                top = stack[-1]
                pending = [p for p in preds[top] if p not in depth]
                if pending:
                    stack.extend(pending)
                    continue
                stack.pop()
                depth[top] = 1 + max((depth[p] for p in preds[top]), default=-1)
            return depth[n]

        widths = [1] * len(self.stages)
        for n, c in content.items():
            if _free(c):
                widths[c.stage] = max(widths[c.stage], depth_of(n) + 1)
        starts = [0] * len(self.stages)
        for i in range(1, len(self.stages)):
            starts[i] = starts[i - 1] + widths[i - 1]
        total = sum(widths) or 1
        column = {n: starts[c.stage] + depth[n] for n, c in content.items() if _free(c)}
        for n, c in content.items():
            if c.column is not None:
                column[n] = c.column % total
            elif c.follows:
                column[n] = column.get(c.follows, starts[c.stage])
        back = {i for i, link in enumerate(self._links) if (link.tail, link.head) in loops}
        return column, starts, back, total

    # -- output --------------------------------------------------------------------------------

    def to_dot(self) -> str:
        """The DOT text: graph attributes, header band, lane headers, bands, ranks, edges."""
        theme = self.theme
        column, starts, back, n_inner = self._columns()
        # an empty column on each side holds the bands' edge cells, so every band starts and
        # ends at the same x whatever the width of its first and last nodes
        column = {n: c + 1 for n, c in column.items()}
        starts = [s + 1 for s in starts]
        n_columns = n_inner + 2
        graph = pydot.Dot(dot_quote(self.name), graph_type="digraph", strict=False)
        graph.set_graph_defaults(**attrs(self.graph_attrs))
        graph.set_node_defaults(
            **attrs(
                {
                    "fontname": theme.font,
                    "fontsize": theme.font_size,
                    "fontcolor": theme.ink,
                    "color": theme.ink,
                    "shape": "box",
                    "style": "rounded,filled",
                    "fillcolor": theme.node_fill,
                    "margin": "0.08,0.04",
                }
            )
        )
        graph.set_edge_defaults(
            **attrs(
                {
                    "fontname": theme.font,
                    "fontsize": theme.font_size * 0.85,
                    "fontcolor": theme.ink,
                    "color": theme.muted,
                    "penwidth": theme.edge_width,
                    "arrowsize": 0.8,
                }
            )
        )
        point = {"shape": "point", "width": 0.01, "height": 0.01, **_INVISIBLE}

        # the lane ladder: root-level points in one rank, chained top to bottom by flat edges
        graph.add_node(node("~corner", **point))
        for b in range(len(self.band_order)):
            graph.add_node(node(f"~lane-{b}", **point))

        # header band: stage headers on the first column of each stage, anchors elsewhere
        header = cluster(
            "stages", {"label": "", "peripheries": 0, "margin": 4, "id": "stage-headers"}
        )
        stage_at = {start: i for i, start in enumerate(starts)}
        for col in range(n_columns):
            if col in stage_at:
                stage_id, label = self.stages[stage_at[col]]
                header.add_node(
                    node(
                        f"~col-{col}",
                        label=label,
                        id=f"stage-{stage_id}",
                        class_="stage",
                        shape="box",
                        style="filled",
                        fillcolor=theme.header_fill,
                        fontcolor=theme.header_ink,
                        fontname=theme.bold,
                        fontsize=theme.font_size * 1.15,
                        color=theme.header_fill,
                    )
                )
            else:
                header.add_node(node(f"~col-{col}", **point))
        graph.add_subgraph(header)

        last = n_columns - 1
        for b, key in enumerate(self.band_order):
            band = self.bands[key]
            line = band.kind == "line"
            band_graph = cluster(
                f"band_{b}",
                {
                    "id": band.css_id,
                    "class": band.css_class,
                    "label": band.header,
                    "labeljust": "l",
                    "labelloc": "t",
                    "fontcolor": theme.muted if line else theme.ink,
                    "fontname": theme.font if line else theme.bold,
                    "fontsize": theme.font_size * (1.0 if line else 1.15),
                    "style": "filled" if not line else "invis",
                    "fillcolor": band.fill,
                    "color": theme.lane_border,
                    "penwidth": 1,
                    "margin": 10 if not line else 2,
                },
            )
            cells = range(n_columns) if line else sorted({0, last})
            for col in cells:
                if line:
                    band_graph.add_node(
                        node(f"~cell-{b}-{col}", shape="point", width=0.03, color=theme.muted)
                    )
                else:
                    band_graph.add_node(node(f"~cell-{b}-{col}", **point))
            for name in band.nodes:
                band_graph.add_node(node(name, **self._content[name].values))
            graph.add_subgraph(band_graph)

        # ranks: the lane header column; each column with its anchor, cells and content
        members: dict[int, list[str]] = {col: [f"~col-{col}"] for col in range(n_columns)}
        for b, key in enumerate(self.band_order):
            line = self.bands[key].kind == "line"
            for col in range(n_columns) if line else sorted({0, last}):
                members[col].append(f"~cell-{b}-{col}")
        for name in self._content:
            members[column[name]].append(name)
        groups = [["~corner", *(f"~lane-{b}" for b in range(len(self.band_order)))]]
        groups.extend(members[col] for col in range(n_columns))
        for g, group in enumerate(groups):
            sub = pydot.Subgraph(f"rank_{g}", rank="same")
            for member in group:
                sub.add_node(pydot.Node(dot_quote(member)))
            graph.add_subgraph(sub)

        # scaffolding edges
        chain = ["~corner", *(f"~lane-{b}" for b in range(len(self.band_order)))]
        for a, b_ in zip(chain, chain[1:], strict=False):
            graph.add_edge(edge(a, b_, **_INVISIBLE))
        graph.add_edge(edge("~corner", "~col-0", weight=100, **_INVISIBLE))
        for col in range(n_columns - 1):
            graph.add_edge(edge(f"~col-{col}", f"~col-{col + 1}", **_INVISIBLE))
        for b, key in enumerate(self.band_order):
            graph.add_edge(edge(f"~lane-{b}", f"~cell-{b}-0", weight=100, **_INVISIBLE))
            if self.bands[key].kind == "line":
                for col in range(n_columns - 1):
                    graph.add_edge(
                        edge(
                            f"~cell-{b}-{col}",
                            f"~cell-{b}-{col + 1}",
                            style=theme.line_style,
                            arrowhead="none",
                            color=theme.muted,
                            weight=10,
                            class_="line",
                        )
                    )
            elif last:
                graph.add_edge(edge(f"~cell-{b}-0", f"~cell-{b}-{last}", **_INVISIBLE))

        # nodes with a fixed column (legend items) keep their order top to bottom in a column
        fixed: dict[tuple[str, int], list[str]] = {}
        for name, c in self._content.items():
            if c.column is not None:
                fixed.setdefault((c.band, column[name]), []).append(name)
        for names in fixed.values():  # inside a cluster, dot puts a flat edge's head on top
            names = names[::-1]
            for a, b_ in zip(names, names[1:], strict=False):
                graph.add_edge(edge(a, b_, **_INVISIBLE))

        # visible edges: only forward edges inside one band may constrain the layout
        for i, link in enumerate(self._links):
            values = dict(link.values)
            tail, head = self._content.get(link.tail), self._content.get(link.head)
            forward = (
                tail is not None
                and head is not None
                and tail.band == head.band
                and column[link.tail] < column[link.head]
                and i not in back
            )
            if not forward:
                values.setdefault("constraint", False)
            if "label" in values:
                # an edge label is a node of its own in dot's ranking, which doubles the
                # distance between columns; an external label is placed after the layout
                values["xlabel"] = values.pop("label")
            graph.add_edge(edge(link.tail, link.head, **values))
        return dot_text(graph)


def _free(c: _Content) -> bool:
    return c.follows is None and c.column is None


def back_edges(order: Sequence[str], edges: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges closing a cycle in a depth-first search that starts nodes in ``order``.

    Deterministic: roots and successors are taken in the given order. Self-loops count as
    back edges. Used per stage so a cycle inside a stage has a fixed, documented break.
    """
    succ: dict[str, list[str]] = {n: [] for n in order}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    found: set[tuple[str, str]] = set()
    for root in succ:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            current, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    found.add((current, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
                    break
            else:
                state[current] = 2
                stack.pop()
    return found
