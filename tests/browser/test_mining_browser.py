"""The mined-log page (journeymap mine -f html) in a real Chromium, with a generated log of 8
functions with long names: no text spills out of its box, no two matrix cells overlap, and a
phone never scrolls the page sideways (wide tables scroll inside their own frame)."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from journeymap.mining import mine
from journeymap.report.mining import mined_html

pytestmark = pytest.mark.browser

SIZES = [(1600, 900), (390, 844)]

FUNCTIONS = (
    "Customer Onboarding & Identity Verification",
    "Field Engineering Scheduling",
    "Billing",
    "Network Operations Centre (Tier 2)",
    "Retention",
    "Complaints and Regulatory Escalations",
    "Sales",
    "Technical Support Level 1",
)
STEPS = {
    FUNCTIONS[0]: ("Verify identity documents", "Open account", "Run credit check"),
    FUNCTIONS[1]: ("Book engineer visit", "Reschedule engineer visit"),
    FUNCTIONS[2]: ("Issue first bill", "Correct billing error", "Refund overcharge"),
    FUNCTIONS[3]: ("Diagnose line fault remotely", "Activate line"),
    FUNCTIONS[4]: ("Offer retention discount",),
    FUNCTIONS[5]: ("Log formal complaint", "Escalate to ombudsman liaison"),
    FUNCTIONS[6]: ("Place order", "Quote price"),
    FUNCTIONS[7]: ("Answer call", "Troubleshoot router", "Close ticket"),
}


def write_log(path: Path, cases: int = 430, seed: int = 14) -> Path:
    """A seeded broadband-style log: ~5,000 events, 8 functions, 40 people (5 per function);
    orders go to onboarding, then fulfilment, with bounces to support and billing."""
    rng = random.Random(seed)
    people = {f: [f"{f.split()[0]} agent {i:02d}" for i in range(1, 6)] for f in FUNCTIONS}
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    flow = [FUNCTIONS[6], FUNCTIONS[0], FUNCTIONS[1], FUNCTIONS[3], FUNCTIONS[2]]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"]
        )
        for case in range(cases):
            at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            route = list(flow)
            if rng.random() < 0.35:  # a fault: support, back to the network team
                route[3:3] = [FUNCTIONS[7], FUNCTIONS[3], FUNCTIONS[7]]
            if rng.random() < 0.25:  # a wrong bill: billing, support, billing again
                route += [FUNCTIONS[7], FUNCTIONS[2]]
            if rng.random() < 0.12:
                route += [FUNCTIONS[5], FUNCTIONS[4]]
            for function in route:
                steps = STEPS[function]
                for step in steps[: rng.randint(1, len(steps))]:
                    at += timedelta(minutes=rng.expovariate(1 / 240))
                    writer.writerow(
                        [
                            f"C{case:05d}",
                            step,
                            at.isoformat(),
                            rng.choice(people[function]),
                            function,
                        ]
                    )
                at += timedelta(hours=rng.expovariate(1 / 20))
    return path


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mined")
    log = write_log(folder / "broadband-events.csv")
    page = folder / "mined.html"
    page.write_text(mined_html(mine(str(log))), encoding="utf-8")
    return page


@pytest.fixture
def open_page(browser: Any, page_file: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(width: int, height: int) -> tuple[Any, list[str]]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        return page, errors

    yield open_
    for context in contexts:
        context.close()


# Every element holding text directly whose content is wider or taller than its box while its
# overflow is visible (so the text spills out). Text for screen readers only (clipped to a 1 px
# box: .sr-only, the phone's table headers) and closed folds are not on screen: passed over.
OVERFLOW = """() => {
  const hidden = (el) => {
    for (let a = el; a; a = a.parentElement) {
      if (a.tagName === 'DETAILS' && !a.open && a !== el.closest('summary')?.parentElement) return true;
      const cs = getComputedStyle(a);
      if (cs.clip !== 'auto' && a.getBoundingClientRect().width <= 1) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    if (hidden(el)) continue;
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.overflowX !== 'visible') continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      out.push([el.tagName, el.className, el.textContent.trim().slice(0, 60),
                el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]);
    }
  }
  return out;
}"""

# The matrix's header and body cells as boxes, and each cell's inner spans against its cell.
MATRIX = """() => {
  const table = document.querySelector('table.mined-matrix');
  const boxes = Array.from(table.querySelectorAll('th, td')).map((c) => {
    const r = c.getBoundingClientRect();
    return [c.textContent.trim().slice(0, 30), r.left, r.top, r.right, r.bottom];
  });
  const spill = [];
  for (const span of table.querySelectorAll('td span.n, td span.s, thead th span')) {
    const s = span.getBoundingClientRect(), c = span.closest('th, td').getBoundingClientRect();
    if (s.left < c.left - 0.5 || s.right > c.right + 0.5 || s.top < c.top - 0.5 || s.bottom > c.bottom + 0.5) {
      spill.push([span.textContent, s.left, s.right, c.left, c.right]);
    }
  }
  return {boxes, spill, rows: table.querySelectorAll('tbody tr').length};
}"""

PAGE = """() => ({page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  frames: Array.from(document.querySelectorAll('.table-scroll')).map((f) => {
    const r = f.getBoundingClientRect();
    return [r.left, r.right];
  })})"""


def _overlaps(boxes: list[list[Any]]) -> list[tuple[Any, Any]]:
    found = []
    for i, (ta, l1, t1, r1, b1) in enumerate(boxes):
        for tb, l2, t2, r2, b2 in boxes[i + 1 :]:
            if min(r1, r2) - max(l1, l2) > 0.5 and min(b1, b2) - max(t1, t2) > 0.5:
                found.append((ta, tb))
    return found


@pytest.mark.parametrize("size", SIZES, ids=["1600x900", "390x844"])
def test_no_text_spills_out_of_its_box(
    open_page: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    page, errors = open_page(*size)
    page.screenshot(path=str(artifacts / f"mined-{size[0]}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) == []
    assert errors == []


@pytest.mark.parametrize("size", SIZES, ids=["1600x900", "390x844"])
def test_matrix_cells_do_not_overlap(open_page: Any, size: tuple[int, int]) -> None:
    page, _ = open_page(*size)
    seen = page.evaluate(MATRIX)
    assert seen["rows"] == len(FUNCTIONS)
    # header row, 8 rows and the totals row, each 1 + 8 + 1 cells
    assert len(seen["boxes"]) == (len(FUNCTIONS) + 2) ** 2
    assert _overlaps(seen["boxes"]) == []
    assert seen["spill"] == []


@pytest.mark.parametrize("size", SIZES, ids=["1600x900", "390x844"])
def test_the_page_never_scrolls_sideways(open_page: Any, size: tuple[int, int]) -> None:
    page, _ = open_page(*size)
    seen = page.evaluate(PAGE)
    assert seen["page"][0] <= seen["page"][1], seen["page"]
    for left, right in seen["frames"]:
        assert left >= 0 and right <= size[0], (left, right)


def test_the_phone_scrolls_the_matrix_inside_its_frame(open_page: Any) -> None:
    page, _ = open_page(390, 844)
    frame = page.evaluate(
        "() => { const f = document.querySelector('.mined-matrix-frame');"
        " return [f.scrollWidth, f.clientWidth]; }"
    )
    assert frame[0] > frame[1]  # 8 functions do not fit 390 px: the frame scrolls, not the page
