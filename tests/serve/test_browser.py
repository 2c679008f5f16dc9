"""End to end in headless Chromium: edits show up in place, broken saves show an overlay.

The page gets a marker on ``window`` before each edit; a full reload would lose it, so finding it
afterwards proves the update happened in place.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from journeymap.serve import LiveServer

pytestmark = pytest.mark.browser

WAIT_MS = 20_000


def _wait_subscribed(server: LiveServer, count: int = 1) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while server.site.events.subscribers < count:
        assert time.monotonic() < deadline, "the page never opened its event stream"
        time.sleep(0.02)


def _wait_js(page: Any, expression: str) -> None:
    """Poll ``expression`` from the test side (``wait_for_function`` evaluates with eval, which
    the page's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _text(page: Any, element_id: str) -> str:
    return str(page.evaluate(f"document.getElementById('{element_id}').textContent"))


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_edit_break_fix_without_reload(server: LiveServer, journey_dir: Path, browser: Any) -> None:
    path = journey_dir / "workshop.yaml"
    original = path.read_text(encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "workshop.html")
    page.wait_for_selector("svg.diagram #tp-call")
    assert "Call" in _text(page, "tp-call-title")
    _wait_subscribed(server)
    page.evaluate("window.__jmMarker = 'kept'")
    page.evaluate("window.scrollTo(0, 300)")
    scroll_before = page.evaluate("window.scrollY")

    # 1. rename a touchpoint: the diagram changes in place (a name short enough to stay on one
    #    line of the workshop theme's node labels: each line is its own SVG <text>)
    path.write_text(
        original.replace("name: Call\n", "name: Video consult\n"), encoding="utf-8"
    )
    _wait_js(page, "document.getElementById('tp-call-title').textContent.includes('Video consult')")
    # then the rest of the page (the handoff table names the touchpoint too), also in place
    _wait_js(
        page,
        "Array.from(document.querySelectorAll('main table'))"
        ".some(t => t.textContent.includes('Video consult'))",
    )
    assert page.evaluate("window.__jmMarker") == "kept"
    assert page.evaluate("window.scrollY") == scroll_before
    assert page.is_hidden("#jm-live-errors")

    # 2. break it: an unknown stage; the overlay names file:line, the last picture stays
    broken = original.replace("name: Call\n", "name: Video consult\n").replace(
        "    stage: b\n    function: ops", "    stage: nowhere\n    function: ops"
    )
    line = _line_of(broken, "    stage: nowhere")
    path.write_text(broken, encoding="utf-8")
    page.wait_for_selector("#jm-live-errors", state="visible", timeout=WAIT_MS)
    # write_text truncates first: a poll may catch the empty file ("empty file" at 1:1) before
    # the next one reads the whole save; the overlay must then follow the file to its line
    _wait_js(
        page,
        f"document.getElementById('jm-live-errors').innerText.includes('workshop.yaml:{line}:')",
    )
    overlay = page.inner_text("#jm-live-errors")
    assert f"workshop.yaml:{line}:" in overlay
    assert "error:" in overlay
    assert "Video consult" in _text(page, "tp-call-title")
    assert page.evaluate("window.__jmMarker") == "kept"

    # 3. fix it: the overlay clears and the new picture shows
    path.write_text(original.replace("name: Call\n", "name: Sales call\n"), encoding="utf-8")
    page.wait_for_selector("#jm-live-errors", state="hidden", timeout=WAIT_MS)
    _wait_js(page, "document.getElementById('tp-call-title').textContent.includes('Sales call')")
    assert page.evaluate("window.__jmMarker") == "kept"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    page.close()


def test_presenter_controls(server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server.url + "workshop.html")
    page.wait_for_selector("svg.diagram #tp-call")
    page.keyboard.press("?")
    assert page.is_visible("#jm-live-help")
    page.keyboard.press("?")
    assert page.is_hidden("#jm-live-help")
    page.keyboard.press("+")
    assert "scale(1.25)" in page.evaluate("document.querySelector('svg.diagram').style.transform")
    page.keyboard.press("0")
    assert "scale(1)" in page.evaluate("document.querySelector('svg.diagram').style.transform")
    page.keyboard.press("f")
    assert page.evaluate(
        "document.querySelector('.jm-live-stage').classList.contains('presenting')"
    )
    page.keyboard.press("Escape")
    assert not page.evaluate(
        "document.querySelector('.jm-live-stage').classList.contains('presenting')"
    )
    # focus on the first stage (a: ad and call) dims ship, not ad
    page.keyboard.press("s")
    assert page.evaluate("document.getElementById('tp-ship').classList.contains('jm-dim')")
    assert not page.evaluate("document.getElementById('tp-ad').classList.contains('jm-dim')")
    # focus on the first function used (mkt: ad only)
    page.keyboard.press("d")
    assert page.evaluate("document.getElementById('tp-call').classList.contains('jm-dim')")
    assert not page.evaluate("document.getElementById('tp-ad').classList.contains('jm-dim')")
    page.keyboard.press("Escape")
    assert page.evaluate("document.querySelectorAll('svg.diagram .jm-dim').length") == 0
    page.close()
