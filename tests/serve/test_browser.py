"""End to end in headless Chromium: edits show up in place, broken saves show an overlay.

The page gets a marker on ``window`` before each edit; a full reload would lose it, so finding it
afterwards proves the update happened in place.
"""

from __future__ import annotations

import shutil
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


# --- presenter mode on a real journey: the walk through the stages ------------------------------

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"

# One look at the screen in presenter mode, measured as a person in the room would see it: for
# every touchpoint of the step, is it fully on screen, how big is its name (font size times the
# screen scale of the text), which lane is it in; for each such lane, is its label visible (on
# screen, not covered, at its lane's height); is the step's stage header visible.
MEASURE = """() => {
  const svg = document.querySelector('svg.diagram');
  const bar = document.getElementById('jm-live-bar').getBoundingClientRect();
  const W = window.innerWidth, H = Math.min(window.innerHeight, bar.top);
  const inView = (r) => r.left >= -0.5 && r.top >= -0.5 && r.right <= W + 0.5 && r.bottom <= H + 0.5;
  const shown = (node) => node && !node.closest('.jm-off');
  const probe = (group, r) => {
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    return !!hit && group.contains(hit);
  };
  const lanes = Array.from(svg.querySelectorAll('g.cluster.lane')).map((g) => {
    const r = g.querySelector('polygon').getBoundingClientRect();
    return {id: g.id.slice(5), top: r.top, bottom: r.bottom};
  });
  const ids = (svg.getAttribute('data-jm-focus') || '').split(' ').filter(Boolean);
  const tps = ids.map((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    const cy = (r.top + r.bottom) / 2;
    const lane = lanes.find((l) => cy >= l.top && cy <= l.bottom);
    const texts = Array.from(document.getElementById(id + '-title').querySelectorAll('text'));
    const px = Math.min(...texts.map((t) =>
      parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a));
    const boxes = texts.map((t) => t.getBoundingClientRect());
    return {id, onScreen: inView(r), namePx: px, nameOnScreen: boxes.every(inView),
            lane: lane ? lane.id : null};
  });
  const labels = {};
  new Set(tps.map((t) => t.lane)).forEach((lane) => {
    const real = document.getElementById('lane-label-' + lane);
    const pin = svg.querySelector('.jm-pin-lane[data-lane="' + lane + '"]');
    const group = shown(pin) ? pin : real;
    const text = group.querySelector('text');
    const r = text.getBoundingClientRect();
    const band = lanes.find((l) => l.id === lane);
    labels[lane] = {pinned: group === pin, onScreen: inView(r), uncovered: probe(group, r),
                    dy: Math.abs(r.top - real.querySelector('text').getBoundingClientRect().top),
                    inLane: r.top >= band.top - 0.5 && r.bottom <= band.bottom + 0.5,
                    left: r.left};
  });
  const heads = Array.from(svg.querySelectorAll('g.node.stage.jm-walk-on[id]')).map((real) => {
    const id = real.id.slice(6);
    const pin = svg.querySelector('.jm-pin-stage[data-stage="' + id + '"]');
    const group = shown(pin) ? pin : real;
    const r = group.querySelector('text').getBoundingClientRect();
    return {id, onScreen: inView(r), uncovered: probe(group, r), px: parseFloat(
      getComputedStyle(group.querySelector('text')).fontSize) * group.querySelector('text').getScreenCTM().a};
  });
  return {step: Number(svg.getAttribute('data-jm-step')), label: document.getElementById('jm-step').textContent,
          tps, labels, heads, svgBox: svg.getBoundingClientRect().toJSON()};
}"""


@pytest.fixture()
def claims_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "claims"
    folder.mkdir()
    for name in ("claims-before.yaml", "organisation.yaml"):
        shutil.copy(JOURNEYS / name, folder / name)
    return folder


@pytest.fixture()
def claims_server(claims_dir: Path) -> Any:
    live = LiveServer([str(claims_dir)], port=0, interval=0.05)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def _presenter_page(browser: Any, server: LiveServer, errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "claims-before.html")
    page.wait_for_selector("svg.diagram #tp-fnol-phone")
    return page


def _settled(page: Any) -> None:
    _wait_js(
        page, "document.querySelector('svg.diagram').getAttribute('data-jm-settled') === 'true'"
    )


def _all_touchpoints(page: Any) -> set[str]:
    return set(
        page.evaluate(
            "Array.from(document.querySelectorAll('svg.diagram g.node.touchpoint')).map(g => g.id)"
        )
    )


def test_presenter_walk_shows_every_touchpoint_legibly(
    claims_server: LiveServer, browser: Any, artifacts: Path
) -> None:
    errors: list[str] = []
    page = _presenter_page(browser, claims_server, errors)
    original = page.get_attribute("svg.diagram", "viewBox")
    page.keyboard.press("f")
    _settled(page)
    # full screen: the diagram fills the window above the control bar
    box = page.evaluate("document.querySelector('svg.diagram').getBoundingClientRect().toJSON()")
    bar = page.evaluate("document.getElementById('jm-live-bar').getBoundingClientRect().toJSON()")
    assert box["x"] == 0 and box["y"] == 0 and box["width"] == 1280
    assert box["height"] == bar["y"] and bar["height"] <= 56
    assert page.get_attribute("svg.diagram", "data-jm-step") == "-1"
    assert "Overview" in _text(page, "jm-step")
    page.screenshot(path=str(artifacts / "serve-presenter-overview.png"))

    seen: dict[str, float] = {}
    stages_seen: set[str] = set()
    report: list[str] = []
    steps = 0
    while True:
        before = page.evaluate("document.querySelector('svg.diagram').getAttribute('data-jm-step')")
        page.keyboard.press("ArrowRight")
        _settled(page)
        m = page.evaluate(MEASURE)
        if str(m["step"]) == before:
            break  # the last step: → does nothing more
        steps += 1
        if steps in (2, 3):
            page.screenshot(path=str(artifacts / f"serve-presenter-step-{steps}.png"))
        assert m["tps"], m["label"]
        for tp in m["tps"]:
            assert tp["onScreen"] and tp["nameOnScreen"], (m["label"], tp)
            assert tp["namePx"] >= 16, (m["label"], tp)
            seen[tp["id"]] = max(seen.get(tp["id"], 0), tp["namePx"])
        for lane, label in m["labels"].items():
            assert label["onScreen"] and label["uncovered"], (m["label"], lane, label)
            assert label["inLane"] and label["dy"] <= 4, (m["label"], lane, label)
            assert label["left"] < 20, (m["label"], lane, label)  # pinned at the left edge
        assert m["heads"], m["label"]
        for head in m["heads"]:
            assert head["onScreen"] and head["uncovered"], (m["label"], head)
            stages_seen.add(head["id"])
        report.append(
            f"{m['label']}: {len(m['tps'])} touchpoints, names "
            f"{min(t['namePx'] for t in m['tps']):.1f}-{max(t['namePx'] for t in m['tps']):.1f} px"
        )
    (artifacts / "serve-presenter-walk.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    # the criterion: every touchpoint of claims-before shown with its name at >= 16 px
    assert set(seen) == _all_touchpoints(page), _all_touchpoints(page) - set(seen)
    assert stages_seen == {"report", "assess", "repair", "settle", "close"}
    # ← walks back; Home is the overview again
    page.keyboard.press("ArrowLeft")
    _settled(page)
    assert page.evaluate(MEASURE)["step"] == steps - 2
    page.keyboard.press("Home")
    _settled(page)
    assert page.evaluate(MEASURE)["step"] == -1
    # Esc leaves presenter mode and gives the diagram its own viewBox back, no pins left over
    page.keyboard.press("Escape")
    assert page.get_attribute("svg.diagram", "viewBox") == original
    assert page.evaluate("document.querySelectorAll('svg.diagram .jm-pins').length") == 0
    assert page.evaluate("document.querySelectorAll('svg.diagram .jm-walk-out').length") == 0
    assert errors == []
    page.context.close()


def test_presenter_controls_step_zoom_and_stage_clicks(
    claims_server: LiveServer, browser: Any
) -> None:
    errors: list[str] = []
    page = _presenter_page(browser, claims_server, errors)
    page.click("#jm-live-bar .jm-present")
    _settled(page)
    assert page.is_visible("#jm-walk")
    # a click on a stage header in the overview goes to that stage
    page.click("svg.diagram #stage-settle text")
    _settled(page)
    m = page.evaluate(MEASURE)
    assert "settle" in m["label"] and "tp-payment" in {t["id"] for t in m["tps"]}
    # the buttons step like the arrow keys
    page.click("#jm-walk .jm-next")
    _settled(page)
    assert "close" in page.evaluate(MEASURE)["label"]
    page.click("#jm-walk .jm-prev")
    _settled(page)
    assert "settle" in page.evaluate(MEASURE)["label"]
    # zoom in: the lane labels stay pinned at the left, level with their lanes
    page.keyboard.press("+")
    page.keyboard.press("+")
    _settled(page)
    m = page.evaluate(MEASURE)
    assert m["labels"]
    for lane, label in m["labels"].items():
        if label["onScreen"]:  # zoomed in, some lanes are now above or below the screen
            assert label["pinned"] and label["uncovered"] and label["inLane"], (lane, label)
            assert label["left"] < 20
    # the wheel zooms too; 0 goes back to the step's own fit
    page.mouse.move(700, 300)
    page.mouse.wheel(0, 300)
    page.keyboard.press("0")
    _settled(page)
    assert all(t["onScreen"] for t in page.evaluate(MEASURE)["tps"])
    # two stages at a time: fewer, wider steps; a pinned header is a way back to a stage
    page.click("#jm-walk .jm-per button[value='2']")
    _settled(page)
    assert page.get_attribute("#jm-walk .jm-per button[value='2']", "aria-pressed") == "true"
    assert "\u2013" in _text(page, "jm-step")  # "settle – close"
    page.keyboard.press("1")
    page.keyboard.press("End")
    _settled(page)
    assert _text(page, "jm-step").startswith("close")
    # walk back to a step whose stage header is pinned (the step starts below the top lane);
    # a click on the pinned header goes to the first step of its stage
    pinned = "svg.diagram .jm-pin-top:not(.jm-off) .jm-pin-stage.jm-walk-on"
    for _ in range(10):
        if page.locator(pinned).count():
            break
        page.keyboard.press("ArrowLeft")
        _settled(page)
    assert page.locator(pinned).count() == 1, _text(page, "jm-step")
    name = page.get_attribute(pinned, "data-stage")
    page.click(pinned + " text")
    _settled(page)
    label = _text(page, "jm-step")
    assert label.startswith(name) and ("part" not in label or "part 1 of" in label), label
    page.keyboard.press("Escape")
    assert not page.evaluate("document.documentElement.classList.contains('jm-presenting')")
    assert errors == []
    page.context.close()


def test_presenter_animates_unless_reduced_motion(claims_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 720}, reduced_motion="no-preference"
    )
    page = context.new_page()
    page.goto(claims_server.url + "claims-before.html")
    page.wait_for_selector("svg.diagram #tp-fnol-phone")
    page.keyboard.press("f")
    _settled(page)
    page.evaluate(
        "(() => { const svg = document.querySelector('svg.diagram'); window.__boxes = [];"
        " new MutationObserver(() => window.__boxes.push(svg.getAttribute('viewBox')))"
        ".observe(svg, {attributes: true, attributeFilter: ['viewBox']}); })()"
    )
    page.keyboard.press("ArrowRight")
    _settled(page)
    # the viewBox went through in-between values from the overview to the step
    boxes = page.evaluate("window.__boxes")
    assert len(set(boxes)) >= 3, boxes
    context.close()

    # with reduced motion it jumps: one change
    context = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(claims_server.url + "claims-before.html")
    page.wait_for_selector("svg.diagram #tp-fnol-phone")
    page.keyboard.press("f")
    page.evaluate(
        "(() => { const svg = document.querySelector('svg.diagram'); window.__boxes = [];"
        " new MutationObserver(() => window.__boxes.push(svg.getAttribute('viewBox')))"
        ".observe(svg, {attributes: true, attributeFilter: ['viewBox']}); })()"
    )
    page.keyboard.press("ArrowRight")
    _settled(page)
    assert len(page.evaluate("window.__boxes")) == 1
    context.close()


def test_presenter_keeps_its_stage_through_a_live_update(
    claims_server: LiveServer, claims_dir: Path, browser: Any
) -> None:
    errors: list[str] = []
    page = _presenter_page(browser, claims_server, errors)
    _wait_subscribed(claims_server)
    page.keyboard.press("f")
    _settled(page)
    page.click("svg.diagram #stage-settle text")
    _settled(page)
    label = _text(page, "jm-step")
    assert label.startswith("settle")
    version = page.evaluate("document.documentElement.getAttribute('data-live-version')")
    yaml = claims_dir / "claims-before.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("name: Payment issued", "name: Money paid"), encoding="utf-8")
    _wait_js(
        page,
        f"document.documentElement.getAttribute('data-live-version') !== '{version}'"
        " && document.getElementById('tp-payment-title').textContent.includes('Money paid')",
    )
    _settled(page)
    assert _text(page, "jm-step") == label  # still on the same stage
    assert page.evaluate("document.querySelectorAll('svg.diagram .jm-pins').length") == 1
    m = page.evaluate(MEASURE)
    assert "tp-payment" in {t["id"] for t in m["tps"]}
    assert all(t["onScreen"] and t["namePx"] >= 16 for t in m["tps"])
    assert errors == []
    page.context.close()


def test_actual_size_stays_through_a_live_update(
    claims_server: LiveServer, claims_dir: Path, browser: Any
) -> None:
    errors: list[str] = []
    page = _presenter_page(browser, claims_server, errors)
    _wait_subscribed(claims_server)
    page.click("#diagram button.zoom")
    scroll = "(() => { const a = document.querySelector('#diagram .zoom-area');"
    assert page.evaluate(scroll + " return [a.scrollLeft, a.scrollTop]; })()") == [0, 0]
    page.evaluate(scroll + " a.scrollLeft = 600; a.scrollTop = 300; })()")
    version = page.evaluate("document.documentElement.getAttribute('data-live-version')")
    yaml = claims_dir / "claims-before.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("name: Payment issued", "name: Money paid"), encoding="utf-8")
    # both messages: the picture first, then the page body (a new figure, zoomed as before)
    _wait_js(
        page,
        f"Number(document.documentElement.getAttribute('data-live-version')) >= {version} + 1"
        " && Array.from(document.querySelectorAll('main table'))"
        ".some(t => t.textContent.includes('Money paid'))",
    )
    assert page.get_attribute("#diagram button.zoom", "aria-pressed") == "true"
    assert page.evaluate(scroll + " return [a.scrollLeft, a.scrollTop]; })()") == [600, 300]
    assert page.locator("#diagram .sticky-pin").count() == 3
    assert "Money paid" in _text(page, "tp-payment-title")
    assert errors == []
    page.context.close()
