"""`journeymap diff --format html` in a real headless Chromium: the before and after pictures sit
side by side on a wide screen without overlapping and stack on a phone, the page never scrolls
sideways, it makes no request, and a handoff row and its highlighted edge select each other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from journeymap.cli import main

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("diff") / "diff.html"
    result = CliRunner().invoke(
        main,
        [
            "diff",
            str(JOURNEYS / "claims-before.yaml"),
            str(JOURNEYS / "claims-after.yaml"),
            "--format",
            "html",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def visit(browser: Any, page_file: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(width: int, height: int) -> tuple[Any, list[str], list[str]]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        return page, errors, requests

    yield open_
    for context in contexts:
        context.close()


def _boxes(page: Any) -> dict[str, dict[str, float]]:
    return page.evaluate(
        """() => Object.fromEntries(["before", "after"].map(side => {
            const r = document.querySelector(`#picture-${side} svg.diagram`).getBoundingClientRect();
            return [side, {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                           width: r.width, height: r.height}];
        }))"""
    )


def _scroll_width(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize(("width", "height"), [(1600, 1000), (1280, 720)])
def test_pictures_side_by_side_without_overlap(
    visit: Any, artifacts: Path, width: int, height: int
) -> None:
    page, errors, requests = visit(width, height)
    page.screenshot(path=str(artifacts / f"diff-claims-{width}.png"), full_page=True)
    assert errors == []
    assert requests == [requests[0]] and requests[0].startswith("file:")
    b, a = (_boxes(page)[s] for s in ("before", "after"))
    assert b["width"] > width * 0.3 and a["width"] > width * 0.3  # each a real picture
    assert b["height"] > 150 and a["height"] > 150
    assert b["right"] <= a["left"]  # side by side, before on the left, no overlap
    assert abs(b["top"] - a["top"]) < 2  # on one row
    sw, iw = _scroll_width(page)
    assert sw <= iw


def test_phone_stacks_pictures_and_never_scrolls_sideways(visit: Any, artifacts: Path) -> None:
    page, errors, _ = visit(390, 844)
    page.screenshot(path=str(artifacts / "diff-claims-390.png"), full_page=True)
    assert errors == []
    sw, iw = _scroll_width(page)
    assert sw <= iw == 390
    b, a = (_boxes(page)[s] for s in ("before", "after"))
    assert a["top"] >= b["bottom"]  # stacked
    assert b["right"] <= 390 and a["right"] <= 390 and b["width"] > 300
    # every table cell of the handoff cards fits the screen
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.diff-handoffs td')]"
        ".map(td => td.getBoundingClientRect().right))"
    )
    assert widest <= 390


def test_highlighted_edges_are_drawn_and_select_their_rows(visit: Any) -> None:
    page, errors, _ = visit(1600, 1000)
    counts = page.evaluate(
        """() => ["before", "after"].map(side =>
            document.querySelectorAll(`#picture-${side} g.edge.diff-hl`).length)"""
    )
    assert counts == [23, 18]
    # the halo under a highlighted edge is painted wider than the edge's own line
    halo, line = page.evaluate(
        """() => {
            const g = document.getElementById("before-edge-fnol-web--claim-setup");
            const halo = g.querySelector("path.diff-halo"), own = g.querySelector("path:not(.diff-halo)");
            return [parseFloat(getComputedStyle(halo).strokeWidth), parseFloat(getComputedStyle(own).strokeWidth)];
        }"""
    )
    assert halo > line * 2
    # a resolved handoff's row selects its edge on the before picture
    row = page.locator('tr[data-target="before-edge-fnol-web--claim-setup"]')
    row.click()
    selected = page.evaluate(
        "document.getElementById('before-edge-fnol-web--claim-setup').classList.contains('is-selected')"
    )
    assert selected
    assert errors == []


def test_actual_size_keeps_each_pictures_lane_labels(visit: Any) -> None:
    """The scoped lane ids (lane-before-x, lane-label-before-x) still pair each lane with its
    label: at actual size every lane's label is pinned (claims-before 10 lanes, after 8)."""
    page, errors, _ = visit(1600, 1000)
    pinned = []
    for side in ("before", "after"):
        page.click(f"#picture-{side} button.zoom")
        pinned.append(
            page.evaluate(
                f"""() => [document.getElementById("picture-{side}").classList.contains("pinned"),
                    document.querySelectorAll("#picture-{side} .pin-lanes [data-lane]").length,
                    document.querySelectorAll("#picture-{side} g.cluster.lane").length]"""
            )
        )
    assert pinned == [[True, 10, 10], [True, 8, 8]]
    assert errors == []
