"""SVG content: every touchpoint name once, one edge per transition, handoffs marked;
byte-identical output for identical input; golden DOT for each view on the examples."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journeymap.render import build_dot, render_journey
from tests.render import factory as F
from tests.render.conftest import ROOT, example_analyses

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = ROOT / "tests" / "golden"


def groups(svg: bytes, cls: str) -> list[ET.Element]:
    root = F.merge_lines(ET.fromstring(svg))
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def test_broadband_svg_names_edges_and_handoffs() -> None:
    analysis = F.broadband()
    svg = render_journey(analysis)
    # a touchpoint's name is drawn by its title text node, wrapped at spaces (short names here)
    texts = [
        " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
        for g in groups(svg, "touchpoint-text")
        if g.get("id", "").endswith("-title")
    ]
    for tp in analysis.journey.touchpoints.values():
        assert texts.count(tp.name) == 1, tp.name
    edges = groups(svg, "transition")
    assert sorted(g.get("id") for g in edges) == sorted(
        f"edge-{t.source}--{t.target}" for t in analysis.journey.transitions()
    )
    handoffs = {g.get("id"): g.get("data-handoff") for g in groups(svg, "handoff")}
    # numbers from the hand-built fixture (broadband.md's five handoffs)
    assert handoffs == {
        "edge-visit--care-call": "1",
        "edge-care-call--survey": "2",
        "edge-offer--call": "3",
        "edge-care-call--visit": "4",
        "edge-call--visit": "5",
    }
    assert {g.get("id") for g in groups(svg, "touchpoint")} == {
        f"tp-{t}" for t in analysis.journey.touchpoints
    }
    # the visit -> happy transition stays inside field engineering: not a handoff
    assert "handoff" not in next(g for g in edges if g.get("id") == "edge-visit--happy").get(
        "class"
    )


@pytest.mark.parametrize("view", ["journey", "blueprint", "silos"])
def test_examples_svg_has_each_touchpoint_once(view: str) -> None:
    for analysis in example_analyses():
        svg = render_journey(analysis, view=view)
        root = ET.fromstring(svg)
        element_ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(element_ids) == len(set(element_ids)), "ids must be unique in a page"
        if view == "silos":
            used = {t.function for t in analysis.journey.touchpoints.values()}
            assert {g.get("id") for g in groups(svg, "function")} >= {f"fn-{f}" for f in used}
            continue
        ids = [g.get("id") for g in groups(svg, "touchpoint")]
        assert sorted(ids) == sorted(f"tp-{t}" for t in analysis.journey.touchpoints)
        n_transitions = sum(1 for _ in analysis.journey.transitions())
        assert len(groups(svg, "transition")) == n_transitions
        assert len(groups(svg, "handoff")) - len(groups(svg, "backstage")) == len(analysis.handoffs)


def test_same_input_same_bytes_across_processes() -> None:
    analysis = F.broadband()
    dot, svg = build_dot(analysis, view="journey"), render_journey(analysis)
    assert build_dot(F.broadband()) == dot and render_journey(F.broadband()) == svg
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.render import factory as F; from journeymap.render import render_journey;"
        "sys.stdout.buffer.write(render_journey(F.broadband()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, env=env)
    assert other.returncode == 0, other.stderr
    assert other.stdout == svg


def golden_cases() -> list[tuple[str, str, object]]:
    cases: list[tuple[str, str, object]] = []
    for analysis in example_analyses():
        for view in ("journey", "blueprint", "silos"):
            cases.append((f"render-{analysis.journey.id}-{view}", view, analysis))
    cases.append(("render-examples-silos", "silos", example_analyses()))
    for view in ("journey", "blueprint", "silos"):
        cases.append((f"render-broadband-{view}", view, F.broadband()))
    return cases


@pytest.mark.parametrize("chosen", ["journey", "blueprint", "silos"])
def test_golden_dot(chosen: str) -> None:
    """DOT for each view on each example. Refresh on purpose: JOURNEYMAP_UPDATE_GOLDEN=1
    (one view: ``-k 'golden_dot and journey'``)."""
    update = os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1"
    mismatched = []
    for name, view, subject in golden_cases():
        if view != chosen:
            continue
        path: Path = GOLDEN / f"{name}.dot"
        dot = build_dot(subject, view=view)  # type: ignore[arg-type]
        if update:
            path.write_text(dot, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != dot:
            mismatched.append(path.name)
    assert not mismatched, (
        f"DOT differs from golden files {mismatched}; if intended, rerun with JOURNEYMAP_UPDATE_GOLDEN=1 and review the diff"
    )
