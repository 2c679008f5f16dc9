"""The live preview of a journey with scenarios: its updates land in the journey's own diagram,
never in a scenario picture (the page shows those before the diagram)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.serve import LiveServer

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
WAIT_MS = 30_000

WHERE = """() => ({
  main: document.querySelectorAll('#diagram svg.diagram').length,
  mainTp: !!document.querySelector('#diagram svg.diagram #tp-payment'),
  tpCount: document.querySelectorAll('[id="tp-payment"]').length,
  asIs: document.querySelectorAll('#scenario-1-as-is svg.diagram').length,
  asIsTp: !!document.querySelector('#scenario-1-as-is svg.diagram #scenario-1-as-is-tp-payment'),
  stages: Array.from(document.querySelectorAll('.jm-live-stage')).map(s => !!s.closest('#diagram')),
  title: (document.getElementById('tp-payment-title') || {}).textContent || ''})"""


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[LiveServer]:
    folder = tmp_path / "claims"
    folder.mkdir()
    for name in ("claims-before.yaml", "claims-before.scenarios.yaml", "organisation.yaml"):
        shutil.copy(JOURNEYS / name, folder / name)
    live = LiveServer([str(folder)], port=0, interval=0.05)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def _wait(page: Any, expression: str) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def test_a_live_update_replaces_the_journey_diagram_not_a_scenario_picture(
    server: LiveServer, tmp_path: Path, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "claims-before.html")
    page.wait_for_selector("#diagram svg.diagram #tp-fnol-phone")
    deadline = time.monotonic() + WAIT_MS / 1000
    while server.site.events.subscribers < 1:
        assert time.monotonic() < deadline, "the page never opened its event stream"
        time.sleep(0.02)
    assert page.locator("details.scenario").count() == 3
    before = page.evaluate(WHERE)
    assert before["asIsTp"] and before["mainTp"] and before["tpCount"] == 1
    yaml = tmp_path / "claims" / "claims-before.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("name: Payment issued", "name: Money paid"), encoding="utf-8")
    _wait(
        page,
        "Array.from(document.querySelectorAll('main table'))"
        ".some(t => t.textContent.includes('Money paid'))",
    )
    after = page.evaluate(WHERE)
    assert "Money paid" in after["title"]
    assert after["main"] == 1 and after["mainTp"] and after["tpCount"] == 1
    assert after["asIs"] == 1 and after["asIsTp"]  # the scenario's picture is still its own
    assert after["stages"] and all(after["stages"])  # the live stage wraps the journey diagram
    assert errors == []
    context.close()
