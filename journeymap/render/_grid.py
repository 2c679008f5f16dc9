"""The stage x function grid shared by the journey and blueprint views, drawn in two passes.

**Pass 1, the layout.** Graphviz ``dot`` lays out a constrained graph: ``rankdir=LR`` ranks are
our columns, lanes are clusters. What we decide and what ``dot`` decides:

- *Columns are ours.* Stages are columns left to right in file order; inside a stage a
  touchpoint's column is the longest chain of transitions within its lane before it (a
  transition to another lane may stay in the same column). When the natural grid would be too
  wide for a 16:9 screen, a stage's chain is folded onto more rows (:func:`choose_widths`).
  Every column is pinned with ``rank=same`` to an invisible anchor; anchors are chained left to
  right, so empty columns keep their place and width.
- *Lane order is ours.* Lane ladder nodes sit outside the clusters in one rank, chained by flat
  edges, each tied to its band's first cell (the lane's label, column 0). Visible edges between
  bands, and edges pointing backwards, are ``constraint=false``: otherwise dot reorders bands.
- *Order within a cell is dot's:* its crossing minimisation (a barycentre/median sweep over the
  ranks, deterministic) orders the touchpoints of one lane and column top to bottom, and dot
  routes every edge around the boxes.

Every box is ``fixedsize`` with the size we measured (:mod:`._text`), so the embedded and the
system Graphviz reserve the same room. Pass 1 carries no text at all.

**Pass 2, the drawing.** A second DOT with ``layout=nop2`` pins every node where pass 1 put it
and keeps every edge's spline; Graphviz only draws it. It adds what ``dot`` cannot lay out:
stage columns as bands over all lanes with their headers, the lane labels, the title, the key,
and each edge's marker and share placed on its routed curve where it collides with no box and
no other text. ``render --format dot`` writes this DOT: any Graphviz redraws the same picture.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pydot

from journeymap.render._dot import Quoted, attrs, cluster, dot_text, edge, label, node, num
from journeymap.render._text import fit_lines, line_height, text_width
from journeymap.render.escape import dot_quote
from journeymap.render.themes import Theme

__all__ = ["Band", "Grid", "Metrics", "back_edges", "choose_widths", "metrics_for"]

_INVISIBLE = {"style": "invis"}
ASPECT = (1920.0, 1080.0)  # the screen a fitted diagram is optimised for
LARGE = 300  # boxes beyond which dot is asked for fewer optimisation passes


# -- sizes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Every length of the grid in points, derived from the theme's type size."""

    name_size: float
    meta_size: float
    node_w: float
    node_h: float
    pad_x: float
    column_gap: float  # between columns: room for markers on the edges
    row_gap: float  # between touchpoints of one lane
    lane_margin: float
    label_size: float  # lane labels and stage headers
    header_h: float
    title_size: float
    small_size: float  # shares, key text
    marker_d: float
    marker_size: float
    line_h: float  # a blueprint line band


def metrics_for(theme: Theme) -> Metrics:
    """The grid's lengths for ``theme`` (its type size and density)."""
    f = theme.font_size
    meta = f * theme.meta_scale
    name_lines = line_height(f, 2)
    node_h = 0.45 * f + name_lines + 0.05 * f + line_height(meta)
    label_size = f * 1.0
    return Metrics(
        name_size=f,
        meta_size=meta,
        node_w=f * theme.node_em,
        node_h=node_h,
        pad_x=0.45 * f,
        column_gap=f * theme.gap_em,
        row_gap=0.6 * f,
        lane_margin=0.3 * f,
        label_size=label_size,
        header_h=line_height(label_size, 1) + 0.7 * f,
        title_size=f * 1.5,
        small_size=max(f * 0.85, meta),
        marker_d=f * 1.55,
        marker_size=f * 0.9,
        line_h=line_height(meta) + 0.4 * f,
    )


# -- the model the views fill --------------------------------------------------------------------


@dataclass
class Band:
    """One horizontal band: a swimlane (``lane``) or a named separator line (``line``)."""

    key: str
    title: str
    css_id: str
    fill: str = "#FFFFFF"
    kind: str = "lane"
    css_class: str = "lane"
    label_id: str = ""
    nodes: list[str] = field(default_factory=list)


@dataclass
class _Content:
    name: str
    band: str
    stage: int
    title: str
    meta: str
    values: dict[str, object]
    bold: bool
    follows: str | None = None  # same column as this node


@dataclass
class _Link:
    tail: str
    head: str
    values: dict[str, object]
    marker: str | None  # the handoff number drawn on the edge
    marker_fill: str | None
    share: str | None  # "40%", only where the tail splits
    note: str | None = None  # a short text on the curve ("⏱ 2 d"), drawn as a node of note_class
    note_class: str = "note"
    note_fill: str | None = None


@dataclass(frozen=True)
class KeyItem:
    """One entry of the key: a sample (a box, an edge, or nothing) and its explanation."""

    text: str
    box: dict[str, object] | None = None  # style of a sample box (emotion chips)
    box_text: str = ""
    edge: dict[str, object] | None = None  # style of a sample edge
    marker: str | None = None
    marker_fill: str | None = None
    share: str | None = None


# -- geometry helpers ----------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with y up (Graphviz's coordinates)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Space:
    """Occupied boxes in a bucket grid, to place labels where they collide with nothing."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[Box]] = {}
        self.bounds: Box | None = None  # where labels may go

    def _keys(self, box: Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(math.floor(box[0] / c), math.floor(box[2] / c) + 1):
            for j in range(math.floor(box[1] / c), math.floor(box[3] / c) + 1):
                yield (i, j)

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.buckets.setdefault(key, []).append(box)

    def free(self, box: Box) -> bool:
        b = self.bounds
        if b is not None and not (
            b[0] <= box[0] and box[2] <= b[2] and b[1] <= box[1] and box[3] <= b[3]
        ):
            return False
        return not any(
            _overlaps(box, other) for key in self._keys(box) for other in self.buckets.get(key, ())
        )


def _spline_points(pos: str) -> list[tuple[float, float]]:
    """Points along a Graphviz edge spline (``[e,x,y] [s,x,y] x,y x,y ...``, several such
    separated by ``;`` when dot splits an edge), tail to head."""
    return [point for part in pos.split(";") if part.strip() for point in _one_spline(part)]


def _one_spline(pos: str) -> list[tuple[float, float]]:
    controls: list[tuple[float, float]] = []
    end = start = None
    for token in pos.split():
        if token.startswith("e,"):
            x, y = token[2:].split(",")[:2]
            end = (float(x), float(y))
        elif token.startswith("s,"):
            x, y = token[2:].split(",")[:2]
            start = (float(x), float(y))
        else:
            x, y = token.split(",")[:2]
            controls.append((float(x), float(y)))
    points: list[tuple[float, float]] = [start] if start else []
    for i in range(0, len(controls) - 3, 3):
        p0, p1, p2, p3 = controls[i : i + 4]
        for k in range(12):
            t = k / 12
            u = 1 - t
            points.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    if controls:
        points.append(controls[-1])
    if end:
        points.append(end)
    return points


def _along(points: list[tuple[float, float]]) -> list[tuple[float, tuple[float, float]]]:
    """Each point with its fraction of the curve's length from the tail."""
    lengths = [0.0]
    for a, b in zip(points, points[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(b[0] - a[0], b[1] - a[1]))
    total = lengths[-1] or 1.0
    return [(d / total, p) for d, p in zip(lengths, points, strict=True)]


# -- columns -------------------------------------------------------------------------------------


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


def pack_stage(
    depths: dict[str, int],
    band_of: dict[str, str],
    preds: dict[str, list[str]],
    width: int,
    followers: Sequence[tuple[str, str]] = (),
) -> tuple[dict[str, int], dict[str, int]]:
    """Columns (``0..width-1``) for one stage's boxes, and the rows each band then needs.

    Boxes are taken in chain order (depth, then file order) and flow like text within their
    cell: each goes to the column of its depth (modulo the stage's width), right of any
    predecessor in its band on the same row, onto the next free column, or the next row when
    the row is full. ``followers`` (node, leader) share their leader's column."""
    taken: dict[tuple[str, int], set[int]] = {}
    placed: dict[str, tuple[int, int]] = {}
    for n in sorted(depths, key=lambda k: depths[k]):  # stable: file order within a depth
        band = band_of[n]
        row, low = 0, 0
        for p in preds.get(n, ()):
            if p in placed and band_of[p] == band:
                pr, pc = placed[p]
                if pr > row:
                    row, low = pr, pc + 1
                elif pr == row:
                    low = max(low, pc + 1)
        col = max(low, depths[n] % width)
        while True:
            if col >= width:
                row, col = row + 1, 0
            if col not in taken.setdefault((band, row), set()):
                break
            col += 1
        taken[(band, row)].add(col)
        placed[n] = (row, col)
    columns = {n: c for n, (_, c) in placed.items()}
    for n, leader in followers:
        col = columns.get(leader, 0)
        row = 0
        while col in taken.setdefault((band_of[n], row), set()):
            row += 1
        taken[(band_of[n], row)].add(col)
        columns[n] = col
    rows: dict[str, int] = {}
    for band, row in taken:
        if taken[(band, row)]:
            rows[band] = max(rows.get(band, 0), row + 1)
    return columns, rows


def choose_widths(
    stages: Sequence[tuple[dict[str, int], Sequence[tuple[str, str]]]],
    band_of: dict[str, str],
    preds: dict[str, list[str]],
    fixed_w: float,
    column_w: float,
    fixed_h: float,
    row_h: float,
    lane_extra: float,
    bands: Sequence[str],
    budget: int = 400,
) -> list[int]:
    """Columns per stage: from the natural widths (longest chain), narrowed or widened one
    column at a time while that enlarges the picture fitted to a 16:9 screen (boxes flow onto
    more rows, or parallel boxes spread out). Journeys over ``budget`` boxes keep the natural
    widths (the search is quadratic)."""
    natural = [max(d.values(), default=0) + 1 for d, _ in stages]
    if sum(len(d) for d, _ in stages) > budget:
        return natural
    widest = [max(natural[s], len(d) + len(f)) for s, (d, f) in enumerate(stages)]
    cache: dict[tuple[int, int], dict[str, int]] = {}

    def rows_of(s: int, w: int) -> dict[str, int]:
        if (s, w) not in cache:
            cache[(s, w)] = pack_stage(stages[s][0], band_of, preds, w, stages[s][1])[1]
        return cache[(s, w)]

    def scale(widths: Sequence[int]) -> float:
        rows = dict.fromkeys(bands, 1)
        for s, w in enumerate(widths):
            for band, k in rows_of(s, w).items():
                if band in rows:
                    rows[band] = max(rows[band], k)
        width = fixed_w + sum(widths) * column_w
        height = fixed_h + sum(rows.values()) * row_h + len(bands) * lane_extra
        return min(ASPECT[0] / width, ASPECT[1] / height)

    widths = list(natural)
    best = scale(widths)
    while True:
        trials = []
        for s, w in enumerate(widths):
            for step in (-1, 1):
                if 1 <= w + step <= widest[s]:
                    trial = [*widths[:s], w + step, *widths[s + 1 :]]
                    trials.append((scale(trial), -s, -step, trial))
        if not trials:
            return widths
        value, _, _, trial = max(trials)
        if value <= best + 1e-9:
            return widths
        best, widths = value, trial


# -- the grid ------------------------------------------------------------------------------------


class Grid:
    """Collects bands, stage columns, boxes and edges; emits the layout and the drawing DOT."""

    def __init__(
        self,
        name: str,
        theme: Theme,
        stages: Sequence[tuple[str, str]],
        bands: Sequence[Band],
        graph_id: str,
        title: str,
        subtitle: Sequence[str] = (),
        keep_order: bool = False,
    ) -> None:
        """``keep_order``: the boxes of one band and column stack top to bottom in the order
        they were added, instead of the order dot's crossing minimisation picks (the blueprint
        adds each row's boxes in its touchpoints' order, so a column reads straight down)."""
        self.keep_order = keep_order
        self.name = name
        self.theme = theme
        self.m = metrics_for(theme)
        self.stages = list(stages)
        self.bands = {band.key: band for band in bands}
        self.band_order = [band.key for band in bands]
        self.graph_id = graph_id
        self.title = title
        self.subtitle = list(subtitle)
        self.key_items: list[KeyItem] = []
        self._content: dict[str, _Content] = {}
        self._links: list[_Link] = []
        self._planned: tuple[dict[str, int], list[int], set[int], int] | None = None

    def add(
        self,
        band_key: str,
        stage_index: int,
        name: str,
        *,
        title: str,
        meta: str = "",
        bold: bool = True,
        follows: str | None = None,
        attributes: dict[str, object] | None = None,
        **values: object,
    ) -> None:
        """A box in a band and a stage: ``title`` (up to two lines) over a ``meta`` line;
        ``follows``: in that node's column."""
        values = {**(attributes or {}), **values}
        self.bands[band_key].nodes.append(name)
        self._content[name] = _Content(
            name, band_key, stage_index, title, meta, values, bold, follows
        )

    def connect(
        self,
        tail: str,
        head: str,
        *,
        marker: str | None = None,
        marker_fill: str | None = None,
        share: str | None = None,
        note: str | None = None,
        note_class: str = "note",
        note_fill: str | None = None,
        attributes: dict[str, object] | None = None,
        **values: object,
    ) -> None:
        """An edge between boxes, with an optional numbered marker, share and ``note`` (a short
        text such as a wait, drawn as a node of class ``note_class``) on its curve."""
        values = {**(attributes or {}), **values}
        self._links.append(
            _Link(tail, head, values, marker, marker_fill, share, note, note_class, note_fill)
        )

    def key(self, item: KeyItem) -> None:
        """Add an entry to the key under the grid."""
        self.key_items.append(item)

    # -- columns ---------------------------------------------------------------------------------

    def _columns(self) -> tuple[dict[str, int], list[int], set[int], int]:
        """Each node's column, each stage's first column, back-edge indexes, column count."""
        content = self._content
        within: list[tuple[str, str]] = []
        for link in self._links:
            ca, cb = content.get(link.tail), content.get(link.head)
            if ca and cb and ca.stage == cb.stage and ca.follows is None and cb.follows is None:
                within.append((link.tail, link.head))
        loops = back_edges(list(content), within)
        preds: dict[str, list[tuple[str, int]]] = {n: [] for n in content}
        for a, b in within:
            if (a, b) not in loops:
                preds[b].append((a, 1 if content[a].band == content[b].band else 0))
        depth: dict[str, int] = {}
        for start in content:  # iterative longest path on the acyclic remainder
            stack = [start]
            while stack:
                top = stack[-1]
                if top in depth:
                    stack.pop()
                    continue
                pending = [p for p, _ in preds[top] if p not in depth]
                if pending:
                    stack.extend(pending)
                    continue
                stack.pop()
                depth[top] = max((depth[p] + w for p, w in preds[top]), default=0)
        by_stage: list[tuple[dict[str, int], list[tuple[str, str]]]] = [
            ({}, []) for _ in self.stages
        ]
        for n, c in content.items():
            if c.follows is None:
                by_stage[c.stage][0][n] = depth[n]
        for n, c in content.items():
            if c.follows is not None and c.follows in by_stage[c.stage][0]:
                by_stage[c.stage][1].append((n, c.follows))
        same_band = {n: [p for p, w in preds[n] if w == 1] for n in content}
        band_of = {n: c.band for n, c in content.items()}
        m = self.m
        widths = choose_widths(
            by_stage,
            band_of,
            same_band,
            self._label_strip()[0] + 2 * m.lane_margin + m.column_gap,
            m.node_w + m.column_gap,
            self._top_height() + self._key_height(),
            m.node_h + m.row_gap,
            2 * m.lane_margin + 0.75 * m.name_size,  # dot keeps lanes apart by about this
            [k for k in self.band_order if self.bands[k].kind == "lane"],
        )
        starts = [0] * len(self.stages)
        for i in range(1, len(self.stages)):
            starts[i] = starts[i - 1] + widths[i - 1]
        total = sum(widths) or 1
        column: dict[str, int] = {}
        for s, (d, followers) in enumerate(by_stage):
            cols, _ = pack_stage(d, band_of, same_band, widths[s], followers)
            for n, col in cols.items():
                column[n] = starts[s] + col
        for n, c in content.items():
            if n not in column:
                column[n] = column.get(c.follows or "", starts[c.stage])
        back = {
            i
            for i, link in enumerate(self._links)
            if (link.tail, link.head) in loops
            or (
                link.tail in column
                and link.head in column
                and column[link.tail] >= column[link.head]
            )
        }
        return column, starts, back, total

    def _plan(self) -> tuple[dict[str, int], list[int], set[int], int]:
        """:meth:`_columns`, computed once."""
        if self._planned is None:
            self._planned = self._columns()
        return self._planned

    def _label_strip(self) -> tuple[float, dict[str, list[str]]]:
        """Width of the lane-label column and each band's label lines."""
        m = self.m
        # wide enough for the longest word of a lane's name (a word is never broken if it fits
        # 9 em), else 6.4 em
        words = [
            w for band in self.bands.values() if band.kind == "lane" for w in band.title.split()
        ]
        longest = max((text_width(w, m.label_size, True) for w in words), default=0.0)
        limit = min(max(6.4 * m.name_size, longest + 1), 9.0 * m.name_size)
        lines = {}
        for key, band in self.bands.items():
            bold = band.kind == "lane"
            size = m.label_size if bold else m.meta_size
            lines[key] = fit_lines(band.title, limit, size, bold, 4 if bold else 2)
        widest = max(
            (
                text_width(
                    line,
                    m.label_size if self.bands[k].kind == "lane" else m.meta_size,
                    self.bands[k].kind == "lane",
                )
                for k, ls in lines.items()
                for line in ls
            ),
            default=0.0,
        )
        return max(widest + 2 * 0.3 * m.name_size, 4.0 * m.name_size), lines

    def _key_height(self) -> float:
        """About the height the key takes (one or two rows)."""
        m = self.m
        rows = 1 if len(self.key_items) <= 9 else 2
        return rows * (max(m.marker_d, line_height(m.small_size, 2)) + 0.4 * m.name_size)

    def _top_height(self) -> float:
        m = self.m
        return (
            line_height(m.title_size, 2)
            + line_height(m.small_size, max(len(self.subtitle), 1))
            + m.header_h
            + 1.5 * m.name_size
        )

    # -- pass 1 ----------------------------------------------------------------------------------

    def layout_dot(self) -> str:
        """The DOT ``dot`` lays out: boxes of fixed size, no text, our columns and lanes."""
        m = self.m
        column, _starts, back, n_inner = self._plan()
        column = {n: c + 1 for n, c in column.items()}  # column 0 holds the lane labels
        n_columns = n_inner + 1
        strip_w, strip_lines = self._label_strip()
        inch = 72.0
        graph = pydot.Dot(dot_quote(self.name), graph_type="digraph", strict=False)
        graph.set_graph_defaults(
            **attrs(
                {
                    "rankdir": "LR",
                    "newrank": True,
                    "nodesep": 0.3 * m.name_size / inch,
                    "ranksep": m.column_gap / inch,
                    "splines": True,
                    # big journeys: fewer network-simplex and crossing-minimisation passes,
                    # as Graphviz advises for large graphs (the examples keep full quality)
                    **(
                        {"nslimit": 2, "nslimit1": 2, "mclimit": 0.5}
                        if len(self._content) > LARGE
                        else {}
                    ),
                }
            )
        )
        graph.set_node_defaults(
            **attrs(
                {
                    "shape": "box",
                    "fixedsize": True,
                    "label": "",
                    "width": m.node_w / inch,
                    "height": m.node_h / inch,
                }
            )
        )
        point = {"shape": "point", "width": 0.01, "height": 0.01, **_INVISIBLE}

        graph.add_node(node("~corner", **point))
        for b in range(len(self.band_order)):
            graph.add_node(node(f"~lane-{b}", **point))
        # column anchors: an empty column's anchor is as wide as a box, so it keeps its width
        # (points elsewhere: sized anchors in every rank made dot's layout twice as slow)
        filled = set(column.values())
        header = cluster("columns", {"peripheries": 0, "margin": 0})
        for col in range(n_columns):
            if col in filled:
                header.add_node(node(f"~col-{col}", **point))
                continue
            width = strip_w if col == 0 else m.node_w
            header.add_node(node(f"~col-{col}", width=width / inch, height=0.01, **_INVISIBLE))
        graph.add_subgraph(header)

        last = n_columns - 1
        for b, key in enumerate(self.band_order):
            band = self.bands[key]
            line = band.kind == "line"
            band_graph = cluster(
                f"band_{b}", {"margin": (2 if line else m.lane_margin), "peripheries": 0}
            )
            size = m.meta_size if line else m.label_size
            strip_h = (
                line_height(size, len(strip_lines[key])) + 0.3 * m.name_size
                if not line
                else m.line_h
            )
            band_graph.add_node(
                node(f"~cell-{b}-0", width=strip_w / inch, height=strip_h / inch, **_INVISIBLE)
            )
            if last:
                band_graph.add_node(node(f"~cell-{b}-{last}", **point))
            for name in band.nodes:
                band_graph.add_node(node(name))
            graph.add_subgraph(band_graph)

        members: dict[int, list[str]] = {col: [f"~col-{col}"] for col in range(n_columns)}
        for b in range(len(self.band_order)):
            members[0].append(f"~cell-{b}-0")
            if last:
                members[last].append(f"~cell-{b}-{last}")
        for name in self._content:
            members[column[name]].append(name)
        groups = [["~corner", *(f"~lane-{b}" for b in range(len(self.band_order)))]]
        groups.extend(members[col] for col in range(n_columns))
        for g, group in enumerate(groups):
            sub = pydot.Subgraph(f"rank_{g}", rank="same")
            for member in group:
                sub.add_node(pydot.Node(dot_quote(member)))
            graph.add_subgraph(sub)

        chain = ["~corner", *(f"~lane-{b}" for b in range(len(self.band_order)))]
        for a, b_ in zip(chain, chain[1:], strict=False):
            graph.add_edge(edge(a, b_, **_INVISIBLE))
        graph.add_edge(edge("~corner", "~col-0", weight=100, **_INVISIBLE))
        for col in range(n_columns - 1):
            graph.add_edge(edge(f"~col-{col}", f"~col-{col + 1}", **_INVISIBLE))
        for b in range(len(self.band_order)):
            graph.add_edge(edge(f"~lane-{b}", f"~cell-{b}-0", weight=100, **_INVISIBLE))
            if last:
                graph.add_edge(edge(f"~cell-{b}-0", f"~cell-{b}-{last}", **_INVISIBLE))

        if self.keep_order:  # a flat edge (one rank) puts its head above its tail (rankdir=LR)
            for key in self.band_order:
                by_column: dict[int, list[str]] = {}
                for name in self.bands[key].nodes:
                    by_column.setdefault(column[name], []).append(name)
                for stack in by_column.values():
                    for upper, lower in zip(stack, stack[1:], strict=False):
                        graph.add_edge(edge(lower, upper, **_INVISIBLE))

        for i, link in enumerate(self._links):
            tail, head = self._content.get(link.tail), self._content.get(link.head)
            forward = (
                tail is not None and head is not None and tail.band == head.band and i not in back
            )
            values: dict[str, object] = {"id": f"~e{i}"}
            if not forward:  # no say in the ranks (weight=0 made dot twice as slow, no tighter)
                values["constraint"] = False
            graph.add_edge(edge(link.tail, link.head, **values))
        return dot_text(graph)

    # -- pass 2 ----------------------------------------------------------------------------------

    def drawing_dot(self, layout: dict[str, object]) -> str:
        """The final DOT (``layout=nop2``) from pass 1's JSON ``layout``."""
        theme, m = self.theme, self.m
        objects = layout.get("objects", [])
        assert isinstance(objects, list)
        pos: dict[str, tuple[float, float]] = {}
        bb: dict[str, Box] = {}
        for o in objects:
            if "bb" in o and o["name"].startswith("cluster"):
                x0, y0, x1, y1 = (float(v) for v in o["bb"].split(","))
                bb[o["name"]] = (x0, y0, x1, y1)
            elif "pos" in o:
                x, y = (float(v) for v in o["pos"].split(","))
                pos[o["name"]] = (x, y)
        edge_pos: dict[str, str] = {}
        edges = layout.get("edges") or []
        assert isinstance(edges, list)
        for e in edges:
            eid = e.get("id", "")
            if eid.startswith("~e") and "pos" in e:
                edge_pos[eid] = _DECIMALS.sub(_one_decimal, e["pos"])

        strip_w, strip_lines = self._label_strip()
        columns = sorted(
            (int(name[5:]), xy[0]) for name, xy in pos.items() if name.startswith("~col-")
        )
        col_x = [x for _, x in columns]
        lane_boxes = [bb[f"cluster_band_{b}"] for b in range(len(self.band_order))]
        for b in range(len(lane_boxes) - 1):  # bands meet halfway across dot's gap
            upper, lower = lane_boxes[b], lane_boxes[b + 1]
            middle = (upper[1] + lower[3]) / 2
            lane_boxes[b] = (upper[0], middle, upper[2], upper[3])
            lane_boxes[b + 1] = (lower[0], lower[1], lower[2], middle)
        left = min(box[0] for box in lane_boxes)
        right = max(col_x[-1] + m.node_w / 2 + m.column_gap / 2, max(b[2] for b in lane_boxes))
        top = max(box[3] for box in lane_boxes)
        bottom = min(box[1] for box in lane_boxes)

        graph = pydot.Dot(dot_quote(self.name), graph_type="digraph", strict=False)
        graph_values: dict[str, object] = {
            "layout": "nop2",
            "id": self.graph_id,
            "bgcolor": theme.bg,
            "outputorder": "edgesfirst",
            "pad": 0.15,
        }
        graph.set_node_defaults(
            **attrs(
                {
                    # defaults for the commonest node, a line of text: the DOT of a
                    # 1,000-touchpoint journey is then a third shorter, and written faster
                    "fontname": theme.font,
                    "fontsize": m.name_size,
                    "fontcolor": theme.ink,
                    "color": theme.ink,
                    "shape": "plaintext",
                    "fillcolor": theme.node_fill,
                    "fixedsize": True,
                    "margin": 0,
                }
            )
        )
        graph.set_edge_defaults(
            **attrs({"color": theme.muted, "penwidth": theme.edge_width, "arrowsize": 0.8})
        )
        drawn: list[Box] = []
        space = _Space(m.node_w)

        text_node = self._text

        # lane and line bands across the full width, with their labels at the left
        for b, key in enumerate(self.band_order):
            band = self.bands[key]
            x0, y0, x1, y1 = lane_boxes[b]
            box = (left, y0, right, y1)
            line = band.kind == "line"
            sub = cluster(
                f"band_{b}",
                {
                    "bb": ",".join(num(v) for v in box),
                    "id": band.css_id,
                    "class": band.css_class,
                    "label": "",
                    "style": "invis" if line else "filled",
                    "fillcolor": band.fill,
                    "color": theme.lane_border,
                    "penwidth": 1,
                },
            )
            size = m.meta_size if line else m.label_size
            lines = strip_lines[key]
            inset = 0.3 * m.name_size
            text_h = line_height(size, len(lines))
            cy = (y0 + y1) / 2 if line else y1 - m.lane_margin - text_h / 2 - 2
            label_box = (left + inset, cy - text_h / 2 - 2, left + strip_w, cy + text_h / 2 + 2)
            text_node(
                sub,
                f"~label-{b}",
                lines,
                label_box,
                size,
                bold=not line,
                justify="l",
                id=band.label_id or f"label-{band.css_id}",
                class_="line-label" if line else "lane-label",
                fontcolor=theme.muted if line else theme.ink,
            )
            space.add(label_box)
            graph.add_subgraph(sub)
            if line:  # the named line itself, dashed across the grid
                y = cy
                start, end = left + strip_w + inset, right - inset
                graph.add_node(node(f"~line-{b}-a", pos=f"{num(start)},{num(y)}", **_point()))
                graph.add_node(node(f"~line-{b}-b", pos=f"{num(end)},{num(y)}", **_point()))
                graph.add_edge(
                    edge(
                        f"~line-{b}-a",
                        f"~line-{b}-b",
                        pos=_straight(start, end, y, arrow=False),
                        style=theme.line_style,
                        arrowhead="none",
                        color=theme.muted,
                        penwidth=1.2,
                        class_="line",
                        id=f"line-{band.css_id}",
                    )
                )

        # stage columns: bands over every lane, headers on top
        starts = self._stage_starts()
        spans = []
        for s, (_, stage_name) in enumerate(self.stages):
            first, last_col = starts[s]
            sx0 = col_x[first] - m.node_w / 2 - m.column_gap / 2
            sx1 = col_x[last_col] + m.node_w / 2 + m.column_gap / 2
            inset = 0.12 * m.name_size
            lines = fit_lines(
                stage_name, sx1 - sx0 - 2 * inset - 0.6 * m.name_size, m.label_size, True, 2
            )
            spans.append((sx0, sx1, lines))
        header_h = line_height(m.label_size, max((len(x[2]) for x in spans), default=1))
        header_y1 = top + header_h + 0.7 * m.name_size
        for s, (stage_id, _) in enumerate(self.stages):
            sx0, sx1, lines = spans[s]
            band_box = (sx0, bottom, sx1, top)
            shade = s % 2 == 1
            graph.add_subgraph(
                cluster(
                    f"stage_{s}",
                    {
                        "bb": ",".join(num(v) for v in band_box),
                        "id": f"stage-band-{stage_id}",
                        "class": "stage",
                        "label": "",
                        "style": "filled" if shade else "solid",
                        "fillcolor": theme.stage_shade,
                        "color": theme.lane_border if not shade else theme.stage_shade,
                        "penwidth": 0.6,
                    },
                )
            )
            inset = 0.12 * m.name_size
            hbox = (sx0 + inset, top + 0.3 * m.name_size, sx1 - inset, header_y1)
            text_node(
                graph,
                f"~stage-{s}",
                lines,
                hbox,
                m.label_size,
                bold=True,
                id=f"stage-{stage_id}",
                class_="stage",
                shape="box",
                style="rounded,filled",
                fillcolor=theme.header_fill,
                color=theme.header_fill,
                fontcolor=theme.header_ink,
            )

        # touchpoints: a box, its title and its meta line
        for name, c in self._content.items():
            if name not in pos:
                continue
            x, y = pos[name]
            box = (x - m.node_w / 2, y - m.node_h / 2, x + m.node_w / 2, y + m.node_h / 2)
            space.add(box)
            drawn.append(box)
            values = dict(c.values)
            values["tooltip"] = _escaped(values.get("tooltip", c.title))
            values.setdefault("shape", "box")
            values.setdefault("style", "rounded,filled")
            graph.add_node(
                node(
                    name,
                    pos=f"{num(x)},{num(y)}",
                    width=m.node_w / 72,
                    height=m.node_h / 72,
                    label="",
                    **values,
                )
            )
            inner = m.node_w - 2 * m.pad_x
            title_lines = fit_lines(c.title, inner, m.name_size, c.bold, 2)
            title_h = line_height(m.name_size, 2)
            ty1 = box[3] - 0.22 * m.name_size
            ink = values.get("fontcolor", theme.ink)
            text_node(
                graph,
                f"{name}~title",
                title_lines,
                (box[0] + m.pad_x, ty1 - title_h, box[2] - m.pad_x, ty1),
                m.name_size,
                bold=c.bold,
                id=f"{values.get('id', name)}-title",
                class_="touchpoint-text",
                fontcolor=ink,
            )
            if c.meta:
                meta_lines = fit_lines(c.meta, inner, m.meta_size, False, 1)
                my0 = box[1] + 0.2 * m.name_size
                text_node(
                    graph,
                    f"{name}~meta",
                    meta_lines,
                    (box[0] + m.pad_x, my0, box[2] - m.pad_x, my0 + line_height(m.meta_size)),
                    m.meta_size,
                    id=f"{values.get('id', name)}-meta",
                    class_="touchpoint-text",
                    fontcolor=ink,
                )

        # edges on their routed curves; markers and shares where they collide with nothing,
        # inside the grid (headers, title and key are outside it)
        space.bounds = (left, bottom, right, top)
        for i, link in enumerate(self._links):
            route = edge_pos.get(f"~e{i}")
            if route is None:
                continue
            values = dict(link.values)
            if "tooltip" in values:
                values["tooltip"] = _escaped(values["tooltip"])
            graph.add_edge(edge(link.tail, link.head, pos=route, **values))
            samples = _along(_spline_points(route))
            css = str(values.get("id", f"edge-{i}"))
            if link.marker is not None:
                self._place(
                    graph,
                    space,
                    samples,
                    f"~marker-{i}",
                    link.marker,
                    True,
                    0.5,
                    id=f"marker-{link.marker}",
                    class_="marker",
                    fill=link.marker_fill or theme.handoff,
                    tooltip=values.get("tooltip"),
                )
            if link.share is not None:
                self._place(
                    graph,
                    space,
                    samples,
                    f"~share-{i}",
                    link.share,
                    False,
                    0.2,
                    id=f"share-{css[5:] if css.startswith('edge-') else css}",
                    class_="share",
                    fill=theme.bg,
                    tooltip=values.get("tooltip"),
                )
            if link.note is not None:
                self._place(
                    graph,
                    space,
                    samples,
                    f"~note-{i}",
                    link.note,
                    False,
                    0.75,
                    id=f"{link.note_class}-{css[5:] if css.startswith('edge-') else css}",
                    class_=link.note_class,
                    fill=link.note_fill or theme.bg,
                    tooltip=values.get("tooltip"),
                )

        # title above, key below
        title_lines = fit_lines(self.title, right - left, m.title_size, True, 2)
        th = line_height(m.title_size, len(title_lines))
        sub_lines = [
            line
            for text in self.subtitle
            for line in fit_lines(text, right - left, m.small_size, False, 1)
        ]
        sh = line_height(m.small_size, len(sub_lines)) if sub_lines else 0.0
        y_sub = header_y1 + 0.4 * m.name_size
        if sub_lines:
            text_node(
                graph,
                "~subtitle",
                sub_lines,
                (
                    left,
                    y_sub,
                    left + max(text_width(s, m.small_size) for s in sub_lines) + 4,
                    y_sub + sh,
                ),
                m.small_size,
                justify="l",
                id="subtitle",
                class_="subtitle",
                fontcolor=theme.muted,
            )
        y_title = y_sub + sh + 0.2 * m.name_size
        text_node(
            graph,
            "~title",
            title_lines,
            (
                left,
                y_title,
                left + max(text_width(t, m.title_size, True) for t in title_lines) + 4,
                y_title + th,
            ),
            m.title_size,
            bold=True,
            justify="l",
            id="title",
            class_="title",
        )
        canvas_top = y_title + th
        canvas_bottom = self._draw_key(graph, left, right, bottom - 0.8 * m.name_size)
        graph_values["bb"] = ",".join(
            num(v) for v in (left - 2, canvas_bottom - 2, right + 2, canvas_top + 2)
        )
        graph.set_graph_defaults(**attrs(graph_values))
        return dot_text(graph)

    def _text(
        self,
        target: pydot.Graph,
        name: str,
        lines: list[str],
        box: Box,
        size: float,
        bold: bool = False,
        justify: str = "n",
        **values: object,
    ) -> None:
        """Text in ``box``, one pinned node per line: both renderers then put every line
        exactly where we say (the system ``dot`` spaces lines by its own font metrics and
        starts left-justified lines from its own width estimate). Left-justified lines get
        a node exactly as wide as the line, centred on where the line should be."""
        theme = self.theme
        base_id = str(values.pop("id", name))
        lh = line_height(size)
        top_y = (box[1] + box[3]) / 2 + lh * len(lines) / 2
        framed = values.get("shape", "plaintext") != "plaintext"
        if framed:  # the frame is one node, the lines sit on it
            target.add_node(
                node(
                    name,
                    pos=f"{num((box[0] + box[2]) / 2)},{num((box[1] + box[3]) / 2)}",
                    width=(box[2] - box[0]) / 72,
                    height=(box[3] - box[1]) / 72,
                    label="",
                    id=base_id,
                    **values,
                )
            )
            css = str(values.get("class_", values.get("class", "")))
            values = {"fontcolor": values.get("fontcolor", theme.ink), "class_": f"{css}-text"}
        # attributes equal to the drawing's node defaults are left out (a shorter DOT)
        values.pop("shape", None)
        if values.get("style") == "":
            values.pop("style")
        if values.get("fontcolor") == theme.ink:
            values.pop("fontcolor")
        if bold:
            values["fontname"] = theme.bold
        if size != self.m.name_size:
            values["fontsize"] = size
        line_id = f"{base_id}-text" if framed else base_id
        for k, text in enumerate(lines):
            width = text_width(text, size, bold) + 2 if justify == "l" else box[2] - box[0]
            cx = box[0] + width / 2 if justify == "l" else (box[0] + box[2]) / 2
            cy = top_y - lh * (k + 0.5)
            target.add_node(
                node(
                    name if k == 0 and not framed else f"{name}#{k}",
                    pos=f"{num(cx)},{num(cy)}",
                    width=max(width, 1.0) / 72,
                    height=lh / 72,
                    label=label([text]),
                    id=line_id if k == 0 else f"{line_id}-{k + 1}",
                    **values,
                )
            )

    def _stage_starts(self) -> list[tuple[int, int]]:
        """First and last column of each stage, from the columns pass 1 was given."""
        _, starts, _, total = self._plan()
        result = []
        for s in range(len(self.stages)):
            first = starts[s] + 1
            last = starts[s + 1] if s + 1 < len(starts) else total
            result.append((first, max(first, last)))
        return result

    def _place(
        self,
        graph: pydot.Dot,
        space: _Space,
        samples: list[tuple[float, tuple[float, float]]],
        name: str,
        text: str,
        marker: bool,
        prefer: float,
        *,
        fill: str,
        tooltip: object = None,
        **values: object,
    ) -> None:
        """Put a marker (a numbered disc) or a share on the curve, nearest ``prefer`` (a
        fraction of its length) where it overlaps no box and no text placed before."""
        m, theme = self.m, self.theme
        size = m.marker_size if marker else m.small_size
        w = max(m.marker_d, text_width(text, size, marker) + 0.6 * m.name_size)
        h = m.marker_d if marker else line_height(size) + 0.1 * m.name_size
        if not marker:
            w = text_width(text, size) + 0.15 * m.name_size  # fits a column gap
        spaced: list[tuple[float, tuple[float, float]]] = []
        for sample in samples:  # candidates a third of a label apart are enough
            if not spaced or math.dist(spaced[-1][1], sample[1]) >= h / 3:
                spaced.append(sample)
        ordered = sorted(spaced, key=lambda s: (abs(s[0] - prefer), s[0]))
        chosen = None
        # on the curve if there is room; else beside it, ever farther (a short edge between
        # two neighbouring boxes has no free point of its own)
        for radius in _RINGS:
            for _, (px, py) in ordered:
                for dx, dy in _DIRECTIONS if radius else ((0.0, 0.0),):
                    x, y = px + dx * radius * h, py + dy * radius * h
                    box = (x - w / 2 - 1, y - h / 2 - 1, x + w / 2 + 1, y + h / 2 + 1)
                    if space.free(box):
                        chosen = (x, y, box)
                        break
                if chosen:
                    break
            if chosen:
                break
        if chosen is None:
            return  # nowhere near: the hover title and the tables still tell it
        x, y, box = chosen
        space.add(box)
        style: dict[str, object] = (
            {
                "shape": "circle" if w <= m.marker_d else "box",
                "style": "filled" if w <= m.marker_d else "rounded,filled",
                "fillcolor": fill,
                "color": theme.bg,
                "penwidth": 1.5,
                "fontcolor": theme.badge_ink,
                "fontname": theme.bold,
            }
            if marker
            else {
                "shape": "box",
                "style": "rounded,filled",
                "fillcolor": fill,
                "color": fill,
                "fontcolor": theme.muted,
                "fontname": theme.font,
            }
        )
        if tooltip:
            style["tooltip"] = tooltip
        graph.add_node(
            node(
                name,
                pos=f"{num(x)},{num(y)}",
                width=w / 72,
                height=h / 72,
                label=label([text]),
                fontsize=size,
                **style,
                **values,
            )
        )

    def _draw_key(self, graph: pydot.Dot, left: float, right: float, y_top: float) -> float:
        """The key in rows under the grid; returns its bottom edge."""
        if not self.key_items:
            return y_top
        m, theme = self.m, self.theme
        size = m.small_size
        row_h = max(m.marker_d, line_height(size, 2)) + 0.4 * m.name_size
        sample_w = 3.2 * m.name_size
        x, y = left, y_top - row_h / 2
        gap = 1.2 * m.name_size
        key = cluster("key", {"id": "key", "class": "key", "label": "", "style": "invis"})
        for i, item in enumerate(self.key_items):
            lines = fit_lines(item.text, 15 * m.name_size, size, False, 2)
            text_w = max(text_width(line, size) for line in lines) + 4
            if item.box is not None:
                box_lines = [item.box_text] if item.box_text else []
                item_w = text_width(item.box_text, size) + 1.0 * m.name_size
            else:
                item_w = sample_w
            total_w = item_w + 0.4 * m.name_size + (text_w if item.text else 0)
            if x > left and x + total_w > right:
                x, y = left, y - row_h
            if item.box is not None:
                bh = line_height(size) + 0.5 * m.name_size
                key.add_node(
                    node(
                        f"~key-{i}",
                        pos=f"{num(x + item_w / 2)},{num(y)}",
                        width=item_w / 72,
                        height=bh / 72,
                        label=label(box_lines),
                        fontsize=size,
                        id=f"key-{i}",
                        class_="key",
                        **{"shape": "box", **item.box},
                    )
                )
            elif item.edge is not None:
                a, b = f"~key-{i}-a", f"~key-{i}-b"
                key.add_node(node(a, pos=f"{num(x)},{num(y)}", **_point()))
                key.add_node(node(b, pos=f"{num(x + item_w)},{num(y)}", **_point()))
                graph.add_edge(
                    edge(
                        a,
                        b,
                        pos=_straight(x, x + item_w, y),
                        id=f"key-edge-{i}",
                        class_="key",
                        **item.edge,
                    )
                )
                if item.marker is not None or item.share is not None:
                    mw = (
                        m.marker_d
                        if item.marker is not None
                        else (text_width(item.share or "", size) + 0.8 * m.name_size)
                    )
                    mh = (
                        m.marker_d
                        if item.marker is not None
                        else line_height(size) + 0.3 * m.name_size
                    )
                    marker = item.marker is not None
                    key.add_node(
                        node(
                            f"~key-{i}-m",
                            pos=f"{num(x + item_w / 2)},{num(y)}",
                            width=mw / 72,
                            height=mh / 72,
                            label=label([(item.marker if marker else item.share) or ""]),
                            fontsize=m.marker_size if marker else size,
                            shape="circle" if marker else "box",
                            style="filled" if marker else "rounded,filled",
                            fillcolor=item.marker_fill if marker else theme.bg,
                            color=theme.bg,
                            fontcolor=theme.badge_ink if marker else theme.muted,
                            fontname=theme.bold if marker else theme.font,
                            class_="key",
                            id=f"key-{i}-sample",
                        )
                    )
            if item.text:
                tx = x + item_w + 0.4 * m.name_size
                lh = line_height(size, len(lines))
                self._text(
                    key,
                    f"~key-{i}-text",
                    lines,
                    (tx, y - lh / 2, tx + text_w, y + lh / 2),
                    size,
                    justify="l",
                    fontcolor=theme.muted,
                    class_="key",
                    id=f"key-{i}-words",
                )
            x += total_w + gap
        graph.add_subgraph(key)
        return y - row_h / 2


TOOLTIP_BACKSLASH = "\u29f5"  # REVERSE SOLIDUS OPERATOR, which looks like a backslash


_RINGS = (0.0, 0.7, 1.2, 1.8, 2.6, 3.6, 5.0, 7.0)  # distances from the curve, in label heights
_DIRECTIONS = tuple(
    (math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)) for k in (2, 6, 0, 4, 1, 3, 5, 7)
)


_DECIMALS = re.compile(r"-?\d+\.\d+")


def _one_decimal(match: re.Match[str]) -> str:
    """A spline coordinate to 0.1 pt: a third shorter DOT, which pydot writes that much faster."""
    text = f"{float(match.group(0)):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _escaped(text: object) -> Quoted:
    """A tooltip Graphviz shows literally. Graphviz expands ``\\N``, ``\\G``... in tooltips
    even after a doubled backslash, so a backslash is shown as its look-alike U+29F5."""
    if isinstance(text, Quoted):
        return text
    return label([str(text).replace("\\", TOOLTIP_BACKSLASH)])


def _point() -> dict[str, object]:
    return {"shape": "point", "width": 0.01, "height": 0.01, "style": "invis", "label": ""}


def _straight(x0: float, x1: float, y: float, arrow: bool = True) -> Quoted:
    """A straight spline from ``x0`` to ``x1`` at ``y`` (an arrow ends at ``x1``)."""
    tip = x1
    if arrow:
        x1 = x1 - 7
    third = (x1 - x0) / 3
    points = " ".join(f"{num(px)},{num(y)}" for px in (x0, x0 + third, x0 + 2 * third, x1))
    return Quoted(f'"e,{num(tip)},{num(y)} {points}"' if arrow else f'"{points}"')


def parse_layout(data: bytes) -> dict[str, object]:
    """Graphviz's JSON output as a dict."""
    result = json.loads(data)
    assert isinstance(result, dict)
    return result
