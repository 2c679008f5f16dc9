"""The report site in a real headless Chromium: no errors, no network, linked findings, no XSS."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from journeymap import project
from journeymap.catalog import is_per_handoff
from journeymap.report import build_site

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data" / "report"
EXAMPLE = Path(__file__).resolve().parents[2] / "journeys" / "b2b-purchase.yaml"
JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("journeys")
    for name in ("broadband.yaml", "hostile.yaml"):
        shutil.copy(DATA / name, folder / name)
    return build_site(
        [folder], tmp_path_factory.mktemp("out") / "site", jobs=1, cache=False
    ).out_dir


@dataclass
class Visit:
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(url: str, scheme: str = "light") -> Visit:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)
        page.on(
            "console",
            lambda m: visit.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: visit.errors.append(str(e)))
        page.on("request", lambda r: visit.requests.append(r.url))

        def dialog(d: Any) -> None:
            visit.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.add_init_script("window.__pwned = undefined;")
        page.goto(url)
        page.wait_for_load_state("load")
        return visit

    yield open_
    for context in contexts:
        context.close()


def test_pages_load_without_errors_or_network(site: Path, open_page: Any, artifacts: Path) -> None:
    for name in ("index.html", "broadband.html", "hostile.html"):
        url = (site / name).as_uri()
        visit = open_page(url)
        assert visit.errors == [], (name, visit.errors)
        assert visit.requests == [url], (name, visit.requests)
        visit.page.screenshot(path=str(artifacts / f"report-{name[:-5]}-light.png"), full_page=True)


def test_findings_are_listed(site: Path, open_page: Any) -> None:
    page = open_page((site / "broadband.html").as_uri()).page
    rows = page.locator("tr.finding-row[id^='handoff-']")
    assert rows.count() == 5  # broadband.md: five handoffs
    assert page.locator("tr.finding-row").count() >= 6  # and JM202 (no end-to-end owner)
    assert "JM103" in rows.nth(2).inner_text()


def test_clicking_a_finding_highlights_its_edge(site: Path, open_page: Any) -> None:
    page = open_page((site / "broadband.html").as_uri()).page
    edge = page.locator("svg.diagram #edge-call--visit")
    assert edge.count() == 1
    assert "is-selected" not in (edge.get_attribute("class") or "")
    row = page.locator("tr[data-target='edge-call--visit']")
    if row.locator("details").count():
        assert row.locator("details").evaluate("d => d.open") is False  # closed by default
    page.locator("tr[data-target='edge-call--visit'] button.pick").click()
    assert "is-selected" in (edge.get_attribute("class") or "")
    if row.locator("details").count():
        assert row.locator("details").evaluate("d => d.open") is True  # and opened by the click
    # Choosing another finding moves the highlight.
    page.locator("tr[data-target='edge-offer--call'] button.pick").click()
    assert "is-selected" not in (edge.get_attribute("class") or "")
    assert "is-selected" in (
        page.locator("svg.diagram #edge-offer--call").get_attribute("class") or ""
    )


def test_clicking_an_edge_highlights_its_finding(site: Path, open_page: Any) -> None:
    page = open_page((site / "broadband.html").as_uri()).page
    page.locator("svg.diagram #edge-care-call--visit path").first.dispatch_event("click")
    row = page.locator("tr[data-target='edge-care-call--visit']")
    assert "is-selected" in (row.get_attribute("class") or "")
    assert row.get_attribute("aria-current") == "true"
    assert "JM108" in row.inner_text()  # the ping-pong handoff
    # its findings, folded away in a closed <details>, are opened and shown
    assert row.locator("details").evaluate("d => d.open") is True
    assert row.locator("li.finding").first.is_visible()


def test_hostile_names_show_as_text_and_run_nothing(
    site: Path, open_page: Any, artifacts: Path
) -> None:
    for name in ("hostile.html", "index.html"):
        visit = open_page((site / name).as_uri())
        page = visit.page
        for row in range(page.locator("tr[data-target]").count()):
            page.locator("tr[data-target]").nth(row).click()
        page.mouse.move(10, 10)
        page.hover("h1")
        assert page.evaluate("window.__pwned") is None, name
        assert visit.dialogs == [], name
        assert visit.errors == [], (name, visit.errors)
        counts = page.evaluate(
            "['script', 'img', 'iframe', 'style'].map(t => document.getElementsByTagName(t).length)"
        )
        assert counts == [2 if name == "hostile.html" else 1, 0, 0, 1], (name, counts)
    page = open_page((site / "hostile.html").as_uri()).page
    assert page.title().startswith("<script>window.__pwned = 'title'</script> Hostile {{7*7}}")
    page.click("#details summary")  # the pains, gains and KPIs are folded away
    assert "<script>window.__pwned='touchpoint'</script>Form" in page.inner_text("#details")
    page.screenshot(path=str(artifacts / "report-hostile-text.png"), full_page=True)


def test_screenshots_dark_and_print(
    site: Path, open_page: Any, artifacts: Path, tmp_path: Path
) -> None:
    if EXAMPLE.is_file():
        example = build_site([EXAMPLE], tmp_path / "example", jobs=1, cache=False)
        url = example.pages[0].as_uri()
    else:
        url = (site / "broadband.html").as_uri()
    dark = open_page(url, "dark")
    assert dark.errors == []
    background = dark.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 25)"  # --bg of the dark scheme
    dark.page.screenshot(path=str(artifacts / "report-journey-dark.png"), full_page=True)
    light = open_page(url)
    light.page.screenshot(path=str(artifacts / "report-journey-light.png"), full_page=True)
    light.page.emulate_media(media="print")
    light.page.screenshot(path=str(artifacts / "report-journey-print.png"), full_page=True)
    pdf = light.page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    (artifacts / "report-journey.pdf").write_bytes(pdf)


def test_actual_size_button_zooms_the_diagram(site: Path, open_page: Any) -> None:
    visit = open_page((site / "broadband.html").as_uri())
    page = visit.page
    svg = page.locator("svg.diagram")
    natural = float(svg.get_attribute("data-natural-width") or 0)
    assert natural > 0
    page.click("button.zoom")
    assert page.get_attribute("button.zoom", "aria-pressed") == "true"
    assert abs(svg.bounding_box()["width"] - natural) < 1.5
    page.click("button.zoom")
    assert page.get_attribute("button.zoom", "aria-pressed") == "false"
    assert visit.errors == []


EXAMPLES = EXAMPLE.parent


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="the example journeys/ folder is not there")
def test_portfolio_of_the_examples_zooms_its_silo_map(
    open_page: Any, artifacts: Path, tmp_path: Path
) -> None:
    index = build_site([EXAMPLES], tmp_path / "examples" / "site", jobs=2, cache=False).index
    for scheme in ("light", "dark"):
        visit = open_page(index.as_uri(), scheme)
        assert visit.errors == [], visit.errors
        assert visit.requests == [index.as_uri()]
        visit.page.screenshot(
            path=str(artifacts / f"report-portfolio-{scheme}.png"), full_page=True
        )
    page = visit.page
    svg = page.locator("#silo-map svg.diagram")
    natural = float(svg.get_attribute("data-natural-width") or 0)
    fitted = svg.bounding_box()["width"]
    assert 0 < fitted < natural  # the examples' map is wider than the page: shrunk to fit
    page.click("#silo-map button.zoom")
    assert page.get_attribute("#silo-map button.zoom", "aria-pressed") == "true"
    assert abs(svg.bounding_box()["width"] - natural) < 1.5
    # Zoomed, it scrolls inside its frame rather than widening the page, centred where it was.
    area = page.locator("#silo-map .zoom-area").bounding_box()
    assert area["width"] <= 1400
    left, width, inner = page.evaluate(
        "(() => { const a = document.querySelector('#silo-map .zoom-area');"
        " return [a.scrollLeft, a.scrollWidth, a.clientWidth]; })()"
    )
    assert abs(left + inner / 2 - width / 2) < 2
    page.locator("#silo-map").screenshot(path=str(artifacts / "report-portfolio-silos-zoomed.png"))
    assert visit.errors == []


# --- "Actual size" of a journey diagram: from the top left, lane labels and stage headers stick --

# What a reader of the zoomed frame sees: for each lane and stage header the sticky copy shows,
# is its text inside the frame and not covered (the point at its middle is the copy's), and where
# it sits; plus the frame's scroll position.
STICKY = """() => {
  const area = document.querySelector('#diagram .zoom-area');
  const f = area.getBoundingClientRect();
  const frame = {left: f.left, top: f.top, right: f.left + area.clientWidth, bottom: f.top + area.clientHeight};
  const inside = (r) => r.left >= frame.left - 0.5 && r.right <= frame.right + 0.5
    && r.top >= frame.top - 0.5 && r.bottom <= frame.bottom + 0.5;
  const look = (group) => {
    const r = group.querySelector('text').getBoundingClientRect();
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    return {inside: inside(r), uncovered: !!hit && group.contains(hit), left: r.left - frame.left,
            top: r.top - frame.top, text: group.textContent.trim()};
  };
  const lanes = {}, stages = {};
  const below = Math.max(frame.top, area.querySelector('.pin-stages').getBoundingClientRect().bottom);
  area.querySelectorAll('.pin-lanes [data-lane]').forEach((g) => {
    const band = document.getElementById('lane-' + g.getAttribute('data-lane')).getBoundingClientRect();
    const r = g.getBoundingClientRect();
    lanes[g.getAttribute('data-lane')] = Object.assign(look(g), {
      laneInFrame: Math.min(band.bottom, frame.bottom) - Math.max(band.top, below) > r.height + 12,
      inLane: r.top >= band.top - 0.5 && r.bottom <= band.bottom + 0.5,
      belowHeaders: r.top >= below - 0.5});
  });
  area.querySelectorAll('.pin-stages [data-stage]').forEach((g) => {
    const band = document.getElementById('stage-band-' + g.getAttribute('data-stage')).getBoundingClientRect();
    stages[g.getAttribute('data-stage')] = Object.assign(look(g), {
      stageInFrame: Math.min(band.right, frame.right) - Math.max(band.left, frame.left) > 120});
  });
  return {scroll: [area.scrollLeft, area.scrollTop], max: [area.scrollWidth - area.clientWidth,
          area.scrollHeight - area.clientHeight], lanes, stages};
}"""


@pytest.fixture(scope="module")
def claims_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("claims")
    for name in ("claims-before.yaml", "organisation.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    return build_site(
        [folder], tmp_path_factory.mktemp("out") / "site", jobs=1, cache=False
    ).out_dir


def _check_sticky(seen: dict[str, Any], where: str) -> None:
    lanes = [lane for lane in seen["lanes"].values() if lane["laneInFrame"]]
    stages = [stage for stage in seen["stages"].values() if stage["stageInFrame"]]
    assert lanes and stages, (where, seen)
    for lane in lanes:  # every lane in view has its label in view, at the left, in the lane
        assert lane["inside"] and lane["uncovered"], (where, lane)
        assert lane["inLane"] and lane["belowHeaders"], (where, lane)
        assert lane["left"] < 30, (where, lane)
    for stage in stages:  # every stage in view has its name in view, at the top
        assert stage["inside"] and stage["uncovered"], (where, stage)
        assert stage["top"] < 20 or seen["scroll"][1] == 0, (where, stage)


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="the example journeys/ folder is not there")
@pytest.mark.parametrize("size", [(1600, 900), (390, 844)], ids=["desktop", "phone"])
def test_actual_size_starts_top_left_with_labels_in_view(
    claims_site: Path, browser: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((claims_site / "claims-before.html").as_uri())
    svg = page.locator("#diagram svg.diagram")
    natural = float(svg.get_attribute("data-natural-width") or 0)
    page.click("#diagram button.zoom")
    page.evaluate("document.querySelector('#diagram .zoom-bar').scrollIntoView()")
    assert abs(svg.bounding_box()["width"] - natural) < 1.5
    seen = page.evaluate(STICKY)
    assert seen["scroll"] == [0, 0]  # the top left, not the middle
    assert seen["max"][0] > 700 and seen["max"][1] > 300  # it does scroll, both ways
    _check_sticky(seen, "at 0,0")
    tag = "desktop" if size[0] > 1000 else "phone"
    page.locator("#diagram figure").screenshot(
        path=str(artifacts / f"report-actual-size-{tag}.png")
    )
    page.evaluate(
        "(() => { const a = document.querySelector('#diagram .zoom-area');"
        " a.scrollLeft += 800; a.scrollTop += 800; })()"
    )
    page.wait_for_timeout(100)  # the stage names follow the scroll on the next frame
    seen = page.evaluate(STICKY)
    assert seen["scroll"][0] >= min(800, seen["max"][0]) - 1 and seen["scroll"][1] > 300
    _check_sticky(seen, "scrolled")
    page.locator("#diagram figure").screenshot(
        path=str(artifacts / f"report-actual-size-{tag}-scrolled.png")
    )
    # back to fitted: the copies go, the picture fits the frame again
    page.click("#diagram button.zoom")
    assert page.locator("#diagram .sticky-pin").count() == 0
    assert svg.bounding_box()["width"] < natural
    assert errors == []
    context.close()


def test_claims_page_is_short_plain_and_fits_a_phone(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Issue 12: claims-before's page is short (findings folded away, all still in the DOM),
    speaks plainly (no backticks), leads with the fixes and never scrolls sideways on a phone."""
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    out = build_site([folder], tmp_path / "site", jobs=1, cache=False).out_dir
    url = (out / "claims-before.html").as_uri()
    findings = project.analyse_file(folder / "claims-before.yaml").analysis.findings
    # each handoff's JM100 summary is the handoff row itself, not a finding element
    shown = [f for f in findings if not is_per_handoff(f.rule)]
    sizes = {"wide": (1600, 1000), "laptop": (1280, 720), "phone": (390, 844)}
    for name, (width, height) in sizes.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(url)
            page.wait_for_load_state("load")
            page.screenshot(path=str(artifacts / f"report-claims-{name}.png"))
            assert errors == [], (name, errors)
            assert page.evaluate("document.body.innerText.split('`').length - 1") == 0, name
            if name == "wide":
                tall = page.evaluate("document.documentElement.scrollHeight")
                print(f"claims-before at 1600x1000: {tall} px tall")
                assert tall <= 6000, tall
                assert page.locator(".finding").count() == len(shown)
                assert page.locator("details.finding-details[open]").count() == 0
                top = page.evaluate("document.getElementById('fixes').getBoundingClientRect().top")
                assert 0 <= top < 1000, top
                # every code chip carries its rule's title and summary; the glossary lists them
                untitled = page.evaluate(
                    "Array.from(document.querySelectorAll('abbr.rule'))"
                    ".filter(a => !/^JM\\d+ .+: .+/.test(a.title)).length"
                )
                assert untitled == 0
                assert "96%" in page.inner_text("#codes")
            if name == "phone":
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 390, wide
        finally:
            context.close()


def test_no_page_scrolls_sideways_even_with_every_fold_open(
    browser: Any, tmp_path: Path
) -> None:
    """Every page of the examples' site, at projector, laptop and phone sizes, with every
    <details> opened (as a reader looking for everything would): the page is never wider than
    the screen (wide content scrolls inside its own frame)."""
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    out = build_site([folder], tmp_path / "site", jobs=1, cache=False).out_dir
    too_wide = []
    for width, height in ((1600, 1000), (1280, 720), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            for html in sorted(out.glob("*.html")):
                page.goto(html.as_uri())
                page.wait_for_load_state("load")
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append((html.name, width, scroll))
        finally:
            context.close()
    assert too_wide == []
