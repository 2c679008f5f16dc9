"""Hostile names: one node per touchpoint, the literal text in the SVG, nothing injected."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from journeymap.render import build_dot, render_dot
from journeymap.render._grid import TOOLTIP_BACKSLASH
from journeymap.render.escape import clip
from tests.render import factory as F
from tests.render.conftest import HOSTILE, analyse_file, needs_dot

SVG = "{http://www.w3.org/2000/svg}"


XLINK = "{http://www.w3.org/1999/xlink}"


def touchpoint_texts(svg: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """The drawn name of each touchpoint (its ``tp-<id>-title`` text node) and its hover title."""
    root = F.merge_lines(ET.fromstring(svg))
    drawn, hover = {}, {}
    for g in root.iter(f"{SVG}g"):
        classes = (g.get("class") or "").split()
        gid = g.get("id", "")
        if "touchpoint-text" in classes and gid.endswith("-title"):
            drawn[gid[: -len("-title")]] = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
        if "touchpoint" in classes:
            for a in g.iter(f"{SVG}a"):
                hover[gid] = a.get(f"{XLINK}title", "")
    return drawn, hover


@pytest.mark.parametrize("view", ["journey", "blueprint", "silos"])
@pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])
def test_hostile_names_make_exactly_their_nodes(view: str, renderer: str) -> None:
    analysis = analyse_file(HOSTILE)
    dot = build_dot(analysis, view=view)
    layout = render_dot(dot, fmt="json", renderer=renderer)
    import json

    objects = json.loads(layout)["objects"]
    names = [o["name"] for o in objects if "nodes" not in o]
    if view == "silos":
        assert sorted(n for n in names if n.startswith("fn-")) == ["fn-graph", "fn-node", "fn-strict"]
    else:
        assert sorted(n for n in names if n.startswith("tp-") and "~" not in n) == [
            "tp-digraph",
            "tp-graph",
            "tp-node",
            "tp-strict",
        ]
    assert not any(n == "INJECTED" or n in ("y", "z") for n in names)
    svg = render_dot(dot, fmt="svg", renderer=renderer)
    ET.fromstring(svg)  # well-formed XML
    assert b"<image" not in svg
    if view == "journey":
        drawn, hover = touchpoint_texts(svg)
        j = analysis.journey
        assert len(drawn) == len(hover) == 4
        for tid, tp in j.touchpoints.items():
            # the box shows at most two lines (an ellipsis when clipped); the hover title all
            name = clip(tp.name)  # bidi controls and other invisibles removed
            shown = drawn[f"tp-{tid}"].replace(" ", "").rstrip("\u2026")
            assert name.replace(" ", "").startswith(shown) and shown
            # Graphviz expands \\N in tooltips even after a doubled backslash: U+29F5 shows it
            assert hover[f"tp-{tid}"] == name.replace("\\", TOOLTIP_BACKSLASH)
        flat = {k: v.replace(" ", "").replace(TOOLTIP_BACKSLASH, "\\") for k, v in hover.items()}
        assert 'x";"y"[label="INJECTED"];"z' in flat["tp-node"]
        assert "\\N\\G\\E\\T\\H\\Lend\\" in flat["tp-strict"]
        assert "<<TABLE><TR><TD><IMG" in flat["tp-graph"]
        assert "\u202e" not in svg.decode()


def test_journey_text_never_becomes_an_attribute() -> None:
    dot = build_dot(analyse_file(HOSTILE))
    # every label line came through dot_quote: no unescaped quote can end a string early
    assert '[label="INJECTED"]' not in dot
    assert '\\"y\\" [label=\\"INJECTED\\"]' in dot
