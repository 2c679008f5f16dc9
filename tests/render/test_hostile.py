"""Hostile names: one node per touchpoint, the literal text in the SVG, nothing injected."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from journeymap.render import build_dot, render_dot
from journeymap.render._labels import text_lines
from journeymap.render.themes import DEFAULT
from tests.render.conftest import HOSTILE, analyse_file, needs_dot

SVG = "{http://www.w3.org/2000/svg}"


def touchpoint_texts(svg: bytes) -> dict[str, str]:
    root = ET.fromstring(svg)
    found = {}
    for g in root.iter(f"{SVG}g"):
        if "touchpoint" in (g.get("class") or "").split():
            found[g.get("id", "")] = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
    return found


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
        assert sorted(n for n in names) == ["fn-graph", "fn-node", "fn-strict"]
    else:
        assert sorted(n for n in names if n.startswith("tp-")) == [
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
        texts = touchpoint_texts(svg)
        j = analysis.journey
        assert len(texts) == 4
        for tid, tp in j.touchpoints.items():
            assert texts[f"tp-{tid}"].startswith(" ".join(text_lines(tp.name, DEFAULT.wrap)))
        # names are wrapped into lines (spaces at the breaks): compare without spaces
        flat = {k: v.replace(" ", "") for k, v in texts.items()}
        assert 'x";"y"[label="INJECTED"];"z' in flat["tp-node"]
        assert "\\N\\G\\E\\T\\H\\Lend\\" in flat["tp-strict"]
        assert "<<TABLE><TR><TD><IMG" in flat["tp-graph"]
        assert "\u202e" not in svg.decode()


def test_journey_text_never_becomes_an_attribute() -> None:
    dot = build_dot(analyse_file(HOSTILE))
    # every label line came through dot_quote: no unescaped quote can end a string early
    assert '[label="INJECTED"]' not in dot
    assert '\\"y\\" [label=\\"INJECTED\\"]' in dot
