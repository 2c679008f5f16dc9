"""The portfolio index: the portfolio's fixes by executive, severity chips, the heat map's views.

Expected figures come from hand computation on the two-journey folder tests/data/report/portfolio
(see the comments) and, on the examples, from what-if runs made here for every fix.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.fixes import ranked_fixes
from journeymap.analysis.portfolio import (
    HIGH_RISK,
    FixSummary,
    portfolio,
    summarize,
    top_fixes,
)
from journeymap.analysis.whatif import apply
from journeymap.config import Config
from journeymap.project import analyse_file, find_journeys
from journeymap.report import build_site, render_index
from journeymap.report.summary import index_summary

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).resolve().parents[1] / "data" / "report" / "portfolio"


class _Nodes(HTMLParser):
    """A flat list of (tag, attrs, text inside) for the elements of a page fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.done: list[tuple[str, dict[str, str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "input", "img", "link"):
            return
        self.open.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                t, a, text = self.open.pop(i)
                joined = "".join(text)
                self.done.append((t, a, re.sub(r"\s+", " ", joined).strip()))
                for _, _, outer in self.open:
                    outer.append(joined)
                return

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)


def nodes(html: str) -> list[tuple[str, dict[str, str], str]]:
    parser = _Nodes()
    parser.feed(html)
    return parser.done


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>\n\n", start)]


def fix_groups(html: str) -> list[tuple[str, list[str]]]:
    """(executive heading, the text of each fix) for the fix section, in page order."""
    part = section(html, "fix-first")
    out = []
    for chunk in part.split('<div class="pf-fix-group">')[1:]:
        lead = re.search(r'<h3 class="pf-lead[^"]*">(.*?) <span', chunk, re.S)
        assert lead
        items = [text for tag, attrs, text in nodes(chunk) if tag == "li"]
        out.append((unescape(lead.group(1)), items))
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site([TINY], tmp_path_factory.mktemp("tiny") / "site", jobs=1, cache=False).out_dir


@pytest.fixture(scope="module")
def tiny_site(tiny: Path) -> str:
    return (tiny / "index.html").read_text(encoding="utf-8")


# By hand. alpha (100 customers): a1 -> a2 (Front desk -> Back office) is crossed by every
# customer, has no owner (JM101, weight 2) and carries nothing (JM102, 3): risk (1 + 2 + 3) x 1
# = 6; a2 -> a3 (-> Accounts) by half of them, no owner, carries a case summary: (1 + 2) x 0.5 =
# 1.5. Total 7.5. Its fixes: carry at a1 -> a2 removes 3 x 1 = 3 (Front desk, CEO); an owner
# there removes 2 x 1 = 2 (Back office, no lead); an owner at a2 -> a3 removes 2 x 0.5 = 1
# (Accounts, CFO). beta (10 customers): b1 -> b2 (Sales -> Repairs, which beta calls
# "Repair desk") 0.8 per customer, JM101 + JM102 + JM104 (1): (1 + 2 + 3 + 1) x 0.8 = 5.6.
# Its fixes: carry 3 x 0.8 = 2.4 (Sales, COO), owner 2 x 0.8 = 1.6 (Repairs, COO), channel
# 1 x 0.8 = 0.8 (sixth: left out). None of these changes the handoffs a customer crosses.
TINY_FIXES = [
    (
        "CEO",
        [
            (
                1,
                "Hand over case-summary with the customer at 'A one' \u2192 'A two'",
                "Alpha",
                "Front desk",
                "3.00",
                "40%",  # 3 / 7.5
                [1],
            )
        ],
    ),
    (
        "COO",
        [
            (
                2,
                "Hand over case-summary with the customer at 'B one' \u2192 'B two'",
                "Beta",
                "Sales",
                "2.40",
                "43%",  # 2.4 / 5.6
                [1],
            ),
            (
                4,
                "Repairs owns the handoff 'B one' \u2192 'B two'",
                "Beta",
                "Repairs",
                "1.60",
                "29%",  # 1.6 / 5.6
                [1],
            ),
        ],
    ),
    (
        "No lead named",
        [
            (
                3,
                "Back office owns the handoff 'A one' \u2192 'A two'",
                "Alpha",
                "Back office",
                "2.00",
                "27%",
                [1],
            )
        ],
    ),
    (
        "CFO",
        [
            (
                5,
                "Accounts owns the handoff 'A two' \u2192 'A three'",
                "Alpha",
                "Accounts",
                "1.00",
                "13%",
                [2],
            )
        ],
    ),
]


def test_the_five_fixes_that_remove_most_risk_grouped_by_executive(tiny_site: str) -> None:
    groups = fix_groups(tiny_site)
    assert [lead for lead, _ in groups] == [lead for lead, _ in TINY_FIXES]
    for (lead, items), (_, expected) in zip(groups, TINY_FIXES, strict=True):
        assert len(items) == len(expected), lead
        for text, (_, title, journey, function, removed, share, _) in zip(
            items, expected, strict=True
        ):
            assert text.startswith(title), (lead, text)
            assert f"{journey} \u00b7 {function} \u00b7 handoff #" in text, text
            assert f"removes {removed} risk ({share} of the journey's)" in text, text
            # an owner or a case summary resolves the one finding it was proposed for, and
            # changes no path: the expected handoffs per customer stay, so they go unsaid
            assert "resolves 1 finding" in text and "handoffs per customer" not in text, text
    ranks = [int(r) for r in re.findall(r'<li class="pf-fix" value="(\d+)">', tiny_site)]
    assert ranks == [rank for _, fixes in TINY_FIXES for rank, *_ in fixes]
    assert "keep the customer on web" not in section(tiny_site, "fix-first")  # the sixth


def test_fixes_link_to_their_journey_and_handoffs(tiny: Path, tiny_site: str) -> None:
    part = section(tiny_site, "fix-first")
    links = [(a["href"], text) for tag, a, text in nodes(part) if tag == "a"]
    expected = []
    for _, fixes in TINY_FIXES:
        for _, _, journey, _, _, _, handoffs in fixes:
            page = journey.lower() + ".html"
            expected.append((f"{page}#fixes", journey))
            expected += [(f"{page}#handoff-{n}", f"#{n}") for n in handoffs]
    assert links == expected
    for href, _ in links:  # the journey pages have those anchors
        page, anchor = href.split("#")
        assert f'id="{anchor}"' in (tiny / page).read_text(encoding="utf-8"), href


def test_the_portfolio_names_a_renamed_function_one_way(tiny_site: str) -> None:
    # beta calls the organisation's Repairs "Repair desk"; the index says Repairs everywhere.
    assert "Repair desk" not in tiny_site
    assert tiny_site.count("Repairs") >= 3  # a fix's words, its function, the heat map


def chips(html: str) -> dict[str, list[str]]:
    """Journey title -> the texts of its severity chips."""
    rows = section(html, "journeys").split("</table>")[0].split("<tr>")[2:]
    out = {}
    for row in rows:
        title = re.search(r'<td class="title"><a href="[^"]*">(.*?)</a>', row)
        assert title
        out[unescape(title.group(1))] = [
            text for tag, a, text in nodes(row) if "chip" in a.get("class", "").split()
        ]
    return out


def test_journey_rows_show_handoffs_at_risk_and_errors_not_warning_counts(tiny_site: str) -> None:
    # alpha: 6 >= 3 (high-risk) and 1.5 < 3 but hit by JM101 (to review). beta: 5.6 (high-risk);
    # b4 and b5 form a loop nobody can enter: unreachable (JM301) and never left (JM302), an
    # error each, four errors.
    assert chips(tiny_site) == {
        "Alpha": ["1 high-risk", "1 to review"],
        "Beta": ["1 high-risk", "4 errors"],
    }
    assert "warning" not in section(tiny_site, "journeys").split("</table>")[0].lower()
    assert HIGH_RISK == 3.0


def test_a_journey_with_nothing_risky_says_so(broadband: Any) -> None:
    journey = broadband.journey
    calm = analyze(journey, Config.default())
    figures = portfolio([calm]).journeys[0]
    # By hand (tests/data/worked/broadband.md): risks 2, 1.6, 1.18, 0.49 and 0.42, all below 3,
    # each hit by a risky factor (JM101 on four, JM106 or JM102 on the fifth).
    assert (figures.high_risk_handoffs, figures.review_handoffs) == (0, 5)


def heat_cells(html: str, kind: str) -> list[tuple[int, str, str, str]]:
    """(level, text, row name, column index) of every filled cell of one heat map view."""
    part = section(html, "heat")
    view = part.split(f'data-heat-view="{kind}"', 1)[1].split('<div class="heat-view"', 1)[0]
    cells = []
    for r, row in enumerate(view.split('<tr><th scope="row">')[1:]):
        for c, m in enumerate(re.finditer(r'<td class="(h\d|self)"[^>]*>([^<]*)</td>', row)):
            if m.group(1) != "self" and m.group(2):
                cells.append((int(m.group(1)[1:]), unescape(m.group(2)), str(r), str(c)))
    return cells


@pytest.fixture(scope="module")
def examples() -> list[tuple[Any, Config, list[Any]]]:
    items = [analyse_file(str(p), None) for p in find_journeys([ROOT / "journeys"])]
    return [
        (i.analysis, i.config, ranked_fixes(i.analysis.journey, i.analysis, i.config))
        for i in items
    ]


@pytest.fixture(scope="module")
def examples_index(examples: list[tuple[Any, Config, list[Any]]]) -> str:
    summaries = [index_summary(a, fixes, config) for a, config, fixes in examples]
    return render_index(summaries, portfolio(summaries), None)


def test_heat_map_colour_and_number_are_one_measure_in_each_view(
    examples: list[tuple[Any, Config, list[Any]]], examples_index: str
) -> None:
    pairs = portfolio([a for a, _, _ in examples]).pairs
    for kind in ("handoffs", "customers"):
        cells = heat_cells(examples_index, kind)
        assert len(cells) == len(pairs)
        values = [0.01 if text == "<0.01" else float(text) for _, text, _, _ in cells]
        peak = max(values)
        for (level, text, _, _), value in zip(cells, values, strict=True):
            assert level == max(1, min(5, math.ceil(value / peak * 5))), (kind, text, level)
    # the number shown: counts, then crossings per customer (two decimals)
    assert sorted(int(t) for _, t, _, _ in heat_cells(examples_index, "handoffs")) == sorted(
        p.count for p in pairs
    )
    shown = sorted(t for _, t, _, _ in heat_cells(examples_index, "customers"))
    assert shown == sorted(
        "<0.01" if p.per_customer < 0.005 else f"{p.per_customer:.2f}".rstrip("0").rstrip(".")
        for p in pairs
    )
    # the two measures disagree on the examples (a 4 is pale by customers, a 2 dark): colouring
    # one view by the other's measure would fail above
    by_cell = {(r, c): level for level, _, r, c in heat_cells(examples_index, "handoffs")}
    assert any(
        by_cell[(r, c)] != level for level, _, r, c in heat_cells(examples_index, "customers")
    )


def test_the_customers_view_is_hidden_and_the_switch_waits_for_the_script(
    examples_index: str,
) -> None:
    part = section(examples_index, "heat")
    assert '<div class="heat-switch" role="group" aria-label="What the cells show" hidden>' in part
    assert '<div class="heat-view" data-heat-view="handoffs">' in part
    assert '<div class="heat-view" data-heat-view="customers" hidden>' in part
    assert part.count('aria-pressed="true"') == 1


def test_top_five_over_the_examples_match_what_if_runs_made_here(
    examples: list[tuple[Any, Config, list[Any]]], examples_index: str
) -> None:
    # Every fix re-run through what-if here: risk before minus after, summed over handoffs.
    runs = []
    for k, (analysis, config, fixes) in enumerate(examples):
        before = sum(h.risk for h in analysis.handoffs)
        for rank, fix in enumerate(fixes):
            after = analyze(apply(analysis.journey, fix.changes), config)
            runs.append((-round(before - sum(h.risk for h in after.handoffs), 9), k, rank, fix))
    runs.sort(key=lambda r: r[:3])
    best = runs[:5]
    shown = [item for _, items in fix_groups(examples_index) for item in items]
    order = [int(r) for r in re.findall(r'<li class="pf-fix" value="(\d+)">', examples_index)]
    by_rank = dict(zip(order, shown, strict=True))
    assert sorted(by_rank) == [1, 2, 3, 4, 5]
    for n, (removed, k, _, fix) in enumerate(best, start=1):
        text = by_rank[n]
        assert f"removes {-removed:.2f} risk" in text, (n, text)
        assert examples[k][0].journey.title in text
        assert fix.title.split(" at ")[0].lower() in text.lower(), (fix.title, text)
    # grouped by the executive of the function making the change, best group first
    leads = [lead for lead, _ in fix_groups(examples_index)]
    expected: list[str] = []
    for _, k, _, fix in best:
        function = examples[k][0].journey.functions.get(fix.function or "")
        lead = (function.lead if function else None) or "No lead named"
        if lead not in expected:
            expected.append(lead)
    assert leads == expected


def test_summaries_keep_the_top_fixes_as_plain_data(
    examples: list[tuple[Any, Config, list[Any]]],
) -> None:
    analysis, config, fixes = examples[2]
    given = index_summary(analysis, fixes, config)
    computed = index_summary(analysis, None, config)
    assert given.fixes == computed.fixes and len(given.fixes) == 5
    assert [f.title for f in given.fixes] == [f.title for f in fixes[:5]]
    plain = (str, int, float, tuple, type(None))
    for fix in given.fixes:
        assert isinstance(fix, FixSummary)
        assert all(isinstance(getattr(fix, f.name), plain) for f in fields(fix))
    # the silo map and the portfolio read summaries without fixes: no what-if run for them
    assert summarize(analysis).fixes == () and top_fixes([summarize(analysis)]) == ()


def test_the_site_build_ranks_fixes_once_per_journey(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import journeymap.analysis.fixes as fixes_mod
    import journeymap.report.pages as pages_mod
    import journeymap.report.summary as summary_mod

    calls: list[str] = []
    real = fixes_mod.ranked_fixes

    def counted(journey: Any, analysis: Any, config: Any = None, **options: Any) -> Any:
        calls.append(journey.id)
        return real(journey, analysis, config, **options)

    for module in (fixes_mod, pages_mod, summary_mod):
        monkeypatch.setattr(module, "ranked_fixes", counted)
    index = build_site([TINY], tmp_path / "site", jobs=1, cache=False).index
    assert sorted(calls) == ["alpha", "beta"]
    assert "Fix these first across the portfolio" in index.read_text(encoding="utf-8")
